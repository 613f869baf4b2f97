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
from logmine_dagster.storage.staging import StagingError, StagingKey, discard, discard_stale, read_shards, stage_shard, staged_shard_counts

STEP = "sanitise"
PUBLISHED_STEP = "sanitise-published"  # the publish step's report, for the step that emits the materialisation
RESIDUAL_STEP = "residual"  # each residual-scan shard's finding counts, for the blocking check


def _report_numbers(report: SanitiseReport) -> dict:
    return {
        "read": report.read,
        "written": report.written,
        "quarantined": report.quarantined,
        "quarantine_reasons": dict(report.quarantine_reasons),
        "entity_counts": dict(report.entity_counts),
        "dropped_fields": dict(report.dropped_fields),
        "read_by_outcome": dict(report.read_by_outcome),
        "refused_by_outcome": dict(report.refused_by_outcome),
        "seconds": dict(report.seconds),
    }


def _report(day: str, numbers: dict, written: int | None = None, quarantined: int | None = None) -> SanitiseReport:
    return SanitiseReport(
        day=day,
        read=numbers["read"],
        written=numbers["written"] if written is None else written,
        quarantined=numbers["quarantined"] if quarantined is None else quarantined,
        quarantine_reasons=Counter(numbers["quarantine_reasons"]),
        entity_counts=Counter(numbers["entity_counts"]),
        dropped_fields=Counter(numbers["dropped_fields"]),
        read_by_outcome=Counter(numbers.get("read_by_outcome", {})),
        refused_by_outcome=Counter(numbers.get("refused_by_outcome", {})),
        seconds=Counter(numbers.get("seconds", {})),
    )


class ShardStaging:
    """One run's hand-over of one day's sanitise shards (keyed by the root run id)."""

    def __init__(self, db: Database, day: str, run_id: str):
        self.db = db
        self.day = day
        self.key = StagingKey(STEP, day, run_id)

    def write(self, result: ShardResult) -> int:
        """Stage a shard's output in one transaction: the publish step sees all of it or none."""
        header = _report_numbers(result.report)
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
            report = _report(self.day, staged.header, written=len(rows), quarantined=len(quarantine))
            results.append(ShardResult(self.day, staged.shard, shard_count, rows, quarantine, report))
        return results

    def discard_in(self, conn: sa.Connection, _report: SanitiseReport | None = None) -> None:
        """In the publishing transaction: this run's staged shards, and whatever dead runs left long ago."""
        discard(conn, self.key)
        discard_stale(conn)

    def discard(self) -> None:
        with self.db.transaction() as conn:
            self.discard_in(conn)


def stage_published_report(conn: sa.Connection, db: Database, day: str, run_id: str, report: SanitiseReport) -> None:
    """In the publishing transaction: the report, for the step after the residual scan shards."""
    stage_shard(db, StagingKey(PUBLISHED_STEP, day, run_id), 0, 1, _report_numbers(report), conn=conn)


def published_report(db: Database, day: str, run_id: str) -> SanitiseReport:
    """The publish step's report (StagingError if it did not publish in this run). It stays staged: the step
    reading it may fail after reading, and its retry from failure must find it again; the blocking check
    removes it with the residual counts (`take_residual_verdict`), stale-staging clean-up otherwise."""
    (staged,) = read_shards(db, StagingKey(PUBLISHED_STEP, day, run_id), 1)
    return _report(day, staged.header)


def stage_residual_shard(db: Database, day: str, run_id: str, shard: int, shard_count: int, findings: Counter) -> None:
    stage_shard(db, StagingKey(RESIDUAL_STEP, day, run_id), shard, shard_count, {"findings": dict(findings)})


def take_residual_verdict(db: Database, day: str, run_id: str) -> Counter | None:
    """The residual-scan shards' findings added up, once every shard of the run staged (then deleted,
    with the publish step's report); None when they did not (the check then scans in one step: the same verdict)."""
    key = StagingKey(RESIDUAL_STEP, day, run_id)
    counts = staged_shard_counts(db, key)
    findings: Counter | None = None
    if len(counts) == 1:
        try:
            shards = read_shards(db, key, counts.pop())
        except StagingError:
            shards = None
        if shards is not None:
            findings = sum((Counter(s.header["findings"]) for s in shards), Counter())
    with db.transaction() as conn:
        discard(conn, key)
        discard(conn, StagingKey(PUBLISHED_STEP, day, run_id))
    return findings
