"""Writing the review audit trail: every change to a vote, an outcome, a claim or an account gets a row."""

from __future__ import annotations

import json

from logmine_dagster.review.accounts import User
from logmine_dagster.review.clock import utcnow
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_audit


def write_audit(conn, actor: str, action: str, case_id: str | None, before, after) -> None:
    """One audit row inside the caller's transaction, so the change and its record commit together."""
    conn.execute(
        review_audit.insert().values(
            at=utcnow(),
            actor=actor,
            action=action,
            case_id=case_id,
            before_json=None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True, default=str),
            after_json=None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def audit_import(db: Database, admin: User, details: dict) -> None:
    """Who uploaded which decisions file (the decisions themselves are audited one by one as outcomes)."""
    with db.transaction() as conn:
        write_audit(conn, admin.name, "import", None, None, details)
