"""Deny by default through a real Dagster run of the daily job: PII planted in every field position
is found in the raw tier and in no other table, nor in Dagster's own storage."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.storage.schema import raw_samples
from logmine_dagster_tests.helpers import dump_tables, leaked_values, read_tree_bytes, run_daily
from logmine_dagster_tests.sanitise.test_deny_by_default import CASES, NAME, PLANTED, POSITIONS, _record

DAY = "2026-03-04"  # a day the generated logs do not cover


def _planted_day(log_root) -> int:
    """Every planted record fails (status error: always sampled), among quiet traffic that keeps
    them under the day's sampling ceiling."""
    planted = [
        _record(f"req-{position}-{kind}", {**POSITIONS[position](PLANTED[kind])[0], "status": "error", "error_type": "Timeout"},
                POSITIONS[position](PLANTED[kind])[1], day=DAY)
        for position, kind in CASES
    ]
    quiet = [
        _record(f"req-quiet-{n}", {"confidence": 0.95}, [], day=DAY)
        for n in range(6 * len(planted))
    ]
    folder = log_root / f"dt={DAY}"
    folder.mkdir()
    (folder / "part-00000.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in [*planted, *quiet]), encoding="utf-8"
    )
    return len(planted)


def test_planted_pii_reaches_no_table_but_the_raw_tier(logmine_env, dagster_instance, code_location, db):
    planted = _planted_day(logmine_env["log_root"])
    result = run_daily(code_location, dagster_instance, DAY)
    assert result.success

    raw_ids = {r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id).where(raw_samples.c.day == DAY))}
    assert sum(request_id.startswith("req-") and "quiet" not in request_id for request_id in raw_ids) == planted
    values = [*PLANTED.values(), *NAME.split()]
    assert leaked_values(values, dump_tables(db, include_raw=True))  # the test would be empty otherwise
    assert leaked_values(values, dump_tables(db)) == []
    assert leaked_values(values, read_tree_bytes(dagster_instance.root_directory)) == []
