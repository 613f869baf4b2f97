"""Claims: a reviewer takes one of a case's review slots before reviewing it, so a case gets exactly
its configured number of reviewers. A slot left unreviewed past the claim TTL can be taken over.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import EPOCH, aware, utcnow
from logmine_dagster.review.errors import Forbidden, NotFound
from logmine_dagster.review.queue import CaseState, case_states
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_queue, review_votes


def available_to(state: CaseState, user: User, reviews_per_case: int, claims: list[dict], now: dt.datetime, claim_ttl: dt.timedelta) -> bool:
    """Can this user review the case: they hold a slot, or a slot is free or stale."""
    if any(c["reviewer"] == user.name for c in claims):
        return True
    voted = {v["reviewer"] for v in state.votes}
    active = [c for c in claims if c["reviewer"] in voted or aware(c["assigned_at"]) >= now - claim_ttl]
    return len(active) < reviews_per_case


def claims_of(db: Database, case_id: str) -> list[dict]:
    return [dict(r) for r in db.fetch_all(sa.select(review_assignments).where(review_assignments.c.case_id == case_id))]


def claim(db: Database, state: CaseState, user: User, reviews_per_case: int, claim_ttl: dt.timedelta) -> bool:
    """Take a review slot of the case for the user (race-safe: a slot is a primary key)."""
    for _attempt in range(3):
        now = utcnow()
        claims = claims_of(db, state.case_id)
        mine = [c for c in claims if c["reviewer"] == user.name]
        if mine:
            with db.transaction() as conn:
                conn.execute(
                    review_assignments.update()
                    .where(review_assignments.c.case_id == state.case_id, review_assignments.c.reviewer == user.name)
                    .values(assigned_at=now)
                )
            return True
        taken = {c["slot"] for c in claims}
        free = [slot for slot in range(reviews_per_case) if slot not in taken]
        try:
            if free:
                with db.transaction() as conn:
                    conn.execute(review_assignments.insert().values(case_id=state.case_id, slot=free[0], reviewer=user.name, assigned_at=now))
                return True
            voted = {v["reviewer"] for v in state.votes}
            for stale in (c for c in claims if c["reviewer"] not in voted and aware(c["assigned_at"]) < now - claim_ttl):
                with db.transaction() as conn:
                    result = conn.execute(
                        review_assignments.update()
                        .where(
                            review_assignments.c.case_id == state.case_id,
                            review_assignments.c.slot == stale["slot"],
                            review_assignments.c.reviewer == stale["reviewer"],
                        )
                        .values(reviewer=user.name, assigned_at=now)
                    )
                    if result.rowcount == 1:
                        write_audit(conn, user.name, "claim_take_over", state.case_id, {"reviewer": stale["reviewer"]}, {"reviewer": user.name})
                        return True
            return False
        except sa.exc.IntegrityError:
            continue  # somebody took that slot at the same moment: look again
    return False


def skip(db: Database, case_id: str, user: User) -> None:
    """Leave the case for now; an unreviewed claim is released so another reviewer can take it."""
    with db.transaction() as conn:
        if conn.execute(sa.select(review_queue.c.case_id).where(review_queue.c.case_id == case_id)).first() is None:
            raise NotFound("No such case in any review batch.")
        voted = conn.execute(sa.select(review_votes.c.id).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name)).first()
        holders = {r.reviewer for r in conn.execute(sa.select(review_assignments.c.reviewer).where(review_assignments.c.case_id == case_id))}
        if voted is None and holders and user.name not in holders:
            # Nothing of this reviewer's to leave: a case someone else holds is theirs to skip.
            raise Forbidden("You do not hold this case: nothing to skip. Pick another case from the queue.")
        if voted is None:
            conn.execute(
                review_assignments.update()
                .where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name)
                .values(assigned_at=EPOCH)
            )
        write_audit(conn, user.name, "skip", case_id, None, None)


def assign(db: Database, case_ids: list[str], reviewer: User, admin: User, claim_ttl: dt.timedelta, reviews_per_case: int) -> int:
    """An admin hands open cases to a reviewer: a slot of each is claimed in the reviewer's name (a
    claim like any other: it lapses after the claim TTL unreviewed). Returns how many were assigned."""
    if not admin.is_admin:
        raise Forbidden("Only an admin can assign cases.")
    done = 0
    for state in case_states(db, reviews_per_case, case_ids=case_ids):
        if state.status == "open" and not any(v["reviewer"] == reviewer.name for v in state.votes) and claim(db, state, reviewer, reviews_per_case, claim_ttl):
            done += 1
            with db.transaction() as conn:
                write_audit(conn, admin.name, "assign", state.case_id, None, {"reviewer": reviewer.name})
    return done


def next_case(db: Database, user: User, reviews_per_case: int, week: str, after: str | None, claim_ttl: dt.timedelta) -> str | None:
    """The next open case of the week this user can review, after `after` in queue order (wrapping):
    one they hold (assigned to them, or opened) or one with a free slot. Never `after` itself, so
    going on from a case never lands on it again, nor on a case the user already reviewed."""
    states = case_states(db, reviews_per_case, week=week)
    claims: dict[str, list[dict]] = defaultdict(list)
    for row in db.fetch_all(sa.select(review_assignments).where(review_assignments.c.case_id.in_([s.case_id for s in states]))):
        claims[row["case_id"]].append(dict(row))
    now = utcnow()
    ids = [s.case_id for s in states]
    start = ids.index(after) + 1 if after in ids else 0
    candidates = [s for s in states[start:] + states[:start]
                  if s.case_id != after and s.status == "open" and not any(v["reviewer"] == user.name for v in s.votes)]
    return next((s.case_id for s in candidates if available_to(s, user, reviews_per_case, claims[s.case_id], now, claim_ttl)), None)
