"""What a log file's stream yields besides the bytes of a JSON line."""

from __future__ import annotations

from dataclasses import dataclass


class _Oversized:
    """Stands for a line or message longer than the limit, whose bytes were skipped without being kept."""


OVERSIZED = _Oversized()


@dataclass(frozen=True)
class ProtoFrame:
    """One protobuf-encoded OTLP export request from a Collector `format: proto` file."""

    data: bytes

    def __len__(self) -> int:
        return len(self.data)
