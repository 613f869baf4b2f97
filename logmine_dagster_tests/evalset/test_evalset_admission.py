"""The eval set's admission check: every eval case needs a human accept decision behind it (an admin's
import for a synthetic case), not only a non-empty expected output and a reviewer's name."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.evalset.build import build_eval_set, unlabelled_eval_cases  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.review.accounts import User  # noqa: E402
from logmine_dagster.review.votes import clean_vote, import_votes  # noqa: E402
from logmine_dagster.storage.schema import eval_cases  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, seed_cases  # noqa: E402


def _eval_row(case_id: str, origin: str = "mined") -> dict:
    """An eval case complete in every column: text, expected output, a named reviewer."""
    return {
        "case_id": case_id, "category": "edge_case", "expected_output": "Offer a restart, then a technician visit.",
        "input_json": json.dumps([{"role": "user", "content": "my router keeps dropping"}]), "added_week": WEEK,
        "source_day": WEEK, "reasons": "low_confidence", "reviewer": "bo", "labelled_at": dt.datetime.now(dt.timezone.utc),
        "origin": origin,
    }


def test_an_eval_case_without_an_accept_decision_fails_the_check_however_complete_it_looks(db, tmp_path):
    accepted, discarded, undecided = seed_cases(db, 3)
    import_votes(db, [
        dict(clean_vote({"expected_output": "Offer a restart, then a technician visit."}, "accept"), case_id=accepted),
        dict(clean_vote({"reason": "the customer left"}, "discard"), case_id=discarded),
    ], User(id=1, name="bo", role="reviewer"), "cli:test", "import-jsonl")
    build_labelled_cases(db)
    assert build_eval_set(db, tmp_path / "eval_set.jsonl").total == 1
    assert unlabelled_eval_cases(db) == []

    # A writer other than build_eval_set (a bug, a restored backup, a hand edit) adds complete-looking
    # rows: a discarded case, a case nobody decided, a synthetic case no admin imported.
    with db.transaction() as conn:
        conn.execute(eval_cases.insert(), [_eval_row(discarded), _eval_row(undecided), _eval_row("synthetic-1", "synthetic")])
    assert sorted(unlabelled_eval_cases(db)) == sorted([discarded, undecided, "synthetic-1"])
    assert {row["case_id"] for row in db.fetch_all(sa.select(eval_cases.c.case_id))} == {accepted, discarded, undecided, "synthetic-1"}
