"""What the page after an action says, and about which case: after deciding a case the reviewer is
already on the next one, so the notice names the case it is about (`done=`) and offers its undo."""

from __future__ import annotations

import re

OUTCOME_MESSAGES = {
    "accepted": "Added to the eval set.",
    "discarded": "Discarded.",
    "open": "Your review is saved; the case waits for the other reviewers.",
    "disputed": "Your review is saved; the reviewers disagree, so an admin will resolve it.",
    "flagged": "Flagged for PII: the case is quarantined and out of the queue.",
    "skipped": "Skipped.",
    "resolved": "Resolved.",
    "undone": "Your decision is undone: decide the case again.",
    "done": "Nothing left for you in this batch.",
    "assigned": "Cases assigned.",
}
# A vote can be taken back (review/undo.py); a flag, a skip or a resolution cannot.
UNDOABLE = {"accepted", "discarded", "open", "disputed"}
_CASE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def notice(query_params) -> dict | None:
    """{"text", "case_id", "can_undo"} from ?msg=&done=, or None."""
    text = OUTCOME_MESSAGES.get(query_params.get("msg", ""))
    if text is None:
        return None
    done = query_params.get("done") or ""
    case_id = done if _CASE_ID.match(done) else ""
    return {"text": text, "case_id": case_id, "can_undo": bool(case_id) and query_params.get("msg") in UNDOABLE}
