"""Flagging a case for PII: only its own reviewers or an admin may, once, with a kind from the list; the flag,
its decision and its audit row name the kind and never any text. Written for mutants that survived
scripts/mutation_score.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.review.accounts import User  # noqa: E402
from logmine_dagster.review.claims import claim  # noqa: E402
from logmine_dagster.review.errors import Conflict, Forbidden, Invalid  # noqa: E402
from logmine_dagster.review.quarantine import flag_pii, pii_flagged_case_ids, pii_flags_by_week  # noqa: E402
from logmine_dagster.review.queue import case_states  # noqa: E402
from logmine_dagster.storage.schema import review_audit, review_decisions, review_pii_flags  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import seed_cases  # noqa: E402

ADMIN = User(id=1, name="ada", role="admin")
ASSIGNED = User(id=2, name="bo", role="reviewer")
OTHER = User(id=3, name="cy", role="reviewer")


def _claim(db, case_id: str, user: User) -> None:
    [state] = case_states(db, 1, case_ids=[case_id])
    assert claim(db, state, user, 1, dt.timedelta(hours=1))


def test_only_a_reviewer_of_the_case_or_an_admin_may_flag_it(db):
    mine, admins, other, theirs = seed_cases(db, 4)
    for case_id in (mine, other):
        _claim(db, case_id, ASSIGNED)
    _claim(db, theirs, OTHER)  # a reviewer of another case is still not a reviewer of this one
    with pytest.raises(Forbidden, match="assigned to other reviewers"):
        flag_pii(db, other, OTHER, "email address")
    flag_pii(db, mine, ASSIGNED, "email address")
    flag_pii(db, admins, ADMIN, "phone number")
    assert pii_flagged_case_ids(db) == {mine, admins}
    assert db.count(review_pii_flags) == 2


def test_the_flag_its_decision_and_its_audit_row_name_the_kind_and_the_case(db):
    [case_id] = seed_cases(db, 1)
    flag_pii(db, case_id, ADMIN, "email address")
    [decision] = db.fetch_all(sa.select(review_decisions).where(review_decisions.c.case_id == case_id))
    assert decision["decision"] == "flag_pii" and decision["expected_output"] is None
    assert decision["reason"] == "PII seen by a reviewer: email address"
    [audit] = db.fetch_all(sa.select(review_audit).where(review_audit.c.action == "flag_pii"))
    assert audit["case_id"] == case_id and audit["actor"] == "ada"
    assert json.loads(audit["after_json"]) == {"kind": "email address"}


def test_a_kind_off_the_list_or_a_second_flag_is_refused(db):
    [case_id] = seed_cases(db, 1)
    with pytest.raises(Invalid, match=r"^Choose what kind of PII you saw \(.*email address.*\); do not type"):
        flag_pii(db, case_id, ADMIN, "jane@example.com")
    flag_pii(db, case_id, ADMIN, "email address")
    with pytest.raises(Conflict, match="flagged for PII"):
        flag_pii(db, case_id, ADMIN, "phone number")
    assert db.count(review_pii_flags) == 1


def test_flagged_ids_are_narrowed_to_the_ids_asked_for_and_counted_per_week(db):
    first, second, unflagged = seed_cases(db, 3)
    flag_pii(db, first, ADMIN, "email address")
    flag_pii(db, second, ADMIN, "phone number")
    assert pii_flagged_case_ids(db, [first, unflagged]) == {first}
    assert pii_flagged_case_ids(db, []) == set()
    [week] = {row["week"] for row in db.fetch_all(sa.select(review_pii_flags.c.week))}
    assert pii_flags_by_week(db) == {week: 2}
