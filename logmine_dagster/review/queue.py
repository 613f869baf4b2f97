"""The review queue: every queued case with its status, and its sanitised content.

Reads the sanitised tier only (never a raw_* table): `queued_samples` is the one join of the queue
with sanitised_samples, used by the app's case page, the batch export and labelled_cases.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.review.outcomes import latest_decisions
from logmine_dagster.review.policy import per_case, stored_policy
from logmine_dagster.review.quarantine import pii_flagged_case_ids
from logmine_dagster.review.vocabulary import FLAG_PII
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_queue, review_votes, sanitised_samples


@dataclass
class CaseState:
    case_id: str
    week: str
    day: str
    category: str
    reasons: str
    priority: float
    status: str = "open"
    votes: list[dict] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)  # review_assignments rows: reviewer, slot, assigned_at
    decision: dict | None = None


def case_states(db: Database, reviews_per_case: int | None = None, week: str | None = None, case_ids: list[str] | None = None) -> list[CaseState]:
    """Every queued case (of a week, or the given ids) with its status, in queue order. A case is
    disputed once it has its reviews and no outcome; how many reviews: `reviews_per_case`, or (None)
    the stored policy of the case's week."""
    statement = sa.select(review_queue).order_by(review_queue.c.week.desc(), review_queue.c.priority.desc(), review_queue.c.case_id)
    if week is not None:
        statement = statement.where(review_queue.c.week == week)
    if case_ids is not None:
        statement = statement.where(review_queue.c.case_id.in_(case_ids))
    states = [
        CaseState(case_id=r["case_id"], week=r["week"], day=r["day"], category=r["category"], reasons=r["reasons"], priority=r["priority"])
        for r in db.fetch_all(statement)
    ]
    ids = [s.case_id for s in states]
    if not ids:
        return []
    flagged = pii_flagged_case_ids(db, ids)
    policy = stored_policy(db) if reviews_per_case is None else {}
    latest = latest_decisions(db, ids)
    votes: dict[str, list[dict]] = defaultdict(list)
    for row in db.fetch_all(sa.select(review_votes).where(review_votes.c.case_id.in_(ids)).order_by(review_votes.c.created_at, review_votes.c.id)):
        votes[row["case_id"]].append(dict(row))
    assignees: dict[str, list[dict]] = defaultdict(list)
    for row in db.fetch_all(sa.select(review_assignments).where(review_assignments.c.case_id.in_(ids))):
        assignees[row["case_id"]].append(dict(row))
    for state in states:
        state.votes = votes.get(state.case_id, [])
        state.claims = assignees.get(state.case_id, [])
        state.assignees = [a["reviewer"] for a in state.claims]
        state.decision = latest.get(state.case_id)
        state.status = _status(state, state.case_id in flagged, reviews_per_case or per_case(policy, state.week))
    return states


def _status(state: CaseState, flagged: bool, reviews_per_case: int) -> str:
    decided = state.decision["decision"] if state.decision else None
    if flagged or decided == FLAG_PII:
        return "flagged"
    if decided == "accept":
        return "accepted"
    if decided == "discard":
        return "discarded"
    return "disputed" if len(state.votes) >= reviews_per_case else "open"


def queued_samples(where) -> sa.Select:
    """Queue rows joined with their sanitised content (the sample of the day the case was queued from);
    the call's status is `call_status`, apart from the queue's own columns."""
    return (
        sa.select(
            review_queue,
            sanitised_samples.c.input_json,
            sanitised_samples.c.output,
            sanitised_samples.c.model,
            sanitised_samples.c.status.label("call_status"),
            sanitised_samples.c.error_type,
            sanitised_samples.c.feedback,
            sanitised_samples.c.confidence,
            sanitised_samples.c.escalated,
        )
        .join(sanitised_samples, sa.and_(sanitised_samples.c.case_id == review_queue.c.case_id, sanitised_samples.c.day == review_queue.c.day))
        .where(where)
    )


def load_case(db: Database, case_id: str) -> dict | None:
    """The queued case with its sanitised content, the conversation parsed into `messages`."""
    rows = db.fetch_all(queued_samples(review_queue.c.case_id == case_id))
    if not rows:
        return None
    case = dict(rows[0])
    try:
        messages = json.loads(case["input_json"])
    except ValueError:
        messages = []
    case["messages"] = [m for m in messages if isinstance(m, dict)]
    return case


def batch_cases(db: Database, week: str) -> list[dict]:
    """The week's queued cases with their sanitised content, in queue order, for export and review;
    cases flagged for PII are left out."""
    statement = queued_samples(review_queue.c.week == week).order_by(review_queue.c.priority.desc(), review_queue.c.case_id)
    flagged = pii_flagged_case_ids(db)
    return [dict(row) for row in db.fetch_all(statement) if row["case_id"] not in flagged]


def queued_weeks(db: Database) -> list[str]:
    """Every week with a review batch, newest first."""
    return sorted({r["week"] for r in db.fetch_all(sa.select(review_queue.c.week).distinct())}, reverse=True)
