"""The reviews-per-case policy, stored (review_policy): how many independent reviews a case needs before
it is decided. One default row (week "") and optional per-week overrides, set by an admin or the CLI;
the app, the CLI import and the admin web import all read it here, so no process carries its own."""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Invalid
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_policy

DEFAULT_REVIEWS_PER_CASE = 1
MAX_REVIEWS_PER_CASE = 5
_DEFAULT_WEEK = ""


def stored_policy(db: Database) -> dict[str, int]:
    """Every stored row: week ("" for the default) -> reviews per case."""
    return {row["week"]: row["reviews_per_case"] for row in db.fetch_all(sa.select(review_policy))}


def per_case(policy: dict[str, int], week: str) -> int:
    """The week's number from a stored_policy() result: its override, else the default, else 1."""
    return policy.get(week, policy.get(_DEFAULT_WEEK, DEFAULT_REVIEWS_PER_CASE))


def reviews_per_case(db: Database, week: str) -> int:
    return per_case(stored_policy(db), week)


def reviews_per_case_in(conn, week: str) -> int:
    """The week's number read inside the caller's transaction (votes and imports settle under it)."""
    rows = conn.execute(sa.select(review_policy).where(review_policy.c.week.in_([week, _DEFAULT_WEEK]))).mappings().all()
    return per_case({row["week"]: row["reviews_per_case"] for row in rows}, week)


def set_reviews_per_case(db: Database, number: int, actor: str, week: str | None = None) -> None:
    """Store the default (week None) or one week's number; audited with the number it replaces."""
    if not isinstance(number, int) or not 1 <= number <= MAX_REVIEWS_PER_CASE:
        raise Invalid(f"Reviews per case must be a whole number from 1 to {MAX_REVIEWS_PER_CASE}.")
    key = week or _DEFAULT_WEEK
    now = utcnow()
    with db.transaction() as conn:
        before = conn.execute(sa.select(review_policy).where(review_policy.c.week == key).with_for_update()).mappings().first()
        if before is None:
            conn.execute(review_policy.insert().values(week=key, reviews_per_case=number, set_by=actor[:100], set_at=now))
        else:
            conn.execute(review_policy.update().where(review_policy.c.week == key).values(reviews_per_case=number, set_by=actor[:100], set_at=now))
        write_audit(conn, actor[:100], "policy", None, None if before is None else {"week": key, "reviews_per_case": before["reviews_per_case"]},
                    {"week": key, "reviews_per_case": number})
