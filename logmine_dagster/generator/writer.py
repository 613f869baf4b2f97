"""Streaming output: day partitions split into shards, and the PII manifest.

Files are written under a hidden temporary name and renamed into place when complete, so a pipeline
watching the log root never reads a half-written shard. Gzip headers carry no file name or time, so
the same input gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import os
import re
from pathlib import Path
from typing import IO

_BUFFER_BYTES = 1 << 20
# Records repeat a long system prompt, so even level 1 shrinks them ~9x; level 6 is ~30% smaller again
# but compresses at half the speed, which would make compression the generator's bottleneck.
GZIP_LEVEL = 1
_SHARD_NAME = re.compile(r"part-\d{5}\.jsonl(\.gz)?")


def _open_text(path: Path, compress: bool) -> IO[str]:
    raw = open(path, "wb", buffering=_BUFFER_BYTES)
    if not compress:
        return io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    packed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
    return _GzipText(packed, raw)


class _GzipText(io.TextIOWrapper):
    """A text stream over a GzipFile that also closes the underlying file (GzipFile leaves it open)."""

    def __init__(self, packed: gzip.GzipFile, raw: IO[bytes]):
        super().__init__(packed, encoding="utf-8", newline="\n")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


class DayShardWriter:
    """Writes one day partition `dt=YYYY-MM-DD/part-NNNNN.jsonl[.gz]`, starting a new shard every N lines."""

    def __init__(self, root: Path, day: dt.date, *, compress: bool, records_per_file: int):
        self.directory = root / f"dt={day.isoformat()}"
        self.compress = compress
        self.records_per_file = records_per_file
        self.files: list[Path] = []
        self._stream: IO[str] | None = None
        self._lines_in_shard = 0

    def __enter__(self) -> "DayShardWriter":
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def _shard_path(self, number: int) -> Path:
        suffix = ".jsonl.gz" if self.compress else ".jsonl"
        return self.directory / f"part-{number:05d}{suffix}"

    def _start_shard(self) -> None:
        self.files.append(self._shard_path(len(self.files)))
        self._stream = _open_text(_temporary(self.files[-1]), self.compress)
        self._lines_in_shard = 0

    def write(self, line: str) -> None:
        if self._stream is None or self._lines_in_shard >= self.records_per_file:
            self._finish_shard()
            self._start_shard()
        self._stream.write(line)
        self._stream.write("\n")
        self._lines_in_shard += 1

    def _finish_shard(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
            os.replace(_temporary(self.files[-1]), self.files[-1])

    def _remove_stale_shards(self) -> None:
        # A re-run with other settings may leave shards this run did not write; readers would mix them in.
        keep = {path.name for path in self.files}
        for path in self.directory.iterdir():
            if _SHARD_NAME.fullmatch(path.name) and path.name not in keep:
                path.unlink()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self._finish_shard()
            self._remove_stale_shards()
            return
        if self._stream is not None:
            self._stream.close()
            _temporary(self.files[-1]).unlink(missing_ok=True)


class ManifestWriter:
    """The JSONL list of planted PII values, one line per (request, value)."""

    def __init__(self, path: Path):
        self.path = path
        self._stream: IO[str] | None = None

    def __enter__(self) -> "ManifestWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._stream = _open_text(_temporary(self.path), compress=False)
        return self

    def write(self, day_iso: str, request_id: str, planted: list[tuple[str, str]]) -> None:
        # Formatted by hand because this runs several times per record: planted values never hold
        # quotes, backslashes or control characters (pii.py guarantees it, tests check it).
        prefix = f'{{"day":"{day_iso}","request_id":"{request_id}","type":"'
        self._stream.write("".join(f'{prefix}{kind}","value":"{value}"}}\n' for kind, value in planted))

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._stream.close()
        if exc_type is None:
            os.replace(_temporary(self.path), self.path)
        else:
            _temporary(self.path).unlink(missing_ok=True)
