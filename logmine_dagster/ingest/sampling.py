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

import hashlib
import heapq
import math
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterator, Mapping

import orjson

from logmine_dagster.ingest.records import OutsidePartition, RecordError, check_sampling_fields, parse_record
from logmine_dagster.core.signals import DEFAULT_SIGNAL_CAP, SIGNALS

REASON_ORDER = SIGNALS + ("base_rate",)
DEFAULT_MAX_SAMPLED_FRACTION = 0.2
DEFAULT_LONG_CONVERSATION_MESSAGES = 16
_HASH_SPACE = 1 << 64


def default_caps() -> dict[str, int | None]:
    return {signal: DEFAULT_SIGNAL_CAP for signal in SIGNALS}


@dataclass(frozen=True)
class SamplingPolicy:
    rate: float = 0.005
    low_confidence_threshold: float = 0.5
    salt: str = "logmine-sample-v1"
    # A conversation counts as long from this many input messages on.
    long_conversation_messages: int = DEFAULT_LONG_CONVERSATION_MESSAGES
    # Per signal; a signal not named has rate 1 (every such record is a candidate) and the default cap.
    signal_rates: Mapping[str, float] = field(default_factory=dict)
    # Per signal records a day at most (None: no cap).
    signal_caps: Mapping[str, int | None] = field(default_factory=default_caps)
    # Privacy commitments no rate or signal can override.
    max_per_user_per_day: int | None = None
    max_sampled_fraction: float | None = DEFAULT_MAX_SAMPLED_FRACTION
    opted_out_users: frozenset[str] = frozenset()
    opted_out_tenants: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name, table in (("signal_rates", self.signal_rates), ("signal_caps", self.signal_caps)):
            unknown = sorted(set(table) - set(SIGNALS))
            if unknown:
                raise ValueError(f"{name}: unknown signal(s) {', '.join(unknown)}; known: {', '.join(SIGNALS)}")
        for signal, rate in self.signal_rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"signal_rates: {signal} must be between 0 and 1, got {rate}")
        for signal, cap in self.signal_caps.items():
            if cap is not None and cap < 0:
                raise ValueError(f"signal_caps: {signal} must be 0 or more, got {cap}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {self.rate}")
        if self.max_sampled_fraction is not None and not 0.0 <= self.max_sampled_fraction <= 1.0:
            raise ValueError(f"max_sampled_fraction must be between 0 and 1, got {self.max_sampled_fraction}")

    def rate_for(self, signal: str) -> float:
        return float(self.signal_rates.get(signal, 1.0))

    def cap_for(self, signal: str) -> int | None:
        return self.signal_caps.get(signal, DEFAULT_SIGNAL_CAP)


def opted_out(record: dict, policy: SamplingPolicy) -> bool:
    if record.get("user_id") is not None and record["user_id"] in policy.opted_out_users:
        return True
    metadata = record.get("metadata")
    tenant = metadata.get("tenant") if isinstance(metadata, dict) else None
    return tenant is not None and tenant in policy.opted_out_tenants


def load_opt_out(path) -> tuple[frozenset[str], frozenset[str]]:
    """One entry a line: a user id, or `tenant:NAME`; `#` starts a comment."""
    users, tenants = set(), set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            entry = line.split("#", 1)[0].strip()
            if entry.startswith("tenant:"):
                tenants.add(entry[len("tenant:"):].strip())
            elif entry:
                users.add(entry)
    return frozenset(users), frozenset(tenants)


def _hasher(salt: str, stratum: str | None):
    # The base stratum keeps the key of the first logmine versions, so their samples stay reproducible.
    key = salt if stratum is None else f"{salt}/{stratum}"
    return hashlib.blake2b(digest_size=8, key=key.encode("utf-8")[:64])


def hash_value(request_id: str, salt: str, stratum: str | None = None) -> int:
    """A uniform integer in [0, 2**64) fixed by the request id (and the stratum)."""
    hasher = _hasher(salt, stratum)
    hasher.update(request_id.encode("utf-8"))
    return int.from_bytes(hasher.digest(), "big")


def hash_fraction(request_id: str, salt: str, stratum: str | None = None) -> float:
    """A uniform number in [0, 1) fixed by the request id."""
    return hash_value(request_id, salt, stratum) / _HASH_SPACE


def _threshold(rate: float) -> int:
    return _HASH_SPACE if rate >= 1.0 else int(rate * _HASH_SPACE)


def record_signals(record: dict, policy: SamplingPolicy) -> list[str]:
    """The signals a record shows, in SIGNALS order."""
    signals = []
    if record.get("status") == "error":
        signals.append("error")
    confidence = record.get("confidence")
    if confidence is not None and confidence < policy.low_confidence_threshold:
        signals.append("low_confidence")
    if record.get("escalated"):
        signals.append("escalated")
    if record.get("feedback") == "down":
        signals.append("negative_feedback")
    messages = record.get("input")
    if isinstance(messages, list) and len(messages) >= policy.long_conversation_messages:
        signals.append("long_conversation")
    return signals


def sample_reasons(record: dict, policy: SamplingPolicy) -> list[str]:
    """Why this record would be sampled by the rates alone (before daily caps and privacy ceilings),
    in REASON_ORDER; empty when it would not."""
    request_id = record["request_id"]
    reasons = [s for s in record_signals(record, policy) if hash_value(request_id, policy.salt, s) < _threshold(policy.rate_for(s))]
    if hash_value(request_id, policy.salt) < _threshold(policy.rate):
        reasons.append("base_rate")
    return reasons


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


@dataclass
class SampledRecord:
    record: dict
    reasons: list[str]
    inclusion_probability: float
    source_file: str
    line: int


@dataclass(slots=True)
class BadRecord:  # slots: a day of garbage holds one of these per line until it is written
    source_file: str
    line: int | None
    reason: str


class DaySampler:
    """One pass over a day: `offer` every decoded record (and `bad` every bad line), then `select`,
    then iterate `sampled()`. Memory holds a few numbers per candidate; candidates' bytes wait in an
    anonymous temporary file, and only the selected ones are read back, parsed and validated fully.

    Counters (for the asset's metadata): scanned, signal_seen, stratum_passed, excluded_signal_cap,
    excluded_opt_out, excluded_user_cap, excluded_ceiling, ceiling, bad_by_file, scanned_by_file.
    """

    def __init__(self, day: str, policy: SamplingPolicy) -> None:
        self.day = day
        self.policy = policy
        self._day_prefix = day + "T"
        self._base_hasher = _hasher(policy.salt, None)
        self._base_copy = self._base_hasher.copy
        self._base_threshold = _threshold(policy.rate)
        self._base_threshold_bytes = (
            b"\xff" * 8 + b"\x00" if self._base_threshold >= _HASH_SPACE else self._base_threshold.to_bytes(8, "big")
        )
        self._signal_hashers = {s: _hasher(policy.salt, s) for s in SIGNALS}
        self._signal_thresholds = {s: _threshold(policy.rate_for(s)) for s in SIGNALS}
        self._caps = {s: policy.cap_for(s) for s in SIGNALS}
        self._cap_heaps: dict[str, list[int]] = {s: [] for s in SIGNALS}
        self._low_confidence = policy.low_confidence_threshold
        self._long = policy.long_conversation_messages
        self._opt_out = bool(policy.opted_out_users or policy.opted_out_tenants)
        self._spool = tempfile.TemporaryFile(prefix="logmine-sample-")
        self._spool_size = 0
        self._candidates: list[Candidate] = []
        self._selected: list[Candidate] | None = None
        self._current_source: str | None = None
        self._scanned_at_switch = 0
        self.bad_lines: list[BadRecord] = []
        self.scanned = 0
        self.scanned_by_file: Counter = Counter()
        self.bad_by_file: Counter = Counter()
        self.signal_seen: Counter = Counter()
        self.stratum_passed: Counter = Counter()
        self.excluded_signal_cap: Counter = Counter()
        self.excluded_opt_out = 0
        self.excluded_user_cap = 0
        self.excluded_ceiling = 0
        self.ceiling: int | None = None
        self.dropped_invalid = 0

    # -- the pass ---------------------------------------------------------------------------------

    def bad(self, source: str, line: int | None, reason: str) -> None:
        self.bad_lines.append(BadRecord(source, line, reason))
        self.bad_by_file[source] += 1

    def offer(self, value, raw: bytes | None, source: str, line: int) -> None:
        """One decoded record; `raw` its line's bytes when the line is the record as it stands."""
        # The common shape is checked inline (subscripts: the cheapest bytecode); anything else takes
        # the slow path, which either raises with the reason or accepts the record (e.g. an integer
        # confidence, a +01:00 offset).
        try:
            request_id, timestamp, status, messages = value["request_id"], value["timestamp"], value["status"], value["input"]
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
            try:
                check_sampling_fields(value, self.day)
            except OutsidePartition as error:
                self.bad(source, line, str(error))
                return
            except RecordError as error:
                self.bad(source, line, f"invalid record: {error}")
                return
            get = value.get
            request_id, status, messages = get("request_id"), get("status"), get("input")
            confidence, escalated, feedback = get("confidence"), get("escalated"), get("feedback")

        if source is not self._current_source:
            self._switch_source(source)
        self.scanned += 1

        key = request_id.encode("utf-8")
        hasher = self._base_copy()
        hasher.update(key)
        digest = hasher.digest()
        # Big-endian digests compare like the integers they spell: no conversion for most records.
        base = digest < self._base_threshold_bytes
        if (
            status == "error" or escalated or feedback == "down" or len(messages) >= self._long
            or (confidence is not None and confidence < self._low_confidence)
        ):
            signals, hashes, kept = self._signals(key, status, confidence, escalated, feedback, messages)
            if not base and not kept:
                return
        elif not base:
            return  # most records end here: one hash, no allocation
        else:
            signals, hashes, kept = (), {}, set()
        u0 = int.from_bytes(digest, "big")

        user = get("user_id")
        if user is not None and type(user) is not str:
            self.bad(source, line, "invalid record: user_id is not a string")
            self.scanned -= 1
            return
        if self._opt_out and opted_out(value, self.policy):
            self.excluded_opt_out += 1
            return
        for signal in tuple(kept):
            self.stratum_passed[signal] += 1
            cap = self._caps[signal]
            if cap is None:
                continue
            # Streaming bottom-k: a hash above the k smallest seen so far can never be among the
            # day's k smallest, so the record need not be kept for this stratum.
            heap = self._cap_heaps[signal]
            if len(heap) < cap:
                heapq.heappush(heap, -hashes[signal])
            elif cap and hashes[signal] < -heap[0]:
                heapq.heapreplace(heap, -hashes[signal])
            else:
                kept.discard(signal)
        if not base and not kept:
            return
        if raw is None:
            try:
                raw = orjson.dumps(value)
            except TypeError:
                self.bad(source, line, "invalid record: holds values that are not JSON")
                return
        self._spool.write(raw)
        self._candidates.append(Candidate(u0, base, signals, kept, hashes, user, source, line, self._spool_size, len(raw)))
        self._spool_size += len(raw)

    def _signals(self, key: bytes, status, confidence, escalated, feedback, messages):
        signals = []
        if status == "error":
            signals.append("error")
        if confidence is not None and confidence < self._low_confidence:
            signals.append("low_confidence")
        if escalated:
            signals.append("escalated")
        if feedback == "down":
            signals.append("negative_feedback")
        if len(messages) >= self._long:
            signals.append("long_conversation")
        hashes, kept = {}, set()
        for signal in signals:
            self.signal_seen[signal] += 1
            hasher = self._signal_hashers[signal].copy()
            hasher.update(key)
            hashes[signal] = u = int.from_bytes(hasher.digest(), "big")
            if u < self._signal_thresholds[signal]:
                kept.add(signal)
        return tuple(signals), hashes, kept

    def _switch_source(self, source: str | None) -> None:
        if self._current_source is not None:
            self.scanned_by_file[self._current_source] += self.scanned - self._scanned_at_switch
        self._current_source, self._scanned_at_switch = source, self.scanned

    # -- the decisions ----------------------------------------------------------------------------

    def select(self) -> list[Candidate]:
        """Apply the daily caps and the privacy ceilings; set each survivor's inclusion probability."""
        if self._selected is not None:
            return self._selected
        self._switch_source(None)
        policy = self.policy
        candidates = self._candidates

        stratum_probability = {}
        for signal in SIGNALS:
            members = [c for c in candidates if signal in c.kept]
            cap = policy.cap_for(signal)
            passed = self.stratum_passed[signal]  # members pruned while streaming are counted here
            if cap is not None and len(members) > cap:
                members.sort(key=lambda c: c.hashes[signal])
                for dropped in members[cap:]:
                    dropped.kept.discard(signal)
            if cap is not None and passed > cap:
                self.excluded_signal_cap[signal] = passed - cap
            thinning = min(1.0, cap / passed) if cap is not None and passed else 1.0
            stratum_probability[signal] = policy.rate_for(signal) * thinning
        selected = [c for c in candidates if c.base or c.kept]

        user_factor: dict[str, float] = {}
        if policy.max_per_user_per_day is not None:
            by_user: dict[str, list[Candidate]] = defaultdict(list)
            for candidate in selected:
                if candidate.user is not None:
                    by_user[candidate.user].append(candidate)
            dropped_ids = set()
            for user, theirs in by_user.items():
                if len(theirs) > policy.max_per_user_per_day:
                    theirs.sort(key=lambda c: c.u0)
                    dropped_ids.update(id(c) for c in theirs[policy.max_per_user_per_day:])
                    user_factor[user] = policy.max_per_user_per_day / len(theirs)
            self.excluded_user_cap = len(dropped_ids)
            selected = [c for c in selected if id(c) not in dropped_ids]

        ceiling_factor = 1.0
        if policy.max_sampled_fraction is not None:
            self.ceiling = math.floor(policy.max_sampled_fraction * self.scanned)
            if len(selected) > self.ceiling:
                ceiling_factor = self.ceiling / len(selected)
                selected.sort(key=lambda c: c.u0)
                self.excluded_ceiling = len(selected) - self.ceiling
                selected = selected[: self.ceiling]

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
        spool = self._spool
        for candidate in self.select():
            spool.seek(candidate.offset)
            try:
                record = parse_record(orjson.loads(spool.read(candidate.length)))
            except RecordError as error:
                self._unscan(candidate.source)
                self.bad(candidate.source, candidate.line, f"invalid record: {error}")
                continue
            if record["request_id"] in seen:
                self._unscan(candidate.source)
                self.bad(candidate.source, candidate.line, "duplicate request_id in partition")
                continue
            seen.add(record["request_id"])
            yield SampledRecord(record, candidate.reasons, candidate.probability, candidate.source, candidate.line)

    def _unscan(self, source: str) -> None:
        """A selected record turned out bad: it counts as a bad line, not as a scanned record."""
        self.dropped_invalid += 1
        self.scanned -= 1
        self.scanned_by_file[source] -= 1

    def close(self) -> None:
        self._spool.close()
