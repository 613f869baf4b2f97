"""The checks behind labelled_cases' asset checks, on rows a writer other than build_labelled_cases put
there (a bug, a restored backup, a hand edit): each incomplete or flagged row is named, complete ones
are not. Written for mutants of review/labelled.py that no test reached (the checks ran only inside
Dagster runs)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytest.importorskip("argon2")

from logmine_dagster.review.accounts import User  # noqa: E402
from logmine_dagster.review.labelled import flagged_labelled_case_ids, incomplete_labelled_case_ids  # noqa: E402
from logmine_dagster.review.quarantine import flag_pii  # noqa: E402
from logmine_dagster.storage.schema import labelled_cases  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, seed_cases  # noqa: E402


def _row(case_id: str, **fields) -> dict:
    row = {"case_id": case_id, "week": WEEK, "day": "2026-03-02", "category": "edge_case", "reasons": "low_confidence",
           "decision": "accept", "input_json": json.dumps([{"role": "user", "content": "my router keeps dropping"}]),
           "model_output": "Try again later.", "expected_output": "Offer a restart, then a technician visit.",
           "discard_reason": None, "reviewer": "bo", "decided_at": dt.datetime.now(dt.timezone.utc)}
    return dict(row, **fields)


def test_incomplete_rows_are_named_and_complete_ones_are_not(db):
    rows = [
        _row("ok-accept"),
        _row("ok-discard", decision="discard", expected_output=None, discard_reason="a duplicate"),
        _row("no-reviewer", reviewer="  "),
        _row("unknown-decision", decision="maybe"),
        _row("blank-expected", expected_output=" \n"),
        _row("null-expected", expected_output=None),
    ]
    with db.transaction() as conn:
        conn.execute(labelled_cases.insert(), rows)
    assert incomplete_labelled_case_ids(db) == ["blank-expected", "no-reviewer", "null-expected", "unknown-decision"]


def test_a_labelled_row_of_a_flagged_case_is_named(db):
    flagged, kept = seed_cases(db, 2)
    with db.transaction() as conn:
        conn.execute(labelled_cases.insert(), [_row(flagged), _row(kept)])
    assert flagged_labelled_case_ids(db) == []
    flag_pii(db, flagged, User(id=1, name="ada", role="admin"), "email address")
    assert flagged_labelled_case_ids(db) == [flagged]


def test_a_decisions_notes_tags_category_and_reason_reach_labelled_cases(db):
    from logmine_dagster.review.labelled import build_labelled_cases
    from logmine_dagster.review.votes import clean_vote, import_votes

    accepted, discarded = seed_cases(db, 2)  # seeded as edge_case and adversarial: the override is to another one
    import_votes(db, [
        dict(clean_vote({"expected_output": "Offer a restart, then a technician visit.", "rubric_notes": "Must offer the visit.",
                         "tags": "router, outage", "category_override": "drift"}, "accept"), case_id=accepted),
        dict(clean_vote({"reason": "a duplicate of an earlier case"}, "discard"), case_id=discarded),
    ], User(id=2, name="bo", role="reviewer"), "cli:test", "import-jsonl")
    rows = {row["case_id"]: row for row in build_labelled_cases(db)}
    assert (rows[accepted]["rubric_notes"], rows[accepted]["tags"], rows[accepted]["category"]) == ("Must offer the visit.", "outage,router", "drift")
    assert rows[accepted]["discard_reason"] is None and rows[accepted]["model_output"] is not None
    assert (rows[discarded]["discard_reason"], rows[discarded]["rubric_notes"], rows[discarded]["tags"]) == ("a duplicate of an earlier case", None, None)
    assert rows[discarded]["category"] == "adversarial"  # no override: the queue's category


def test_decisions_written_outside_the_app_count_only_when_complete_and_need_no_details_row(db):
    """Rows an older importer or a hand edit left in review_decisions, with no review_decision_details row
    (decisions stored before the app existed): a blank reviewer or an accept with a NULL expected output
    is left out, and the complete decisions after it in case order still get in."""
    from logmine_dagster.review.labelled import build_labelled_cases
    from logmine_dagster.storage.schema import review_decisions

    no_reviewer, null_expected, accepted, discarded = seed_cases(db, 4)
    now = dt.datetime.now(dt.timezone.utc)
    decision = {"expected_output": None, "reason": None, "reviewer": "bo", "decided_at": now}
    with db.transaction() as conn:
        conn.execute(review_decisions.insert(), [
            dict(decision, case_id=no_reviewer, decision="accept", expected_output="Restart the router.", reviewer="  "),
            dict(decision, case_id=null_expected, decision="accept"),
            dict(decision, case_id=accepted, decision="accept", expected_output="Restart the router."),
            dict(decision, case_id=discarded, decision="discard", reason="a duplicate"),
        ])
    rows = build_labelled_cases(db)
    assert [(row["case_id"], row["decision"], row["category"]) for row in rows] == [
        (accepted, "accept", "happy_path"), (discarded, "discard", "drift")]
    assert (rows[0]["rubric_notes"], rows[0]["tags"], rows[1]["discard_reason"]) == (None, None, "a duplicate")
