"""Reading the review audit trail, for admins: newest first, as rows or a CSV download. The text of a
case quarantined for PII is withheld, since that text may be the PII a reviewer flagged."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from logmine_dagster.review.clock import aware
from logmine_dagster.review.quarantine import pii_flagged_case_ids
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_audit

AUDIT_COLUMNS = ("id", "at", "actor", "action", "case_id", "before", "after")
WITHHELD = "[withheld: case quarantined for PII]"
# Fields of an audited change that hold no free text, so they stay visible for a quarantined case.
KEPT_FIELDS = ("decision", "tags", "category_override", "reviewer", "source")


def audit_rows(db: Database, limit: int | None = None, case_id: str | None = None) -> list[dict]:
    """The audit trail, newest first; text of cases quarantined for PII is withheld."""
    statement = sa.select(review_audit).order_by(review_audit.c.id.desc())
    if case_id:
        statement = statement.where(review_audit.c.case_id == case_id)
    if limit:
        statement = statement.limit(limit)
    flagged = pii_flagged_case_ids(db)
    rows = []
    for row in db.fetch_all(statement):
        before, after = row["before_json"], row["after_json"]
        if row["case_id"] in flagged and row["action"] != "flag_pii":
            before = _withhold(before)
            after = _withhold(after)
        rows.append({"id": row["id"], "at": aware(row["at"]).isoformat(timespec="seconds"), "actor": row["actor"], "action": row["action"],
                     "case_id": row["case_id"] or "", "before": before or "", "after": after or ""})
    return rows


def _withhold(value: str | None) -> str | None:
    if not value:
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return json.dumps(WITHHELD)
    if isinstance(data, dict):
        data = {k: (v if k in KEPT_FIELDS or v is None else WITHHELD) for k, v in data.items()}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def audit_csv(db: Database) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for row in audit_rows(db):
        # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it.
        writer.writerow([("'" + str(row[c])) if str(row[c])[:1] in ("=", "+", "-", "@", "\t", "\r") else row[c] for c in AUDIT_COLUMNS])
    return out.getvalue()
