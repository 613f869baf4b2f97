"""How many records the residual gate refused in a day, split by the conversation's outcome.

Refusals that fall more on failed conversations than on successful ones bias the eval set away from
exactly the failures it exists for, so the rate is reported per outcome, not only overall:

    outcome_of(raw_record)                       # "failed" or "successful" (or "unreadable")
    refusal_summary(read_by_outcome, refused_by_outcome)
        -> {"refused_share": 0.004, "failed": {"read": 120, "refused": 1, "share": 0.0083}, ...}

A record failed when the call errored (`status` other than ok, or an `error_type`), the user gave a
thumbs-down (`feedback`), or the conversation was escalated to a human. Counts only, never text.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping

FAILED, SUCCESSFUL, UNREADABLE = "failed", "successful", "unreadable"
OUTCOMES = (FAILED, SUCCESSFUL, UNREADABLE)
_NEGATIVE_FEEDBACK = frozenset({"down", "thumbs_down", "negative", "bad", "-1"})


def outcome_of(record) -> str:
    """The conversation's outcome as the raw record states it."""
    if not isinstance(record, Mapping):
        return UNREADABLE
    status = str(record.get("status") or "ok").strip().lower()
    feedback = str(record.get("feedback") or "").strip().lower()
    if status not in ("ok", "success", "succeeded") or record.get("error_type") or feedback in _NEGATIVE_FEEDBACK or record.get("escalated") is True:
        return FAILED
    return SUCCESSFUL


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def refusal_summary(read_by_outcome: Mapping[str, int], refused_by_outcome: Mapping[str, int]) -> dict:
    """Overall and per-outcome refusal shares: a plain dict of numbers for Dagster metadata."""
    read, refused = Counter(read_by_outcome), Counter(refused_by_outcome)
    summary: dict = {"read": sum(read.values()), "refused": sum(refused.values())}
    summary["refused_share"] = _share(summary["refused"], summary["read"])
    for outcome in OUTCOMES:
        if read[outcome] or outcome != UNREADABLE:
            summary[outcome] = {"read": read[outcome], "refused": refused[outcome], "share": _share(refused[outcome], read[outcome])}
    return summary
