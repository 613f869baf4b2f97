"""Deterministic sampling of a day's records, boosting the interesting ones.

Membership of the base-rate sample is a hash of `request_id`, so a re-run or a backfill picks exactly
the same records. Interesting records (errors, low confidence, escalations, negative feedback) are
always taken: at a 0.5% rate they would otherwise be drowned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

REASON_ORDER = ("error", "low_confidence", "escalated", "negative_feedback", "base_rate")


@dataclass(frozen=True)
class SamplingPolicy:
    rate: float = 0.005
    low_confidence_threshold: float = 0.5
    salt: str = "logmine-sample-v1"


def hash_fraction(request_id: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by the request id."""
    digest = hashlib.blake2b(request_id.encode("utf-8"), digest_size=8, key=salt.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") / 2**64


def sample_reasons(record: dict, policy: SamplingPolicy) -> list[str]:
    """Why this record is sampled, in REASON_ORDER; empty when it is not."""
    reasons = []
    if record.get("status") == "error":
        reasons.append("error")
    confidence = record.get("confidence")
    if confidence is not None and confidence < policy.low_confidence_threshold:
        reasons.append("low_confidence")
    if record.get("escalated"):
        reasons.append("escalated")
    if record.get("feedback") == "down":
        reasons.append("negative_feedback")
    if hash_fraction(record["request_id"], policy.salt) < policy.rate:
        reasons.append("base_rate")
    return reasons
