"""Reviewer accounts: names, roles, argon2 password hashes, and checking a login against them."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from logmine_dagster.storage import Database
from logmine_dagster.review.clock import utcnow
from logmine_dagster.storage.schema import review_audit, review_sessions, review_users
from logmine_dagster.core.errors import LogmineError

ROLES = ("reviewer", "admin")
# Used with fullmatch: `$` alone would let a trailing newline through.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


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


def check_new_user(name: str, role: str, password: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
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


def active_user(db: Database, name: str) -> User | None:
    """The enabled account of that name, or None: decisions are only ever recorded under one."""
    rows = db.fetch_all(sa.select(review_users).where(review_users.c.name == name)) if name else []
    if not rows or rows[0]["disabled"]:
        return None
    return User(id=rows[0]["id"], name=rows[0]["name"], role=rows[0]["role"])


def enabled_names(db: Database) -> list[str]:
    """Every enabled account's name, sorted (who an admin can assign cases to)."""
    return sorted(r["name"] for r in db.fetch_all(sa.select(review_users.c.name).where(review_users.c.disabled.is_(False))))
