"""Which strata a record falls in and whether the rates draw it: the base rate for every record, plus
one independent draw per signal the record shows (the boost that over-samples interesting traffic)."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from logmine_dagster.core.signals import SIGNALS
from logmine_dagster.ingest.keyed_hash import HASH_SPACE, hash_value, keyed_hasher, rate_threshold
from logmine_dagster.ingest.sampling_policy import SamplingPolicy


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
    reasons = [s for s in record_signals(record, policy) if hash_value(request_id, policy.salt, s) < rate_threshold(policy.rate_for(s))]
    if hash_value(request_id, policy.salt) < rate_threshold(policy.rate):
        reasons.append("base_rate")
    return reasons


class Draw(NamedTuple):
    """A record the rates drew: its base hash, whether the base rate drew it, the signals it shows,
    their stratum hashes and the strata that drew it."""

    u0: int
    base: bool
    signals: tuple[str, ...]
    hashes: dict[str, int]
    kept: set[str]


class StrataDraw:
    """`record_signals` + `sample_reasons` for the one-pass sampler, from fields already picked out of
    the record, with the hashers keyed once; counts each signal seen into `seen`."""

    def __init__(self, policy: SamplingPolicy, seen: Counter) -> None:
        self._base_copy = keyed_hasher(policy.salt, None).copy
        threshold = rate_threshold(policy.rate)
        # Big-endian digests compare like the integers they spell: no conversion for most records.
        self._base_threshold_bytes = b"\xff" * 8 + b"\x00" if threshold >= HASH_SPACE else threshold.to_bytes(8, "big")
        self._signal_hashers = {s: keyed_hasher(policy.salt, s) for s in SIGNALS}
        self._signal_thresholds = {s: rate_threshold(policy.rate_for(s)) for s in SIGNALS}
        self._low_confidence = policy.low_confidence_threshold
        self._long = policy.long_conversation_messages
        self._seen = seen

    def draw(self, key: bytes, status, confidence, escalated, feedback, messages) -> Draw | None:
        """The draw of the record whose request id encodes to `key`; None when no rate drew it."""
        hasher = self._base_copy()
        hasher.update(key)
        digest = hasher.digest()
        base = digest < self._base_threshold_bytes
        if (
            status == "error" or escalated or feedback == "down" or len(messages) >= self._long
            or (confidence is not None and confidence < self._low_confidence)
        ):
            signals, hashes, kept = self._strata(key, status, confidence, escalated, feedback, messages)
            if not base and not kept:
                return None
        elif not base:
            return None  # most records end here: one hash, no allocation
        else:
            signals, hashes, kept = (), {}, set()
        return Draw(int.from_bytes(digest, "big"), base, signals, hashes, kept)

    def base_hashing(self) -> tuple:
        """(hasher copy, threshold digest, long-conversation length): what tells a record with no
        signal but a long input drawn or not (`DaySampler.undrawn_counter`), read once."""
        return self._base_copy, self._base_threshold_bytes, self._long

    def _strata(self, key: bytes, status, confidence, escalated, feedback, messages):
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
            self._seen[signal] += 1
            hasher = self._signal_hashers[signal].copy()
            hasher.update(key)
            hashes[signal] = u = int.from_bytes(hasher.digest(), "big")
            if u < self._signal_thresholds[signal]:
                kept.add(signal)
        return tuple(signals), hashes, kept
