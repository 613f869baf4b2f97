"""labelled_cases admits only complete human decisions: never a case flagged for PII, whatever its latest
decision, and never an accept without an expected output. Through the review stage's own writers."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("argon2")

import logmine_dagster.review.quarantine as quarantine  # noqa: E402
from logmine_dagster.review.accounts import User  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.review.outcomes import import_outcomes, latest_decisions  # noqa: E402
from logmine_dagster.review.quarantine import flag_pii  # noqa: E402
from logmine_dagster.review.votes import clean_vote  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import seed_cases  # noqa: E402

ADMIN = User(id=1, name="ada", role="admin")


def _accept(case_id: str, expected: str = "Restart the router, then call us if it drops again.") -> dict:
    return dict(clean_vote({"expected_output": expected}, "accept"), case_id=case_id)


def test_a_case_flagged_after_its_accept_never_becomes_a_labelled_case_even_with_a_lagging_clock(db, monkeypatch):
    flagged, kept = seed_cases(db, 2)
    import_outcomes(db, [_accept(flagged), _accept(kept)], "bo", "import-jsonl")
    # The flag comes from an app server whose clock lags a minute: the accept stays the latest decision.
    lagging = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    monkeypatch.setattr(quarantine, "utcnow", lambda: lagging)
    flag_pii(db, flagged, ADMIN, "email address")
    assert latest_decisions(db)[flagged]["decision"] == "accept"

    labelled = {row["case_id"]: row for row in build_labelled_cases(db)}
    assert set(labelled) == {kept}
    assert labelled[kept]["expected_output"].startswith("Restart the router")


def test_an_accept_without_an_expected_output_is_not_a_decision(db):
    blank, discarded = seed_cases(db, 2)
    # The review form and the imports refuse a blank expected output; rows written another way
    # (an older importer, a hand-edited table) must still not count.
    import_outcomes(db, [
        dict(_accept(blank), expected_output="   \n"),
        dict(clean_vote({"reason": "a duplicate of an earlier case"}, "discard"), case_id=discarded),
    ], "bo", "import-jsonl")
    labelled = build_labelled_cases(db)
    assert [(row["case_id"], row["decision"]) for row in labelled] == [(discarded, "discard")]
