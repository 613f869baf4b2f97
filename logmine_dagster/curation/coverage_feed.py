"""Uncovered failure clusters into the next weekly batch: the week's candidates that belong to, or are
near, a failure cluster no eval case covers get `uncovered_cluster` (`<week>/<cluster id>`), which the
batch planner (review/batching.py) adds to their priority.

Clusters come from the latest measured week before the batch's week and from the batch's own week
when it was measured already (a re-run of the batch). A candidate is in a cluster when its case id is
a member, or when its text is near the cluster's first failure with the coverage bar itself
(failure_coverage.COVERED_SIMILARITY): the same failure coming back is what the eval set misses.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.curation.failure_coverage import COVERED_SIMILARITY, text_of
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import failure_coverage, sanitised_samples


def feeding_weeks(db: Database, week: str) -> list[str]:
    measured = sorted({row["week"] for row in db.fetch_all(sa.select(failure_coverage.c.week).distinct())})
    before = [w for w in measured if w < week]
    return before[-1:] + ([week] if week in measured else [])


def uncovered_clusters(db: Database, week: str) -> list[dict]:
    weeks = feeding_weeks(db, week)
    if not weeks:
        return []
    statement = sa.select(failure_coverage).where(failure_coverage.c.week.in_(weeks), failure_coverage.c.covered.is_(False))
    return [dict(row) for row in db.fetch_all(statement.order_by(failure_coverage.c.week, failure_coverage.c.cluster_id))]


def _texts(db: Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Texts of (day, case_id) keys still in the sanitised tier (retention may have removed some)."""
    texts = {}
    by_day: dict[str, list[str]] = {}
    for day, case_id in keys:
        by_day.setdefault(day, []).append(case_id)
    columns = sanitised_samples.c
    for day, ids in by_day.items():
        for start in range(0, len(ids), 500):
            statement = sa.select(columns.case_id, columns.input_json).where(columns.day == day, columns.case_id.in_(ids[start:start + 500]))
            for row in db.fetch_all(statement):
                texts[(day, row["case_id"])] = text_of(row["input_json"])
    return texts


def mark_uncovered(db: Database, week: str, pool: list[dict]) -> int:
    """Tag the pool's candidates that fall in an uncovered cluster; returns how many were tagged."""
    clusters = uncovered_clusters(db, week)
    if not clusters or not pool:
        return 0
    label = {c["cluster_id"]: f"{c['week']}/{c['cluster_id']}" for c in clusters}
    by_member = {}
    for cluster in clusters:
        for member in json.loads(cluster["member_ids"]):
            by_member.setdefault(member, label[cluster["cluster_id"]])
    unmatched = [c for c in pool if c["case_id"] not in by_member]
    for candidate in pool:
        if candidate["case_id"] in by_member:
            candidate["uncovered_cluster"] = by_member[candidate["case_id"]]
    representatives = _texts(db, [(c["day"], c["cluster_id"]) for c in clusters])
    if unmatched and representatives:
        from logmine_dagster.curation.novelty import NoveltyIndex

        keys = list(representatives)
        index = NoveltyIndex([representatives[k] for k in keys])
        candidate_texts = _texts(db, [(c["day"], c["case_id"]) for c in unmatched])
        scored = [c for c in unmatched if (c["day"], c["case_id"]) in candidate_texts]
        for candidate, novelty in zip(scored, index.score([candidate_texts[(c["day"], c["case_id"])] for c in scored])):
            if novelty.tokens and novelty.nearest >= 0 and 1.0 - novelty.score >= COVERED_SIMILARITY:
                candidate["uncovered_cluster"] = label[keys[novelty.nearest][1]]
    return sum(1 for c in pool if c.get("uncovered_cluster"))
