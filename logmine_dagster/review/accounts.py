"""Accounts (argon2), server-side sessions behind a signed cookie, CSRF tokens and login rate limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_audit, review_login_attempts, review_sessions, review_users
from logmine_dagster.core.errors import LogmineError

ROLES = ("reviewer", "admin")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything logmine stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


class UserError(LogmineError, ValueError):
    """A bad user name, role or password; the message is meant for the operator."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    id: str
    user: User
    csrf_token: str
    expires_at: dt.datetime


def check_new_user(name: str, role: str, password: str) -> None:
    if not NAME_PATTERN.match(name or ""):
        raise UserError("user name must be 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"password must be at most {MAX_PASSWORD_LENGTH} characters long")


def add_user(db: Database, name: str, role: str, password: str, *, reset: bool = False, actor: str = "cli") -> str:
    """Create a user, or with reset=True change an existing user's password and role.

    Returns "created" or "updated". Every change is in the audit trail (never the hash).
    """
    check_new_user(name, role, password)
    now = utcnow()
    password_hash = _hasher.hash(password)
    with db.transaction() as conn:
        existing = conn.execute(sa.select(review_users).where(review_users.c.name == name)).mappings().first()
        if existing is not None and not reset:
            raise UserError(f"user {name!r} already exists (use --reset-password to change the password or role)")
        if existing is None:
            conn.execute(review_users.insert().values(name=name, role=role, password_hash=password_hash, created_at=now, disabled=False))
            action, before = "user_create", None
        else:
            conn.execute(review_users.update().where(review_users.c.id == existing["id"]).values(role=role, password_hash=password_hash))
            # Revoke the user's open sessions: a password reset logs them out everywhere.
            conn.execute(
                review_sessions.update()
                .where(review_sessions.c.user_id == existing["id"], review_sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            action, before = "user_update", json.dumps({"name": name, "role": existing["role"]})
        conn.execute(
            review_audit.insert().values(
                at=now, actor=actor, action=action, case_id=None, before_json=before,
                after_json=json.dumps({"name": name, "role": role, "password": "set"}),
            )
        )
    return "created" if action == "user_create" else "updated"


def verify_login(db: Database, name: str, password: str) -> User | None:
    row = db.fetch_all(sa.select(review_users).where(review_users.c.name == name)) if name else []
    stored = row[0]["password_hash"] if row else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or not row or row[0]["disabled"]:
        return None
    return User(id=row[0]["id"], name=row[0]["name"], role=row[0]["role"])


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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class SessionStore:
    """The cookie holds a random token signed with the app's secret; the database holds its SHA-256,
    the user, the CSRF token and the expiry, so logout and expiry are enforced on the server."""

    # last_seen_at is written at most this often: an idle timeout of minutes needs no write per request.
    TOUCH_EVERY = dt.timedelta(seconds=60)

    def __init__(self, db: Database, secret_key: str, ttl: dt.timedelta, idle: dt.timedelta | None = None):
        self.db = db
        self.ttl = ttl
        self.idle = idle
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
        if self.idle is not None and last_seen + self.idle <= now:
            return None, "expired"
        if now - last_seen >= self.TOUCH_EVERY:
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
