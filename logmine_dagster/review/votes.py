"""Reviewers' votes: the review form's rules, and storing a review (one per reviewer and case, edited in
place under a version number, every change also in the audit trail).

When a case has its configured number of reviews and they agree, the outcome is written (outcomes.py);
when they disagree the case is disputed until an admin resolves it.
"""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Conflict, Forbidden, Invalid
from logmine_dagster.review.outcomes import latest_decision_in, lock_case, write_outcome
from logmine_dagster.review.vocabulary import DECISION_FIELDS, MAX_EXPECTED, MAX_TAGS, MAX_TEXT, TAG_PATTERN
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_votes


def clean_vote(form, decision: str) -> dict:
    """The form's fields for an add (accept) or a discard, validated; raises Invalid with a message."""
    def text(name: str, limit: int) -> str:
        value = form.get(name) or ""
        if not isinstance(value, str):
            raise Invalid(f"{name} must be text")
        value = value.replace("\r\n", "\n").strip()
        if "\x00" in value:  # PostgreSQL cannot store it; an imported file may hold one as \u0000
            raise Invalid(f"{name} contains a NUL character (\\0), which text cannot hold")
        if len(value) > limit:
            raise Invalid(f"{name.replace('_', ' ')} is too long ({len(value)} characters, at most {limit})")
        return value

    if decision == "accept":
        expected = text("expected_output", MAX_EXPECTED)
        if not expected:
            raise Invalid("The expected output is required to add a case: write what the assistant should have answered.")
        tags_raw = text("tags", 500)
        tags = sorted({t.strip().lower() for t in tags_raw.split(",") if t.strip()})
        if len(tags) > MAX_TAGS or any(not TAG_PATTERN.match(t) for t in tags):
            raise Invalid(f"Tags must be at most {MAX_TAGS} comma-separated words of letters, digits, '-' or '_' (40 characters each).")
        category = text("category_override", 20) or None
        if category is not None and category not in CATEGORIES:
            raise Invalid(f"Unknown category {category!r}; choose one of {', '.join(CATEGORIES)}.")
        return {
            "decision": "accept",
            "expected_output": expected,
            "reason": None,
            "rubric_notes": text("rubric_notes", MAX_TEXT) or None,
            "tags": ",".join(tags) or None,
            "category_override": category,
        }
    reason = text("reason", MAX_TEXT)
    if not reason:
        raise Invalid("A reason is required to discard a case.")
    return {"decision": "discard", "expected_output": None, "reason": reason, "rubric_notes": None, "tags": None, "category_override": None}


def record_vote(db: Database, case_id: str, user: User, reviews_per_case: int, version: int, fields: dict) -> str:
    """Store the user's review of the case; returns the case's status afterwards.

    `version` is the version of the user's review the form was rendered from (0: none yet), so a
    second tab or a double submit cannot overwrite a newer decision unseen.
    """
    now = utcnow()
    try:
        with db.transaction() as conn:
            lock_case(conn, case_id)
            if conn.execute(
                sa.select(review_assignments.c.slot).where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name)
            ).first() is None:
                raise Forbidden("This case is assigned to other reviewers: you cannot decide it.")
            mine = conn.execute(
                sa.select(review_votes).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name)
            ).mappings().first()
            latest = latest_decision_in(conn, case_id)
            stale = Conflict("This case was already decided in another tab or window: nothing was saved. Reload the case to see the current decision.")
            if mine is None:
                if version != 0:
                    raise stale
                if latest is not None:
                    raise Conflict(f"This case was already decided ({latest['decision']}): nothing was saved.")
                conn.execute(review_votes.insert().values(case_id=case_id, reviewer=user.name, version=1, created_at=now, updated_at=now, **fields))
                before = None
                action = "review"
            else:
                if version != mine["version"]:
                    raise stale
                if latest is not None and reviews_per_case >= 2:
                    raise Conflict("Reviewers agreed on this case: only an admin can change the decision now.")
                result = conn.execute(
                    review_votes.update()
                    .where(review_votes.c.id == mine["id"], review_votes.c.version == mine["version"])
                    .values(version=mine["version"] + 1, updated_at=now, **fields)
                )
                if result.rowcount != 1:
                    raise stale
                before = {k: mine[k] for k in DECISION_FIELDS}
                action = "review_edit"
            write_audit(conn, user.name, action, case_id, before, fields)
            return _settle(conn, case_id, user, reviews_per_case, now)
    except sa.exc.IntegrityError:
        raise Conflict("This case was already decided in another tab or window: nothing was saved. Reload the case to see the current decision.") from None


def _settle(conn, case_id: str, user: User, reviews_per_case: int, now) -> str:
    """The case's status once this review is in: open until every review is in, then decided if they
    agree (tags merged, the first review's text), else disputed."""
    votes = [
        dict(v)
        for v in conn.execute(
            sa.select(review_votes).where(review_votes.c.case_id == case_id).order_by(review_votes.c.created_at, review_votes.c.id)
        ).mappings()
    ]
    if len(votes) < reviews_per_case:
        return "open"
    decisions = {v["decision"] for v in votes}
    if len(decisions) != 1:
        write_audit(conn, user.name, "disagreement", case_id, None, {"decisions": sorted(v["decision"] for v in votes)})
        return "disputed"
    first = votes[0]
    outcome = {k: first[k] for k in DECISION_FIELDS}
    tags = sorted({t for v in votes for t in (v["tags"] or "").split(",") if t})
    outcome["tags"] = ",".join(tags) or None
    reviewer = "+".join(v["reviewer"] for v in votes)
    write_outcome(conn, case_id, reviewer, "app" if reviews_per_case == 1 else "agreement", outcome, votes, now)
    return "accepted" if outcome["decision"] == "accept" else "discarded"


def my_vote(db: Database, case_id: str, user: User) -> dict | None:
    rows = db.fetch_all(sa.select(review_votes).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name))
    return dict(rows[0]) if rows else None
