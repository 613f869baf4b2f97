"""Reviewing outside the app: the weekly batch exported as JSON lines, CSV or Label Studio tasks, and
the decisions made in those files imported back, under the app's rules."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.review import label_studio
from logmine_dagster.review.decision_files import read_entries
from logmine_dagster.review.errors import ReviewError
from logmine_dagster.review.outcomes import import_outcomes, latest_decisions
from logmine_dagster.review.quarantine import pii_flagged_case_ids
from logmine_dagster.review.queue import batch_cases
from logmine_dagster.review.vocabulary import DECISION_FIELDS
from logmine_dagster.review.votes import clean_vote
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_queue

EXPORT_FORMATS = ("jsonl", "csv", "label-studio")
CSV_COLUMNS = ("case_id", "week", "day", "category", "reasons", "model", "conversation", "output", *DECISION_FIELDS)
# A spreadsheet runs a cell starting with one of these as a formula: exported text gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def format_for(path: Path, fmt: str | None = None) -> str:
    """The file format: as given, else from the name (.csv, .json = Label Studio, anything else JSONL)."""
    if fmt is not None:
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        return fmt
    suffix = path.suffix.lower()
    return "csv" if suffix == ".csv" else "label-studio" if suffix == ".json" else "jsonl"


def export_batch(db: Database, week: str, out: Path, fmt: str | None = None) -> int:
    """Write the week's batch for reviewers: JSON lines or CSV rows (reviewers fill `decision`,
    `expected_output`, `reason`, and optionally `rubric_notes`, `tags`, `category_override`), or a
    list of Label Studio tasks. Sanitised content only; cases flagged for PII are left out."""
    fmt = format_for(out, fmt)
    cases = batch_cases(db, week)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "label-studio":
        tasks = [label_studio.task_for(case) for case in cases]
        out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return len(cases)
    if fmt == "csv":
        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for case in cases:
                try:
                    messages = json.loads(case["input_json"])
                except ValueError:
                    messages = []
                readable = {
                    "conversation": label_studio.conversation_text(messages if isinstance(messages, list) else []),
                    "output": case["output"] or "",
                }
                # Every text cell, not only the conversation: the model name comes from the logs too.
                cells = [case["case_id"], case["week"], case["day"], case["category"], case["reasons"], case["model"] or "", *readable.values()]
                writer.writerow([("'" + v) if v.startswith(_FORMULA_STARTS) else v for v in cells] + [""] * len(DECISION_FIELDS))
        return len(cases)
    with open(out, "w", encoding="utf-8") as handle:
        for case in cases:
            line = {
                "case_id": case["case_id"],
                "week": case["week"],
                "day": case["day"],
                "category": case["category"],
                "reasons": case["reasons"].split(","),
                "model": case["model"],
                "status": case["call_status"],
                "error_type": case["error_type"],
                "input": json.loads(case["input_json"]),
                "output": case["output"],
                **{name: None for name in DECISION_FIELDS},
            }
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return len(cases)


@dataclass
class ImportReport:
    accepted: int = 0
    discarded: int = 0
    undecided: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    format: str = "jsonl"

    @property
    def unit(self) -> str:
        return {"jsonl": "line", "csv": "row", "label-studio": "task"}[self.format]

_DECISION_NAMES = {"accept": "accept", "add": "accept", "discard": "discard"}


def _check_decision(value: dict, open_cases: set[str], decided: dict[str, dict], seen: dict[str, int], number: int):
    """A reviewer's entry -> (decision fields, None), (None, None) if left undecided, or (None, error).

    The app's rules: the case is in a batch and not quarantined for PII, not decided already (in the
    app, an earlier import, or earlier in this file); add needs a non-empty expected output, discard
    a reason; notes, tags and category override are validated as the app's form validates them.
    """
    case_id = value.get("case_id")
    if not isinstance(case_id, str) or not case_id:
        return None, "case_id is missing"
    decision = value.get("decision")
    if decision is None or (isinstance(decision, str) and not decision.strip()):
        return None, None
    if not isinstance(decision, str) or decision.strip().lower() not in _DECISION_NAMES:
        return None, "decision must be 'accept' (or 'add') or 'discard'"
    decision = _DECISION_NAMES[decision.strip().lower()]
    if case_id not in open_cases:
        return None, f"case {case_id[:12]} is not in any review batch, or was flagged for PII"
    if case_id in decided:
        earlier = decided[case_id]
        return None, f"case {case_id[:12]} was already decided ({earlier['decision']} by {earlier['reviewer']}): an admin can change it in the review app"
    if case_id in seen:
        return None, f"case {case_id[:12]} is decided twice in this file (first at {seen[case_id]})"
    expected = value.get("expected_output")
    if decision == "accept" and (not isinstance(expected, str) or not expected.strip()):
        return None, "an accepted case needs a non-empty expected_output"
    tags = value.get("tags")
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        tags = ",".join(tags)
    form = {k: value.get(k) for k in ("expected_output", "reason", "rubric_notes", "category_override")}
    form["tags"] = tags
    for name, item in form.items():
        if item is not None and not isinstance(item, str):
            return None, f"{name} must be text"
    try:
        fields = clean_vote(form, decision)
    except ReviewError as error:
        return None, error.message
    seen[case_id] = number
    return dict(fields, case_id=case_id), None


def import_decisions(db: Database, path: Path, reviewer: str, fmt: str | None = None, raw: bytes | None = None) -> ImportReport:
    """Store every decision of the file (JSONL, CSV or Label Studio's JSON export) with the reviewer and
    the time; report the rest by line, row or task.

    All or nothing: if any entry is invalid, nothing is stored, so a half-imported file never happens.
    Raises UnreadableFile when the file as a whole is unreadable. `raw` gives the content directly (uploads).
    """
    if not reviewer or not reviewer.strip():
        raise ValueError("a reviewer name is required")
    reviewer = reviewer.strip()
    if "\x00" in reviewer:
        raise ValueError("the reviewer name contains a NUL character (\\0)")
    if len(reviewer) > 100:
        raise ValueError("the reviewer name is too long (at most 100 characters)")
    report = ImportReport(format=format_for(path, fmt))
    content = raw if raw is not None else path.read_bytes()
    entries = read_entries(report.format, content)
    flagged = pii_flagged_case_ids(db)
    open_cases = {row["case_id"] for row in db.fetch_all(sa.select(review_queue.c.case_id))} - flagged
    decided = latest_decisions(db)
    seen: dict[str, int] = {}
    rows = []
    for number, value, error in entries:
        if error is None:
            fields, error = _check_decision(value, open_cases, decided, seen, number)
        if error:
            report.rejected.append((number, error))
        elif fields is None:
            report.undecided += 1
        else:
            if isinstance(value.get("provenance"), dict):
                fields["provenance"] = value["provenance"]
            rows.append(fields)
    if report.rejected:
        return report
    if rows:
        # Re-checked under lock: a case decided in the app since the file was read refuses the import.
        import_outcomes(db, rows, reviewer, source=f"import-{report.format}")
    report.accepted = sum(1 for r in rows if r["decision"] == "accept")
    report.discarded = sum(1 for r in rows if r["decision"] == "discard")
    return report
