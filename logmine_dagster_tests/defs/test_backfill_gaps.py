"""A backfill over a range with days that have no log folder ends with no failed partition (issue 17).

Real parts: the code location's daily_mining_job, a real Dagster instance on disk, real Presidio and
spaCy, SQLite and PostgreSQL. Each day of the range runs as its own partitioned run, the way a job
backfill launches them; then Dagster's own partition status (the cache the UI's partition bar and
the backfill page read) must show every day materialised and none failed. The daemon-driven route is
in test_ops_backfill.py (PostgreSQL stack); this one needs no daemon.
"""

from __future__ import annotations

import datetime as dt
import shutil

import dagster as dg

from logmine_dagster.storage.schema import raw_samples
from logmine_dagster_tests.conftest import FIRST_DAY
from logmine_dagster_tests.helpers import run_daily

DAILY_ASSETS = ("sampled_logs", "sanitised_samples", "categorised_candidates")


def _metadata(result, asset: str) -> dict:
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset)
    return {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}


def test_a_backfill_over_days_without_logs_leaves_no_failed_partition(logmine_env, dagster_instance, code_location, db):
    from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value

    # A gap first (its folder never arrived), a day with logs, then a day with no folder at all.
    shutil.rmtree(logmine_env["log_root"] / f"dt={FIRST_DAY.isoformat()}")
    partitions = code_location.resolve_job_def("daily_mining_job").partitions_def
    days = partitions.get_partition_keys_in_range(
        dg.PartitionKeyRange(FIRST_DAY.isoformat(), (FIRST_DAY + dt.timedelta(days=2)).isoformat())
    )
    logged = (FIRST_DAY + dt.timedelta(days=1)).isoformat()
    assert len(days) == 3 and [(logmine_env["log_root"] / f"dt={d}").exists() for d in days] == [False, True, False]

    results = {day: run_daily(code_location, dagster_instance, day) for day in days}

    assert {day: r.success for day, r in results.items()} == {day: True for day in days}
    statuses = {day: _metadata(r, "sampled_logs").get("status") for day, r in results.items()}
    assert statuses[days[0]] == statuses[days[2]] == "no_logs" and statuses[logged] != "no_logs"
    assert db.count(raw_samples, raw_samples.c.day == logged) > 0
    assert all(db.count(raw_samples, raw_samples.c.day == day) == 0 for day in (days[0], days[2]))
    runs = dagster_instance.get_runs()
    assert sorted(r.tags["dagster/partition"] for r in runs) == days
    assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}

    for asset in DAILY_ASSETS:
        status = get_and_update_asset_status_cache_value(dagster_instance, dg.AssetKey(asset), partitions)
        failed = status.deserialize_failed_partition_subsets(partitions).get_partition_keys()
        materialised = status.deserialize_materialized_partition_subsets(partitions).get_partition_keys()
        assert list(failed) == [], (asset, failed)
        assert sorted(materialised) == days, asset
