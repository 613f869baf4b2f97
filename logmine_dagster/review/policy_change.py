"""Changing the reviews-per-case policy, and settling the cases it leaves with enough reviews.

Lowering the number mid-batch (say from 2 to 1) leaves cases that already hold that many reviews
without an outcome; they are settled at once under the same rule as a vote (votes.settle_in): decided
if the reviews agree, disputed if not. Raising it changes no decided case."""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Conflict
from logmine_dagster.review.outcomes import latest_decision_in, latest_decisions, lock_case
from logmine_dagster.review.policy import reviews_per_case_in, set_reviews_per_case, stored_policy
from logmine_dagster.review.votes import case_votes, settle_in
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_queue, review_votes


def change_policy(db: Database, number: int, actor: str, week: str | None = None) -> dict[str, str]:
    """Store the number (the default, or one week's) and settle what it settles: case_id -> status."""
    set_reviews_per_case(db, number, actor, week)
    return settle_waiting(db, actor, week)


def settle_waiting(db: Database, actor: str, week: str | None = None) -> dict[str, str]:
    """Settle every undecided case (of the week, or of every week that follows the default) that holds
    at least the stored number of reviews; returns case_id -> its status afterwards."""
    overridden = {w for w in stored_policy(db) if w}
    queued = db.fetch_all(sa.select(review_queue.c.case_id, review_queue.c.week))
    weeks = {week} if week else {r["week"] for r in queued} - overridden
    voted = {r["case_id"] for r in db.fetch_all(sa.select(review_votes.c.case_id).distinct())}
    decided = latest_decisions(db)
    waiting = sorted(r["case_id"] for r in queued if r["week"] in weeks and r["case_id"] in voted and r["case_id"] not in decided)
    settled: dict[str, str] = {}
    for case_id in waiting:  # one transaction per case, each locked as a vote locks it
        try:
            with db.transaction() as conn:
                number = reviews_per_case_in(conn, lock_case(conn, case_id)["week"])
                votes = case_votes(conn, case_id)
                if latest_decision_in(conn, case_id) is None and len(votes) >= number:
                    settled[case_id] = settle_in(conn, case_id, actor[:100], number, utcnow(), "policy")
        except Conflict:
            continue  # flagged for PII meanwhile: quarantined, nothing to settle
    return settled
