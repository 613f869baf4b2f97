"""Stage 1: read a day of raw logs once, keep the sampled records in the raw tier."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from logmine_dagster.log_reader import BadLine, LineResult, partition_files, read_partition
from logmine_dagster.sampling import SamplingPolicy, opted_out, sample_reasons
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples


@dataclass
class SampleReport:
    day: str
    files: int = 0
    scanned: int = 0
    sampled: int = 0
    quarantined: int = 0
    excluded_opt_out: int = 0
    excluded_user_cap: int = 0
    by_reason: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)


def _reason_kind(reason: str) -> str:
    """Group quarantine reasons for reporting (drop line-specific detail)."""
    return reason.split(" (", 1)[0].split(":", 1)[0]


def sample_day(
    db: Database, log_root: Path, day: str, policy: SamplingPolicy, lines: Iterable[LineResult] | None = None
) -> SampleReport:
    """`lines` defaults to reading the day's files in detected formats."""
    report = SampleReport(day=day, files=len(partition_files(log_root, day)))
    now = dt.datetime.now(dt.timezone.utc)
    quarantine_rows: list[dict] = []
    seen_sampled: set[str] = set()
    sampled_per_user: Counter = Counter()

    def quarantine(source_file: str, line: int | None, reason: str) -> None:
        report.quarantined += 1
        report.quarantine_reasons[_reason_kind(reason)] += 1
        quarantine_rows.append(
            {"day": day, "source_file": source_file, "source_line": line, "reason": reason[:300], "quarantined_at": now}
        )

    def sampled_rows():
        for item in lines if lines is not None else read_partition(log_root, day):
            if isinstance(item, BadLine):
                quarantine(item.source_file, item.line, item.reason)
                continue
            report.scanned += 1
            record = item.record
            if record["timestamp"][:10] != day:
                quarantine(item.source_file, item.line, "timestamp outside its dt= partition")
                continue
            reasons = sample_reasons(record, policy)
            if not reasons:
                continue
            if opted_out(record, policy):
                report.excluded_opt_out += 1
                continue
            if record["request_id"] in seen_sampled:
                quarantine(item.source_file, item.line, "duplicate request_id in partition")
                continue
            user = record.get("user_id")
            if policy.max_per_user_per_day is not None and user is not None:
                if sampled_per_user[user] >= policy.max_per_user_per_day:
                    report.excluded_user_cap += 1
                    continue
                sampled_per_user[user] += 1
            seen_sampled.add(record["request_id"])
            report.sampled += 1
            report.by_reason.update(reasons)
            yield {
                "day": day,
                "request_id": record["request_id"],
                "sample_reasons": ",".join(reasons),
                "record_json": json.dumps(record, ensure_ascii=False),
                "source_file": item.source_file,
                "source_line": item.line,
                "sampled_at": now,
            }

    with db.transaction() as conn:
        db.replace_rows(raw_samples, raw_samples.c.day == day, sampled_rows(), conn=conn)
        db.replace_rows(ingest_quarantine, ingest_quarantine.c.day == day, quarantine_rows, conn=conn)
    return report
