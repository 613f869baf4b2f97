"""Sanitise shard steps hand their output to the publish step through the database (`shard_staging`).

Workers therefore share nothing but the database and the log root. What is staged is what the
partition will hold: rows that passed the residual-PII gate, and quarantine reasons (never raw text).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa

from logmine_dagster.sanitise.sanitise_day import SanitiseReport, ShardResult
from logmine_dagster.storage import Database
from logmine_dagster.storage.staging import StagingKey, discard, discard_stale, read_shards, stage_shard

STEP = "sanitise"


class ShardStaging:
    """One run's hand-over of one day's sanitise shards (keyed by the root run id)."""

    def __init__(self, db: Database, day: str, run_id: str):
        self.db = db
        self.day = day
        self.key = StagingKey(STEP, day, run_id)

    def write(self, result: ShardResult) -> int:
        """Stage a shard's output in one transaction: the publish step sees all of it or none."""
        header = {
            "read": result.report.read,
            "quarantine_reasons": dict(result.report.quarantine_reasons),
            "entity_counts": dict(result.report.entity_counts),
            "dropped_fields": dict(result.report.dropped_fields),
        }
        items = [{"row": row} for row in result.rows]
        items += [{"quarantine": dict(q, quarantined_at=q["quarantined_at"].isoformat())} for q in result.quarantine]
        return stage_shard(self.db, self.key, result.shard, result.shard_count, header, items)

    def read(self, shard_count: int) -> list[ShardResult]:
        results = []
        for staged in read_shards(self.db, self.key, shard_count):
            rows = [item["row"] for item in staged.items if "row" in item]
            quarantine = [
                dict(item["quarantine"], quarantined_at=dt.datetime.fromisoformat(item["quarantine"]["quarantined_at"]))
                for item in staged.items
                if "quarantine" in item
            ]
            numbers = staged.header
            report = SanitiseReport(
                day=self.day,
                read=numbers["read"],
                written=len(rows),
                quarantined=len(quarantine),
                quarantine_reasons=Counter(numbers["quarantine_reasons"]),
                entity_counts=Counter(numbers["entity_counts"]),
                dropped_fields=Counter(numbers["dropped_fields"]),
            )
            results.append(ShardResult(self.day, staged.shard, shard_count, rows, quarantine, report))
        return results

    def discard_in(self, conn: sa.Connection) -> None:
        """In the publishing transaction: this run's staged shards, and whatever dead runs left long ago."""
        discard(conn, self.key)
        discard_stale(conn)

    def discard(self) -> None:
        with self.db.transaction() as conn:
            self.discard_in(conn)
