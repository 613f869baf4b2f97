"""Synthetic eval cases: hand-written or generated cases imported from JSONL beside the mined ones.

One JSON object a line:

    {"id": "refund-1",                     # optional; derived from source and input when absent
     "input": "text" | [chat messages],    # a string becomes one user message
     "expected_output": "reference answer",
     "category": "edge_case",              # one of CATEGORIES
     "tags": ["billing", "refund"]}        # optional; a list or a comma-separated string

An admin imports a file (`logmine evalset import-synthetic FILE --source NAME --admin NAME`). The file
is checked whole and stored only when every line passes (as the review import does): a partly
imported file never happens. Each refusal names the line and the problem, never the line's text.

Synthetic text was never sanitised by the pipeline, so it gets the same two PII checks a mined case
gets: the sanitiser (Presidio with spaCy), and the independent residual gate. A line where either
finds PII is refused with the field and the kinds found; the author replaces the value with a
typed placeholder (`<PERSON>`, `<EMAIL_ADDRESS>`), which both checks ignore.

Deny by default, as in the PII-free tier (`sanitise.schema`): a message may hold only the fields
the schema declares (a line with any other is refused), and every text the schema declares is
checked, keys of tool arguments and results included. Values under PII-named keys (`email`,
`customer_name`) and a chat message's `name` must be typed placeholders; tool-call ids get the
regex gate, like case ids.

Imported cases join the eval set (`eval_cases.origin = 'synthetic'`) when eval_set is next
materialised; they are added in the week they were imported and `reviewer` is the importing admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import sqlalchemy as sa

from logmine_dagster.core.weeks import week_start
from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.sanitise import schema
from logmine_dagster.sanitise.record_fields import RecordFields
from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import (
    candidates,
    eval_cases,
    labelled_cases,
    review_queue,
    review_users,
    sanitised_samples,
    synthetic_cases,
)
from logmine_dagster.core.errors import LogmineError
from logmine_dagster.core.json_input import JsonTooDeep, loads_bounded

ROLES = ("system", "developer", "user", "assistant", "tool")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
SOURCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,189}")  # fits eval_cases.reasons as "synthetic:NAME"
TAG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,59}")
MAX_INPUT_CHARS = 200_000  # the quality suite's bounds (evalset/quality.py)
MAX_EXPECTED_CHARS = 20_000
MAX_TAGS_CHARS = 500

# `scan(texts) -> kinds found per text`: the two PII checks, in one call per file.
PiiScanner = Callable[[list[str]], list[list[str]]]


class SyntheticImportError(LogmineError, ValueError):
    """The import as a whole cannot start (no such admin, bad source name)."""


@dataclass
class SyntheticImportReport:
    lines: int = 0
    imported: int = 0  # new cases
    updated: int = 0  # cases of the same id and source whose content changed
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    by_category: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.rejected


# ---------------------------------------------------------------- PII checks


def residual_gate_scanner(texts: list[str]) -> list[list[str]]:
    from logmine_dagster.sanitise.residual import scan_text

    return [scan_text(text) for text in texts]


def sanitiser_scanner(allow_terms: tuple[str, ...] = ()) -> PiiScanner:
    """Kinds the pipeline's sanitiser would mask: placeholders it adds that the text did not hold."""
    from logmine_dagster.sanitise.sanitiser import get_sanitiser
    from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN

    placeholder = re.compile(PLACEHOLDER_PATTERN)

    def scan(texts: list[str]) -> list[list[str]]:
        masked = get_sanitiser(tuple(allow_terms)).sanitise_texts(texts)
        out = []
        for before, after in zip(texts, masked):
            added = Counter(m.group(0) for m in placeholder.finditer(after)) - Counter(m.group(0) for m in placeholder.finditer(before))
            out.append(sorted({tag.strip("<>") for tag in added}))
        return out

    return scan


def combined_scanner(*scanners: PiiScanner) -> PiiScanner:
    def scan(texts: list[str]) -> list[list[str]]:
        found: list[set[str]] = [set() for _ in texts]
        for scanner in scanners:
            for index, kinds in enumerate(scanner(texts)):
                found[index].update(kinds)
        return [sorted(kinds) for kinds in found]

    return scan


def default_scanner(allow_terms: Iterable[str] = ()) -> PiiScanner:
    return combined_scanner(sanitiser_scanner(tuple(allow_terms)), residual_gate_scanner)


# ---------------------------------------------------------------- one line


def _content_text(content) -> str | None:
    """A message's content as text: a string, or the text parts of a content list; None if neither."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and isinstance(p.get("text"), str) for p in content):
        return "\n".join(p["text"] for p in content)
    return None


def _messages(value) -> tuple[list[dict] | None, str | None]:
    if isinstance(value, str):
        if not value.strip():
            return None, "input is empty"
        return [{"role": "user", "content": value}], None
    if not isinstance(value, list) or not value:
        return None, "input must be a non-empty string or a non-empty list of chat messages"
    out = []
    for index, message in enumerate(value):
        if not isinstance(message, dict):
            return None, f"input[{index}] is not an object"
        if message.get("role") not in ROLES:
            return None, f"input[{index}].role must be one of {', '.join(ROLES)}"
        if _content_text(message.get("content")) is None and not (message.get("role") == "assistant" and message.get("tool_calls")):
            return None, f"input[{index}].content must be a string or a list of text parts"
        out.append(message)
    if not any(m["role"] == "user" and (_content_text(m.get("content")) or "").strip() for m in out):
        return None, "input has no non-empty user message"
    return out, None


def _tags(value) -> tuple[list[str] | None, str | None]:
    if value is None:
        return [], None
    if isinstance(value, str):
        value = [t for t in (part.strip() for part in value.split(",")) if t]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        return None, "tags must be a list of strings or a comma-separated string"
    tags = list(dict.fromkeys(t.strip() for t in value if t.strip()))
    if any(not TAG_PATTERN.fullmatch(t) for t in tags):
        return None, "a tag must be 1-60 letters, digits, spaces or ._:/- (no commas)"
    if len(",".join(tags)) > MAX_TAGS_CHARS:
        return None, f"tags exceed {MAX_TAGS_CHARS} characters together"
    return tags, None


def canonical_input(messages) -> str:
    """Sorted-key JSON of a chat: equal chats compare equal (the quality suite's duplicate test)."""
    return json.dumps(messages, ensure_ascii=False, sort_keys=True)


def derived_id(source: str, messages: list[dict]) -> str:
    """Stable id for a line without one: re-importing the same file gives the same ids."""
    digest = hashlib.sha256((source + "\n" + canonical_input(messages)).encode("utf-8")).hexdigest()
    return f"syn-{digest[:24]}"


def check_line(value, categories=CATEGORIES) -> tuple[dict | None, str | None]:
    """One parsed line -> (case fields, None) or (None, the problem). Messages never quote the text."""
    if not isinstance(value, dict):
        return None, "line is not a JSON object"
    unknown = sorted(set(value) - {"id", "input", "expected_output", "category", "tags"})
    if unknown:
        return None, "unknown field(s): " + ", ".join(k if re.fullmatch(r"[a-z_]{1,40}", k) else "*" for k in unknown)
    case_id = value.get("id")
    if case_id is not None and (not isinstance(case_id, str) or not ID_PATTERN.fullmatch(case_id)):
        return None, "id must be 1-64 letters, digits or ._:- (starting with a letter or digit)"
    if "input" not in value:
        return None, "missing field: input"
    messages, problem = _messages(value.get("input"))
    if problem:
        return None, problem
    _, undeclared = schema.prune({"input": messages})
    if undeclared:
        return None, "undeclared field(s) in input: " + ", ".join(sorted(undeclared))
    expected = value.get("expected_output")
    if expected is None:
        return None, "missing field: expected_output"
    if not isinstance(expected, str) or not expected.strip():
        return None, "expected_output must be a non-empty string"
    category = value.get("category")
    if category is None:
        return None, "missing field: category"
    if category not in categories:
        return None, f"unknown category: use one of {', '.join(categories)}"
    tags, problem = _tags(value.get("tags"))
    if problem:
        return None, problem
    if "\x00" in expected or any("\x00" in tag for tag in tags or ()):
        # Stored as text, which PostgreSQL cannot hold a NUL in (the messages are stored as JSON, escaped).
        return None, "a NUL character (\\0) in the text: text cannot hold it"
    input_json = json.dumps(messages, ensure_ascii=False)
    if len(canonical_input(messages)) > MAX_INPUT_CHARS:
        return None, f"input exceeds {MAX_INPUT_CHARS} characters"
    if len(expected.strip()) > MAX_EXPECTED_CHARS:
        return None, f"expected_output exceeds {MAX_EXPECTED_CHARS} characters"
    return {
        "case_id": case_id,
        "messages": messages,
        "input_json": input_json,
        "expected_output": expected.strip(),
        "category": category,
        "tags": tags,
    }, None


def _texts_of(fields: dict, walked: RecordFields) -> list[tuple[str, str]]:
    """(field path, text) of every text the case will publish, for the PII checks: what the schema
    declares in its messages (`walked`; keys of free JSON included), the expected output and the tags."""
    out = [(where, text) for where, text in zip(walked.fields(), walked.texts()) if text.strip()]
    out.append(("expected_output", fields["expected_output"]))
    if fields["tags"]:
        out.append(("tags", ", ".join(fields["tags"])))
    return out


_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)


def _values_under_pii_keys(walked: RecordFields) -> list[tuple[str, str]]:
    """(field path, type) of each value a PII-named key or a participant's `name` holds that is not
    a typed placeholder: such a value is PII by where it sits, whatever a scanner reads in it."""
    return [
        (where, entity_type)
        for where, (entity_type, value) in zip(walked.key_value_fields, walked.key_values)
        if not _PLACEHOLDER.fullmatch(value.strip())
    ]


def _ids_of(fields: dict) -> list[tuple[str, str]]:
    """(field path, id) of the case id and every tool-call id: stored as given, so they get the
    regex gate (the NER reads short codes like "refund-1" as account ids)."""
    out = [("id", fields["case_id"])]
    for index, message in enumerate(fields["messages"]):
        if isinstance(message.get("tool_call_id"), str):
            out.append((f"input[{index}].tool_call_id", message["tool_call_id"]))
        for number, call in enumerate(message.get("tool_calls") or []):
            if isinstance(call, dict) and isinstance(call.get("id"), str):
                out.append((f"input[{index}].tool_calls[{number}].id", call["id"]))
    return out


def _pii_problems(checked: list[tuple[int, dict]], scan: PiiScanner) -> dict[int, list[str]]:
    """Line number -> where PII was found and its kinds, never the text."""
    by_line: dict[int, list[str]] = {}
    walked = {number: RecordFields({"input": fields["messages"]}) for number, fields in checked}
    texts = [(number, where, text) for number, fields in checked for where, text in _texts_of(fields, walked[number])]
    findings = scan([text for _, _, text in texts]) if texts else []
    for (number, where, _), kinds in zip(texts, findings):
        if kinds:
            by_line.setdefault(number, []).append(f"{where} ({', '.join(kinds)})")
    ids = [(number, where, value) for number, fields in checked for where, value in _ids_of(fields)]
    for (number, where, value), kinds in zip(ids, residual_gate_scanner([value for _, _, value in ids])):
        if kinds or (where != "id" and not ID_PATTERN.fullmatch(value)):
            by_line.setdefault(number, []).append(f"{where} ({', '.join(kinds) or 'not an id'})")
    for number, _ in checked:
        for where, entity_type in _values_under_pii_keys(walked[number]):
            by_line.setdefault(number, []).append(f"{where} ({entity_type} under a PII key)")
    return by_line


# ---------------------------------------------------------------- a file


def _check_admin(db: Database, admin: str) -> str:
    admin = (admin or "").strip()
    rows = db.fetch_all(sa.select(review_users.c.role, review_users.c.disabled).where(review_users.c.name == admin))
    if not admin or not rows or rows[0]["role"] != "admin" or rows[0]["disabled"]:
        raise SyntheticImportError(f"{admin!r} is not an enabled admin account (logmine review add-user NAME --role admin)")
    return admin


def _existing_inputs(db: Database) -> dict[str, str]:
    """Canonical input -> case id for every case already in the eval set or imported before."""
    out: dict[str, str] = {}
    for table in (eval_cases, synthetic_cases):
        for row in db.fetch_all(sa.select(table.c.case_id, table.c.input_json)):
            try:
                out[canonical_input(json.loads(row["input_json"]))] = row["case_id"]
            except ValueError:
                continue
    return out


def _mined_ids(db: Database, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for table in (sanitised_samples, candidates, review_queue, labelled_cases):
            found.update(r["case_id"] for r in db.fetch_all(sa.select(table.c.case_id).where(table.c.case_id.in_(chunk))))
        found.update(
            r["case_id"]
            for r in db.fetch_all(sa.select(eval_cases.c.case_id).where(eval_cases.c.case_id.in_(chunk), eval_cases.c.origin != "synthetic"))
        )
    return found


def import_synthetic(
    db: Database,
    path: Path,
    source: str,
    admin: str,
    *,
    scanner: PiiScanner | None = None,
    allow_terms: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> SyntheticImportReport:
    """Check every line of `path`; store them all in synthetic_cases only if none is refused.

    `scanner` finds PII kinds in texts; the default runs the sanitiser and the residual gate.
    """
    source = (source or "").strip()
    if not SOURCE_PATTERN.fullmatch(source):
        raise SyntheticImportError("--source must be 1-190 letters, digits, spaces or ._:/- (a file or tool name)")
    admin = _check_admin(db, admin)
    now = now or dt.datetime.now(dt.timezone.utc)
    report = SyntheticImportReport()
    parsed = _parse_lines(path, source, report)
    previous = {r["case_id"]: dict(r) for r in db.fetch_all(sa.select(synthetic_cases))}
    checked = _without_duplicates(db, parsed, source, previous, report)
    _reject_pii(checked, scanner, allow_terms, report)
    report.rejected.sort()
    if report.rejected:
        return report
    _store_cases(db, checked, source, admin, now, previous, report)
    return report


def _parse_lines(path: Path, source: str, report: SyntheticImportReport) -> list[tuple[int, dict]]:
    """(line number, checked fields) of each well-formed line; the others go to `report.rejected`."""
    parsed: list[tuple[int, dict]] = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            report.lines = number
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.rejected.append((number, "not valid UTF-8"))
                continue
            if not text.strip():
                continue
            try:
                value = loads_bounded(text)
            except json.JSONDecodeError as error:
                where = "" if isinstance(error, JsonTooDeep) else f" at column {error.colno}"
                report.rejected.append((number, f"malformed JSON ({error.msg}{where})"))
                continue
            fields, problem = check_line(value)
            if problem:
                report.rejected.append((number, problem))
                continue
            fields["case_id"] = fields["case_id"] or derived_id(source, fields["messages"])
            parsed.append((number, fields))
    return parsed


def _without_duplicates(
    db: Database, parsed: list[tuple[int, dict]], source: str, previous: dict[str, dict], report: SyntheticImportReport
) -> list[tuple[int, dict]]:
    """The lines that duplicate nothing inside the file, in the eval set or among earlier imports
    (`previous`); the others go to `report.rejected`."""
    known_inputs = _existing_inputs(db)
    mined = _mined_ids(db, [f["case_id"] for _, f in parsed])
    first_line_of_id: dict[str, int] = {}
    first_line_of_input: dict[str, int] = {}
    checked: list[tuple[int, dict]] = []
    for number, fields in parsed:
        case_id, canonical = fields["case_id"], canonical_input(fields["messages"])
        if case_id in first_line_of_id:
            report.rejected.append((number, f"duplicate id: line {first_line_of_id[case_id]} has the same id"))
            continue
        first_line_of_id[case_id] = number
        if canonical in first_line_of_input:
            report.rejected.append((number, f"duplicate input: line {first_line_of_input[canonical]} has the same input"))
            continue
        first_line_of_input[canonical] = number
        if case_id in mined:
            report.rejected.append((number, "id is already a mined case's id"))
            continue
        earlier = previous.get(case_id)
        if earlier is not None and earlier["source"] != source:
            report.rejected.append((number, f"id was imported before from another source ({earlier['source']})"))
            continue
        holder = known_inputs.get(canonical)
        if holder is not None and holder != case_id:
            report.rejected.append((number, f"duplicate input: case {holder} already has the same input"))
            continue
        checked.append((number, fields))
    return checked


def _reject_pii(
    checked: list[tuple[int, dict]], scanner: PiiScanner | None, allow_terms: Iterable[str], report: SyntheticImportReport
) -> None:
    """A rejection per line with PII in its texts, its keys or its ids (`scanner` None: the default scanner)."""
    if not checked:
        return
    # One batch for the whole file (the sanitiser is much faster in batches).
    for number, places in sorted(_pii_problems(checked, scanner or default_scanner(allow_terms)).items()):
        report.rejected.append((number, "PII found in " + "; ".join(places) + ": replace it with a typed placeholder such as <PERSON>"))


def _store_cases(
    db: Database, checked: list[tuple[int, dict]], source: str, admin: str, now: dt.datetime,
    previous: dict[str, dict], report: SyntheticImportReport,
) -> None:
    """Insert the new cases and replace the changed ones (counted in `report`); unchanged ones stay."""
    rows = []
    for _, fields in checked:
        row = {
            "case_id": fields["case_id"],
            "category": fields["category"],
            "input_json": fields["input_json"],
            "expected_output": fields["expected_output"],
            "source": source,
            "tags": ",".join(fields["tags"]) or None,
            "imported_by": admin,
            "imported_at": now,
        }
        earlier = previous.get(row["case_id"])
        if earlier is None:
            report.imported += 1
        elif all(earlier[k] == row[k] for k in ("category", "input_json", "expected_output", "tags")):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        report.by_category[row["category"]] += 1
        rows.append(row)
    if rows:
        with db.transaction() as conn:
            ids = [r["case_id"] for r in rows]
            for start in range(0, len(ids), 500):
                conn.execute(synthetic_cases.delete().where(synthetic_cases.c.case_id.in_(ids[start : start + 500])))
            conn.execute(synthetic_cases.insert(), rows)


def synthetic_eval_rows(db: Database, exclude: set[str] = frozenset()) -> list[dict]:
    """synthetic_cases as eval_cases rows (origin 'synthetic'), added in the week they were imported."""
    rows = []
    for row in db.fetch_all(sa.select(synthetic_cases).order_by(synthetic_cases.c.case_id)):
        if row["case_id"] in exclude:
            continue
        imported_at = row["imported_at"]
        rows.append(
            {
                "case_id": row["case_id"],
                "category": row["category"],
                "input_json": row["input_json"],
                "expected_output": row["expected_output"],
                "added_week": week_start(imported_at.date()).isoformat(),
                "source_day": "",
                "reasons": f"synthetic:{row['source']}",  # the source name has no commas (SOURCE_PATTERN)
                "reviewer": row["imported_by"],
                "labelled_at": imported_at,
                "origin": "synthetic",
                "rubric_notes": None,
                "tags": row["tags"],
            }
        )
    return rows
