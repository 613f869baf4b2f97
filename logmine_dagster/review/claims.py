"""Claims: a reviewer takes one of a case's review slots before reviewing it, so a case gets exactly
its configured number of reviewers. A slot left unreviewed past the claim TTL can be taken over.

One rule for every path a vote comes in (the app, `logmine review import`, the admin web import):
`slot_refusal`. A case has `reviews_per_case` slots; a slot is taken by a reviewer who voted, or by
one who holds an unreviewed claim younger than the TTL. An import is refused for a case whose slots
are all taken by others (never counted as an extra vote, so a case never has more reviewers than the
policy says), and otherwise takes its slot like an app claim (`take_slot_in`).

An admin's assignment is a claim in the reviewer's name and lapses like one: unreviewed after the TTL,
the slot is free again (the queue says so), so an absent reviewer never stalls a case; the admin
assigns again to renew it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import EPOCH, aware, utcnow
from logmine_dagster.review.errors import Conflict, Forbidden, NotFound
from logmine_dagster.review.queue import CaseState, case_states
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_queue, review_votes

CLAIM_TTL = dt.timedelta(hours=2)


def lapses_at(claim_row: dict, claim_ttl: dt.timedelta) -> dt.datetime:
    """When an unreviewed claim (or assignment) stops holding its slot."""
    return aware(claim_row["assigned_at"]) + claim_ttl


def slot_refusal(votes: list[dict], claims: list[dict], reviewer: str, reviews_per_case: int, now: dt.datetime,
                 claim_ttl: dt.timedelta) -> str | None:
    """Why `reviewer` cannot take a review slot of a case with these votes and claims (None: they can,
    because they hold one already, or one is free or lapsed)."""
    if any(c["reviewer"] == reviewer for c in claims):
        return None
    voters = {v["reviewer"] for v in votes}
    holding = [c for c in claims if c["reviewer"] not in voters and c["reviewer"] != reviewer and lapses_at(c, claim_ttl) > now]
    if len((voters | {c["reviewer"] for c in holding}) - {reviewer}) < reviews_per_case:
        return None
    if not holding:
        return f"its {reviews_per_case} review slot(s) are taken by the reviewers who voted"
    until = min(lapses_at(c, claim_ttl) for c in holding)
    names = ", ".join(sorted(c["reviewer"] for c in holding))
    return (f"its {reviews_per_case} review slot(s) are taken: held in the review app by {names} "
            f"(until {until:%Y-%m-%d %H:%M} UTC unless reviewed), so this vote would be one too many")


def holds(votes: list[dict], claims: list[dict], now: dt.datetime, claim_ttl: dt.timedelta) -> list[dict]:
    """Each claim of a case as the queue shows it: {"reviewer", "state": reviewed | holds | lapsed,
    "until": when an unreviewed hold lapses}."""
    voters = {v["reviewer"] for v in votes}
    shown = []
    for c in sorted(claims, key=lambda c: c["slot"]):
        until = lapses_at(c, claim_ttl)
        state = "reviewed" if c["reviewer"] in voters else "holds" if until > now else "lapsed"
        shown.append({"reviewer": c["reviewer"], "state": state, "until": until})
    return shown


def available_to(state: CaseState, user: User, reviews_per_case: int, claims: list[dict], now: dt.datetime, claim_ttl: dt.timedelta) -> bool:
    """Can this user review the case: they hold a slot, or a slot is free or stale."""
    return slot_refusal(state.votes, claims, user.name, reviews_per_case, now, claim_ttl) is None


def take_slot_in(conn, case_id: str, reviewer: str, votes: list[dict], reviews_per_case: int, now: dt.datetime,
                 claim_ttl: dt.timedelta) -> None:
    """Inside the caller's transaction (the case row locked): give `reviewer` a slot of the case, as
    the app's claim does; raises Conflict with the reason when every slot is taken."""
    claims = [dict(r) for r in conn.execute(sa.select(review_assignments).where(review_assignments.c.case_id == case_id)).mappings()]
    refusal = slot_refusal(votes, claims, reviewer, reviews_per_case, now, claim_ttl)
    if refusal:
        raise Conflict(f"Case {case_id[:12]}: {refusal}.")
    if any(c["reviewer"] == reviewer for c in claims):
        return
    voters = {v["reviewer"] for v in votes}
    lapsed = [c for c in claims if c["reviewer"] not in voters and lapses_at(c, claim_ttl) <= now]
    if lapsed:
        conn.execute(review_assignments.update().where(review_assignments.c.case_id == case_id, review_assignments.c.slot == lapsed[0]["slot"])
                     .values(reviewer=reviewer, assigned_at=now))
        write_audit(conn, reviewer, "claim_take_over", case_id, {"reviewer": lapsed[0]["reviewer"]}, {"reviewer": reviewer})
        return
    taken = {c["slot"] for c in claims}
    slot = next(s for s in range(len(taken) + 1) if s not in taken)
    conn.execute(review_assignments.insert().values(case_id=case_id, slot=slot, reviewer=reviewer, assigned_at=now))


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
        if slot_refusal(state.votes, claims, user.name, reviews_per_case, now, claim_ttl):
            return False
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
