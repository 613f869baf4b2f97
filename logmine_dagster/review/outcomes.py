"""Outcomes: the decision a case ends with, appended to review_decisions (never updated, never deleted).

An outcome comes from agreeing reviews (see votes.py; imported decisions are votes too) or an admin's resolution.
Every writer locks the case's queue row first, so two of them can never both decide a case.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Conflict, Forbidden, NotFound
from logmine_dagster.review.policy import reviews_per_case_in
from logmine_dagster.review.vocabulary import DECISION_FIELDS, REOPENED
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_decision_details, review_decisions, review_pii_flags, review_queue, review_votes


def latest_decisions(db: Database, case_ids: list[str] | None = None) -> dict[str, dict]:
    """The newest decision per case (earlier ones stay in the table as the audit trail); a case whose
    newest row is an undo (REOPENED) has none."""
    statement = sa.select(review_decisions).order_by(review_decisions.c.decided_at, review_decisions.c.id)
    if case_ids is not None:
        statement = statement.where(review_decisions.c.case_id.in_(case_ids))
    latest: dict[str, dict] = {}
    for row in db.fetch_all(statement):
        latest[row["case_id"]] = dict(row)
    return {case_id: row for case_id, row in latest.items() if row["decision"] != REOPENED}


def decided_case_ids(db: Database) -> set[str]:
    rows = db.fetch_all(sa.select(review_decisions.c.case_id).distinct())
    return {row["case_id"] for row in rows}


def lock_case(conn, case_id: str) -> dict:
    """Lock the case's queue row for the transaction; refuse a case not queued or quarantined for PII."""
    row = conn.execute(sa.select(review_queue).where(review_queue.c.case_id == case_id).with_for_update()).mappings().first()
    if row is None:
        raise NotFound("No such case in any review batch.")
    if conn.execute(sa.select(review_pii_flags.c.id).where(review_pii_flags.c.case_id == case_id)).first() is not None:
        raise Conflict("This case was flagged for PII and is quarantined: it can no longer be reviewed.")
    return dict(row)


def latest_decision_in(conn, case_id: str) -> dict | None:
    row = conn.execute(
        sa.select(review_decisions).where(review_decisions.c.case_id == case_id).order_by(review_decisions.c.decided_at.desc(), review_decisions.c.id.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row and row["decision"] != REOPENED else None


def reopen_in(conn, case_id: str, actor: str, now) -> None:
    """Append the undo of the case's outcome (the table stays append-only: the undone row is kept)."""
    conn.execute(review_decisions.insert().values(case_id=case_id, decision=REOPENED, expected_output=None,
                                                  reason="undone by the reviewer", reviewer=actor[:100], decided_at=now))


def write_outcome(conn, case_id: str, reviewer: str, source: str, outcome: dict, votes: list[dict], now) -> None:
    result = conn.execute(
        review_decisions.insert().values(
            case_id=case_id,
            decision=outcome["decision"],
            expected_output=outcome["expected_output"],
            reason=outcome["reason"],
            reviewer=reviewer[:100],
            decided_at=now,
        )
    )
    decision_id = result.inserted_primary_key[0]
    conn.execute(
        review_decision_details.insert().values(
            decision_id=decision_id,
            source=source,
            rubric_notes=outcome.get("rubric_notes"),
            tags=outcome.get("tags"),
            category_override=outcome.get("category_override"),
            votes_json=json.dumps([{k: v.get(k) for k in ("reviewer", *DECISION_FIELDS, "provenance") if k in v} for v in votes], ensure_ascii=False),
        )
    )
    write_audit(conn, reviewer[:100], "outcome", case_id, None, dict(outcome, source=source))


def resolve_in(conn, case_id: str, admin: str, fields: dict, provenance: dict | None, votes: list[dict], now, source: str) -> None:
    """The admin's resolution inside the caller's transaction (the case row locked). Lineage: the
    outcome's reviewer is the resolver, its votes every reviewer's vote; `provenance` (an import's file
    and importer) goes into the audit row."""
    before = latest_decision_in(conn, case_id)
    after = dict(fields, provenance=provenance) if provenance else fields
    write_audit(conn, admin, "resolve", case_id, {k: before[k] for k in ("decision", "expected_output", "reason", "reviewer")} if before else None, after)
    write_outcome(conn, case_id, admin, source, fields, votes, now)


def resolve(db: Database, case_id: str, admin: User, fields: dict) -> str:
    """An admin decides a case the reviewers disagreed on (or overrides any decision)."""
    if not admin.is_admin:
        raise Forbidden("Only an admin can resolve a case.")
    now = utcnow()
    with db.transaction() as conn:
        reviews_per_case = reviews_per_case_in(conn, lock_case(conn, case_id)["week"])
        votes = [dict(v) for v in conn.execute(sa.select(review_votes).where(review_votes.c.case_id == case_id).order_by(review_votes.c.created_at)).mappings()]
        if latest_decision_in(conn, case_id) is None and len(votes) < reviews_per_case:
            raise Conflict("This case is still waiting for its reviews: resolve it once the reviewers disagree.")
        resolve_in(conn, case_id, admin.name, fields, None, votes, now, "admin")
    return "accepted" if fields["decision"] == "accept" else "discarded"
