"""Reading one day partition of raw logs: `LOG_ROOT/dt=YYYY-MM-DD/*.jsonl[.gz|.zst]` or `*.parquet`.

The root is a local folder (a `Path`) or an fsspec URL (a `UPath`): remote files are opened as binary
file objects and go through the same decoders.

Yields every line as either a parsed record or a bad line with a reason. A bad line never stops the
day: it is reported (file, line, reason, never its text) so the caller can quarantine it.
"""

from __future__ import annotations

import json
from contextlib import nullcontext

import orjson
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Union

from logmine_dagster.core.errors import LogmineError
from logmine_dagster.ingest.formats import AwaitingContent, FormatError, SkippedSpan, SpanContent, UnusableSpan, records_from_line
from logmine_dagster.ingest.formats.otlp_proto import decode_export
from logmine_dagster.ingest.formats.otlp_typed import is_trace_line, typed_candidates
from logmine_dagster.ingest.formats.span_views import may_have_lost_content
from logmine_dagster.ingest.line_stream import DEFAULT_MAX_LINE_BYTES, OVERSIZED, FileItems
from logmine_dagster.ingest.stream_items import ProtoFrame
from logmine_dagster.ingest.records import RecordError, parse_record
from logmine_dagster.ingest.span_join import SpanContentJoin
from logmine_dagster.ingest.undrawn_spans import CounterFor

# JSON lines, and the names an OpenTelemetry Collector file exporter's `path` is likely to get
# (`.json` lines, `.pb`/`.binpb` for `format: proto`), each plain or compressed; the content decides
# how a file is read (line_stream), the name only whether it is read.
LOG_SUFFIXES = tuple(f"{kind}{packed}" for kind in (".jsonl", ".json", ".pb", ".binpb") for packed in ("", ".gz", ".zst")) + (".parquet",)
SUCCESS_MARKER = "_SUCCESS"


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


@dataclass(frozen=True)
class Skipped:
    """A GenAI span that is not an LLM call (tool, embedding, agent...): counted, not a record."""

    source_file: str
    line: int
    kind: str


LineResult = Union[GoodLine, BadLine, Skipped]


def as_log_root(log_root):
    """A local folder stays a `Path` (the fast path, unchanged); an fsspec URL or a `UPath` is read
    through its fsspec filesystem (`file://`, `memory://`, `s3://`, `gs://`...)."""
    if isinstance(log_root, Path):
        return log_root
    from upath import UPath

    if isinstance(log_root, UPath):  # not hasattr(.., "fs"): that would instantiate (connect) the filesystem
        return log_root
    from logmine_dagster.core.config import is_url, parse_log_root

    return parse_log_root("log root", str(log_root)) if is_url(str(log_root)) else Path(log_root)


def is_remote(log_root) -> bool:
    return not isinstance(log_root, Path)


def display_root(log_root) -> str:
    """The log root as it may be shown or stored: a URL loses any `user:password@` and query."""
    from logmine_dagster.core.config import redact_url

    root = as_log_root(log_root)
    if not is_remote(root):
        return str(root)
    # Built from the parts, not str(): str() of some UPaths instantiates (connects) the filesystem.
    host = root.storage_options.get("host")
    path = root.path if not host else f"{host}/{root.path.lstrip('/')}"
    return redact_url(f"{root.protocol}://{path}")


def source_url(log_root, source: str) -> str:
    """Where a bad line's file is, for quarantine rows and messages: local files keep their name
    relative to the root (as before); remote ones get the full, redacted URL so an operator can find them."""
    root = as_log_root(log_root)
    if not is_remote(root):
        return source
    return f"{display_root(root).rstrip('/')}/{source}"


def _fresh_ls(fs, path: str) -> list[dict]:
    # fsspec filesystems are cached per process and keep directory listings: a long-lived sensor
    # would never see a new day without dropping them first.
    fs.invalidate_cache(path)
    try:
        return fs.ls(path, detail=True)
    except FileNotFoundError:
        return []


def _basename(info: dict) -> str:
    return info["name"].rstrip("/").rsplit("/", 1)[-1]


def partition_dir(log_root, day: str):
    return as_log_root(log_root) / f"dt={day}"


def _remote_day_files(root, day: str) -> list[dict]:
    folder = partition_dir(root, day)
    entries = [info for info in _fresh_ls(root.fs, folder.path) if info.get("type") == "file"]
    return sorted((info for info in entries if _basename(info).endswith(LOG_SUFFIXES)), key=_basename)


def partition_files(log_root, day: str) -> list:
    root = as_log_root(log_root)
    if is_remote(root):
        folder = partition_dir(root, day)
        return [folder / _basename(info) for info in _remote_day_files(root, day)]
    folder = partition_dir(root, day)
    if folder.is_symlink() or not folder.is_dir():
        return []
    # Regular files only: a symbolic link could point anywhere on the host (see `refused_links`).
    return sorted(p for p in folder.iterdir() if not p.is_symlink() and p.is_file() and p.name.endswith(LOG_SUFFIXES))


SYMLINK_REASON = "symbolic link, not followed (log files must be regular files in their day folder)"


def refused_links(log_root, day: str) -> list[str]:
    """Symbolic links where the day's log files would be (the day folder itself, or a log file in
    it), named relative to the root: never read, since they may lead outside the log root, but
    reported so an operator sees why data is missing. Object stores have no links."""
    root = as_log_root(log_root)
    if is_remote(root):
        return []
    folder = partition_dir(root, day)
    if folder.is_symlink():
        return [folder.name]
    if not folder.is_dir():
        return []
    return sorted(f"{folder.name}/{p.name}" for p in folder.iterdir() if p.is_symlink() and p.name.endswith(LOG_SUFFIXES))


def _day_of(folder_name: str) -> str | None:
    import datetime as dt

    if not folder_name.startswith("dt="):
        return None
    try:
        dt.date.fromisoformat(folder_name[3:])
    except ValueError:
        return None
    return folder_name[3:]


def list_partition_days(log_root) -> list[str]:
    """Days that have a `dt=YYYY-MM-DD` folder under the log root (valid dates only)."""
    root = as_log_root(log_root)
    if is_remote(root):
        entries = _fresh_ls(root.fs, root.path)
        return sorted(day for info in entries if info.get("type") == "directory" and (day := _day_of(_basename(info))))
    if not root.is_dir():
        return []
    days = []
    for child in root.iterdir():
        if child.is_dir() and (day := _day_of(child.name)):
            days.append(day)
    return sorted(days)


def has_partition(log_root, day: str) -> bool:
    root = as_log_root(log_root)
    if is_remote(root):
        folder = partition_dir(root, day)
        root.fs.invalidate_cache(folder.path)
        return root.fs.isdir(folder.path)
    return partition_dir(root, day).is_dir()


def _joined(item, join: SpanContentJoin | None, source: str, number: int) -> bool:
    """Whether the day's span/log join took the item: content from a log record, or a span without
    messages that waits for it. Without a join (one file read alone) neither is held back."""
    if isinstance(item, SpanContent):
        if join is not None:
            join.add(item)
        return True
    if join is not None and isinstance(item, AwaitingContent):
        join.wait(item, source, number)
        return True
    return False


def _good_or_bad(candidate, source: str, number: int) -> GoodLine | BadLine:
    if isinstance(candidate, UnusableSpan):
        return BadLine(source, number, candidate.reason)
    try:
        return GoodLine(source, number, parse_record(candidate))
    except RecordError as error:
        return BadLine(source, number, f"invalid record: {error}")


def _records(value, source: str, number: int, fmt: str | None, mapping: dict | None, join: SpanContentJoin | None = None) -> Iterator[LineResult]:
    try:
        candidates = records_from_line(value, fmt, mapping)
    except FormatError as error:
        yield BadLine(source, number, str(error))
        return
    except RecursionError:  # a format's recursive decoding (OTLP AnyValue) on a pathological line
        yield BadLine(source, number, TOO_DEEP)
        return
    for candidate in candidates:
        # OTLP spans that are not records (issue 14): counted, or quarantined with the format's reason.
        if isinstance(candidate, SkippedSpan):
            if join is not None:
                join.note(candidate)
            yield Skipped(source, number, candidate.kind)
        elif not _joined(candidate, join, source, number):
            yield _good_or_bad(candidate, source, number)


# orjson refuses input nested past 1024 levels; json (used to say why a line is bad) would recurse
# past Python's limit on it, and a RecursionError there once ended the file's reading.
TOO_DEEP = "JSON nested too deep (over 1024 levels)"


def _diagnose(raw: bytes, source: str, number: int) -> BadLine:
    """Why a line failed to parse, without quoting it (slow path: only for bad lines)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadLine(source, number, "not valid UTF-8")
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if error.msg == "depth limit exceeded":
            return BadLine(source, number, TOO_DEEP)
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return BadLine(source, number, f"malformed JSON ({error.msg} at column {error.colno})")
    except RecursionError:
        return BadLine(source, number, TOO_DEEP)
    return BadLine(source, number, "malformed JSON")


def _not_a_json_line(raw, source: str, number: int, max_line_bytes: int, unit: str = "line") -> tuple[dict | None, BadLine | None]:
    """The slow path for what orjson refused: a Collector protobuf message decoded to its OTLP JSON
    dict, else why the line is bad (None for a blank line)."""
    if raw.__class__ is ProtoFrame:
        try:
            return decode_export(raw.data), None
        except FormatError as error:
            return None, BadLine(source, number, str(error))
    return None, _bad_line(raw, source, number, max_line_bytes, unit)


def _too_long(max_line_bytes: int, unit: str) -> str:
    return f"{unit} longer than {max_line_bytes} bytes"


def _unreadable(error: Exception, number: int, unit: str) -> str:
    return f"unreadable file after {unit} {number} ({type(error).__name__})"


def _bad_line(raw, source: str, number: int, max_line_bytes: int, unit: str = "line") -> BadLine | None:
    """Why a line (or a framed file's message) failed to parse, without quoting it; None for a blank
    line (slow path: bad lines only)."""
    if raw is OVERSIZED or len(raw) > max_line_bytes:
        return BadLine(source, number, _too_long(max_line_bytes, unit))
    if not raw.strip():
        return None
    return _diagnose(raw, source, number)


def _read_parquet(path: Path, source: str, fmt: str | None, mapping: dict | None, join: SpanContentJoin | None = None) -> Iterator[LineResult]:
    """Row by row in bounded batches; JSON-encoded `input`/`metadata` columns are decoded."""
    import pyarrow.parquet as pq

    number = 0
    try:
        # Parquet seeks to its footer: a remote one is read through an fsspec file object (ranged reads).
        with (nullcontext(path) if isinstance(path, Path) else path.open("rb")) as handle:
            for batch in pq.ParquetFile(handle).iter_batches(batch_size=2048):
                for row in batch.to_pylist():
                    number += 1
                    for key in ("input", "metadata"):
                        if isinstance(row.get(key), str):
                            try:
                                row[key] = json.loads(row[key])
                            except (ValueError, RecursionError):
                                pass  # left a string: the record's validation says what is wrong
                    yield from _records(row, source, number, fmt, mapping, join)
    except Exception as error:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
        yield BadLine(source, number + 1, f"unreadable file after row {number} ({type(error).__name__})")


def read_file(
    path: Path,
    source: str,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
    join: SpanContentJoin | None = None,
) -> Iterator[LineResult]:
    """Every line of one file as a validated canonical record or a bad line (the simple, slower way:
    the sampler uses `scan_file`). With a `join`, spans whose content is in log records wait in it."""
    if path.name.endswith(".parquet"):
        yield from _read_parquet(path, source, fmt, mapping, join)
        return
    number = 0
    items = FileItems(path, max_line_bytes)
    try:
        for batch in items:
            for raw in batch:
                number += 1
                if raw is OVERSIZED or len(raw) > max_line_bytes:
                    yield BadLine(source, number, _too_long(max_line_bytes, items.unit))
                    continue
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    value, bad = _not_a_json_line(raw, source, number, max_line_bytes, items.unit)
                    if value is None:
                        if bad is not None:
                            yield bad
                        continue
                yield from _records(value, source, number, fmt, mapping, join)
    except Exception as error:  # noqa: BLE001 - EOFError, BadGzipFile, zlib.error, ZstdError, OSError...
        # A truncated or corrupt compressed file: keep what was read, report where it broke.
        yield BadLine(source, number + 1, _unreadable(error, number, items.unit))


def scan_file(
    path: Path,
    source: str,
    on_record: Callable[[dict, bytes | None, str, int], None],
    on_bad: Callable[[str, int | None, str], None],
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
    on_skip: Callable[[str], None] | None = None,
    join: SpanContentJoin | None = None,
    views: int | None = None,
    undrawn_counter: CounterFor | None = None,
) -> None:
    """The sampler's one pass over a file: `on_record(value, raw, source, line)` for every decoded
    record, with `raw` the line's bytes when the line is a canonical record as it stands (so a record
    that is not sampled is never re-encoded), else None and `value` the mapped record dict.
    Values are NOT validated: the caller checks what it needs. Bad lines go to `on_bad`, the kinds
    of skipped OTLP spans to `on_skip`. With `views` (the sampler's long-conversation threshold), OTLP
    inference spans in the common shape come as views (see `formats.span_views`), and with
    `undrawn_counter(source)` (the sampler's) those of typed lines that no rate draws are only
    counted (`otlp_typed`)."""
    if path.name.endswith(".parquet"):
        for item in _read_parquet(path, source, fmt, mapping, join):
            if isinstance(item, BadLine):
                on_bad(item.source_file, item.line, item.reason)
            elif isinstance(item, Skipped):
                if on_skip is not None:
                    on_skip(item.kind)
            else:
                on_record(item.record, None, source, item.line)
        return
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    canonical_only = fmt in (None, "canonical")
    typed = views is not None and fmt in (None, "otlp")
    undrawn = None if undrawn_counter is None else undrawn_counter(source)
    number = 0
    items = FileItems(path, max_line_bytes, views=typed)  # long lines as memoryviews, for the typed read
    try:
        for batch in items:
            for raw in batch:
                number += 1
                if raw is OVERSIZED or len(raw) > max_line_bytes:
                    on_bad(source, number, _too_long(max_line_bytes, items.unit))
                    continue
                candidates = None
                if typed and (raw.__class__ is bytes or raw.__class__ is memoryview) and is_trace_line(raw):
                    # An OTLP trace line is decoded into typed spans in C (`otlp_typed`); a line it
                    # does not take is read below, with the same result.
                    candidates = typed_candidates(raw, 0 if may_have_lost_content(raw) else views, undrawn)
                if candidates is None:
                    raw = bytes(raw) if raw.__class__ is memoryview else raw  # the other readers take bytes
                    try:
                        value = loads(raw)
                    except decode_error:
                        value, bad = _not_a_json_line(raw, source, number, max_line_bytes, items.unit)
                        if value is None:
                            if bad is not None:
                                on_bad(source, number, bad.reason)
                            continue
                    if canonical_only and type(value) is dict and "request_id" in value and "input" in value:
                        on_record(value, raw, source, number)
                        continue
                    line_views = views
                    if views is not None and (raw.__class__ is not bytes or may_have_lost_content(raw)):
                        line_views = 0  # the spans' messages are parsed and checked (`span_views`)
                    try:
                        candidates = records_from_line(value, fmt, mapping, views=line_views)
                    except FormatError as error:
                        on_bad(source, number, str(error))
                        continue
                    except RecursionError:  # a format's recursive decoding (OTLP AnyValue) on a pathological line
                        on_bad(source, number, TOO_DEEP)
                        continue
                for candidate in candidates:
                    if candidate.__class__ is dict:  # a record or a span's view: the common case first
                        on_record(candidate, None, source, number)
                        continue
                    if _joined(candidate, join, source, number):
                        continue
                    if isinstance(candidate, UnusableSpan):
                        on_bad(source, number, candidate.reason)
                    elif isinstance(candidate, SkippedSpan):
                        if join is not None:
                            join.note(candidate)
                        if on_skip is not None:
                            on_skip(candidate.kind)
                    else:
                        on_record(candidate, None, source, number)
    except Exception as error:  # noqa: BLE001 - EOFError, zlib.error, ZstdError, OSError...
        on_bad(source, number + 1, _unreadable(error, number, items.unit))


def scan_partition(
    log_root: Path,
    day: str,
    on_record: Callable[[dict, bytes | None, str, int], None],
    on_bad: Callable[[str, int | None, str], None],
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    fmt: str | None = None,
    mapping: dict | None = None,
    on_skip: Callable[[str], None] | None = None,
    join: SpanContentJoin | None = None,
    views: int | None = None,
    undrawn_counter: CounterFor | None = None,
) -> list[str]:
    """`scan_file` over every file of the day; returns the files' names relative to the log root.
    Spans whose content is in the day's OTLP log records are joined to it once every file is read."""
    root = as_log_root(log_root)
    sources = []
    join = SpanContentJoin() if join is None else join
    for link in refused_links(root, day):
        on_bad(link, None, SYMLINK_REASON)
    for path in partition_files(root, day):
        source = str(path.relative_to(root)) if not is_remote(root) else f"dt={day}/{path.name}"
        sources.append(source)
        scan_file(path, source, on_record, on_bad, max_line_bytes, fmt, mapping, on_skip, join, views, undrawn_counter)
    for source, number, result in join.finish():
        if isinstance(result, UnusableSpan):
            on_bad(source, number, result.reason)
        else:
            on_record(result, None, source, number)
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
    root = as_log_root(log_root)
    join = SpanContentJoin()
    for link in refused_links(root, day):
        yield BadLine(link, None, SYMLINK_REASON)
    for path in partition_files(root, day):
        source = str(path.relative_to(root)) if not is_remote(root) else f"dt={day}/{path.name}"
        yield from read_file(path, source, max_line_bytes, fmt, mapping, join)
    for source, number, result in join.finish():
        yield _good_or_bad(result, source, number)


def partition_complete(log_root, day: str) -> bool:
    """Whether the writer has marked the day complete with a `_SUCCESS` file."""
    root = as_log_root(log_root)
    if is_remote(root):
        folder = partition_dir(root, day)
        return any(_basename(info) == SUCCESS_MARKER for info in _fresh_ls(root.fs, folder.path))
    return (partition_dir(root, day) / SUCCESS_MARKER).exists()


def _remote_version(info: dict) -> str:
    """What changes when an object is rewritten, from the listing alone: its ETag/generation where the
    store has one, else its modification time (local files via fsspec, memory://)."""
    for key in ("ETag", "etag", "md5Hash", "generation", "LastModified", "mtime", "updated", "created"):
        if info.get(key) is not None:
            return f"{key}={info[key]}"
    return ""


def _fingerprint_of(entries) -> str:
    import hashlib

    digest = hashlib.sha256()
    for name, size, version in entries:
        digest.update(f"{name}:{size}:{version};".encode())
    return digest.hexdigest()[:16]


def partition_fingerprint(log_root, day: str) -> str:
    """Changes when any file of the day is added, removed, rewritten or resized."""
    root = as_log_root(log_root)
    if is_remote(root):
        return _fingerprint_of((_basename(i), i.get("size"), _remote_version(i)) for i in _remote_day_files(root, day))
    entries = []
    for path in partition_files(root, day):
        stat = path.stat()
        entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    return _fingerprint_of(entries)


def listing_snapshot(log_root, require_success: bool) -> tuple[list[str], Callable[[str], str]]:
    """The ready days and a fingerprint function, for the sensor. Remote roots are listed once,
    recursively (one paginated LIST on object stores, whatever the number of day folders), instead of
    one request per day; local roots use stat as before."""
    root = as_log_root(log_root)
    if not is_remote(root):
        days = list_partition_days(root)
        if require_success:
            days = [day for day in days if partition_complete(root, day)]
        return days, lambda day: partition_fingerprint(root, day)
    fs = root.fs
    base = root.path.rstrip("/")
    fs.invalidate_cache(base)
    try:
        found = fs.find(base, withdirs=True, detail=True)
    except FileNotFoundError:
        found = {}
    files: dict[str, list] = {}
    marked: set[str] = set()
    for name, info in found.items():
        if not name.startswith(base + "/"):
            continue  # the root itself, or a sibling sharing its prefix on an object store
        relative = name.rstrip("/")[len(base) + 1 :].split("/")
        day = _day_of(relative[0]) if relative else None
        if day is None:
            continue
        files.setdefault(day, [])
        if len(relative) != 2 or info.get("type") != "file":
            continue  # the day folder itself, or something nested deeper (not read either)
        if relative[1] == SUCCESS_MARKER:
            marked.add(day)
        elif relative[1].endswith(LOG_SUFFIXES):
            files[day].append((relative[1], info.get("size"), _remote_version(info)))
    days = sorted(day for day in files if not require_success or day in marked)
    return days, lambda day: _fingerprint_of(sorted(files.get(day, [])))


class PartitionNotDeleted(LogmineError, OSError):
    """An expired day folder could not be deleted; `reason` says why in a few words."""

    def __init__(self, shown: str, reason: str):
        super().__init__(f"cannot delete expired log partition {shown}: {reason}")
        self.reason = reason


def delete_partition(log_root, day: str) -> int:
    """Delete a whole day folder; returns how many files it held. Raises PartitionNotDeleted naming
    the folder and why. A symlinked day folder is refused: deleting through it would delete files
    outside the log root, and removing only the link would hide that expired logs may remain there."""
    root = as_log_root(log_root)
    folder = partition_dir(root, day)
    if is_remote(root):
        try:
            found = root.fs.find(folder.path)
            root.fs.rm(folder.path, recursive=True)
            root.fs.invalidate_cache(root.path)
        except Exception as error:  # noqa: BLE001 - each driver raises its own kinds
            shown = f"{display_root(root).rstrip('/')}/dt={day}"
            raise PartitionNotDeleted(shown, getattr(error, "strerror", None) or type(error).__name__) from error
        return len(found)
    import shutil

    if folder.is_symlink():
        raise PartitionNotDeleted(str(folder), "a symbolic link (remove the link, and check what its target holds)")
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    try:
        shutil.rmtree(folder)
    except OSError as error:
        # Name the folder (rmtree's own message names only the file); some OSErrors have no strerror.
        raise PartitionNotDeleted(str(folder), error.strerror or str(error) or type(error).__name__) from error
    return files
