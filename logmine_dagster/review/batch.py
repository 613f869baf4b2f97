"""Stage 4: the weekly review batch. `build_batch` queues the week's selection (see batching.py for how
cases are chosen); reviewers' decisions come back through the app or interchange.py.

Mining is automated; labelling is human. Nothing here invents a label: a case becomes labelled only
from a decision a named reviewer made (labelled.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.core.weeks import days_of_week
from logmine_dagster.curation.coverage_feed import mark_uncovered
from logmine_dagster.review.batching import BatchPlan, plan_batch
from logmine_dagster.review.outcomes import decided_case_ids
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import candidates, review_queue


@dataclass
class BatchReport:
    week: str
    candidates: int = 0
    excluded: int = 0
    selected: int = 0
    kept_decided: int = 0
    uncovered: int = 0  # candidates in a failure cluster no eval case covers (coverage_feed)
    by_category: Counter = field(default_factory=Counter)
    chosen: list[dict] = field(default_factory=list)
    plan: BatchPlan | None = None

    @property
    def queued_uncovered(self) -> int:
        """Chosen cases from a failure cluster no eval case covers."""
        return sum(1 for c in self.chosen if c.get("uncovered_cluster"))


def build_batch(db: Database, week: str, cap: int) -> BatchReport:
    """Replace the week's undecided queue rows with a fresh selection; decided cases stay and count
    against the cap; cases queued in another week or already decided are never queued again."""
    report = BatchReport(week=week)
    days = days_of_week(week)
    pool = [dict(row) for row in db.fetch_all(sa.select(candidates).where(candidates.c.day.in_(days)))]
    report.candidates = len(pool)
    report.uncovered = mark_uncovered(db, week, pool)
    decided = decided_case_ids(db)
    queued = {row["case_id"]: row["week"] for row in db.fetch_all(sa.select(review_queue.c.case_id, review_queue.c.week))}
    kept = [case_id for case_id, queued_week in queued.items() if queued_week == week and case_id in decided]
    exclude = decided | {case_id for case_id, queued_week in queued.items() if queued_week != week}
    report.excluded = sum(1 for c in pool if c["case_id"] in exclude)
    report.kept_decided = len(kept)
    report.plan = plan_batch(pool, cap=max(cap - len(kept), 0), exclude=exclude)
    chosen = report.plan.chosen
    now = dt.datetime.now(dt.timezone.utc)
    rows = [
        {
            "case_id": c["case_id"],
            "week": week,
            "day": c["day"],
            "category": c["category"],
            "reasons": c["reasons"],
            "priority": c["priority"],
            "why": c.get("why"),
            "queued_at": now,
        }
        for c in chosen
    ]
    undecided_of_week = sa.and_(review_queue.c.week == week, review_queue.c.case_id.not_in(kept) if kept else sa.true())
    report.selected = db.replace_rows(review_queue, undecided_of_week, rows)
    report.by_category.update(c["category"] for c in chosen)
    report.chosen = chosen
    return report
