"""Stage 3: categorise a day's sanitised samples and collapse near-duplicates into candidates.

Near-duplicates (MinHash/LSH on normalised user text, see curation/near_duplicates.py) collapse
within the day and category into one representative whose `duplicate_count` is the cluster's size
(the representative counts as one, as before). Each day is also compared with what came before:

- the eval set (`eval_cases`),
- earlier candidates of the trailing `REFERENCE_DAYS` days (their representatives), and through
  them cases already queued for review (`review_queue`) or decided (`review_decisions`).

A representative that matches one of those takes over the earlier cluster's `dedup_key`, so the
weekly batch sees one cluster across days and weeks, and gets a reason saying what it repeats:
`near_dup:eval_case`, `near_dup:decided`, `near_dup:queued` (covered already: the batch skips
them) or `near_dup:earlier` (seen before, not yet reviewed: still eligible, with less novelty).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.categorise import categorise, dedup_key
from logmine_dagster.curation.near_duplicates import NearDuplicateIndex
from logmine_dagster.records import user_text
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import candidates, eval_cases, review_decisions, review_queue, sanitised_samples

BASELINE_DAYS = 14
REFERENCE_DAYS = 28
REASONS_CHARS = 300  # width of the reasons column
# Strongest first: what a repeat of an earlier case is said to repeat.
NEAR_DUP_STATUS = ("eval_case", "decided", "queued", "earlier")
COVERED = frozenset({"near_dup:eval_case", "near_dup:decided", "near_dup:queued"})


@dataclass
class CurateReport:
    day: str
    read: int = 0
    kept: int = 0
    duplicates_dropped: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_reason: Counter = field(default_factory=Counter)
    largest_clusters: list[tuple[str, str, int]] = field(default_factory=list)
    # representative case id -> the case ids collapsed into it (pseudonymous ids, safe for metadata)
    cluster_members: dict[str, list[str]] = field(default_factory=dict)
    repeats: Counter = field(default_factory=Counter)  # near_dup status -> representatives


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


@dataclass
class _Reference:
    dedup_key: str
    status: str  # one of NEAR_DUP_STATUS


def reference_index(db: Database, day: str, days: int = REFERENCE_DAYS) -> tuple[NearDuplicateIndex, dict[str, _Reference]]:
    """An index holding the eval cases and the trailing days' candidates, grouped by category.

    Returns the index and, per representative key, the cluster's dedup_key and strongest status."""
    index = NearDuplicateIndex()
    info: dict[str, _Reference] = {}

    def add(key: str, text: str, category: str, key_of_text: str, status: str) -> None:
        representative = index.assign(key, text, group=category)
        known = info.get(representative)
        if known is None:
            info[representative] = _Reference(key_of_text, status)
        elif NEAR_DUP_STATUS.index(status) < NEAR_DUP_STATUS.index(known.status):
            known.status = status

    for row in db.fetch_all(sa.select(eval_cases.c.case_id, eval_cases.c.category, eval_cases.c.input_json).order_by(eval_cases.c.case_id)):
        text = user_text({"input": json.loads(row["input_json"])})
        add(f"eval:{row['case_id']}", text, row["category"], dedup_key(text), "eval_case")

    start = (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()
    decided = {row["case_id"] for row in db.fetch_all(sa.select(review_decisions.c.case_id).distinct())}
    queued = {row["case_id"] for row in db.fetch_all(sa.select(review_queue.c.case_id))}
    statement = (
        sa.select(candidates.c.day, candidates.c.case_id, candidates.c.category, candidates.c.dedup_key, sanitised_samples.c.input_json)
        .join(sanitised_samples, sa.and_(sanitised_samples.c.day == candidates.c.day, sanitised_samples.c.case_id == candidates.c.case_id))
        .where(candidates.c.day >= start, candidates.c.day < day)
        .order_by(candidates.c.day, candidates.c.case_id)
    )
    for row in db.fetch_all(statement):
        status = "decided" if row["case_id"] in decided else "queued" if row["case_id"] in queued else "earlier"
        text = user_text({"input": json.loads(row["input_json"])})
        add(f"cand:{row['day']}:{row['case_id']}", text, row["category"], row["dedup_key"], status)
    return index, info


def fit_reasons(reasons: list[str], width: int = REASONS_CHARS) -> str:
    """Join reason codes into the column's width, dropping whole codes from the end (never cutting one)."""
    kept: list[str] = []
    for position, reason in enumerate(reasons):
        rest = len(reasons) - position - 1
        candidate = ",".join([*kept, reason])
        suffix = f",+{rest}" if rest else ""
        if len(candidate) + len(suffix) > width:
            dropped = len(reasons) - len(kept)
            return ",".join([*kept, f"+{dropped}"])
        kept.append(reason)
    return ",".join(kept)


def categorise_day(db: Database, day: str) -> CurateReport:
    report = CurateReport(day=day)
    baseline = drift_baseline(db, day)
    index, references = reference_index(db, day)
    representatives: dict[str, dict] = {}  # day representative case_id -> candidate row
    day_rep_of_cluster: dict[str, str] = {}  # index representative key -> the day's representative case_id
    for row in db.fetch_all(
        sa.select(sanitised_samples).where(sanitised_samples.c.day == day).order_by(sanitised_samples.c.timestamp, sanitised_samples.c.case_id)
    ):
        report.read += 1
        sample = dict(row, metadata=json.loads(row["metadata_json"]), input=json.loads(row["input_json"]))
        text = user_text(sample)
        result = categorise(sample, text, baseline)
        cluster = index.assign(row["case_id"], text, group=result.category)
        day_rep = day_rep_of_cluster.get(cluster)
        if day_rep is not None:
            representatives[day_rep]["duplicate_count"] += 1
            report.cluster_members.setdefault(day_rep, []).append(row["case_id"])
            report.duplicates_dropped += 1
            continue
        reasons = list(result.reasons)
        key = dedup_key(text)
        reference = references.get(cluster)
        if reference is not None:
            key = reference.dedup_key
            reasons.append(f"near_dup:{reference.status}")
            report.repeats[reference.status] += 1
        day_rep_of_cluster[cluster] = row["case_id"]
        representatives[row["case_id"]] = {
            "day": day,
            "case_id": row["case_id"],
            "category": result.category,
            "reasons": fit_reasons(reasons),
            "dedup_key": key,
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
