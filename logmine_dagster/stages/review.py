"""Stage 4: the weekly review batch, and reviewers' decisions coming back as labelled cases.

Mining is automated; labelling is human. Nothing here invents a label: a case becomes labelled only
from a decision a named reviewer made.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.batching import BatchPlan, plan_batch
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import (
    candidates,
    labelled_cases,
    review_decision_details,
    review_decisions,
    review_pii_flags,
    review_queue,
    sanitised_samples,
)
from logmine_dagster.weeks import days_of_week

DECISIONS = ("accept", "discard")
# Written by the review app when a reviewer finds PII in the sanitised tier: the case is quarantined.
FLAG_PII = "flag_pii"


def pii_flagged_case_ids(db: Database) -> set[str]:
    """Cases a reviewer flagged for PII: never shown for review again, never labelled."""
    return {row["case_id"] for row in db.fetch_all(sa.select(review_pii_flags.c.case_id))}


@dataclass
class BatchReport:
    week: str
    candidates: int = 0
    excluded: int = 0
    selected: int = 0
    kept_decided: int = 0
    by_category: Counter = field(default_factory=Counter)
    chosen: list[dict] = field(default_factory=list)
    plan: BatchPlan | None = None


def decided_case_ids(db: Database) -> set[str]:
    rows = db.fetch_all(sa.select(review_decisions.c.case_id).distinct())
    return {row["case_id"] for row in rows}


def build_batch(db: Database, week: str, cap: int) -> BatchReport:
    """Replace the week's undecided queue rows with a fresh selection; decided cases stay and count
    against the cap; cases queued in another week or already decided are never queued again."""
    report = BatchReport(week=week)
    days = days_of_week(week)
    pool = [dict(row) for row in db.fetch_all(sa.select(candidates).where(candidates.c.day.in_(days)))]
    report.candidates = len(pool)
    decided = decided_case_ids(db)
    queued = {row["case_id"]: row["week"] for row in db.fetch_all(sa.select(review_queue.c.case_id, review_queue.c.week))}
    kept = [case_id for case_id, queued_week in queued.items() if queued_week == week and case_id in decided]
    exclude = decided | {case_id for case_id, queued_week in queued.items() if queued_week != week}
    report.excluded = sum(1 for c in pool if c["case_id"] in exclude)
    report.kept_decided = len(kept)
    report.plan = plan_batch(pool, cap=max(cap - len(kept), 0), exclude=exclude)
    chosen = report.plan.chosen
    now = dt.datetime.now(dt.timezone.utc)
    rows = [
        {
            "case_id": c["case_id"],
            "week": week,
            "day": c["day"],
            "category": c["category"],
            "reasons": c["reasons"],
            "priority": c["priority"],
            "why": c.get("why"),
            "queued_at": now,
        }
        for c in chosen
    ]
    undecided_of_week = sa.and_(review_queue.c.week == week, review_queue.c.case_id.not_in(kept) if kept else sa.true())
    report.selected = db.replace_rows(review_queue, undecided_of_week, rows)
    report.by_category.update(c["category"] for c in chosen)
    report.chosen = chosen
    return report


def batch_cases(db: Database, week: str) -> list[dict]:
    """The week's queued cases with their sanitised content, for export and review."""
    statement = (
        sa.select(
            review_queue.c.case_id,
            review_queue.c.week,
            review_queue.c.day,
            review_queue.c.category,
            review_queue.c.reasons,
            review_queue.c.priority,
            sanitised_samples.c.input_json,
            sanitised_samples.c.output,
            sanitised_samples.c.model,
            sanitised_samples.c.status,
            sanitised_samples.c.error_type,
        )
        .join(sanitised_samples, sa.and_(sanitised_samples.c.case_id == review_queue.c.case_id, sanitised_samples.c.day == review_queue.c.day))
        .where(review_queue.c.week == week)
        .order_by(review_queue.c.priority.desc(), review_queue.c.case_id)
    )
    flagged = pii_flagged_case_ids(db)
    return [dict(row) for row in db.fetch_all(statement) if row["case_id"] not in flagged]


def export_batch(db: Database, week: str, out: Path) -> int:
    """One JSON line per case; reviewers fill `decision`, `expected_output` and `reason`."""
    cases = batch_cases(db, week)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        for case in cases:
            line = {
                "case_id": case["case_id"],
                "week": case["week"],
                "day": case["day"],
                "category": case["category"],
                "reasons": case["reasons"].split(","),
                "model": case["model"],
                "status": case["status"],
                "error_type": case["error_type"],
                "input": json.loads(case["input_json"]),
                "output": case["output"],
                "decision": None,
                "expected_output": None,
                "reason": None,
            }
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return len(cases)


@dataclass
class ImportReport:
    accepted: int = 0
    discarded: int = 0
    undecided: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _check_decision(value, queued: set[str]) -> tuple[dict | None, str | None]:
    """A reviewer's line -> (decision row fields, None), (None, None) if left undecided, or (None, error)."""
    if not isinstance(value, dict):
        return None, "line is not a JSON object"
    case_id = value.get("case_id")
    if not isinstance(case_id, str) or case_id not in queued:
        return None, "case_id is missing or not in any review batch"
    decision = value.get("decision")
    if decision is None:
        return None, None
    if decision not in DECISIONS:
        return None, "decision must be 'accept' or 'discard'"
    expected = value.get("expected_output")
    reason = value.get("reason")
    if decision == "accept" and (not isinstance(expected, str) or not expected.strip()):
        return None, "an accepted case needs a non-empty expected_output"
    if decision == "discard" and (not isinstance(reason, str) or not reason.strip()):
        return None, "a discarded case needs a reason"
    return {
        "case_id": case_id,
        "decision": decision,
        "expected_output": expected.strip() if decision == "accept" else None,
        "reason": reason.strip() if isinstance(reason, str) and reason.strip() else None,
    }, None


def import_decisions(db: Database, path: Path, reviewer: str) -> ImportReport:
    """Store every valid decision of the file with the reviewer and the time; report the rest by line.

    All or nothing: if any line is invalid, nothing is stored, so a half-imported file never happens.
    """
    if not reviewer or not reviewer.strip():
        raise ValueError("a reviewer name is required")
    report = ImportReport()
    queued = {row["case_id"] for row in db.fetch_all(sa.select(review_queue.c.case_id))}
    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.rejected.append((number, "not valid UTF-8"))
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                report.rejected.append((number, f"malformed JSON ({error.msg})"))
                continue
            fields, error = _check_decision(value, queued)
            if error:
                report.rejected.append((number, error))
            elif fields is None:
                report.undecided += 1
            else:
                rows.append(dict(fields, reviewer=reviewer.strip(), decided_at=now))
    if report.rejected:
        return report
    if rows:
        with db.transaction() as conn:
            conn.execute(review_decisions.insert(), rows)
    report.accepted = sum(1 for r in rows if r["decision"] == "accept")
    report.discarded = sum(1 for r in rows if r["decision"] == "discard")
    return report


def latest_decisions(db: Database) -> dict[str, dict]:
    """The newest decision per case (earlier ones stay in the table as the audit trail)."""
    latest: dict[str, dict] = {}
    for row in db.fetch_all(sa.select(review_decisions).order_by(review_decisions.c.decided_at, review_decisions.c.id)):
        latest[row["case_id"]] = dict(row)
    return latest


def build_labelled_cases(db: Database) -> list[dict]:
    """Every decided case with its sanitised content; replaces the labelled_cases table.

    Only complete human decisions count: the case's latest decision must be an accept with a non-empty
    expected output or a discard, by a named reviewer. A case flagged for PII never passes, whatever
    was decided before or after the flag. A category override made in the review app applies.
    """
    decisions = latest_decisions(db)
    flagged = pii_flagged_case_ids(db)
    overrides = {
        row["decision_id"]: row["category_override"]
        for row in db.fetch_all(
            sa.select(review_decision_details.c.decision_id, review_decision_details.c.category_override).where(
                review_decision_details.c.category_override.is_not(None)
            )
        )
    }
    queue_rows = {row["case_id"]: dict(row) for row in db.fetch_all(sa.select(review_queue))}
    rows = []
    for case_id, decision in sorted(decisions.items()):
        queued = queue_rows.get(case_id)
        if queued is None or case_id in flagged or decision["decision"] not in DECISIONS:
            continue
        if not (decision["reviewer"] or "").strip():
            continue
        if decision["decision"] == "accept" and not (decision["expected_output"] or "").strip():
            continue
        sample = db.fetch_all(
            sa.select(sanitised_samples.c.input_json, sanitised_samples.c.output).where(
                sanitised_samples.c.case_id == case_id, sanitised_samples.c.day == queued["day"]
            )
        )
        if not sample:
            continue
        rows.append(
            {
                "case_id": case_id,
                "week": queued["week"],
                "day": queued["day"],
                "category": overrides.get(decision["id"]) or queued["category"],
                "reasons": queued["reasons"],
                "decision": decision["decision"],
                "input_json": sample[0]["input_json"],
                "model_output": sample[0]["output"],
                "expected_output": decision["expected_output"],
                "discard_reason": decision["reason"] if decision["decision"] == "discard" else None,
                "reviewer": decision["reviewer"],
                "decided_at": decision["decided_at"],
            }
        )
    db.replace_rows(labelled_cases, sa.true(), rows)
    return rows
