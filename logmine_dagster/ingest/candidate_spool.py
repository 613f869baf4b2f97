"""The records the rates drew, held as a few numbers each while their bytes wait in an anonymous
temporary file, so a day's candidates never have to fit in memory."""

from __future__ import annotations

import tempfile

from logmine_dagster.core.signals import SIGNALS

SPOOL_BUFFER = 1 << 20


class Candidate:
    """A record that passed a rate, kept as a few numbers plus its bytes' place in the spool file."""

    __slots__ = ("u0", "base", "signals", "kept", "hashes", "user", "source", "line", "offset", "length", "probability")

    def __init__(self, u0, base, signals, kept, hashes, user, source, line, offset, length):
        self.u0, self.base, self.signals, self.kept, self.hashes = u0, base, signals, kept, hashes
        self.user, self.source, self.line, self.offset, self.length = user, source, line, offset, length
        self.probability = 0.0

    @property
    def reasons(self) -> list[str]:
        return [s for s in SIGNALS if s in self.kept] + (["base_rate"] if self.base else [])


class CandidateSpool:
    """Appends candidates' bytes to one temporary file and reads a candidate's bytes back."""

    def __init__(self) -> None:
        # A large buffer: candidates are a few kB each, written one by one and read back in order.
        self._file = tempfile.TemporaryFile(prefix="logmine-sample-", buffering=SPOOL_BUFFER)
        self._size = 0
        self.candidates: list[Candidate] = []

    def add(self, raw: bytes, draw, user: str | None, source: str, line: int) -> None:
        """`draw` is the strata.Draw that made the record a candidate."""
        self._file.write(raw)
        self.candidates.append(
            Candidate(draw.u0, draw.base, draw.signals, draw.kept, draw.hashes, user, source, line, self._size, len(raw))
        )
        self._size += len(raw)

    def read(self, candidate: Candidate) -> bytes:
        self._file.seek(candidate.offset)
        return self._file.read(candidate.length)

    def close(self) -> None:
        self._file.close()
