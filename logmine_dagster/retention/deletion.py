"""Retention: raw source logs and raw samples hold PII and are deleted after `retention_days`.

A day is expired when it is older than `today - retention_days`. Every deletion is recorded in
`retention_log` (what and how many, never content). A day folder that cannot be deleted does not
stop the others nor the raw_samples rows: everything else is deleted and logged first, then the run
fails with `RetentionIncomplete` naming each folder left and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import logging

import sqlalchemy as sa

from logmine_dagster.core.errors import LogmineError
from logmine_dagster.ingest.log_reader import PartitionNotDeleted, as_log_root, delete_partition, display_root, list_partition_days
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, retention_log
from logmine_dagster.storage.staging import discard_stale


def cutoff_day(today: dt.date, retention_days: int) -> str:
    """The oldest day that is kept."""
    return (today - dt.timedelta(days=retention_days)).isoformat()


@dataclass
class RetentionReport:
    cutoff: str
    deleted_partitions: list[str] = field(default_factory=list)
    deleted_raw_rows: dict[str, int] = field(default_factory=dict)
    failed_partitions: dict[str, str] = field(default_factory=dict)  # day -> why it is still there


class RetentionIncomplete(LogmineError, RuntimeError):
    """Expired data survived the run; everything else was deleted and logged. `report` holds both."""

    def __init__(self, report: RetentionReport, shown_root: str):
        left = "; ".join(f"dt={day} ({reason})" for day, reason in report.failed_partitions.items())
        super().__init__(
            f"retention incomplete: could not delete {len(report.failed_partitions)} expired log partition(s) "
            f"of {shown_root}: {left}. "
            f"Deleted {len(report.deleted_partitions)} other partition(s) and the raw_samples rows of "
            f"{len(report.deleted_raw_rows)} day(s); fix the cause and run retention again"
        )
        self.report = report


def apply_retention(db: Database, log_root, today: dt.date, retention_days: int) -> RetentionReport:
    """Delete what is older than the period; raises RetentionIncomplete (after deleting and logging
    all the rest) when some expired day folder could not be deleted."""
    report = RetentionReport(cutoff=cutoff_day(today, retention_days))
    now = dt.datetime.now(dt.timezone.utc)
    log_rows = []
    log_root = as_log_root(log_root)  # a local folder or an fsspec URL: whole day folders go either way
    for day in list_partition_days(log_root):
        if day < report.cutoff:
            try:
                files = delete_partition(log_root, day)
            except PartitionNotDeleted as error:
                logging.getLogger(__name__).warning("%s", error)
                report.failed_partitions[day] = error.reason
                continue
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
        # Shard hand-overs that no publish step collected (the run died): gate-passed rows, but a
        # copy the partition's own retention would otherwise never reach.
        for day, parts in discard_stale(conn, now).items():
            log_rows.append({"deleted_at": now, "target": "shard_staging", "item_key": day, "item_count": parts, "cutoff_day": report.cutoff})
        if log_rows:
            conn.execute(retention_log.insert(), log_rows)
    if report.failed_partitions:
        raise RetentionIncomplete(report, display_root(log_root))
    return report


def retention_violations(db: Database, log_root, today: dt.date, retention_days: int) -> list[str]:
    """What still exists beyond the retention period (keys only): must be empty after retention ran.
    A remote root is listed afresh (no cached listing), so the check sees what the store holds."""
    cutoff = cutoff_day(today, retention_days)
    stale = [f"log partition dt={day}" for day in list_partition_days(log_root) if day < cutoff]
    rows = db.fetch_all(sa.select(raw_samples.c.day).where(raw_samples.c.day < cutoff).distinct())
    stale += [f"raw_samples day {row['day']}" for row in rows]
    return stale
