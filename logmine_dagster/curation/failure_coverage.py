"""Failure coverage: which of the week's production failures the eval set would catch.

A *failure* is a sanitised sample (the PII-free tier, never raw logs) with at least one failure signal:
an error status, low confidence, an escalation to a human, or negative feedback. The week's failures
are clustered on their user text by the near-duplicate machinery (near_duplicates.py, MinHash on
character shingles, Jaccard >= 0.6), so a failure repeated all week counts once per cluster and a
cluster's size says how often production hit it.

A cluster is *covered* when one of its members is near an eval case: the TF-IDF cosine similarity of
novelty.py (eval cases as the reference) is at least `COVERED_SIMILARITY`, i.e. the member's novelty
against the eval set is below `NOVEL_THRESHOLD` (0.45): the same bar curation uses to call a text new.
A member of nothing but placeholders is covered only by an eval case with the same normal form.

Shares are weighted by cluster size (what share of the week's failures fall in covered clusters), per
category (the category curation gave the members, `uncategorised` when no candidate holds them) and per
signal (a cluster counts under each signal one of its members shows). Results go to `failure_coverage`
as ids, sizes and reason codes, never text: they feed the next weekly batch (coverage_feed.py) and the
operator's views.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.core.weeks import days_of_week
from logmine_dagster.curation.near_duplicates import NearDuplicateIndex, normalise
from logmine_dagster.curation.novelty import NOVEL_THRESHOLD
from logmine_dagster.ingest.records import user_text
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import candidates, eval_cases, failure_coverage, sanitised_samples

FAILURE_SIGNALS = ("error", "low_confidence", "escalated", "negative_feedback")
COVERED_SIMILARITY = round(1.0 - NOVEL_THRESHOLD, 4)  # 0.55
UNCATEGORISED = "uncategorised"
TOP_REASONS = 3


def failure_signals(row: dict) -> list[str]:
    """The failure signals of one sanitised sample, with curation's rules (categorise.edge_case_reasons)."""
    signals = []
    if row.get("status") == "error":
        signals.append("error")
    if "low_confidence" in (row.get("sample_reasons") or ""):
        signals.append("low_confidence")
    if row.get("escalated"):
        signals.append("escalated")
    if row.get("feedback") == "down":
        signals.append("negative_feedback")
    return signals


@dataclass
class FailureCluster:
    cluster_id: str
    day: str
    category: str
    member_ids: list[str]
    signals: list[str]
    reasons: list[str]
    covered: bool = False
    similarity: float = 0.0
    nearest_eval_case: str | None = None

    @property
    def size(self) -> int:
        return len(self.member_ids)


@dataclass
class CoverageReport:
    week: str
    eval_cases: int
    failures: int
    clusters: list[FailureCluster] = field(default_factory=list)


def text_of(input_json: str) -> str:
    return user_text({"input": json.loads(input_json)})


def week_failures(db: Database, week: str) -> list[dict]:
    """The week's sanitised samples with a failure signal, in (day, case_id) order, with their text."""
    columns = sanitised_samples.c
    statement = (
        sa.select(columns.day, columns.case_id, columns.status, columns.sample_reasons, columns.escalated,
                  columns.feedback, columns.input_json)
        .where(columns.day.in_(days_of_week(week)))
        .order_by(columns.day, columns.case_id)
    )
    failures = []
    for row in db.fetch_all(statement):
        signals = failure_signals(dict(row))
        if signals:
            failures.append({"day": row["day"], "case_id": row["case_id"], "signals": signals, "text": text_of(row["input_json"])})
    return failures


def _curation_of(db: Database, week: str) -> dict[str, tuple[str, list[str]]]:
    """case_id -> (category, reason codes) for every case the week's candidates hold, collapsed duplicates included."""
    held: dict[str, tuple[str, list[str]]] = {}
    statement = sa.select(candidates.c.case_id, candidates.c.category, candidates.c.reasons, candidates.c.duplicate_ids)
    for row in db.fetch_all(statement.where(candidates.c.day.in_(days_of_week(week)))):
        value = (row["category"], [r for r in (row["reasons"] or "").split(",") if r])
        held[row["case_id"]] = value
        for member in json.loads(row["duplicate_ids"] or "[]"):
            held.setdefault(member, value)
    return held


def cluster_failures(failures: list[dict], curation: dict[str, tuple[str, list[str]]]) -> list[FailureCluster]:
    index = NearDuplicateIndex()
    members: dict[str, list[dict]] = defaultdict(list)
    for failure in failures:
        members[index.assign(failure["case_id"], failure["text"])].append(failure)
    clusters = []
    for representative, group in members.items():
        categories, reasons, signals = Counter(), Counter(), Counter()
        for failure in group:
            category, codes = curation.get(failure["case_id"], (UNCATEGORISED, []))
            categories[category] += 1
            reasons.update(codes or [f"signal:{s}" for s in failure["signals"]])
            signals.update(failure["signals"])
        clusters.append(
            FailureCluster(
                cluster_id=representative,
                day=group[0]["day"],
                category=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
                member_ids=[f["case_id"] for f in group],
                signals=[s for s in FAILURE_SIGNALS if signals[s]],
                reasons=[code for code, _ in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]],
            )
        )
    return clusters


def eval_texts(db: Database) -> list[tuple[str, str]]:
    rows = db.fetch_all(sa.select(eval_cases.c.case_id, eval_cases.c.input_json).order_by(eval_cases.c.case_id))
    return [(row["case_id"], text_of(row["input_json"])) for row in rows]


def mark_coverage(clusters: list[FailureCluster], failures: list[dict], evals: list[tuple[str, str]]) -> None:
    """Set each cluster's best member similarity to an eval case, its nearest eval case, and `covered`."""
    from logmine_dagster.curation.novelty import NoveltyIndex

    if not clusters or not evals:  # an empty eval set covers nothing (and gives the TF-IDF nothing to fit)
        return
    by_case = {f["case_id"]: f for f in failures}
    eval_normal = {normalise(text): case_id for case_id, text in evals}
    index = NoveltyIndex([text for _, text in evals])
    for cluster in clusters:
        texts = [by_case[case_id]["text"] for case_id in cluster.member_ids]
        best, nearest = 0.0, None
        for text, novelty in zip(texts, index.score(texts)):
            if novelty.tokens == 0:  # placeholders only: near nothing but an identical eval input
                same = eval_normal.get(normalise(text))
                similarity, near = (1.0, same) if same else (0.0, None)
            else:
                similarity = 0.0 if novelty.nearest < 0 else round(1.0 - novelty.score, 4)
                near = evals[novelty.nearest][0] if novelty.nearest >= 0 else None
            if similarity > best:
                best, nearest = similarity, near
        cluster.similarity, cluster.nearest_eval_case = best, nearest
        cluster.covered = best >= COVERED_SIMILARITY


def measure_coverage(db: Database, week: str) -> CoverageReport:
    failures = week_failures(db, week)
    clusters = cluster_failures(failures, _curation_of(db, week))
    evals = eval_texts(db)
    mark_coverage(clusters, failures, evals)
    return CoverageReport(week=week, eval_cases=len(evals), failures=len(failures), clusters=clusters)


def store_coverage(db: Database, report: CoverageReport, now: dt.datetime | None = None) -> int:
    """Replace the week's rows: a re-run measures the week again against the eval set of its time."""
    now = now or dt.datetime.now(dt.timezone.utc)
    rows = [
        {
            "week": report.week,
            "cluster_id": c.cluster_id,
            "day": c.day,
            "size": c.size,
            "category": c.category,
            "signals": ",".join(c.signals),
            "reasons": ",".join(c.reasons)[:300],
            "covered": c.covered,
            "similarity": c.similarity,
            "nearest_eval_case": c.nearest_eval_case,
            "member_ids": json.dumps(c.member_ids),
            "eval_cases": report.eval_cases,
            "computed_at": now,
        }
        for c in report.clusters
    ]
    return db.replace_rows(failure_coverage, failure_coverage.c.week == report.week, rows)


def coverage_rows(db: Database, week: str | None = None) -> list[dict]:
    statement = sa.select(failure_coverage).order_by(failure_coverage.c.week, failure_coverage.c.cluster_id)
    if week is not None:
        statement = statement.where(failure_coverage.c.week == week)
    return [dict(row) for row in db.fetch_all(statement)]
