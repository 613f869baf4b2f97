"""Login throttling: failed attempts per account and per client address slow the next attempt down
(a delay doubling with every failure past a free allowance), never lock anyone out: the delay is capped
at a few seconds, so the right password from the right user gets in after at most `max_delay`, even
while someone hammers the account, or while the whole office behind one proxy address mistypes.

Online guessing stays slow: at most one guess per `max_delay` per account and per address, on top of
argon2's cost and the 10-character minimum password."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from logmine_dagster.review.clock import aware, utcnow
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_login_attempts


@dataclass(frozen=True)
class RateLimit:
    per_name: int = 5  # failures an account may have without delay
    per_client: int = 30  # failures an address may have without delay (many users can share one)
    window: dt.timedelta = dt.timedelta(minutes=15)  # failures older than this are forgotten
    base_delay: dt.timedelta = dt.timedelta(seconds=1)
    max_delay: dt.timedelta = dt.timedelta(seconds=5)

    def delay_after(self, failures: int, free: int) -> dt.timedelta:
        """The pause owed after `failures` recent failures: none within the allowance, then doubling, capped."""
        if failures < free:
            return dt.timedelta(0)
        return min(self.base_delay * (2 ** min(failures - free, 16)), self.max_delay)


def _recent_failures(db: Database, column, value: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Failures for this account or address since `since` and since its last success (a success
    clears the backoff), and when the latest failure was."""
    last_success = db.fetch_all(
        sa.select(sa.func.max(review_login_attempts.c.attempted_at).label("at")).where(column == value, review_login_attempts.c.succeeded.is_(True))
    )[0]["at"]
    if last_success is not None:
        since = max(since, aware(last_success))
    row = db.fetch_all(
        sa.select(sa.func.count().label("failures"), sa.func.max(review_login_attempts.c.attempted_at).label("latest"))
        .where(column == value, review_login_attempts.c.succeeded.is_(False), review_login_attempts.c.attempted_at > since)
    )[0]
    return row["failures"], (aware(row["latest"]) if row["latest"] is not None else None)


def login_blocked(db: Database, name: str, client: str, limit: RateLimit) -> dt.timedelta | None:
    """How long until the next attempt is allowed (at most limit.max_delay), or None if allowed now."""
    now = utcnow()
    wait = dt.timedelta(0)
    for column, value, free in ((review_login_attempts.c.name, name, limit.per_name), (review_login_attempts.c.client, client, limit.per_client)):
        failures, latest = _recent_failures(db, column, value, now - limit.window)
        if latest is not None:
            wait = max(wait, latest + limit.delay_after(failures, free) - now)
    return wait if wait > dt.timedelta(0) else None


def record_attempt(db: Database, name: str, client: str, succeeded: bool) -> None:
    with db.transaction() as conn:
        conn.execute(review_login_attempts.insert().values(name=name[:100], client=client[:100], attempted_at=utcnow(), succeeded=succeeded))
