"""The daily pipeline through a real Dagster instance, real Presidio and both databases."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.ingest.log_reader import GoodLine, read_partition
from logmine_dagster.ingest.sampling import SamplingPolicy, sample_reasons
from logmine_dagster.storage.schema import candidates, raw_samples, sanitised_samples, sanitiser_quarantine
from logmine_dagster_tests.conftest import FIRST_DAY
from logmine_dagster_tests.helpers import (
    assert_metadata_reads_at_a_glance,
    check_results,
    dump_tables,
    leaked_values,
    manifest_values,
    materialised_assets,
    read_tree_bytes,
    run_daily,
)

DAY1 = FIRST_DAY.isoformat()
DAY2 = FIRST_DAY.replace(day=FIRST_DAY.day + 1).isoformat()


def _rows(db, table, day, drop=("sampled_at",)):
    rows = db.fetch_all(sa.select(table).where(table.c.day == day))
    return sorted(json.dumps({k: str(v) for k, v in r.items() if k not in drop}, sort_keys=True) for r in rows)


def test_daily_pipeline_samples_sanitises_and_categorises(logmine_env, dagster_instance, code_location, db, generated_logs):
    _, manifest = generated_logs
    for day in (DAY1, DAY2):
        result = run_daily(code_location, dagster_instance, day)
        assert result.success, day
        assert materialised_assets(result) == {"sampled_logs", "sanitised_samples", "categorised_candidates"}
        assert_metadata_reads_at_a_glance(result)
        checks = check_results(result)
        assert checks["sanitised_samples_no_residual_pii"].passed
        assert checks["sanitiser_canaries_removed"].passed
        assert checks["sanitiser_canaries_removed"].metadata["canaries_leaked"].value == 0

    # Every interesting record of the day is sampled, with its reasons.
    policy = SamplingPolicy()
    expected = {}
    for line in read_partition(logmine_env["log_root"], DAY1):
        assert isinstance(line, GoodLine)
        reasons = sample_reasons(line.record, policy)
        if reasons:
            expected[line.record["request_id"]] = ",".join(reasons)
    stored = {r["request_id"]: r["sample_reasons"] for r in db.fetch_all(sa.select(raw_samples).where(raw_samples.c.day == DAY1))}
    assert stored == expected
    assert any("error" in r for r in stored.values()) and any("base_rate" in r for r in stored.values())

    # Nothing is lost: each sampled record is either sanitised or quarantined with a reason.
    written = db.count(sanitised_samples, sanitised_samples.c.day == DAY1)
    refused = db.count(sanitiser_quarantine, sanitiser_quarantine.c.day == DAY1)
    assert written + refused == len(expected)
    assert written > 0.8 * len(expected)

    # Categories with reasons; duplicates collapsed.
    cats = db.fetch_all(sa.select(candidates.c.category, candidates.c.reasons))
    assert {c["category"] for c in cats} >= {"edge_case", "happy_path"}
    assert all(c["reasons"] for c in cats)

    # No planted PII value anywhere outside the raw tier, nor in Dagster's own storage.
    values = manifest_values(manifest)
    assert len(values) > 100
    assert leaked_values(values, dump_tables(db)) == []
    assert leaked_values(values, read_tree_bytes(dagster_instance.root_directory)) == []
    # ...while the raw tier does hold them (the test would be empty otherwise).
    assert leaked_values(values, dump_tables(db, include_raw=True))


def test_rematerialising_a_partition_leaves_the_same_rows(logmine_env, dagster_instance, code_location, db):
    assert run_daily(code_location, dagster_instance, DAY1).success
    before = [_rows(db, t, DAY1) for t in (raw_samples, sanitised_samples, candidates)]
    assert all(before)
    assert run_daily(code_location, dagster_instance, DAY1).success
    after = [_rows(db, t, DAY1) for t in (raw_samples, sanitised_samples, candidates)]
    assert after == before


def test_bad_lines_are_quarantined_and_the_partition_still_materialises(
    logmine_env, dagster_instance, code_location, db
):
    from logmine_dagster.storage.schema import ingest_quarantine

    secret = "leaky.person@example.net"
    folder = logmine_env["log_root"] / f"dt={DAY1}"
    (folder / "part-99999.jsonl").write_bytes(
        b'{"request_id": "x1", "note": "' + secret.encode() + b'"\n'  # malformed JSON
        + json.dumps({"request_id": "x2", "timestamp": f"{DAY1}T10:00:00Z", "input": [], "status": "ok"}).encode() + b"\n"
        + b"\xff\xfe not utf-8 " + secret.encode() + b"\n"
    )
    result = run_daily(code_location, dagster_instance, DAY1)
    assert result.success
    rows = db.fetch_all(sa.select(ingest_quarantine).order_by(ingest_quarantine.c.source_line))
    assert [(r["source_file"], r["source_line"]) for r in rows] == [(f"dt={DAY1}/part-99999.jsonl", n) for n in (1, 2, 3)]
    assert [r["reason"].split(" (")[0].split(":")[0] for r in rows] == ["malformed JSON", "invalid record", "not valid UTF-8"]
    sampled_event = next(e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "sampled_logs")
    assert sampled_event.step_materialization_data.materialization.metadata["lines_quarantined"].value == 3
    assert secret not in read_tree_bytes(dagster_instance.root_directory)
    assert secret not in dump_tables(db)


def test_a_day_without_logs_is_an_empty_day_not_a_failure(logmine_env, dagster_instance, code_location, db):
    day = FIRST_DAY.replace(day=FIRST_DAY.day + 2).isoformat()  # the generator wrote two days only
    assert not (logmine_env["log_root"] / f"dt={day}").exists()
    result = run_daily(code_location, dagster_instance, day)
    assert result.success and not [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert materialised_assets(result) == {"sampled_logs", "sanitised_samples", "categorised_candidates"}
    sampled = next(e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "sampled_logs")
    metadata = sampled.step_materialization_data.materialization.metadata
    assert metadata["status"].value == "no_logs" and metadata["records_scanned"].value == 0
    assert db.count(raw_samples, raw_samples.c.day == day) == 0 and db.count(sanitised_samples, sanitised_samples.c.day == day) == 0


def test_a_missing_day_folder_fails_clearly_and_keeps_the_earlier_sample(logmine_env, dagster_instance, code_location, db):
    import shutil

    assert run_daily(code_location, dagster_instance, DAY1).success
    before = db.count(raw_samples, raw_samples.c.day == DAY1)
    shutil.rmtree(logmine_env["log_root"] / f"dt={DAY1}")
    result = run_daily(code_location, dagster_instance, DAY1)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert f"no dt={DAY1} folder" in failure.event_specific_data.error.message
    assert db.count(raw_samples, raw_samples.c.day == DAY1) == before > 0
