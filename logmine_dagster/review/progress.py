"""How far each weekly batch is: counts per status and inter-reviewer agreement, for the queue page
and the review assets' metadata."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from logmine_dagster.review.agreement import agreement_for
from logmine_dagster.review.queue import CaseState, case_states
from logmine_dagster.storage import Database


@dataclass
class BatchSummary:
    week: str
    total: int
    decided: int
    flagged: int
    disputed: int
    open: int
    agreement: dict | None = None

    @property
    def progress(self) -> str:
        return f"{self.decided} / {self.total} decided"


def summarise(week: str, states: list[CaseState]) -> BatchSummary:
    """The batch's counts (without agreement, which costs more: see with_agreement)."""
    counts = Counter(s.status for s in states)
    return BatchSummary(
        week=week,
        total=len(states),
        decided=counts["accepted"] + counts["discarded"] + counts["flagged"],
        flagged=counts["flagged"],
        disputed=counts["disputed"],
        open=counts["open"],
    )


def with_agreement(week: str, states: list[CaseState]) -> BatchSummary:
    summary = summarise(week, states)
    summary.agreement = agreement_for(states)
    return summary


def batch_summaries(db: Database) -> list[BatchSummary]:
    """The newest batch, and every earlier batch that still has open or disputed cases; newest first
    (each under its week's stored reviews-per-case policy)."""
    by_week: dict[str, list[CaseState]] = defaultdict(list)
    for state in case_states(db):
        by_week[state.week].append(state)
    summaries = []
    for index, week in enumerate(sorted(by_week, reverse=True)):
        summary = summarise(week, by_week[week])
        if index == 0 or summary.open or summary.disputed:
            summary.agreement = agreement_for(by_week[week])
            summaries.append(summary)
    return summaries


def agreement_by_week(db: Database) -> dict[str, dict]:
    """Inter-reviewer agreement (Cohen's kappa, Krippendorff's alpha) of every week with cases reviewed twice or more."""
    by_week: dict[str, list] = {}
    for state in case_states(db, reviews_per_case=1):
        by_week.setdefault(state.week, []).append(state)
    result = {}
    for week, states in sorted(by_week.items()):
        agreement = agreement_for(states)
        if agreement is not None:
            result[week] = agreement
    return result
