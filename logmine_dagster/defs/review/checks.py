"""What the reviewers' work guarantees, checked on labelled_cases."""

import dagster as dg
import sqlalchemy as sa

from logmine_dagster.defs.resources import LogmineDatabase
from logmine_dagster.defs.review.assets import labelled_cases
from logmine_dagster.lib.metadata import offending_cases_result
from logmine_dagster.review.labelled import flagged_labelled_case_ids, incomplete_labelled_case_ids
from logmine_dagster.review.quarantine import pii_flags_by_week
from logmine_dagster.storage.schema import review_queue


@dg.asset_check(
    asset=labelled_cases,
    blocking=True,
    description="No case a reviewer flagged for PII is in labelled_cases. Blocking: a leaked case would flow "
    "into the eval set and its immutable releases, so eval_set must not run.",
)
def labelled_cases_no_pii_flagged(database: LogmineDatabase) -> dg.AssetCheckResult:
    leaked = flagged_labelled_case_ids(database.get())
    return offending_cases_result(
        "pii_flagged_labelled_cases", leaked, f"{len(leaked)} labelled case(s) were flagged for PII by a reviewer"
    )


@dg.asset_check(
    asset=labelled_cases,
    blocking=True,
    description="Every labelled case has a reviewer, an accept or discard decision, and, when accepted, a "
    "non-empty expected output.",
)
def labelled_cases_complete_decisions(database: LogmineDatabase) -> dg.AssetCheckResult:
    return offending_cases_result("incomplete_cases", incomplete_labelled_case_ids(database.get()))


@dg.asset_check(
    asset=labelled_cases,
    blocking=False,
    description="Reviewers found no PII the sanitiser missed in the newest review week. Warning only: flagged "
    "cases are already quarantined, so nothing leaks; a miss asks for a sanitiser fix, not a stop.",
)
def review_found_no_sanitiser_misses(database: LogmineDatabase) -> dg.AssetCheckResult:
    db = database.get()
    weeks = sorted({row["week"] for row in db.fetch_all(sa.select(review_queue.c.week).distinct())})
    misses = pii_flags_by_week(db)
    latest = weeks[-1] if weeks else None
    count = int(misses.get(latest, 0)) if latest else 0
    return dg.AssetCheckResult(
        passed=count == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"review_week": latest or "none", "sanitiser_misses": count, "sanitiser_misses_total": int(sum(misses.values()))},
        description=None if count == 0 else f"reviewers flagged {count} case(s) of {latest} for PII the sanitiser missed",
    )
