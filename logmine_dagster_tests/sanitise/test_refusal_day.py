"""A day with records the real sanitiser cannot fully clean but the residual gate reads: through a real
Dagster run of the daily job, each is refused (a sanitiser_quarantine row with kinds and fields, no
text), counted in the asset's metadata, and absent from the PII-free tier; the rest of the day is written.

The records hold an account number in a key written as code (`CARD_4111...`): the sanitiser leaves such
keys alone (NER alone reads "Content-Type" or "SKU" as organisations), the gate scans every key."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from logmine_dagster.sanitise.sanitise_day import case_id_for, sanitise_day
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, sanitised_samples, sanitiser_quarantine
from logmine_dagster_tests.helpers import check_results, dump_tables, leaked_values, read_tree_bytes, run_daily
from logmine_dagster_tests.sanitise.test_deny_by_default import ALLOW_TERMS, DAY as UNIT_DAY, EMAIL, KEY, _insert_raw, _record, _tier

DAY = "2026-03-04"  # a day the generated logs do not cover
# Shapes the sanitiser keeps (identifier-shaped keys with no 5-digit run, which `pii_keys` would
# mask as an id) and the gate reads: refusal is the last resort, and this day exercises it.
CARD = "4111-1111-1111-1111"
SSN = "219-09-9999"
# (request id, metadata key holding the value, what the gate reports)
REFUSED = [
    ("req-card", f"card_{CARD}", "residual PII: CREDIT_CARD@metadata.<key>"),
    ("req-ssn", f"ssn.{SSN}", "residual PII: KNOWN_VALUE@metadata.<key>, US_SSN@metadata.<key>"),
]


def _refusal_day(log_root) -> None:
    """The refused records fail (status error: always sampled), among quiet traffic that keeps them
    under the day's sampling ceiling."""
    refused = [
        _record(request_id, {"metadata": {"channel": "web", key: "on file"}, "status": "error", "error_type": "Timeout"}, [], day=DAY)
        for request_id, key, _ in REFUSED
    ]
    quiet = [_record(f"req-quiet-{n}", {"confidence": 0.95}, [], day=DAY) for n in range(12 * len(refused))]
    folder = log_root / f"dt={DAY}"
    folder.mkdir()
    (folder / "part-00000.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*refused, *quiet]), encoding="utf-8")


def _sanitised_metadata(result) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "sanitised_samples"]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_a_day_with_records_the_gate_refuses(logmine_env, dagster_instance, code_location, db):
    _refusal_day(logmine_env["log_root"])
    result = run_daily(code_location, dagster_instance, DAY)
    assert result.success
    assert check_results(result)["sanitised_samples_no_residual_pii"].passed

    raw_ids = {r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id).where(raw_samples.c.day == DAY))}
    assert {request_id for request_id, _, _ in REFUSED} <= raw_ids  # both were sampled: the refusal is the gate's
    reasons = sorted(r["reason"] for r in db.fetch_all(sa.select(sanitiser_quarantine.c.reason).where(sanitiser_quarantine.c.day == DAY)))
    assert reasons == sorted(reason for _, _, reason in REFUSED)

    metadata = _sanitised_metadata(result)
    written = db.count(sanitised_samples, sanitised_samples.c.day == DAY)
    assert metadata["records_quarantined"] == len(REFUSED)
    assert metadata["records_read"] == len(raw_ids) and metadata["records_written"] == written == len(raw_ids) - len(REFUSED)
    assert "| residual PII | 2 |" in metadata["quarantined_by_reason"]
    # The day's refusal rate by outcome: both refused records failed (status error), the quiet ones did not.
    quiet = len(raw_ids) - len(REFUSED)
    assert metadata["refusals_by_outcome"] == {
        "read": len(raw_ids), "refused": 2, "refused_share": round(2 / len(raw_ids), 4),
        "failed": {"read": 2, "refused": 2, "share": 1.0}, "successful": {"read": quiet, "refused": 0, "share": 0.0},
    }

    # The values are in the raw tier only: not in any other table, nor in Dagster's storage.
    assert leaked_values([CARD, SSN], dump_tables(db, include_raw=True)) == [CARD, SSN]
    assert leaked_values([CARD, SSN], dump_tables(db)) == []
    assert leaked_values([CARD, SSN], read_tree_bytes(dagster_instance.root_directory)) == []


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(ALLOW_TERMS)


class _FailsOnOneRecord:
    """The real sanitiser, except that it raises on one record with the record's text in its message
    (as a library error quoting its input would)."""

    def __init__(self, real, request_id: str):
        self.real, self.request_id = real, request_id

    def sanitise_record(self, record, pseudonym_key=None, common_terms=frozenset()):
        if record["request_id"] == self.request_id:
            raise ValueError(f"cannot read {EMAIL}")
        return self.real.sanitise_record(record, pseudonym_key=pseudonym_key)


def test_a_record_the_sanitiser_fails_on_is_refused_by_type_and_the_day_goes_on(tmp_path, sanitiser):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    ids = ["req-a", "req-b", "req-c"]
    _insert_raw(db, [_record(request_id, {"output": f"Mail sent to {EMAIL}."}, [], day=UNIT_DAY) for request_id in ids])
    report = sanitise_day(db, _FailsOnOneRecord(sanitiser, "req-b"), KEY, UNIT_DAY)
    rows, refused = _tier(db)
    assert refused == {case_id_for(KEY, "req-b")}
    assert set(rows) == {case_id_for(KEY, "req-a"), case_id_for(KEY, "req-c")}
    assert (report.read, report.written, report.quarantined) == (3, 2, 1)
    assert dict(report.quarantine_reasons) == {"sanitiser error (ValueError)": 1}
    assert dict(report.read_by_outcome) == {"successful": 3} and dict(report.refused_by_outcome) == {"successful": 1}
    # Only the exception's type: its message quotes the record.
    assert [r["reason"] for r in db.fetch_all(sa.select(sanitiser_quarantine.c.reason))] == ["sanitiser error (ValueError)"]
    assert leaked_values([EMAIL], dump_tables(db)) == []
    db.dispose()


@pytest.mark.parametrize(
    "fields, outcome",
    [
        ({"status": "ok"}, "successful"),
        ({"status": "ok", "feedback": "up"}, "successful"),
        ({"status": "error"}, "failed"),
        ({"status": "ok", "error_type": "Timeout"}, "failed"),
        ({"status": "ok", "feedback": "down"}, "failed"),
        ({"status": "ok", "escalated": True}, "failed"),
    ],
)
def test_outcome_of_a_record(fields, outcome):
    from logmine_dagster.sanitise.refusals import outcome_of, refusal_summary

    assert outcome_of(fields) == outcome
    assert outcome_of("not an object") == "unreadable"
    assert refusal_summary({"failed": 4, "successful": 96}, {"failed": 1})["failed"] == {"read": 4, "refused": 1, "share": 0.25}
