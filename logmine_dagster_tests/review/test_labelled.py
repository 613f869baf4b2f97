"""labelled_cases admits only complete human decisions: never a case flagged for PII, whatever its latest
decision, and never an accept without an expected output. Through the review stage's own writers."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("argon2")

import logmine_dagster.review.quarantine as quarantine  # noqa: E402
from logmine_dagster.review.accounts import User  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.review.claims import claim  # noqa: E402
from logmine_dagster.review.errors import Conflict  # noqa: E402
from logmine_dagster.review.outcomes import latest_decisions, resolve  # noqa: E402
from logmine_dagster.review.quarantine import flag_pii  # noqa: E402
from logmine_dagster.review.queue import case_states  # noqa: E402
from logmine_dagster.review.votes import clean_vote, import_votes, record_vote  # noqa: E402
from logmine_dagster.storage.schema import review_decisions, review_votes  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import seed_cases  # noqa: E402

ADMIN = User(id=1, name="ada", role="admin")
REVIEWER = User(id=2, name="bo", role="reviewer")


def _accept(case_id: str, expected: str = "Restart the router, then call us if it drops again.") -> dict:
    return dict(clean_vote({"expected_output": expected}, "accept"), case_id=case_id)


def test_a_case_flagged_after_its_accept_never_becomes_a_labelled_case_even_with_a_lagging_clock(db, monkeypatch):
    flagged, kept = seed_cases(db, 2)
    import_votes(db, [_accept(flagged), _accept(kept)], REVIEWER, "cli:test", "import-jsonl")
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
    import_votes(db, [
        dict(_accept(blank), expected_output="   \n"),
        dict(clean_vote({"reason": "a duplicate of an earlier case"}, "discard"), case_id=discarded),
    ], REVIEWER, "cli:test", "import-jsonl")
    labelled = build_labelled_cases(db)
    assert [(row["case_id"], row["decision"]) for row in labelled] == [(discarded, "discard")]


def test_once_flagged_a_case_can_no_longer_be_decided_by_its_reviewer_an_admin_or_an_import(db):
    [case_id] = seed_cases(db, 1)
    [state] = case_states(db, 1, case_ids=[case_id])
    assert claim(db, state, REVIEWER, 1, dt.timedelta(hours=1))  # the reviewer opened the case...
    flag_pii(db, case_id, ADMIN, "phone number")  # ...and an admin flagged it before the form came back
    decisions_before = db.count(review_decisions)

    with pytest.raises(Conflict, match="flagged for PII"):
        record_vote(db, case_id, REVIEWER, 0, clean_vote({"expected_output": "x"}, "accept"))
    with pytest.raises(Conflict, match="flagged for PII"):
        resolve(db, case_id, ADMIN, clean_vote({"expected_output": "x"}, "accept"))
    with pytest.raises(Conflict, match="flagged for PII"):
        import_votes(db, [_accept(case_id)], REVIEWER, "cli:test", "import-jsonl")
    assert db.count(review_votes) == 0 and db.count(review_decisions) == decisions_before
    assert build_labelled_cases(db) == []


def test_a_rebuild_replaces_the_whole_table_and_drops_a_case_flagged_since(db):
    import sqlalchemy as sa

    from logmine_dagster.storage.schema import labelled_cases

    flagged, kept = seed_cases(db, 2)
    import_votes(db, [_accept(flagged), _accept(kept)], REVIEWER, "cli:test", "import-jsonl")
    assert {row["case_id"] for row in build_labelled_cases(db)} == {flagged, kept}
    flag_pii(db, flagged, ADMIN, "email address")
    assert [row["case_id"] for row in build_labelled_cases(db)] == [kept]
    assert [row["case_id"] for row in db.fetch_all(sa.select(labelled_cases.c.case_id))] == [kept]
