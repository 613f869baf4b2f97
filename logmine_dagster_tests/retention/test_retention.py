"""Retention deletes only expired raw data, records what it deleted, and the check proves it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logmine_dagster.core import clock
from logmine_dagster.retention.deletion import apply_retention, retention_violations
from logmine_dagster.storage.schema import raw_samples, retention_log, sanitised_samples
from logmine_dagster_tests.conftest import FIRST_DAY
from logmine_dagster_tests.helpers import assert_metadata_reads_at_a_glance, check_results, run_daily

DAY1 = FIRST_DAY.isoformat()
DAY2 = (FIRST_DAY + dt.timedelta(days=1)).isoformat()


def test_retention_deletes_only_expired_data_and_the_check_passes(
    logmine_env, dagster_instance, code_location, db, monkeypatch
):
    for day in (DAY1, DAY2):
        assert run_daily(code_location, dagster_instance, day).success
    today = dt.datetime.now(dt.timezone.utc).date()
    monkeypatch.setattr(clock, "utc_today", lambda: today)  # a run crossing midnight would expire DAY2 too
    # A period that expires DAY1 and keeps DAY2.
    monkeypatch.setenv("LOGMINE_RETENTION_DAYS", str((today - FIRST_DAY).days - 1))
    sanitised_before = db.count(sanitised_samples)

    result = code_location.resolve_job_def("retention_job").execute_in_process(instance=dagster_instance)
    assert result.success
    assert_metadata_reads_at_a_glance(result)
    assert check_results(result)["raw_logs_within_retention"].passed

    log_root = logmine_env["log_root"]
    assert not (log_root / f"dt={DAY1}").exists()
    assert (log_root / f"dt={DAY2}").exists()
    assert db.count(raw_samples, raw_samples.c.day == DAY1) == 0
    assert db.count(raw_samples, raw_samples.c.day == DAY2) > 0
    assert db.count(sanitised_samples) == sanitised_before  # the PII-free tier is not under retention

    logged = {(r["target"], r["item_key"]) for r in db.fetch_all(sa.select(retention_log))}
    assert logged == {("log_partition", f"dt={DAY1}"), ("raw_samples", DAY1)}


def test_the_retention_check_fails_while_expired_data_remains(tmp_path, db):
    root = tmp_path / "logs"
    (root / "dt=2026-01-01").mkdir(parents=True)
    (root / "dt=2026-02-15").mkdir(parents=True)
    today = dt.date(2026, 2, 20)
    assert retention_violations(db, root, today, 30) == ["log partition dt=2026-01-01"]
    report = apply_retention(db, root, today, 30)
    assert report.deleted_partitions == ["2026-01-01"]
    assert retention_violations(db, root, today, 30) == []
    assert (root / "dt=2026-02-15").exists()


def test_sanitised_rows_survive_a_rerun_after_retention(logmine_env, dagster_instance, code_location, db):
    import dagster as dg

    assert run_daily(code_location, dagster_instance, DAY1).success
    kept = db.count(sanitised_samples, sanitised_samples.c.day == DAY1)
    with db.transaction() as conn:
        conn.execute(raw_samples.delete())
    result = dg.materialize(
        [code_location.resolve_assets_def("sanitised_samples")],
        partition_key=DAY1,
        instance=dagster_instance,
        raise_on_error=False,
    )
    assert not result.success
    assert db.count(sanitised_samples, sanitised_samples.c.day == DAY1) == kept > 0


def test_the_retention_check_reports_raw_samples_kept_past_the_period(tmp_path, db):
    """Raw samples are PII: rows of an expired day fail the check until retention deletes them; the
    cutoff day itself is still inside the period."""
    root = tmp_path / "logs"
    root.mkdir()
    today = dt.date(2026, 2, 20)  # 30 days: the cutoff is 2026-01-21
    now = dt.datetime.now(dt.timezone.utc)
    with db.transaction() as conn:
        conn.execute(raw_samples.insert(), [
            {"day": day, "request_id": f"req-{day}", "sample_reasons": "base_rate", "record_json": "{}",
             "source_file": f"dt={day}/a.jsonl", "source_line": 1, "sampled_at": now}
            for day in ("2026-01-20", "2026-01-21", "2026-02-15")
        ])
    assert retention_violations(db, root, today, 30) == ["raw_samples day 2026-01-20"]
    report = apply_retention(db, root, today, 30)
    assert report.deleted_raw_rows == {"2026-01-20": 1}
    assert retention_violations(db, root, today, 30) == []
    kept = sorted(r["day"] for r in db.fetch_all(sa.select(raw_samples.c.day)))
    assert kept == ["2026-01-21", "2026-02-15"]
