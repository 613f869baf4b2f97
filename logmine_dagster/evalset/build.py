"""Stage 5: the eval set, made only of accepted, human-labelled cases, and its versioned releases.

`build_eval_set` rebuilds the current set (the `eval_cases` table and eval_set.jsonl) from labelled
cases (origin 'mined') and imported synthetic cases (origin 'synthetic', see
`logmine_dagster.evalset.synthetic`), leaving out cases an admin retired. `publish_release` freezes it as a new immutable release when
its content changed (see `logmine_dagster.evalset.releases`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.evalset import releases as _releases
from logmine_dagster.evalset.cases import case_from_row, eval_case_dicts
from logmine_dagster.sanitise.export_gate import check_cases_for_export
from logmine_dagster.evalset.releases import (  # noqa: F401  (the stage's public API)
    LATEST,
    PublishResult,
    ReleaseDiff,
    ReleaseError,
    case_lineage,
    diff_releases,
    get_release,
    list_releases,
    release_cases,
    release_summary,
    retire_case,
    retired_case_ids,
)
from logmine_dagster.storage import Database
from logmine_dagster.evalset.synthetic import synthetic_eval_rows
from logmine_dagster.storage.schema import eval_cases, labelled_cases, review_decisions, synthetic_cases
from logmine_dagster.core.weeks import iso_week_label, parse_week


@dataclass
class EvalSetReport:
    total: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_week_and_category: Counter = field(default_factory=Counter)
    by_origin: Counter = field(default_factory=Counter)
    path: Path | None = None
    retired: int = 0  # accepted cases left out because an admin retired them


def build_eval_set(db: Database, out_path: Path) -> EvalSetReport:
    accepted = db.fetch_all(
        sa.select(labelled_cases)
        .where(labelled_cases.c.decision == "accept")
        .order_by(labelled_cases.c.week, labelled_cases.c.case_id)
    )
    retired = retired_case_ids(db)
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
            "origin": "mined",
            # Filled by the review app (migration 0004); NULL for decisions imported from files.
            "rubric_notes": _column(row, "rubric_notes"),
            "tags": _column(row, "tags"),
        }
        for row in accepted
        if row["expected_output"] and row["expected_output"].strip() and row["reviewer"] and row["case_id"] not in retired
    ]
    mined_ids = {row["case_id"] for row in rows}
    rows += synthetic_eval_rows(db, exclude=retired | mined_ids)
    rows.sort(key=lambda row: (row["added_week"], row["case_id"]))
    # The export gate reads the cases before the table changes: a refused build leaves the table and the
    # file as they were, so the table never holds cases the file (and every export) refused.
    partial = _write_partial_jsonl(out_path, rows)
    try:
        db.replace_rows(eval_cases, sa.true(), rows)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out_path)
    report = EvalSetReport(total=len(rows), path=out_path)
    report.retired = sum(1 for row in accepted if row["case_id"] in retired)
    for row in rows:
        report.by_category[row["category"]] += 1
        report.by_week_and_category[(row["added_week"], row["category"])] += 1
        report.by_origin[row["origin"]] += 1
    return report


def _column(row, key):
    try:
        return row[key]
    except (KeyError, IndexError):
        return None


def publish_release(
    db: Database,
    week: str | None = None,
    *,
    sample_rate: float | None = None,
    quality: dict | None = None,
    now: dt.datetime | None = None,
) -> PublishResult:
    """Freeze the current eval set (eval_cases, minus retired cases) as a release if its content changed.

    `week`: ISO week label (`2026-W10`) or any date in it; defaults to the week of `now`.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    label = _week_label(week) if week else iso_week_label(now.date().isoformat())
    cases = eval_case_dicts(db)
    check_cases_for_export(cases, "the release")  # a release is immutable: gate it before it is frozen
    return _releases.publish_release(db, label, cases, sample_rate=sample_rate, quality=quality, now=now)


def _week_label(week: str) -> str:
    return iso_week_label(parse_week(week))


def _write_partial_jsonl(path: Path, rows: list[dict]) -> Path:
    """Gate the cases, then write them beside the target; the caller renames it into place, so readers
    never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    cases = [case_from_row(row) for row in rows]
    check_cases_for_export(cases, path.name)
    with open(partial, "w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
    return partial


def unlabelled_eval_cases(db: Database) -> list[str]:
    """Eval cases lacking a human decision behind them: must always be empty.

    A synthetic case's human decision is its import by an admin (a synthetic_cases row)."""
    imported = {
        row["case_id"]
        for row in db.fetch_all(sa.select(synthetic_cases.c.case_id).where(synthetic_cases.c.imported_by != ""))
    }
    decided = {
        row["case_id"]
        for row in db.fetch_all(
            sa.select(review_decisions.c.case_id).where(review_decisions.c.decision == "accept", review_decisions.c.reviewer != "")
        )
    }
    problems = []
    for row in db.fetch_all(sa.select(eval_cases.c.case_id, eval_cases.c.expected_output, eval_cases.c.reviewer, eval_cases.c.origin)):
        backed = imported if row["origin"] == "synthetic" else decided
        if row["case_id"] not in backed or not (row["expected_output"] or "").strip() or not row["reviewer"]:
            problems.append(row["case_id"])
    return problems
