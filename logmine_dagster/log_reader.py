"""Reading one day partition of raw logs: `LOG_ROOT/dt=YYYY-MM-DD/*.jsonl[.gz|.zst]` or `*.parquet`.

Yields every line as either a parsed record or a bad line with a reason. A bad line never stops the
day: it is reported (file, line, reason, never its text) so the caller can quarantine it.
"""

from __future__ import annotations

import json

import orjson
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Union

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


READ_BLOCK = 1 << 18  # compressed bytes per read
DECOMPRESSED_BLOCK = 1 << 21  # bounds memory even for a decompression bomb


class _Oversized:
    """Stands for a line longer than the limit, whose bytes were skipped without being kept."""


OVERSIZED = _Oversized()


def _zlib():
    # python-isal's isal_zlib is a drop-in zlib, several times faster at inflating; optional. (Its
    # igzip file reader is not used: on a truncated file it drops the last block it had inflated.)
    try:
        from isal import isal_zlib

        return isal_zlib
    except ImportError:
        import zlib

        return zlib


def _gzip_blocks(handle) -> Iterator[bytes]:
    """Decompressed blocks of a gzip file (all members). A truncated stream raises EOFError after
    every complete block was yielded; corrupt data or a wrong CRC raises the decompressor's error."""
    zlib = _zlib()
    decompressor = zlib.decompressobj(31)
    fed = False
    while chunk := handle.read(READ_BLOCK):
        while chunk:
            fed = True
            out = decompressor.decompress(chunk, DECOMPRESSED_BLOCK)
            if out:
                yield out
            if decompressor.eof:
                chunk = decompressor.unused_data
                decompressor, fed = zlib.decompressobj(31), False
            else:
                chunk = decompressor.unconsumed_tail
    if fed and not decompressor.eof:
        raise EOFError("gzip stream is truncated")


def _zstd_blocks(handle) -> Iterator[bytes]:
    """Decompressed blocks of a .zst file (all frames); a truncated frame raises EOFError
    (zstandard's own stream reader would silently stop)."""
    import zstandard

    decompressor, fed = zstandard.ZstdDecompressor().decompressobj(), False
    while chunk := handle.read(READ_BLOCK):
        while chunk:
            fed = True
            out = decompressor.decompress(chunk)
            if out:
                yield out
            if decompressor.eof:
                chunk = decompressor.unused_data
                decompressor, fed = zstandard.ZstdDecompressor().decompressobj(), False
            else:
                chunk = b""
    if fed and not decompressor.eof:
        raise EOFError("zstd frame is truncated")


def _plain_blocks(handle) -> Iterator[bytes]:
    while chunk := handle.read(READ_BLOCK * 4):
        yield chunk


def line_batches(path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[list]:
    """The lines of a .jsonl[.gz|.zst] file in batches (without their newline), streamed in bounded
    memory. A line longer than `max_line_bytes` comes as OVERSIZED and its bytes are never held whole.
    Batches keep the per-line Python overhead low: the caller loops over plain lists."""
    name = path.name
    blocks = _gzip_blocks if name.endswith(".gz") else _zstd_blocks if name.endswith(".zst") else _plain_blocks
    pending = b""
    skipping = False
    with open(path, "rb") as handle:
        for block in blocks(handle):
            if skipping:
                cut = block.find(b"\n")
                if cut < 0:
                    continue
                block = block[cut + 1 :]
                skipping = False
                yield [OVERSIZED]
            lines = block.split(b"\n")
            if pending:
                # Only the first line is joined: concatenating whole blocks cost a full copy of the day.
                lines[0] = pending + lines[0]
            pending = lines.pop()
            if len(pending) > max_line_bytes:
                pending, skipping = b"", True
            if lines:
                yield lines
    if skipping:
        yield [OVERSIZED]
    elif pending:
        yield [pending]


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


def _bad_line(raw, source: str, number: int, max_line_bytes: int) -> BadLine | None:
    """Why a line failed to parse, without quoting it; None for a blank line (slow path: bad lines only)."""
    if raw is OVERSIZED or len(raw) > max_line_bytes:
        return BadLine(source, number, f"line longer than {max_line_bytes} bytes")
    if not raw.strip():
        return None
    return _diagnose(raw, source, number)


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
    """Every line of one file as a validated canonical record or a bad line (the simple, slower way:
    the sampler uses `scan_file`)."""
    if path.name.endswith(".parquet"):
        yield from _read_parquet(path, source, fmt, mapping)
        return
    number = 0
    try:
        for batch in line_batches(path, max_line_bytes):
            for raw in batch:
                number += 1
                if raw is OVERSIZED or len(raw) > max_line_bytes:
                    yield BadLine(source, number, f"line longer than {max_line_bytes} bytes")
                    continue
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    bad = _bad_line(raw, source, number, max_line_bytes)
                    if bad is not None:
                        yield bad
                    continue
                yield from _records(value, source, number, fmt, mapping)
    except Exception as error:  # noqa: BLE001 - EOFError, BadGzipFile, zlib.error, ZstdError, OSError...
        # A truncated or corrupt compressed file: keep what was read, report where it broke.
        yield BadLine(source, number + 1, f"unreadable file after line {number} ({type(error).__name__})")


def scan_file(
    path: Path,
    source: str,
    on_record: Callable[[dict, bytes | None, str, int], None],
    on_bad: Callable[[str, int | None, str], None],
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
) -> None:
    """The sampler's one pass over a file: `on_record(value, raw, source, line)` for every decoded
    record, with `raw` the line's bytes when the line is a canonical record as it stands (so a record
    that is not sampled is never re-encoded), else None and `value` the mapped record dict.
    Values are NOT validated: the caller checks what it needs. Bad lines go to `on_bad`."""
    if path.name.endswith(".parquet"):
        for item in _read_parquet(path, source, fmt, mapping):
            if isinstance(item, BadLine):
                on_bad(item.source_file, item.line, item.reason)
            else:
                on_record(item.record, None, source, item.line)
        return
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    canonical_only = fmt in (None, "canonical")
    number = 0
    try:
        for batch in line_batches(path, max_line_bytes):
            for raw in batch:
                number += 1
                if raw is OVERSIZED or len(raw) > max_line_bytes:
                    on_bad(source, number, f"line longer than {max_line_bytes} bytes")
                    continue
                try:
                    value = loads(raw)
                except decode_error:
                    bad = _bad_line(raw, source, number, max_line_bytes)
                    if bad is not None:
                        on_bad(source, number, bad.reason)
                    continue
                if canonical_only and type(value) is dict and "request_id" in value and "input" in value:
                    on_record(value, raw, source, number)
                    continue
                try:
                    candidates = records_from_line(value, fmt, mapping)
                except FormatError as error:
                    on_bad(source, number, str(error))
                    continue
                for candidate in candidates:
                    on_record(candidate, None, source, number)
    except Exception as error:  # noqa: BLE001 - EOFError, zlib.error, ZstdError, OSError...
        on_bad(source, number + 1, f"unreadable file after line {number} ({type(error).__name__})")


def scan_partition(
    log_root: Path,
    day: str,
    on_record: Callable[[dict, bytes | None, str, int], None],
    on_bad: Callable[[str, int | None, str], None],
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
) -> list[str]:
    """`scan_file` over every file of the day; returns the files' names relative to the log root."""
    root = Path(log_root)
    sources = []
    for path in partition_files(root, day):
        source = str(path.relative_to(root))
        sources.append(source)
        scan_file(path, source, on_record, on_bad, max_line_bytes, fmt, mapping)
    return sources


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
