"""Per-category review guidelines: markdown an admin writes in the app, shown beside every case of the
category. Stored as audit entries (action "guidelines"), the newest per category being the one in force,
so every version stays readable with who wrote it, and no table of its own is needed."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.errors import Forbidden, Invalid
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_audit

ACTION = "guidelines"
MAX_GUIDELINES = 20_000


def guidelines(db: Database) -> dict[str, dict]:
    """category -> {"markdown", "by", "at"}, the newest version of each category's guidelines."""
    statement = sa.select(review_audit.c.actor, review_audit.c.at, review_audit.c.after_json).where(review_audit.c.action == ACTION).order_by(review_audit.c.id)
    current: dict[str, dict] = {}
    for row in db.fetch_all(statement):
        try:
            after = json.loads(row["after_json"] or "{}")
        except ValueError:
            continue
        if isinstance(after, dict) and after.get("category") in CATEGORIES:
            current[after["category"]] = {"markdown": str(after.get("markdown") or ""), "by": row["actor"], "at": row["at"]}
    return current


def set_guidelines(db: Database, admin: User, category: str, markdown: str) -> None:
    """Store a category's guidelines (empty text clears them); admins only."""
    if not admin.is_admin:
        raise Forbidden("Only an admin can edit the guidelines.")
    if category not in CATEGORIES:
        raise Invalid(f"Unknown category; choose one of {', '.join(CATEGORIES)}.")
    text = (markdown or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise Invalid("The guidelines contain a NUL character (\\0), which text cannot hold.")
    if len(text) > MAX_GUIDELINES:
        raise Invalid(f"The guidelines are too long ({len(text)} characters, at most {MAX_GUIDELINES}).")
    before = guidelines(db).get(category)
    with db.transaction() as conn:
        write_audit(conn, admin.name, ACTION, None, {"category": category, "markdown": before["markdown"]} if before else None,
                    {"category": category, "markdown": text})
