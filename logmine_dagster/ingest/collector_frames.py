"""The OpenTelemetry Collector file exporter's length-prefixed framing, read in bounded memory.

The exporter (opentelemetry-collector-contrib `exporter/fileexporter`: `file_writer.go`
`exportMessageAsBuffer`, `codec.go` `zstdCompress`) writes one line of JSON per export request only
for `format: json` without compression. With `format: proto`, or with `compression: zstd` in either
format, each export request is written as a 4-byte big-endian unsigned length followed by that many
bytes: the protobuf `Export{Trace,Logs}ServiceRequest`, the JSON document, or (zstd) one zstd frame of
either. Since v0.154 the `exporter.file.nativeCompression` gate instead zstd-compresses the whole file;
that outer stream is undone before this module sees the bytes.

A 4-byte length below 16 MiB starts with a NUL byte, which no JSON-lines file does: that is how a
framed file is told from a JSON-lines one without configuration.
"""

from __future__ import annotations

import io
from typing import Iterable, Iterator

from logmine_dagster.ingest.stream_items import OVERSIZED, ProtoFrame

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PREFIX_BYTES = 4


def is_framed(head: bytes) -> bool:
    return head[:1] == b"\x00"


def _payload(frame: bytes, max_bytes: int):
    """The frame's export request: JSON bytes, a ProtoFrame, or OVERSIZED when it inflates past the limit."""
    if frame.startswith(ZSTD_MAGIC):
        import zstandard

        # Bounded: read one byte past the limit, never the whole inflated frame.
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(frame), read_across_frames=True)
        frame = reader.read(max_bytes + 1)
        if len(frame) > max_bytes:
            return OVERSIZED
    stripped = frame.lstrip()
    return frame if stripped[:1] in (b"{", b"[") else ProtoFrame(frame)


def frame_batches(blocks: Iterable[bytes], max_bytes: int) -> Iterator[list]:
    """Every framed message of the stream, in batches: JSON bytes (as a line would be), ProtoFrame,
    or OVERSIZED for a message longer than `max_bytes` (its bytes are skipped, never held).
    A stream that ends inside a message raises EOFError after every whole message was yielded."""
    pending = b""
    skip = 0  # bytes of an oversized message still to pass over
    for block in blocks:
        if skip:
            dropped = min(skip, len(block))
            skip -= dropped
            block = block[dropped:]
        data = pending + block if pending else block
        at, batch = 0, []
        # An offset walks the block (cutting the front off a buffer per message would be quadratic).
        while not skip and len(data) - at >= PREFIX_BYTES:
            size = int.from_bytes(data[at : at + PREFIX_BYTES], "big")
            start = at + PREFIX_BYTES
            if size > max_bytes:
                batch.append(OVERSIZED)
                dropped = min(size, len(data) - start)
                skip, at = size - dropped, start + dropped
                continue
            if len(data) - start < size:
                break
            batch.append(_payload(data[start : start + size], max_bytes))
            at = start + size
        pending = data[at:]
        if batch:
            yield batch
    if skip or pending:
        raise EOFError("framed file ends inside a message")
