"""Login rate limits: failed attempts per name and per client address within a window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from logmine_dagster.review.clock import aware, utcnow
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_login_attempts


@dataclass(frozen=True)
class RateLimit:
    per_name: int = 5
    per_client: int = 30
    window: dt.timedelta = dt.timedelta(minutes=15)


def login_blocked(db: Database, name: str, client: str, limit: RateLimit) -> dt.timedelta | None:
    """How long until the next attempt is allowed, or None if it is allowed now."""
    since = utcnow() - limit.window
    failed = sa.and_(review_login_attempts.c.succeeded.is_(False), review_login_attempts.c.attempted_at >= since)
    for column, value, cap in ((review_login_attempts.c.name, name, limit.per_name), (review_login_attempts.c.client, client, limit.per_client)):
        rows = db.fetch_all(
            sa.select(review_login_attempts.c.attempted_at).where(failed, column == value).order_by(review_login_attempts.c.attempted_at.desc()).limit(cap)
        )
        if len(rows) >= cap:
            oldest = aware(rows[-1]["attempted_at"])
            return max(oldest + limit.window - utcnow(), dt.timedelta(seconds=1))
    return None


def record_attempt(db: Database, name: str, client: str, succeeded: bool) -> None:
    with db.transaction() as conn:
        conn.execute(review_login_attempts.insert().values(name=name[:100], client=client[:100], attempted_at=utcnow(), succeeded=succeeded))
