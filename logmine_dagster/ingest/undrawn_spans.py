"""The spans the sampler only counts: a record of the day that no rate draws (no error, not a long
conversation, its base hash not under the rate) needs no view and no record, only a count, and that
is most of a day. The typed OTLP read (`formats.otlp_typed`) settles the common span with the
fields kept here, inline; anything else asks the counter itself, with the view's fields."""

from __future__ import annotations

from typing import Callable

from logmine_dagster.ingest.sampling_counts import SamplingCounts


class UndrawnCounter:
    """For the spans of one file. `window`: the day's first and last start times that need no
    formatting (`span_views.day_window`); `base_copy`, `threshold`: the base stratum's keyed hasher
    and the digest a drawn record is under; `long_at`: the long-conversation length."""

    __slots__ = ("counts", "source", "prefix", "base_copy", "threshold", "long_at", "window")

    def __init__(self, counts: SamplingCounts, source: str, prefix: str, base_copy, threshold: bytes, long_at: int, window):
        self.counts, self.source, self.prefix = counts, source, prefix
        self.base_copy, self.threshold, self.long_at, self.window = base_copy, threshold, long_at, window

    def __call__(self, request_id: str, timestamp, status: str, messages) -> bool:
        """True: a record of the day no rate draws, counted as `DaySampler.offer` counts it; False
        (nothing counted): its view is to be offered."""
        prefix = self.prefix
        if (
            timestamp.__class__ is not str or timestamp[:11] != prefix or timestamp[-1] != "Z"
            or status == "error" or len(messages) >= self.long_at
        ):
            return False
        hasher = self.base_copy()
        hasher.update(request_id.encode("utf-8"))
        if hasher.digest() < self.threshold:
            return False
        self.add(1)
        return True

    def add(self, spans: int) -> None:
        """Count `spans` undrawn records of the file."""
        if spans:
            counts = self.counts
            if self.source is not counts.current_source:
                counts.switch_source(self.source)
            counts.scanned += spans


# `DaySampler.undrawn_counter`: the counter of one file's spans, by the file's source name.
CounterFor = Callable[[str], UndrawnCounter]
