"""Stage 3: categorise a day's sanitised samples and collapse duplicates into candidates."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.categorise import categorise, dedup_key
from logmine_dagster.records import user_text
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import candidates, sanitised_samples

BASELINE_DAYS = 14


@dataclass
class CurateReport:
    day: str
    read: int = 0
    kept: int = 0
    duplicates_dropped: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_reason: Counter = field(default_factory=Counter)
    largest_clusters: list[tuple[str, str, int]] = field(default_factory=list)


def drift_baseline(db: Database, day: str, days: int = BASELINE_DAYS) -> dict[str, set[str]]:
    """Models, intents and products seen in the trailing days' sanitised samples."""
    start = (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()
    rows = db.fetch_all(
        sa.select(sanitised_samples.c.model, sanitised_samples.c.metadata_json).where(
            sanitised_samples.c.day >= start, sanitised_samples.c.day < day
        )
    )
    baseline: dict[str, set[str]] = {"model": set(), "intent": set(), "product": set()}
    for row in rows:
        if row["model"]:
            baseline["model"].add(row["model"])
        metadata = json.loads(row["metadata_json"])
        for key in ("intent", "product"):
            if isinstance(metadata.get(key), str):
                baseline[key].add(metadata[key])
    return baseline if rows else {}


def categorise_day(db: Database, day: str) -> CurateReport:
    report = CurateReport(day=day)
    baseline = drift_baseline(db, day)
    representatives: dict[tuple[str, str], dict] = {}
    for row in db.fetch_all(
        sa.select(sanitised_samples).where(sanitised_samples.c.day == day).order_by(sanitised_samples.c.timestamp, sanitised_samples.c.case_id)
    ):
        report.read += 1
        sample = dict(row, metadata=json.loads(row["metadata_json"]), input=json.loads(row["input_json"]))
        text = user_text(sample)
        result = categorise(sample, text, baseline)
        key = (result.category, dedup_key(text))
        if key in representatives:
            representatives[key]["duplicate_count"] += 1
            report.duplicates_dropped += 1
            continue
        representatives[key] = {
            "day": day,
            "case_id": row["case_id"],
            "category": result.category,
            "reasons": ",".join(result.reasons),
            "dedup_key": key[1],
            "duplicate_count": 1,
        }
    kept = list(representatives.values())
    for candidate in kept:
        report.by_category[candidate["category"]] += 1
        report.by_reason.update(candidate["reasons"].split(","))
    report.largest_clusters = sorted(
        ((c["case_id"], c["category"], c["duplicate_count"]) for c in kept), key=lambda item: -item[2]
    )[:10]
    report.kept = db.replace_rows(candidates, candidates.c.day == day, kept)
    return report
