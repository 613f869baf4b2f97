"""Reviewing outside the app: the weekly batch exported as JSON lines, CSV or Label Studio tasks, and
the decisions made in those files imported back, under the app's rules: each decision is one vote of
an existing, enabled reviewer account, counted against the stored reviews-per-case policy.

The round trip is made to survive a naive fill: the export leaves out decided cases (or, asked to
include them, marks each with its `review_status`), and prefills `expected_output` with the model
output where there is one, so a reviewer who only types `accept` adds the case as answered."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.review import label_studio
from logmine_dagster.review.decision_files import read_entries
from logmine_dagster.review.accounts import User, active_user
from logmine_dagster.review.claims import CLAIM_TTL, slot_refusal
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Forbidden, ReviewError
from logmine_dagster.review.outcomes import latest_decisions
from logmine_dagster.review.policy import per_case, stored_policy
from logmine_dagster.review.quarantine import pii_flagged_case_ids
from logmine_dagster.review.queue import batch_cases
from logmine_dagster.review.vocabulary import DECISION_FIELDS
from logmine_dagster.review.votes import clean_vote, import_votes, vote_refusal
from logmine_dagster.sanitise.export_gate import check_rows_for_export
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_queue, review_votes

EXPORT_FORMATS = ("jsonl", "csv", "label-studio")
CSV_COLUMNS = ("case_id", "week", "day", "category", "reasons", "model", "review_status", "conversation", "output", *DECISION_FIELDS)
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


def _formula_safe(value: str) -> str:
    return ("'" + value) if value.startswith(_FORMULA_STARTS) else value


def exportable_cases(db: Database, week: str, *, include_decided: bool = False, decided: dict | None = None) -> list[dict]:
    """The week's batch cases an export writes (decided ones only with `include_decided`)."""
    decided = latest_decisions(db) if decided is None else decided
    return [case for case in batch_cases(db, week) if include_decided or case["case_id"] not in decided]


def export_batch(db: Database, week: str, out: Path, fmt: str | None = None, *, include_decided: bool = False) -> int:
    """Write the week's batch for reviewers: JSON lines or CSV rows (reviewers fill `decision`,
    `expected_output` (prefilled with the model output), `reason`, and optionally `rubric_notes`,
    `tags`, `category_override`), or a list of Label Studio tasks. Sanitised content only; cases
    flagged for PII are left out, and so are decided cases unless `include_decided` (then each row's
    `review_status` says accepted or discarded, and a decision filled in on it is refused on import)."""
    fmt = format_for(out, fmt)
    decided = latest_decisions(db)
    cases = exportable_cases(db, week, include_decided=include_decided, decided=decided)
    for case in cases:
        earlier = decided.get(case["case_id"])
        case["review_status"] = {"accept": "accepted", "discard": "discarded"}.get(earlier["decision"], "decided") if earlier else "open"
    check_rows_for_export(cases, f"the review batch export of {week}")
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
                # The import strips the quote _formula_safe adds, so the prefilled answer comes back as written.
                decision_cells = {name: "" for name in DECISION_FIELDS} | {"expected_output": _formula_safe(case["output"] or "")}
                writer.writerow(
                    # Every text cell, not only the conversation: the model name comes from the logs too.
                    [_formula_safe(v) for v in (case["case_id"], case["week"], case["day"], case["category"], case["reasons"], case["model"] or "", case["review_status"])]
                    + [_formula_safe(v) for v in readable.values()]
                    + list(decision_cells.values())
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
                "review_status": case["review_status"],
                "status": case["call_status"],
                "error_type": case["error_type"],
                "input": json.loads(case["input_json"]),
                "output": case["output"],
                **{name: None for name in DECISION_FIELDS},
                "expected_output": case["output"] or None,
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
    # Per entry stored: (line, row or task number, case id, the case's status after the vote:
    # open (waiting for more reviews), disputed, accepted or discarded).
    outcomes: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return {"jsonl": "line", "csv": "row", "label-studio": "task"}[self.format]

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _number, _case_id, status in self.outcomes:
            counts[status] = counts.get(status, 0) + 1
        return counts


_DECISION_NAMES = {"accept": "accept", "add": "accept", "discard": "discard"}


@dataclass
class _Batch:
    """What the rows are checked against, read once before the file is: the queue, the outcomes, every
    case's votes and week, the stored policy, and the reviewer whose votes the rows become."""
    reviewer: User
    open_cases: set[str]
    decided: dict[str, dict]
    votes: dict[str, list[dict]]
    week_of: dict[str, str]
    policy: dict[str, int]
    claims: dict[str, list[dict]]
    claim_ttl: object = CLAIM_TTL

    @classmethod
    def read(cls, db: Database, reviewer: User, claim_ttl=CLAIM_TTL) -> "_Batch":
        queue = {row["case_id"]: row["week"] for row in db.fetch_all(sa.select(review_queue.c.case_id, review_queue.c.week))}
        votes: dict[str, list[dict]] = {}
        for row in db.fetch_all(sa.select(review_votes.c.case_id, review_votes.c.reviewer, review_votes.c.decision)):
            votes.setdefault(row["case_id"], []).append(dict(row))
        claims: dict[str, list[dict]] = {}
        for row in db.fetch_all(sa.select(review_assignments)):
            claims.setdefault(row["case_id"], []).append(dict(row))
        return cls(reviewer, set(queue) - pii_flagged_case_ids(db), latest_decisions(db), votes, queue, stored_policy(db), claims, claim_ttl)


def _check_decision(value: dict, batch: _Batch, seen: dict[str, int], number: int, allow_terms: tuple[str, ...] = ()):
    """A reviewer's entry -> (decision fields, None), (None, None) if left undecided, or (None, error).

    The app's rules: the case is in a batch and not quarantined for PII, not decided already (in the
    app, an earlier import, or earlier in this file), not reviewed by this reviewer already, not
    disputed (unless the reviewer is an admin, whose entry resolves it); add needs a non-empty expected
    output, discard a reason; notes, tags and category override are validated as the app's form does.
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
    if case_id not in batch.open_cases:
        return None, f"case {case_id[:12]} is not in any review batch, or was flagged for PII"
    if case_id in batch.decided:
        earlier = batch.decided[case_id]
        return None, f"case {case_id[:12]} was already decided ({earlier['decision']} by {earlier['reviewer']}): an admin can change it in the review app"
    if case_id in seen:
        return None, f"case {case_id[:12]} is decided twice in this file (first at {seen[case_id]})"
    votes, reviews_per_case = batch.votes.get(case_id, []), per_case(batch.policy, batch.week_of[case_id])
    refusal = vote_refusal(votes, batch.reviewer, reviews_per_case)
    if refusal is None and len(votes) < reviews_per_case:  # not an admin resolving a dispute: a vote needs a slot
        refusal = slot_refusal(votes, batch.claims.get(case_id, []), batch.reviewer.name, reviews_per_case, utcnow(), batch.claim_ttl)
    if refusal:
        return None, f"case {case_id[:12]}: {refusal}"
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
        fields = clean_vote(form, decision, allow_terms=allow_terms)
    except ReviewError as error:
        return None, error.message
    seen[case_id] = number
    return dict(fields, case_id=case_id), None


def reviewer_account(db: Database, name: str) -> User:
    """The existing, enabled account the file's decisions are recorded under; refused otherwise."""
    name = (name or "").strip()
    if not name:
        raise Forbidden("A reviewer is required: the name of an existing reviewer account.")
    user = active_user(db, name)
    if user is None:
        raise Forbidden(f"No enabled reviewer account named {name[:100]!r}: decisions are recorded only under existing, enabled accounts (an admin adds them with `logmine review add-user`).")
    return user


def import_decisions(db: Database, path: Path, reviewer: str, fmt: str | None = None, raw: bytes | None = None,
                     *, importer: str | None = None, allow_terms: tuple[str, ...] = (), claim_ttl=CLAIM_TTL) -> ImportReport:
    """Store every decision of the file (JSONL, CSV or Label Studio's JSON export) as a vote of the
    reviewer's account, with the time; report every entry by line, row or task. `importer`: who ran the
    import (the admin uploading it, or the CLI), kept in the lineage beside the reviewer.

    All or nothing: if any entry is invalid, nothing is stored, so a half-imported file never happens.
    Raises Forbidden for an unknown or disabled reviewer, UnreadableFile when the file as a whole is
    unreadable. `raw` gives the content directly (uploads).
    """
    if reviewer and "\x00" in reviewer:
        # Checked before the account lookup: PostgreSQL refuses a NUL in a query parameter.
        raise ValueError("the reviewer name contains a NUL character (\\0)")
    account = reviewer_account(db, reviewer)
    report = ImportReport(format=format_for(path, fmt))
    content = raw if raw is not None else path.read_bytes()
    entries = read_entries(report.format, content)
    batch = _Batch.read(db, account, claim_ttl)
    seen: dict[str, int] = {}
    rows = []
    for number, value, error in entries:
        if error is None:
            fields, error = _check_decision(value, batch, seen, number, tuple(allow_terms))
        if error:
            report.rejected.append((number, error))
        elif fields is None:
            report.undecided += 1
        else:
            if isinstance(value.get("provenance"), dict):
                fields["provenance"] = value["provenance"]
            rows.append((number, fields))
    if report.rejected:
        return report
    if rows:
        # Re-checked under lock: a case decided in the app since the file was read refuses the import.
        statuses = import_votes(db, [r for _, r in rows], account, importer or account.name, source=f"import-{report.format}", claim_ttl=claim_ttl)
        report.outcomes = [(number, r["case_id"], statuses[r["case_id"]]) for number, r in rows]
    report.accepted = sum(1 for _, r in rows if r["decision"] == "accept")
    report.discarded = sum(1 for _, r in rows if r["decision"] == "discard")
    return report


def status_line(counts: dict[str, int]) -> str:
    """The cases' statuses after an import, in words: decided, waiting for more reviews, disputed."""
    words = {"accepted": "added to the eval set", "discarded": "discarded", "open": "waiting for more reviews", "disputed": "disputed (an admin resolves them)"}
    parts = [f"{counts[k]} {words[k]}" for k in words if counts.get(k)]
    return ("Cases now: " + ", ".join(parts) + ".") if parts else ""
