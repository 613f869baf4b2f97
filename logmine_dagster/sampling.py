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
    # Privacy commitments no rate or signal can override.
    max_per_user_per_day: int | None = None
    opted_out_users: frozenset[str] = frozenset()
    opted_out_tenants: frozenset[str] = frozenset()


def opted_out(record: dict, policy: SamplingPolicy) -> bool:
    if record.get("user_id") is not None and record["user_id"] in policy.opted_out_users:
        return True
    tenant = (record.get("metadata") or {}).get("tenant")
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
