"""The lines of one log file, decompressed (.gz, .zst or plain) and streamed in bounded memory
whatever the file's size, a decompression bomb or a line without end included."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024


def _open_binary(path):
    # Remote files come as fsspec binary file objects and go through the same decoders as local ones.
    return open(path, "rb") if isinstance(path, Path) else path.open("rb")


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
    with _open_binary(path) as handle:
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
