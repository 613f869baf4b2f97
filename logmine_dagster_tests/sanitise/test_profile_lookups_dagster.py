"""Customer-profile lookups through a real Dagster run of the daily job: the gate refuses none of
them, and no user id, name, email, date of birth, address or payment id reaches a table outside the
raw tier, nor Dagster's own storage."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.storage.schema import raw_samples, sanitised_samples
from logmine_dagster_tests.helpers import dump_tables, leaked_values, read_tree_bytes, run_daily
from logmine_dagster_tests.sanitise.profile_lookups import personal_values, profile_conversation

DAY = "2026-03-05"  # a day the generated logs do not cover


def test_profile_lookups_pass_the_gate_and_leave_no_personal_value_outside_the_raw_tier(logmine_env, dagster_instance, code_location, db):
    # Failed conversations are always sampled; quiet traffic keeps them under the day's ceiling.
    lookups = [
        profile_conversation("req-lookup-error", DAY, status="error", error_type="Timeout"),
        profile_conversation("req-lookup-escalated", DAY, escalated=True),
        profile_conversation("req-lookup-down", DAY, feedback="down"),
    ]
    quiet = [
        {"request_id": f"req-quiet-{n}", "timestamp": f"{DAY}T11:00:00Z", "session_id": f"s-{n}", "user_id": f"u-{n}",
         "model": "gpt-4o-mini", "input": [{"role": "user", "content": "What is the baggage allowance?"}],
         "output": "One checked bag.", "status": "ok", "confidence": 0.95}
        for n in range(6 * len(lookups))
    ]
    folder = logmine_env["log_root"] / f"dt={DAY}"
    folder.mkdir()
    (folder / "part-00000.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*lookups, *quiet]), encoding="utf-8")

    result = run_daily(code_location, dagster_instance, DAY)
    assert result.success
    raw_ids = {r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id).where(raw_samples.c.day == DAY))}
    assert {r["request_id"] for r in lookups} <= raw_ids
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "sanitised_samples"]
    refusals = event.materialization.metadata["refusals_by_outcome"].value
    assert refusals["refused"] == 0 and refusals["failed"]["read"] >= len(lookups)
    assert db.count(sanitised_samples, sanitised_samples.c.day == DAY) == len(raw_ids)

    values = personal_values()
    assert leaked_values(values, dump_tables(db, include_raw=True)) == values  # the test would be empty otherwise
    assert leaked_values(values, dump_tables(db)) == []
    assert leaked_values(values, read_tree_bytes(dagster_instance.root_directory)) == []
