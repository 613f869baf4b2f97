"""The lines of one log file, decompressed (.gz, .zst or plain) and streamed in bounded memory
whatever the file's size, a decompression bomb or a line without end included.

The encoding is detected, not configured: a file named `.gz`/`.zst` is decompressed as named; any other
is recognised by its magic bytes (the Collector's `exporter.file.nativeCompression` writes a zstd
stream under whatever name its `path` has). The decompressed bytes are JSON lines, or the Collector
file exporter's length-prefixed messages (`collector_frames`), told apart by their first byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from logmine_dagster.ingest.collector_frames import ZSTD_MAGIC, frame_batches, is_framed
from logmine_dagster.ingest.stream_items import OVERSIZED

DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024


def _open_binary(path):
    # Remote files come as fsspec binary file objects and go through the same decoders as local ones.
    return open(path, "rb") if isinstance(path, Path) else path.open("rb")


READ_BLOCK = 1 << 18  # compressed bytes per read
DECOMPRESSED_BLOCK = 1 << 21  # bounds memory even for a decompression bomb


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


GZIP_MAGIC = b"\x1f\x8b"
__all__ = ["DEFAULT_MAX_LINE_BYTES", "OVERSIZED", "FileItems", "line_batches"]


class _Replay:
    """A binary handle whose first bytes were already read to sniff its encoding."""

    def __init__(self, head: bytes, handle):
        self.head, self.handle = head, handle

    def read(self, size: int) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        return self.handle.read(size)


def _decoded_blocks(name: str, handle) -> Iterator[bytes]:
    head = handle.read(4)
    replay = _Replay(head, handle)
    if name.endswith(".gz") or head.startswith(GZIP_MAGIC):
        return _gzip_blocks(replay)
    # A `.zst` file that starts with a length prefix holds zstd frames per message (the Collector's
    # `compression: zstd`), each inflated on its own; any other `.zst` is one zstd stream.
    if head.startswith(ZSTD_MAGIC) or (name.endswith(".zst") and not is_framed(head)):
        return _zstd_blocks(replay)
    return _plain_blocks(replay)


# A block whose lines average this many bytes or more (OTLP export lines: a batch of spans each)
# is cut into memoryviews rather than copies, for a reader that takes them (`FileItems(views=True)`):
# copying every byte of the day once cost as much as inflating it.
VIEW_LINES_FROM = 16 * 1024
_VIEW_PROBE = 256 * 1024  # the block's start tells (counting a whole 2 MiB block's newlines costs a millisecond)


def _split_lines(blocks: Iterable[bytes], max_line_bytes: int, views: bool = False) -> Iterator[list]:
    pending = b""
    skipping = False
    for block in blocks:
        if skipping:
            cut = block.find(b"\n")
            if cut < 0:
                continue
            block = block[cut + 1 :]
            skipping = False
            yield [OVERSIZED]
        if views and block.count(b"\n", 0, _VIEW_PROBE) * VIEW_LINES_FROM <= _VIEW_PROBE:
            lines = _line_views(block)
        else:
            lines = block.split(b"\n")
        if pending:
            # Only the first line is joined: concatenating whole blocks cost a full copy of the day.
            lines[0] = pending + lines[0]
        pending = bytes(lines.pop())
        if len(pending) > max_line_bytes:
            pending, skipping = b"", True
        if lines:
            yield lines
    if skipping:
        yield [OVERSIZED]
    elif pending:
        yield [pending]


def _line_views(block: bytes) -> list:
    """`block.split(b"\\n")` as memoryviews of the block."""
    view, lines, start = memoryview(block), [], 0
    while (end := block.find(b"\n", start)) >= 0:
        lines.append(view[start:end])
        start = end + 1
    lines.append(view[start:])
    return lines


class FileItems:
    """The items of one log file in batches (see `line_batches`); `unit` names what an item is, for
    messages about it, once the file's start was read: "line", or "message" in a Collector framed file."""

    def __init__(self, path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, views: bool = False):
        self.path, self.max_line_bytes, self.unit, self.views = path, max_line_bytes, "line", views

    def __iter__(self) -> Iterator[list]:
        with _open_binary(self.path) as handle:
            blocks = _decoded_blocks(self.path.name, handle)
            first = next(blocks, b"")
            while first == b"":  # a decompressor can give an empty first block
                first = next(blocks, None)
                if first is None:
                    return
            rest = _chain(first, blocks)
            if is_framed(first):
                self.unit = "message"
                yield from frame_batches(rest, self.max_line_bytes)
            else:
                yield from _split_lines(rest, self.max_line_bytes, self.views)


def line_batches(path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[list]:
    """The lines of a log file in batches (without their newline), streamed in bounded memory. A line
    longer than `max_line_bytes` comes as OVERSIZED and its bytes are never held whole. A Collector
    framed file gives its messages instead: JSON bytes like a line, or `ProtoFrame`s.
    Batches keep the per-line Python overhead low: the caller loops over plain lists."""
    return iter(FileItems(path, max_line_bytes))


def _chain(first: bytes, blocks: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from blocks
