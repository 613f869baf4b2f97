"""Retention also clears shard hand-overs that a dead run left behind, and logs each day it cleared.
Written for mutants of retention/deletion.py that survived scripts/mutation_score.py."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logmine_dagster.retention.deletion import apply_retention
from logmine_dagster.storage.schema import retention_log, shard_staging
from logmine_dagster.storage.staging import STALE_AFTER, StagingKey, stage_shard


def test_stale_staged_shards_are_deleted_and_logged_per_day_fresh_ones_stay(db, tmp_path):
    dead, live = StagingKey("sanitise", "2026-03-02", "run-that-died"), StagingKey("sanitise", "2026-03-03", "run-live")
    stage_shard(db, dead, 0, 2, {"records": 0})
    stage_shard(db, dead, 1, 2, {"records": 0})
    stage_shard(db, live, 0, 1, {"records": 0})
    long_ago = dt.datetime.now(dt.timezone.utc) - STALE_AFTER - dt.timedelta(hours=1)
    with db.transaction() as conn:
        conn.execute(shard_staging.update().where(shard_staging.c.run_id == dead.run_id).values(staged_at=long_ago))

    (tmp_path / "logs").mkdir()
    report = apply_retention(db, tmp_path / "logs", dt.date(2026, 3, 10), 30)

    assert [row["run_id"] for row in db.fetch_all(sa.select(shard_staging.c.run_id))] == [live.run_id]
    [logged] = db.fetch_all(sa.select(retention_log).where(retention_log.c.target == "shard_staging"))
    assert (logged["item_key"], logged["item_count"], logged["cutoff_day"]) == ("2026-03-02", 2, report.cutoff)
    assert logged["deleted_at"] is not None
