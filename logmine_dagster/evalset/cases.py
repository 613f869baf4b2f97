"""Eval cases as dicts: exactly the shape of an `eval_set.jsonl` line.

    {"id", "category", "input": [chat messages], "expected_output",
     "metadata": {"added_week", "source_day", "reasons": [...], "reviewer", "labelled_at",
                  "origin"?, "source"?, "rubric_notes"?, "tags"?}}

The optional keys appear only when they hold something: `origin`/`source` for synthetic cases
(a mined case has no `origin` key and means "mined"), `rubric_notes` and `tags` when the reviewer
wrote them. Leaving them out otherwise keeps the case hash, hence the release content hash, of every
case released before those columns existed unchanged: upgrading publishes no spurious new version.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import eval_cases


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _get(row, key):
    """A column that older rows or row dicts may lack (added by migration 0004)."""
    try:
        return row[key]
    except (KeyError, IndexError):
        return None


def split_tags(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(t) for t in value if str(t).strip()]
    return [t.strip() for t in str(value).split(",") if t.strip()]


def case_from_row(row) -> dict:
    """One `eval_cases` row as an eval_set.jsonl line (the same shape `stages.evalset` writes)."""
    case = {
        "id": row["case_id"],
        "category": row["category"],
        "input": json.loads(row["input_json"]),
        "expected_output": row["expected_output"],
        "metadata": {
            "added_week": row["added_week"],
            "source_day": row["source_day"],
            "reasons": [r for r in (row["reasons"] or "").split(",") if r],
            "reviewer": row["reviewer"],
            "labelled_at": _iso(row["labelled_at"]),
        },
    }
    metadata = case["metadata"]
    origin = _get(row, "origin") or "mined"
    if origin != "mined":
        metadata["origin"] = origin
        reasons = metadata["reasons"]
        if reasons and reasons[0].startswith(f"{origin}:"):
            metadata["source"] = reasons[0].split(":", 1)[1]
        metadata["source_day"] = metadata["source_day"] or None
    notes = _get(row, "rubric_notes")
    if notes and str(notes).strip():
        metadata["rubric_notes"] = str(notes).strip()
    tags = split_tags(_get(row, "tags"))
    if tags:
        metadata["tags"] = tags
    return case


def case_origin(case: dict) -> str:
    """'mined' or 'synthetic' (a case without the key is mined: see the module docstring)."""
    return (case.get("metadata") or {}).get("origin") or "mined"


def eval_case_dicts(db: Database) -> list[dict]:
    """Every case of the current eval set, ordered as eval_set.jsonl is (week, then id)."""
    rows = db.fetch_all(sa.select(eval_cases).order_by(eval_cases.c.added_week, eval_cases.c.case_id))
    return [case_from_row(row) for row in rows]


def load_jsonl_cases(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
