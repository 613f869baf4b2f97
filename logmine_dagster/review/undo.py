"""Undo: a reviewer takes back their own decision on a case, which is open for them again.

Allowed while the decision is still theirs alone: their vote waits for other reviews, or it decided the
case by itself (one review per case). Once other reviewers' votes or an admin decided the case, only
an admin can change it. A flag for PII is never undone (the case is quarantined). Everything undone
stays in the audit trail, and an undone outcome stays in review_decisions under a REOPENED row."""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Conflict
from logmine_dagster.review.outcomes import latest_decision_in, lock_case, reopen_in
from logmine_dagster.review.vocabulary import DECISION_FIELDS
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_votes


def undo_vote(db: Database, case_id: str, user: User) -> str:
    """Withdraw the user's vote on the case (and the outcome it made alone); returns the new status."""
    now = utcnow()
    with db.transaction() as conn:
        lock_case(conn, case_id)
        votes = [dict(v) for v in conn.execute(sa.select(review_votes).where(review_votes.c.case_id == case_id)).mappings()]
        mine = next((v for v in votes if v["reviewer"] == user.name), None)
        if mine is None:
            raise Conflict("You have no decision on this case to undo.")
        latest = latest_decision_in(conn, case_id)
        if latest is not None:
            if len(votes) != 1 or latest["reviewer"] != user.name:
                raise Conflict("This case was decided with other reviewers or by an admin: only an admin can change it now.")
            reopen_in(conn, case_id, user.name, now)
        conn.execute(review_votes.delete().where(review_votes.c.id == mine["id"]))
        # The reviewer keeps the slot, fresh, to decide the case again.
        conn.execute(review_assignments.update().where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name).values(assigned_at=now))
        write_audit(conn, user.name, "review_undo", case_id, {k: mine[k] for k in DECISION_FIELDS}, None)
    return "open"
