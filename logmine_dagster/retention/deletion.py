"""Retention: raw source logs and raw samples hold PII and are deleted after `retention_days`.

A day is expired when it is older than `today - retention_days`. Every deletion is recorded in
`retention_log` (what and how many, never content).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.ingest.log_reader import as_log_root, delete_partition, list_partition_days
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, retention_log


def cutoff_day(today: dt.date, retention_days: int) -> str:
    """The oldest day that is kept."""
    return (today - dt.timedelta(days=retention_days)).isoformat()


@dataclass
class RetentionReport:
    cutoff: str
    deleted_partitions: list[str] = field(default_factory=list)
    deleted_raw_rows: dict[str, int] = field(default_factory=dict)


def apply_retention(db: Database, log_root, today: dt.date, retention_days: int) -> RetentionReport:
    report = RetentionReport(cutoff=cutoff_day(today, retention_days))
    now = dt.datetime.now(dt.timezone.utc)
    log_rows = []
    log_root = as_log_root(log_root)  # a local folder or an fsspec URL: whole day folders go either way
    for day in list_partition_days(log_root):
        if day < report.cutoff:
            try:
                files = delete_partition(log_root, day)
            except OSError:
                # Keep the audit trail of the partitions already deleted in this run.
                if log_rows:
                    with db.transaction() as conn:
                        conn.execute(retention_log.insert(), log_rows)
                raise
            report.deleted_partitions.append(day)
            log_rows.append({"deleted_at": now, "target": "log_partition", "item_key": f"dt={day}", "item_count": files, "cutoff_day": report.cutoff})
    with db.transaction() as conn:
        counts = conn.execute(
            sa.select(raw_samples.c.day, sa.func.count()).where(raw_samples.c.day < report.cutoff).group_by(raw_samples.c.day)
        ).all()
        conn.execute(raw_samples.delete().where(raw_samples.c.day < report.cutoff))
        for day, count in counts:
            report.deleted_raw_rows[day] = int(count)
            log_rows.append({"deleted_at": now, "target": "raw_samples", "item_key": day, "item_count": int(count), "cutoff_day": report.cutoff})
        if log_rows:
            conn.execute(retention_log.insert(), log_rows)
    return report


def retention_violations(db: Database, log_root, today: dt.date, retention_days: int) -> list[str]:
    """What still exists beyond the retention period (keys only): must be empty after retention ran.
    A remote root is listed afresh (no cached listing), so the check sees what the store holds."""
    cutoff = cutoff_day(today, retention_days)
    stale = [f"log partition dt={day}" for day in list_partition_days(log_root) if day < cutoff]
    rows = db.fetch_all(sa.select(raw_samples.c.day).where(raw_samples.c.day < cutoff).distinct())
    stale += [f"raw_samples day {row['day']}" for row in rows]
    return stale
