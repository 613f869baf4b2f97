"""Canned answers as an admin edits them: stored like the guidelines, as audit entries (action
"canned_answers", the whole list each time), the newest one in force, every version readable with who
wrote it. Until an admin saves a list, the defaults of canned.py apply; saving an empty text restores them.

The admin edits one text, an answer per block:

    ## Standard refusal | answer | adversarial
    I can't help with that request. ...

The header gives the label, what the text fills (`answer`: the expected output of an add; `reason`:
a discard's reason) and optionally the categories it is offered for (comma-separated; none: all)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.canned import CANNED, Canned
from logmine_dagster.review.errors import Forbidden, Invalid
from logmine_dagster.review.vocabulary import MAX_EXPECTED, MAX_TEXT
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_audit

ACTION = "canned_answers"
MAX_ANSWERS = 20
MAX_LABEL = 60
_FIELDS = {"answer": "expected_output", "reason": "reason"}
_WORDS = {v: k for k, v in _FIELDS.items()}


def _as_dict(c: Canned) -> dict:
    return {"label": c.label, "field": c.field, "text": c.text, "categories": list(c.categories)}


def stored_canned(db: Database) -> tuple[tuple[Canned, ...], dict | None]:
    """The answers in force and who saved them ({"by", "at"}; None: the defaults)."""
    statement = (sa.select(review_audit.c.actor, review_audit.c.at, review_audit.c.after_json)
                 .where(review_audit.c.action == ACTION).order_by(review_audit.c.id.desc()).limit(1))
    rows = db.fetch_all(statement)
    if not rows:
        return CANNED, None
    try:
        answers = json.loads(rows[0]["after_json"] or "{}").get("answers")
        parsed = tuple(Canned(a["label"], a["field"], a["text"], tuple(a.get("categories") or ())) for a in answers)
    except (ValueError, TypeError, KeyError, AttributeError):
        return CANNED, None  # an unreadable entry cannot be one this module wrote: fall back, never crash
    return (parsed or CANNED), ({"by": rows[0]["actor"], "at": rows[0]["at"]} if parsed else None)


def to_text(answers: tuple[Canned, ...]) -> str:
    blocks = []
    for c in answers:
        header = " | ".join([c.label, _WORDS[c.field]] + ([", ".join(c.categories)] if c.categories else []))
        blocks.append(f"## {header}\n{c.text}")
    return "\n\n".join(blocks) + "\n"


def parse_text(text: str) -> tuple[Canned, ...]:
    """The admin's text -> answers; raises Invalid naming the line of the first problem."""
    answers: list[Canned] = []
    header: tuple[int, list[str]] | None = None
    body: list[str] = []

    def close() -> None:
        if header is None:
            return
        line, parts = header
        label, word = parts[0], (parts[1].lower() if len(parts) > 1 else "")
        content = "\n".join(body).strip()
        if not label or len(label) > MAX_LABEL:
            raise Invalid(f"Line {line}: a label of 1 to {MAX_LABEL} characters is required after '##'.")
        if word not in _FIELDS:
            raise Invalid(f"Line {line}: say what the text fills, 'answer' (the expected output) or 'reason' (a discard reason), after the label.")
        categories = tuple(c.strip() for c in (parts[2] if len(parts) > 2 else "").split(",") if c.strip())
        unknown = [c for c in categories if c not in CATEGORIES]
        if unknown or len(parts) > 3:
            raise Invalid(f"Line {line}: categories must be among {', '.join(CATEGORIES)}.")
        if not content:
            raise Invalid(f"Line {line}: the answer '{label}' has no text.")
        if len(content) > (MAX_EXPECTED if word == "answer" else MAX_TEXT):
            raise Invalid(f"Line {line}: the text of '{label}' is too long.")
        answers.append(Canned(label, _FIELDS[word], content, categories))

    for number, line in enumerate((text or "").replace("\r\n", "\n").split("\n"), start=1):
        if line.startswith("##"):
            close()
            header, body = (number, [p.strip() for p in line[2:].split("|")]), []
        elif header is None:
            if line.strip():
                raise Invalid(f"Line {number}: start each answer with a header line '## label | answer or reason | categories'.")
        else:
            body.append(line)
    close()
    if len(answers) > MAX_ANSWERS:
        raise Invalid(f"At most {MAX_ANSWERS} canned answers (keys 1-9 offer the first nine of a case's category).")
    return tuple(answers)


def set_canned(db: Database, admin: User, text: str) -> tuple[Canned, ...]:
    """Store the admin's list (empty text: back to the defaults); admins only; returns the list in force."""
    if not admin.is_admin:
        raise Forbidden("Only an admin can edit the canned answers.")
    answers = parse_text(text)
    before, _ = stored_canned(db)
    with db.transaction() as conn:
        write_audit(conn, admin.name, ACTION, None, {"answers": [_as_dict(c) for c in before]}, {"answers": [_as_dict(c) for c in answers]})
    return answers or CANNED
