"""labelled_cases: every case a named reviewer decided, with its sanitised content, and the checks that
nothing incomplete or quarantined ever got in."""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.review.outcomes import latest_decisions
from logmine_dagster.review.quarantine import pii_flagged_case_ids
from logmine_dagster.review.queue import queued_samples
from logmine_dagster.review.vocabulary import DECISIONS
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import labelled_cases, review_decision_details


def build_labelled_cases(db: Database) -> list[dict]:
    """Every decided case with its sanitised content; replaces the labelled_cases table.

    Only complete human decisions count: the case's latest decision must be an accept with a non-empty
    expected output or a discard, by a named reviewer. A case flagged for PII never passes, whatever
    was decided before or after the flag. The decision's category override applies, and its rubric
    notes and tags come along (accepted cases only), for the eval set to carry on into eval_cases.
    """
    decisions = latest_decisions(db)
    flagged = pii_flagged_case_ids(db)
    # Notes, tags and category override of the app's and the imports' decisions (absent for decisions
    # stored before the app existed).
    details = {
        row["decision_id"]: dict(row)
        for row in db.fetch_all(
            sa.select(
                review_decision_details.c.decision_id,
                review_decision_details.c.rubric_notes,
                review_decision_details.c.tags,
                review_decision_details.c.category_override,
            )
        )
    }
    # Queued cases with their sanitised content; a case whose sample is gone is left out.
    queued_cases = {row["case_id"]: dict(row) for row in db.fetch_all(queued_samples(sa.true()))}
    rows = []
    for case_id, decision in sorted(decisions.items()):
        queued = queued_cases.get(case_id)
        if queued is None or case_id in flagged or decision["decision"] not in DECISIONS:
            continue
        if not (decision["reviewer"] or "").strip():
            continue
        if decision["decision"] == "accept" and not (decision["expected_output"] or "").strip():
            continue
        detail = details.get(decision["id"], {})
        accepted = decision["decision"] == "accept"
        rows.append(
            {
                "case_id": case_id,
                "week": queued["week"],
                "day": queued["day"],
                "category": detail.get("category_override") or queued["category"],
                "reasons": queued["reasons"],
                "decision": decision["decision"],
                "input_json": queued["input_json"],
                "model_output": queued["output"],
                "expected_output": decision["expected_output"],
                "discard_reason": decision["reason"] if decision["decision"] == "discard" else None,
                "rubric_notes": detail.get("rubric_notes") if accepted else None,
                "tags": detail.get("tags") if accepted else None,
                "reviewer": decision["reviewer"],
                "decided_at": decision["decided_at"],
            }
        )
    db.replace_rows(labelled_cases, sa.true(), rows)
    return rows


def flagged_labelled_case_ids(db: Database) -> list[str]:
    """Labelled cases that a reviewer flagged for PII: must always be empty."""
    flagged = pii_flagged_case_ids(db)
    return sorted(row["case_id"] for row in db.fetch_all(sa.select(labelled_cases.c.case_id)) if row["case_id"] in flagged)


def incomplete_labelled_case_ids(db: Database) -> list[str]:
    """Labelled cases without a reviewer, or accepted without an expected output: must always be empty."""
    rows = db.fetch_all(sa.select(labelled_cases.c.case_id, labelled_cases.c.decision, labelled_cases.c.reviewer, labelled_cases.c.expected_output))
    return sorted(
        row["case_id"]
        for row in rows
        if not (row["reviewer"] or "").strip()
        or row["decision"] not in DECISIONS
        or (row["decision"] == "accept" and not (row["expected_output"] or "").strip())
    )
