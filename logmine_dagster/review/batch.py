"""Stage 4: the weekly review batch, and reviewers' decisions coming back as labelled cases.

Mining is automated; labelling is human. Nothing here invents a label: a case becomes labelled only
from a decision a named reviewer made.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.review.batching import BatchPlan, plan_batch
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
from logmine_dagster.core.weeks import days_of_week
from logmine_dagster.review.vocabulary import DECISIONS, FLAG_PII
from logmine_dagster.core.errors import LogmineError



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


EXPORT_FORMATS = ("jsonl", "csv", "label-studio")
# What a reviewer fills in, in every format (Label Studio uses its own controls, see review/label_studio.py).
DECISION_FIELDS = ("decision", "expected_output", "reason", "rubric_notes", "tags", "category_override")
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
    from logmine_dagster.review import label_studio

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
                writer.writerow(
                    [case["case_id"], case["week"], case["day"], case["category"], case["reasons"], case["model"] or ""]
                    + [("'" + v) if v.startswith(_FORMULA_STARTS) else v for v in readable.values()]
                    + [""] * len(DECISION_FIELDS)
                )
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
                "status": case["status"],
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


class UnreadableFile(LogmineError, ValueError):
    """The whole file is unusable (not UTF-8, not JSON, no header...): nothing was stored."""


def _entries_jsonl(raw: bytes) -> list[tuple[int, dict | None, str | None]]:
    entries = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            entries.append((number, None, "not valid UTF-8"))
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            entries.append((number, None, f"malformed JSON ({error.msg})"))
            continue
        if not isinstance(value, dict):
            entries.append((number, None, "line is not a JSON object"))
            continue
        entries.append((number, value, None))
    return entries


def _entries_csv(raw: bytes) -> list[tuple[int, dict | None, str | None]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("the CSV file is not valid UTF-8 (save it as CSV UTF-8)") from None
    # The exported conversation column can outgrow csv's default 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise UnreadableFile(f"malformed CSV header ({error})") from None
    missing = [name for name in ("case_id", "decision") if name not in header]
    if missing:
        raise UnreadableFile(f"the CSV header lacks column(s) {', '.join(missing)}: export the batch with --format csv and fill it in")
    entries = []
    try:
        for row in reader:
            number = reader.line_num
            if None in row:
                entries.append((number, None, "row has more cells than the header"))
                continue
            value = {k: (v if v is None or v.strip() else None) for k, v in row.items() if k in ("case_id", *DECISION_FIELDS)}
            entries.append((number, value, None))
    except csv.Error as error:
        entries.append((reader.line_num, None, f"malformed CSV ({error})"))
    return entries


def _entries_label_studio(raw: bytes) -> list[tuple[int, dict | None, str | None]]:
    from logmine_dagster.review.label_studio import FormatError, read_export

    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UnreadableFile("the file is not valid UTF-8") from None
    except json.JSONDecodeError as error:
        raise UnreadableFile(f"malformed JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    try:
        return read_export(data)
    except FormatError as error:
        raise UnreadableFile(str(error)) from None


_DECISION_NAMES = {"accept": "accept", "add": "accept", "discard": "discard"}


def _check_decision(value: dict, open_cases: set[str], decided: dict[str, dict], seen: dict[str, int], number: int):
    """A reviewer's entry -> (decision fields, None), (None, None) if left undecided, or (None, error).

    The app's rules: the case is in a batch and not quarantined for PII, not decided already (in the
    app, an earlier import, or earlier in this file); add needs a non-empty expected output, discard
    a reason; notes, tags and category override are validated as the app's form validates them.
    """
    from logmine_dagster.review.votes import ReviewError, clean_vote

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
    from logmine_dagster.review.votes import import_outcomes

    if not reviewer or not reviewer.strip():
        raise ValueError("a reviewer name is required")
    reviewer = reviewer.strip()
    if len(reviewer) > 100:
        raise ValueError("the reviewer name is too long (at most 100 characters)")
    report = ImportReport(format=format_for(path, fmt))
    content = raw if raw is not None else path.read_bytes()
    entries = {"jsonl": _entries_jsonl, "csv": _entries_csv, "label-studio": _entries_label_studio}[report.format](content)
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
    was decided before or after the flag. The decision's category override applies, and its rubric
    notes and tags come along (accepted cases only), for the eval set to carry on into eval_cases.
    """
    decisions = latest_decisions(db)
    flagged = pii_flagged_case_ids(db)
    # Notes, tags and category override of the app's and the imports' decisions (absent for decisions
    # stored before the app existed).
    details = {
        row["decision_id"]: dict(row)
        for row in db.fetch_all(
            sa.select(
                review_decision_details.c.decision_id,
                review_decision_details.c.rubric_notes,
                review_decision_details.c.tags,
                review_decision_details.c.category_override,
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
        detail = details.get(decision["id"], {})
        accepted = decision["decision"] == "accept"
        rows.append(
            {
                "case_id": case_id,
                "week": queued["week"],
                "day": queued["day"],
                "category": detail.get("category_override") or queued["category"],
                "reasons": queued["reasons"],
                "decision": decision["decision"],
                "input_json": sample[0]["input_json"],
                "model_output": sample[0]["output"],
                "expected_output": decision["expected_output"],
                "discard_reason": decision["reason"] if decision["decision"] == "discard" else None,
                "rubric_notes": detail.get("rubric_notes") if accepted else None,
                "tags": detail.get("tags") if accepted else None,
                "reviewer": decision["reviewer"],
                "decided_at": decision["decided_at"],
            }
        )
    db.replace_rows(labelled_cases, sa.true(), rows)
    return rows


def pii_flags_by_week(db: Database) -> dict[str, int]:
    """Sanitiser misses: cases reviewers flagged for PII, counted per review week (kinds only, no text)."""
    counts = Counter(row["week"] for row in db.fetch_all(sa.select(review_pii_flags.c.week)))
    return dict(sorted(counts.items()))


def flagged_labelled_case_ids(db: Database) -> list[str]:
    """Labelled cases that a reviewer flagged for PII: must always be empty."""
    flagged = pii_flagged_case_ids(db)
    return sorted(row["case_id"] for row in db.fetch_all(sa.select(labelled_cases.c.case_id)) if row["case_id"] in flagged)


def incomplete_labelled_case_ids(db: Database) -> list[str]:
    """Labelled cases without a reviewer, or accepted without an expected output: must always be empty."""
    rows = db.fetch_all(sa.select(labelled_cases.c.case_id, labelled_cases.c.decision, labelled_cases.c.reviewer, labelled_cases.c.expected_output))
    return sorted(
        row["case_id"]
        for row in rows
        if not (row["reviewer"] or "").strip()
        or row["decision"] not in DECISIONS
        or (row["decision"] == "accept" and not (row["expected_output"] or "").strip())
    )


def agreement_by_week(db: Database) -> dict[str, dict]:
    """Inter-reviewer agreement (Cohen's kappa, Krippendorff's alpha) of every week with cases reviewed twice or more."""
    from logmine_dagster.review.votes import agreement_for, case_states

    by_week: dict[str, list] = {}
    for state in case_states(db, reviews_per_case=1):
        by_week.setdefault(state.week, []).append(state)
    result = {}
    for week, states in sorted(by_week.items()):
        agreement = agreement_for(states)
        if agreement is not None:
            result[week] = agreement
    return result
