"""What the queue page shows of each case beyond its state: a preview of the (sanitised) text, its
reason codes shown once, and whether this reviewer skipped it."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.review.queue import queued_samples
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_audit, review_queue

PREVIEW_CHARS = 140
# The adversarial detector names an attack kind `adversarial:<kind>` and the family that fired
# `adv:<family>`; when both carry the same name they say one thing.
_SAME_PREFIXES = ("adversarial:", "adv:")


def display_reasons(reasons: str) -> list[str]:
    """The reason codes in order, each said once (`adv:x` beside `adversarial:x` is dropped)."""
    shown: list[str] = []
    said: set[str] = set()
    for code in (r.strip() for r in (reasons or "").split(",")):
        if not code:
            continue
        prefix = next((p for p in _SAME_PREFIXES if code.startswith(p)), None)
        key = ("adversarial:" + code[len(prefix):]) if prefix else code
        if key in said:
            continue
        said.add(key)
        shown.append(code)
    return shown


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multi-part content: its text parts
        return " ".join(p.get("text") or "" for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def preview(input_json: str | None) -> str:
    """The last user message of the (already sanitised) conversation, on one line, shortened."""
    try:
        messages = json.loads(input_json or "[]")
    except ValueError:
        return ""
    users = [_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"] if isinstance(messages, list) else []
    text = " ".join((next((t for t in reversed(users) if t.strip()), "")).split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1].rstrip() + "…"


def previews(db: Database, week: str) -> dict[str, str]:
    rows = db.fetch_all(queued_samples(review_queue.c.week == week))
    return {row["case_id"]: preview(row["input_json"]) for row in rows}


def skipped_by(db: Database, reviewer: str, case_ids: list[str]) -> set[str]:
    """The cases this reviewer skipped (audit rows), whatever happened to them since."""
    if not case_ids:
        return set()
    statement = sa.select(review_audit.c.case_id).where(
        review_audit.c.action == "skip", review_audit.c.actor == reviewer, review_audit.c.case_id.in_(case_ids)
    ).distinct()
    return {row["case_id"] for row in db.fetch_all(statement)}
