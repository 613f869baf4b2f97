"""Reading one day partition of raw logs: `LOG_ROOT/dt=YYYY-MM-DD/*.jsonl[.gz|.zst]` or `*.parquet`.

Yields every line as either a parsed record or a bad line with a reason. A bad line never stops the
day: it is reported (file, line, reason, never its text) so the caller can quarantine it.
"""

from __future__ import annotations

import gzip
import json

import orjson
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from logmine_dagster.formats import FormatError, records_from_line
from logmine_dagster.records import RecordError, parse_record

LOG_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet")
SUCCESS_MARKER = "_SUCCESS"
DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class GoodLine:
    source_file: str
    line: int
    record: dict


@dataclass(frozen=True)
class BadLine:
    source_file: str
    line: int | None
    reason: str


LineResult = Union[GoodLine, BadLine]


def partition_dir(log_root: Path, day: str) -> Path:
    return Path(log_root) / f"dt={day}"


def partition_files(log_root: Path, day: str) -> list[Path]:
    folder = partition_dir(log_root, day)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(LOG_SUFFIXES))


def list_partition_days(log_root: Path) -> list[str]:
    """Days that have a `dt=YYYY-MM-DD` folder under the log root (valid dates only)."""
    import datetime as dt

    root = Path(log_root)
    if not root.is_dir():
        return []
    days = []
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("dt="):
            day = child.name[3:]
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                continue
            days.append(day)
    return sorted(days)


def _zstd_lines(path: Path, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Lines of a .zst file, streamed; a truncated frame raises EOFError (zstandard's own reader
    would silently stop)."""
    import zstandard

    decompressor = zstandard.ZstdDecompressor().decompressobj()
    pending = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            pending += decompressor.decompress(chunk)
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
    if not decompressor.eof:
        raise EOFError("zstd frame is truncated")
    if pending:
        yield pending


def _lines(path: Path) -> Iterator[bytes]:
    if path.name.endswith(".zst"):
        yield from _zstd_lines(path)
        return
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        yield from handle


def _records(value, source: str, number: int, fmt: str | None, mapping: dict | None) -> Iterator[LineResult]:
    try:
        candidates = records_from_line(value, fmt, mapping)
    except FormatError as error:
        yield BadLine(source, number, str(error))
        return
    for candidate in candidates:
        try:
            yield GoodLine(source, number, parse_record(candidate))
        except RecordError as error:
            yield BadLine(source, number, f"invalid record: {error}")


def _diagnose(raw: bytes, source: str, number: int) -> BadLine:
    """Why a line failed to parse, without quoting it (slow path: only for bad lines)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadLine(source, number, "not valid UTF-8")
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return BadLine(source, number, f"malformed JSON ({error.msg} at column {error.colno})")
    return BadLine(source, number, "malformed JSON")


def _parse_line(raw: bytes, source: str, number: int, max_line_bytes: int, fmt: str | None, mapping: dict | None) -> Iterator[LineResult]:
    if len(raw) > max_line_bytes:
        yield BadLine(source, number, f"line longer than {max_line_bytes} bytes")
        return
    if not raw.strip():
        return
    try:
        # orjson parses bytes directly and checks UTF-8 itself: several times faster than json.
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        yield _diagnose(raw, source, number)
        return
    yield from _records(value, source, number, fmt, mapping)


def _read_parquet(path: Path, source: str, fmt: str | None, mapping: dict | None) -> Iterator[LineResult]:
    """Row by row in bounded batches; JSON-encoded `input`/`metadata` columns are decoded."""
    import pyarrow.parquet as pq

    number = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):
            for row in batch.to_pylist():
                number += 1
                for key in ("input", "metadata"):
                    if isinstance(row.get(key), str):
                        try:
                            row[key] = json.loads(row[key])
                        except ValueError:
                            pass
                yield from _records(row, source, number, fmt, mapping)
    except Exception as error:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
        yield BadLine(source, number + 1, f"unreadable file after row {number} ({type(error).__name__})")


def read_file(
    path: Path,
    source: str,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
) -> Iterator[LineResult]:
    if path.name.endswith(".parquet"):
        yield from _read_parquet(path, source, fmt, mapping)
        return
    number = 0
    try:
        for number, raw in enumerate(_lines(path), start=1):
            yield from _parse_line(raw, source, number, max_line_bytes, fmt, mapping)
    except Exception as error:  # noqa: BLE001 - EOFError, BadGzipFile, zlib.error, ZstdError, OSError...
        # A truncated or corrupt compressed file: keep what was read, report where it broke.
        yield BadLine(source, number + 1, f"unreadable file after line {number} ({type(error).__name__})")


def read_partition(
    log_root: Path,
    day: str,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
) -> Iterator[LineResult]:
    """Every record of the day; `fmt` None detects each line's format (canonical or OTLP JSON, or
    `mapped` when a field mapping is given)."""
    root = Path(log_root)
    for path in partition_files(root, day):
        yield from read_file(path, str(path.relative_to(root)), max_line_bytes, fmt, mapping)


def partition_complete(log_root: Path, day: str) -> bool:
    """Whether the writer has marked the day complete with a `_SUCCESS` file."""
    return (partition_dir(log_root, day) / SUCCESS_MARKER).exists()


def partition_fingerprint(log_root: Path, day: str) -> str:
    """Changes when any file of the day is added, removed, rewritten or resized."""
    import hashlib

    digest = hashlib.sha256()
    for path in partition_files(Path(log_root), day):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]
