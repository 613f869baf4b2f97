"""The accounting of a day's sampling pass (for the asset's metadata and the quarantine table)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class BadRecord:  # slots: a day of garbage holds one of these per line until it is written
    source_file: str
    line: int | None
    reason: str


@dataclass
class SamplingCounts:
    """Records scanned (in all and per file), bad lines, signals seen, records each stratum drew, and
    what each cap and privacy commitment excluded."""

    scanned: int = 0
    scanned_by_file: Counter = field(default_factory=Counter)
    bad_lines: list[BadRecord] = field(default_factory=list)
    bad_by_file: Counter = field(default_factory=Counter)
    signal_seen: Counter = field(default_factory=Counter)
    stratum_passed: Counter = field(default_factory=Counter)
    excluded_signal_cap: Counter = field(default_factory=Counter)
    excluded_opt_out: int = 0
    excluded_user_cap: int = 0
    excluded_ceiling: int = 0
    ceiling: int | None = None
    dropped_invalid: int = 0
    # Records of one file arrive together: `scanned` alone is counted per record, and each file's
    # share is settled when the next file starts.
    current_source: str | None = None
    _scanned_at_switch: int = 0

    def bad(self, source: str, line: int | None, reason: str) -> None:
        self.bad_lines.append(BadRecord(source, line, reason))
        self.bad_by_file[source] += 1

    def switch_source(self, source: str | None) -> None:
        """Records from `source` follow (None: the pass is over)."""
        if self.current_source is not None:
            self.scanned_by_file[self.current_source] += self.scanned - self._scanned_at_switch
        self.current_source, self._scanned_at_switch = source, self.scanned

    def unscan(self, source: str) -> None:
        """A selected record turned out bad: it counts as a bad line, not as a scanned record."""
        self.dropped_invalid += 1
        self.scanned -= 1
        self.scanned_by_file[source] -= 1
