"""Stage 5: the eval set, made only of accepted, human-labelled cases."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import eval_cases, labelled_cases, review_decisions


@dataclass
class EvalSetReport:
    total: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_week_and_category: Counter = field(default_factory=Counter)
    path: Path | None = None


def build_eval_set(db: Database, out_path: Path) -> EvalSetReport:
    accepted = db.fetch_all(
        sa.select(labelled_cases)
        .where(labelled_cases.c.decision == "accept")
        .order_by(labelled_cases.c.week, labelled_cases.c.case_id)
    )
    rows = [
        {
            "case_id": row["case_id"],
            "category": row["category"],
            "input_json": row["input_json"],
            "expected_output": row["expected_output"],
            "added_week": row["week"],
            "source_day": row["day"],
            "reasons": row["reasons"],
            "reviewer": row["reviewer"],
            "labelled_at": row["decided_at"],
        }
        for row in accepted
        if row["expected_output"] and row["expected_output"].strip() and row["reviewer"]
    ]
    db.replace_rows(eval_cases, sa.true(), rows)
    _write_jsonl(out_path, rows)
    report = EvalSetReport(total=len(rows), path=out_path)
    for row in rows:
        report.by_category[row["category"]] += 1
        report.by_week_and_category[(row["added_week"], row["category"])] += 1
    return report


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    """Write beside the target, then rename: readers never see a half-written file."""
    from logmine_dagster.evalset.cases import case_from_row

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(case_from_row(row), ensure_ascii=False) + "\n")
    os.replace(partial, path)


def unlabelled_eval_cases(db: Database) -> list[str]:
    """Eval cases lacking a human decision behind them: must always be empty."""
    decided = {
        row["case_id"]
        for row in db.fetch_all(
            sa.select(review_decisions.c.case_id).where(review_decisions.c.decision == "accept", review_decisions.c.reviewer != "")
        )
    }
    problems = []
    for row in db.fetch_all(sa.select(eval_cases.c.case_id, eval_cases.c.expected_output, eval_cases.c.reviewer)):
        if row["case_id"] not in decided or not (row["expected_output"] or "").strip() or not row["reviewer"]:
            problems.append(row["case_id"])
    return problems
