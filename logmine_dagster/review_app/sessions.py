"""Server-side sessions behind a signed cookie, and CSRF tokens (per session, and double submit for login)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from logmine_dagster.review.accounts import User
from logmine_dagster.review.clock import aware, utcnow
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_sessions, review_users


@dataclass(frozen=True)
class Session:
    id: str
    user: User
    csrf_token: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class SessionStore:
    """The cookie holds a random token signed with the app's secret; the database holds its SHA-256,
    the user, the CSRF token and the expiry, so logout and expiry are enforced on the server."""

    # last_seen_at is written at most this often (and at most a tenth of the idle timeout): an idle
    # timeout of minutes needs no write per request.
    TOUCH_EVERY = dt.timedelta(seconds=60)

    def __init__(self, db: Database, secret_key: str, ttl: dt.timedelta, idle: dt.timedelta | None = None):
        self.db = db
        self.ttl = ttl
        self.idle = idle
        self.touch_every = min(self.TOUCH_EVERY, idle / 10) if idle is not None else self.TOUCH_EVERY
        self.signer = TimestampSigner(secret_key, salt="logmine-review-session")
        self.login_signer = TimestampSigner(secret_key, salt="logmine-review-login-csrf")

    def create(self, user: User) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        session = Session(id=_digest(token), user=user, csrf_token=secrets.token_urlsafe(32), expires_at=now + self.ttl)
        with self.db.transaction() as conn:
            conn.execute(
                review_sessions.insert().values(
                    id=session.id, user_id=user.id, csrf_token=session.csrf_token, created_at=now, expires_at=session.expires_at,
                    last_seen_at=now,
                )
            )
        self.prune(now)
        return self.signer.sign(token).decode("ascii"), session

    def load(self, cookie: str | None) -> tuple[Session | None, str | None]:
        """(session, None) or (None, why): why is "missing", "invalid" or "expired"."""
        if not cookie:
            return None, "missing"
        try:
            token = self.signer.unsign(cookie, max_age=int(self.ttl.total_seconds())).decode("ascii")
        except SignatureExpired:
            return None, "expired"
        except BadSignature:
            return None, "invalid"
        rows = self.db.fetch_all(
            sa.select(review_sessions, review_users.c.name, review_users.c.role, review_users.c.disabled)
            .join(review_users, review_users.c.id == review_sessions.c.user_id)
            .where(review_sessions.c.id == _digest(token))
        )
        if not rows:
            return None, "invalid"
        row = rows[0]
        if row["revoked_at"] is not None or row["disabled"]:
            return None, "invalid"
        now = utcnow()
        if aware(row["expires_at"]) <= now:
            return None, "expired"
        last_seen = aware(row["last_seen_at"]) or aware(row["created_at"])
        # A request less than touch_every after last_seen_at was not written, so the last activity may be
        # up to touch_every later than stored: the session ends only past that, never early.
        if self.idle is not None and now >= last_seen + self.touch_every + self.idle:
            return None, "expired"
        if now - last_seen >= self.touch_every:
            with self.db.transaction() as conn:
                conn.execute(review_sessions.update().where(review_sessions.c.id == row["id"]).values(last_seen_at=now))
        user = User(id=row["user_id"], name=row["name"], role=row["role"])
        return Session(id=row["id"], user=user, csrf_token=row["csrf_token"], expires_at=aware(row["expires_at"])), None

    def prune(self, now: dt.datetime | None = None) -> int:
        """Delete sessions past their absolute expiry (revoked or idle ones included). A session that is
        only idle stays until then, so its cookie still gets "your session expired", not "not logged in";
        past the absolute expiry the cookie's own signature says expired."""
        with self.db.transaction() as conn:
            result = conn.execute(review_sessions.delete().where(review_sessions.c.expires_at < (now or utcnow())))
        return result.rowcount or 0

    def revoke(self, session: Session) -> None:
        with self.db.transaction() as conn:
            conn.execute(review_sessions.update().where(review_sessions.c.id == session.id).values(revoked_at=utcnow()))

    def new_login_csrf(self) -> tuple[str, str]:
        """(form token, cookie value) for the login form, which has no session yet (double submit)."""
        token = secrets.token_urlsafe(32)
        return token, self.login_signer.sign(token).decode("ascii")

    def check_login_csrf(self, form_token: str | None, cookie: str | None) -> bool:
        if not form_token or not cookie:
            return False
        try:
            expected = self.login_signer.unsign(cookie, max_age=3600).decode("ascii")
        except BadSignature:
            return False
        return hmac.compare_digest(expected, form_token)


def csrf_ok(session: Session, form_token: str | None) -> bool:
    return bool(form_token) and hmac.compare_digest(session.csrf_token, form_token)
