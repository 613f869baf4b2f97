"""Reading one day partition of raw logs: `LOG_ROOT/dt=YYYY-MM-DD/*.jsonl[.gz]`.

Yields every line as either a parsed record or a bad line with a reason. A bad line never stops the
day: it is reported (file, line, reason, never its text) so the caller can quarantine it.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from logmine_dagster.records import RecordError, parse_record

LOG_SUFFIXES = (".jsonl", ".jsonl.gz")
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


def _open_binary(path: Path):
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _parse_line(raw: bytes, source: str, number: int, max_line_bytes: int) -> LineResult | None:
    if len(raw) > max_line_bytes:
        return BadLine(source, number, f"line longer than {max_line_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadLine(source, number, "not valid UTF-8")
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return BadLine(source, number, f"malformed JSON ({error.msg} at column {error.colno})")
    try:
        return GoodLine(source, number, parse_record(value))
    except RecordError as error:
        return BadLine(source, number, f"invalid record: {error}")


def read_file(path: Path, source: str, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[LineResult]:
    number = 0
    try:
        with _open_binary(path) as handle:
            for number, raw in enumerate(handle, start=1):
                result = _parse_line(raw, source, number, max_line_bytes)
                if result is not None:
                    yield result
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        # A truncated or corrupt compressed file: keep what was read, report where it broke.
        yield BadLine(source, number + 1, f"unreadable file after line {number} ({type(error).__name__})")


def read_partition(log_root: Path, day: str, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[LineResult]:
    root = Path(log_root)
    for path in partition_files(root, day):
        yield from read_file(path, str(path.relative_to(root)), max_line_bytes)


def partition_fingerprint(log_root: Path, day: str) -> str:
    """Changes when any file of the day is added, removed, rewritten or resized."""
    import hashlib

    digest = hashlib.sha256()
    for path in partition_files(Path(log_root), day):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]
