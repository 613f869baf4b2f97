"""Stage 2: sanitise the day's raw samples into the PII-free tier, refusing any record that still shows PII."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.pseudonyms import letter_pseudonym, pseudonym
from logmine_dagster.sanitise import residual
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, sanitised_samples, sanitiser_quarantine

TEXT_FIELDS_OF_ROW = ("input_json", "output", "metadata_json", "error_type")


@dataclass
class SanitiseReport:
    day: str
    read: int = 0
    written: int = 0
    quarantined: int = 0
    quarantine_reasons: Counter = field(default_factory=Counter)
    entity_counts: Counter = field(default_factory=Counter)


def case_id_for(key: bytes, request_id: str) -> str:
    return pseudonym(key, "case", request_id)


def _pseudonymise_tool_call_ids(messages: list, key: bytes) -> list:
    """Tool-call ids are opaque, but an app could put anything in them: replace them too, the same
    way in the call and in its result so the pair stays linked."""
    out = []
    for message in messages:
        if not isinstance(message, dict):
            out.append(message)
            continue
        message = dict(message)
        if isinstance(message.get("tool_call_id"), str):
            message["tool_call_id"] = letter_pseudonym(key, "call", message["tool_call_id"])
        if isinstance(message.get("tool_calls"), list):
            message["tool_calls"] = [
                dict(call, id=letter_pseudonym(key, "call", call["id"])) if isinstance(call, dict) and isinstance(call.get("id"), str) else call
                for call in message["tool_calls"]
            ]
        out.append(message)
    return out


def pseudonymise_ids(record: dict, key: bytes) -> dict:
    return dict(
        record,
        request_id=case_id_for(key, record["request_id"]),
        session_id=pseudonym(key, "session", record.get("session_id")),
        user_id=pseudonym(key, "user", record.get("user_id")),
        input=_pseudonymise_tool_call_ids(record.get("input") or [], key),
    )


def row_as_record(row) -> dict:
    """A stored sanitised row seen as a record, for the residual scanner."""
    return {
        "input": json.loads(row["input_json"]),
        "output": row["output"],
        "error_type": row["error_type"],
        "metadata": json.loads(row["metadata_json"]),
        "model": row["model"],
    }


def _row(day: str, sample_reasons: str, sanitised: dict, entity_counts: dict) -> dict:
    return {
        "day": day,
        "case_id": sanitised["request_id"],
        "session_ref": sanitised.get("session_id"),
        "user_ref": sanitised.get("user_id"),
        "timestamp": sanitised["timestamp"],
        "model": sanitised.get("model"),
        "status": sanitised["status"],
        "error_type": sanitised.get("error_type"),
        "latency_ms": sanitised.get("latency_ms"),
        "confidence": sanitised.get("confidence"),
        "escalated": bool(sanitised.get("escalated")),
        "feedback": sanitised.get("feedback"),
        "sample_reasons": sample_reasons,
        "input_json": json.dumps(sanitised["input"], ensure_ascii=False),
        "output": sanitised.get("output"),
        "metadata_json": json.dumps(sanitised.get("metadata") or {}, ensure_ascii=False, sort_keys=True),
        "entity_counts_json": json.dumps(dict(sorted(entity_counts.items()))),
    }


class RawTierGone(RuntimeError):
    """The day's raw samples no longer exist (retention) while its sanitised rows do."""


def sanitise_day(db: Database, sanitiser, key: bytes, day: str) -> SanitiseReport:
    """`sanitiser` is a `logmine_dagster.sanitise.Sanitiser` (anything with `sanitise_record`)."""
    report = SanitiseReport(day=day)
    now = dt.datetime.now(dt.timezone.utc)
    written_rows: list[dict] = []
    quarantine_rows: list[dict] = []
    raw_rows = db.fetch_all(
        sa.select(raw_samples.c.request_id, raw_samples.c.sample_reasons, raw_samples.c.record_json)
        .where(raw_samples.c.day == day)
        .order_by(raw_samples.c.request_id)
    )
    if not raw_rows and db.count(sanitised_samples, sanitised_samples.c.day == day):
        # Re-running would replace the kept, PII-free rows with nothing.
        raise RawTierGone(f"the raw samples of {day} are gone (retention); its sanitised rows are kept unchanged")
    for raw in raw_rows:
        report.read += 1
        case_id = case_id_for(key, raw["request_id"])
        try:
            record = json.loads(raw["record_json"])
            result = sanitiser.sanitise_record(record, pseudonym_key=key)
            sanitised = pseudonymise_ids(result.record, key)
            findings = residual.scan_record(sanitised, residual.known_values(record) | set(result.found_values))
        except Exception as error:  # noqa: BLE001 - one bad record must not lose the day
            # Only the exception's type: its message could quote the record's text.
            reason = f"sanitiser error ({type(error).__name__})"
            findings = None
        if findings is None or findings:
            if findings:
                reason = "residual PII: " + ", ".join(sorted({f"{f.kind}@{f.field}" for f in findings}))
            report.quarantined += 1
            report.quarantine_reasons[reason.split(":", 1)[0]] += 1
            quarantine_rows.append({"day": day, "case_id": case_id, "reason": reason[:300], "quarantined_at": now})
            continue
        report.entity_counts.update(result.entity_counts)
        written_rows.append(_row(day, raw["sample_reasons"], sanitised, result.entity_counts))
    with db.transaction() as conn:
        report.written = db.replace_rows(sanitised_samples, sanitised_samples.c.day == day, written_rows, conn=conn)
        db.replace_rows(sanitiser_quarantine, sanitiser_quarantine.c.day == day, quarantine_rows, conn=conn)
    return report


def residual_pii_in_day(db: Database, key: bytes, day: str) -> Counter:
    """Independent re-read of the stored sanitised rows: finding kinds per field, never the text.

    Each row is scanned by the regex battery and, while its raw record still exists, for every value
    the battery finds in that raw record.
    """
    known_by_case: dict[str, set[str]] = {}
    for raw in db.fetch_all(sa.select(raw_samples.c.request_id, raw_samples.c.record_json).where(raw_samples.c.day == day)):
        known_by_case[case_id_for(key, raw["request_id"])] = residual.known_values(json.loads(raw["record_json"]))
    findings: Counter = Counter()
    for row in db.fetch_all(sa.select(sanitised_samples).where(sanitised_samples.c.day == day)):
        for finding in residual.scan_record(row_as_record(row), known_by_case.get(row["case_id"], set())):
            findings[finding.kind] += 1
    return findings
