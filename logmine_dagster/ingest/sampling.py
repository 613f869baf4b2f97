"""Stratified, reproducible sampling of a day's records, under privacy ceilings no rate can exceed.

Every decision is a keyed hash of `request_id` (BLAKE2b keyed with the salt), so a re-run or a
backfill of a day picks exactly the same records, whatever the order of its files and lines.

How a record gets in (its reasons):
- `base_rate`: u0(request_id) < rate.
- one stratum per signal the record shows (`error`, `low_confidence`, `escalated`,
  `negative_feedback`, `long_conversation`): u_s(request_id) < rate_s (default 1: all of them), where
  u_s is a hash keyed per signal so the strata are independent; then an optional daily cap per signal
  keeps the cap records of the stratum with the lowest u_s (bottom-k: deterministic, independent of
  file order).

Privacy commitments, applied after the rates, in this order:
- opt-out list (user ids, `tenant:NAME`): such records are never candidates;
- per-user cap: a user's selected records with the lowest u0;
- ceiling: at most floor(max_sampled_fraction * records scanned) records of the day, the lowest u0.

Inclusion probability stored with each record (for 1/p re-weighting to production). For a record
with signals S:  p = (1 - (1 - rate) * prod_{s in S} (1 - p_s)) * f_user * f_ceiling, where
p_s = rate_s * min(1, cap_s / m_s) with m_s the records of stratum s that passed rate_s,
f_user = min(1, per_user_cap / n_user) (n_user: the user's selected records before the cap) and
f_ceiling = min(1, K / n_selected) before the ceiling. The capped, per-user and ceiling factors
treat each thinning as independent of the others: an approximation (exact when nothing is capped),
good enough to re-weight counts, stated as such in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import orjson

from logmine_dagster.core.signals import SIGNALS
from logmine_dagster.ingest.candidate_spool import Candidate, CandidateSpool
from logmine_dagster.ingest.formats.results import UnusableSpan
from logmine_dagster.ingest.formats.span_views import SPAN_VIEW, built, day_window, usable_user
from logmine_dagster.ingest.keyed_hash import hash_fraction, hash_value
from logmine_dagster.ingest.records import OutsidePartition, RecordError, check_sampling_fields, parse_record
from logmine_dagster.ingest.sampling_caps import SignalCaps, cap_per_user, cap_to_ceiling, day_ceiling
from logmine_dagster.ingest.sampling_counts import BadRecord, SamplingCounts
from logmine_dagster.ingest.sampling_policy import (
    DEFAULT_LONG_CONVERSATION_MESSAGES,
    DEFAULT_MAX_SAMPLED_FRACTION,
    REASON_ORDER,
    SamplingPolicy,
    default_caps,
    load_opt_out,
    opted_out,
)
from logmine_dagster.ingest.strata import Draw, StrataDraw, record_signals, sample_reasons
from logmine_dagster.ingest.undrawn_spans import UndrawnCounter

# The sampling API callers import from here, wherever its parts live.
__all__ = [
    "DEFAULT_LONG_CONVERSATION_MESSAGES", "DEFAULT_MAX_SAMPLED_FRACTION", "REASON_ORDER", "SIGNALS",
    "BadRecord", "Candidate", "DaySampler", "SampledRecord", "SamplingPolicy", "default_caps", "hash_fraction",
    "hash_value", "load_opt_out", "opted_out", "record_signals", "sample_reasons",
]


@dataclass
class SampledRecord:
    record: dict
    reasons: list[str]
    inclusion_probability: float
    source_file: str
    line: int


class _FromCounts:
    """A counter of the sampler's `counts`, read as an attribute of the sampler itself."""

    def __set_name__(self, owner, name: str) -> None:
        self._name = name

    def __get__(self, sampler, owner=None):
        return self if sampler is None else getattr(sampler.counts, self._name)


class DaySampler:
    """One pass over a day: `offer` every decoded record (and `bad` every bad line), then `select`,
    then iterate `sampled()`. Memory holds a few numbers per candidate; candidates' bytes wait in an
    anonymous temporary file, and only the selected ones are read back, parsed and validated fully.

    The jobs are delegated: the rates' draw to `StrataDraw`, the caps to `sampling_caps`, the bytes
    to `CandidateSpool`, the accounting to `SamplingCounts` (`counts`), whose counters read as the
    sampler's attributes: scanned, signal_seen, stratum_passed, excluded_signal_cap, excluded_opt_out,
    excluded_user_cap, excluded_ceiling, ceiling, bad_by_file, scanned_by_file, bad_lines, dropped_invalid.
    """

    scanned = _FromCounts()
    scanned_by_file = _FromCounts()
    bad_lines = _FromCounts()
    bad_by_file = _FromCounts()
    signal_seen = _FromCounts()
    stratum_passed = _FromCounts()
    excluded_signal_cap = _FromCounts()
    excluded_opt_out = _FromCounts()
    excluded_user_cap = _FromCounts()
    excluded_ceiling = _FromCounts()
    ceiling = _FromCounts()
    dropped_invalid = _FromCounts()

    def __init__(self, day: str, policy: SamplingPolicy) -> None:
        self.day = day
        self.policy = policy
        self._day_prefix = day + "T"
        self.counts = SamplingCounts()
        self._strata = StrataDraw(policy, self.counts.signal_seen)
        self._draw = self._strata.draw
        self._signal_caps = SignalCaps(policy, self.counts.stratum_passed, self.counts.excluded_signal_cap)
        self._opt_out = policy.has_opt_outs
        self._spool = CandidateSpool()
        self._selected: list[Candidate] | None = None

    # -- the pass ---------------------------------------------------------------------------------

    def bad(self, source: str, line: int | None, reason: str) -> None:
        self.counts.bad(source, line, reason)

    def offer(self, value, raw: bytes | None, source: str, line: int) -> None:
        """One decoded record; `raw` its line's bytes when the line is the record as it stands."""
        # The common shape is checked inline (subscripts: the cheapest bytecode); anything else takes
        # the slow path, which either reports the line bad or accepts the record (e.g. an integer
        # confidence, a +01:00 offset).
        try:
            request_id, timestamp, status, messages = value["request_id"], value["timestamp"], value["status"], value["input"]
            if SPAN_VIEW in value:
                # A span's view (`span_views`): its id, status and messages are of the right types,
                # and it has no confidence, escalation or feedback; only its day is left to check.
                if timestamp[:11] == self._day_prefix and timestamp[-1] == "Z":
                    self._count_and_draw(value, raw, source, line, request_id, status, None, None, None, messages)
                    return
                raise KeyError("timestamp")
            get = value.get
            confidence, escalated, feedback = get("confidence"), get("escalated"), get("feedback")
            fast = (
                type(request_id) is str and request_id and type(timestamp) is str
                and timestamp[:11] == self._day_prefix and timestamp[-1] == "Z"
                and type(messages) is list and messages and (status == "ok" or status == "error")
                and (confidence is None or (type(confidence) is float and 0.0 <= confidence <= 1.0))
                and (escalated is None or escalated is True or escalated is False)
                and (feedback is None or feedback == "down" or feedback == "up")
            )
        except (KeyError, TypeError, AttributeError, IndexError):
            fast = False
        if not fast:
            value = built(value)
            if isinstance(value, UnusableSpan):
                self.bad(source, line, value.reason)
                return
            fields = self._checked_fields(value, source, line)
            if fields is None:
                return
            request_id, status, messages, confidence, escalated, feedback = fields

        self._count_and_draw(value, raw, source, line, request_id, status, confidence, escalated, feedback, messages)

    def undrawn_counter(self, source: str) -> UndrawnCounter:
        """What counts the spans of `source` no rate draws without building their views (most of a
        day): called with a span's view fields before its view is built, True when it counted it."""
        return UndrawnCounter(self.counts, source, self._day_prefix, *self._strata.base_hashing(), day_window(self.day))

    def _count_and_draw(self, value, raw, source: str, line: int, request_id: str, status, confidence, escalated, feedback, messages) -> None:
        counts = self.counts
        if source is not counts.current_source:
            counts.switch_source(source)
        counts.scanned += 1
        draw = self._draw(request_id.encode("utf-8"), status, confidence, escalated, feedback, messages)
        if draw is not None:
            self._keep_candidate(value, raw, source, line, draw)

    def _checked_fields(self, value, source: str, line: int) -> tuple | None:
        """(request_id, status, input, confidence, escalated, feedback) of a record the full sampling
        checks accept; None, the line reported bad, for any other."""
        try:
            check_sampling_fields(value, self.day)
        except OutsidePartition as error:
            self.bad(source, line, str(error))
            return None
        except RecordError as error:
            self.bad(source, line, f"invalid record: {error}")
            return None
        get = value.get
        return get("request_id"), get("status"), get("input"), get("confidence"), get("escalated"), get("feedback")

    def _keep_candidate(self, value, raw: bytes | None, source: str, line: int, draw: Draw) -> None:
        """A record the rates drew, unless the opt-out list or its strata's caps leave it out."""
        # A typed span whose record is certainly usable goes through the caps before it is built:
        # the drawn errors of a big day that the error cap cannot keep are never built. The same
        # outcome and counts as building first.
        view = raw is None and not self._opt_out and value.__class__ is dict and SPAN_VIEW in value
        usable, user = usable_user(value) if view else (False, None)
        if not usable:
            value = built(value)
            if self._unusable(value, source, line, draw):
                return
            user = value.get("user_id")
        if self._user_refused(user, source, line):
            return
        if self._opt_out and opted_out(value, self.policy):
            self.counts.excluded_opt_out += 1
            return
        self._signal_caps.admit(draw.kept, draw.hashes)
        if not draw.base and not draw.kept:
            return
        if usable:
            value = built(value)
            if self._unusable(value, source, line, draw):  # never, by `usable_user`
                return
        self._spool_record(value, raw, user, source, line, draw)

    def _unusable(self, value, source: str, line: int, draw: Draw) -> bool:
        """A drawn span whose messages were not all captured (only the drawn ones are checked message
        by message, as canonical lines are): quarantined, and not a scanned record."""
        if not isinstance(value, UnusableSpan):
            return False
        self.bad(source, line, value.reason)
        self.counts.scanned -= 1
        seen = self.counts.signal_seen
        for signal in draw.signals:
            seen[signal] -= 1
            if not seen[signal]:
                del seen[signal]
        return True

    def _user_refused(self, user, source: str, line: int) -> bool:
        """A `user_id` that is not a string makes the record a bad line, not a scanned one."""
        if user is not None and type(user) is not str:
            self.bad(source, line, "invalid record: user_id is not a string")
            self.counts.scanned -= 1
            return True
        return False

    def _spool_record(self, value: dict, raw: bytes | None, user, source: str, line: int, draw: Draw) -> None:
        if raw is None:
            try:
                raw = orjson.dumps(value)
            except TypeError as error:
                # orjson writes at most 255 levels; a mapped or OTLP record may nest deeper.
                deep = str(error) == "Recursion limit reached"
                self.bad(source, line, "invalid record: nested too deep to store" if deep else "invalid record: holds values that are not JSON")
                return
        self._spool.add(raw, draw, user, source, line)

    # -- the decisions ----------------------------------------------------------------------------

    def select(self) -> list[Candidate]:
        """Apply the daily caps and the privacy ceilings; set each survivor's inclusion probability."""
        if self._selected is not None:
            return self._selected
        counts, policy = self.counts, self.policy
        counts.switch_source(None)
        candidates = self._spool.candidates

        stratum_probability = self._signal_caps.trim(candidates)
        selected = [c for c in candidates if c.base or c.kept]
        user_factor: dict[str, float] = {}
        if policy.max_per_user_per_day is not None:
            selected, user_factor, counts.excluded_user_cap = cap_per_user(selected, policy.max_per_user_per_day)
        ceiling_factor = 1.0
        if policy.max_sampled_fraction is not None:
            counts.ceiling = day_ceiling(policy.max_sampled_fraction, counts.scanned)
            selected, ceiling_factor, counts.excluded_ceiling = cap_to_ceiling(selected, counts.ceiling)

        for candidate in selected:
            missed = 1.0 - policy.rate
            for signal in candidate.signals:
                missed *= 1.0 - stratum_probability[signal]
            candidate.probability = (1.0 - missed) * user_factor.get(candidate.user, 1.0) * ceiling_factor
        selected.sort(key=lambda c: c.offset)
        self._selected = selected
        return selected

    def sampled(self) -> Iterator[SampledRecord]:
        """The selected records in file order, validated fully; one that fails becomes a bad line."""
        seen: set[str] = set()
        for candidate in self.select():
            try:
                raw = self._spool.read(candidate)
                record = parse_record(orjson.loads(raw), raw.count(b"{") + raw.count(b"["))
            except RecordError as error:
                self.counts.unscan(candidate.source)
                self.bad(candidate.source, candidate.line, f"invalid record: {error}")
                continue
            if record["request_id"] in seen:
                self.counts.unscan(candidate.source)
                self.bad(candidate.source, candidate.line, "duplicate request_id in partition")
                continue
            seen.add(record["request_id"])
            yield SampledRecord(record, candidate.reasons, candidate.probability, candidate.source, candidate.line)

    def close(self) -> None:
        self._spool.close()
