"""Eval cases as dicts: exactly the shape of an `eval_set.jsonl` line.

    {"id", "category", "input": [chat messages], "expected_output",
     "metadata": {"added_week", "source_day", "reasons": [...], "reviewer", "labelled_at"}}
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import eval_cases


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def case_from_row(row) -> dict:
    """One `eval_cases` row as an eval_set.jsonl line (the same shape `stages.evalset` writes)."""
    return {
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


def eval_case_dicts(db: Database) -> list[dict]:
    """Every case of the current eval set, ordered as eval_set.jsonl is (week, then id)."""
    rows = db.fetch_all(sa.select(eval_cases).order_by(eval_cases.c.added_week, eval_cases.c.case_id))
    return [case_from_row(row) for row in rows]


def load_jsonl_cases(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
