"""Blocking checks on the eval set: every case human-labelled, and the quality suite passing."""

import dagster as dg

from logmine_dagster.defs.evalset.assets import eval_set
from logmine_dagster.defs.resources import LogmineDatabase
from logmine_dagster.evalset.build import unlabelled_eval_cases
from logmine_dagster.lib.metadata import offending_cases_result


@dg.asset_check(
    asset=eval_set,
    blocking=True,
    description="Every eval case has a human reviewer's accept decision and a non-empty expected output.",
)
def eval_cases_all_human_labelled(database: LogmineDatabase) -> dg.AssetCheckResult:
    return offending_cases_result("unlabelled_cases", unlabelled_eval_cases(database.get()))


@dg.asset_check(
    asset=eval_set,
    blocking=True,
    description="Great Expectations suite over the eval cases: unique ids, non-empty input and expected output, "
    "category in the allowed set, lengths within bounds, no duplicate inputs, release versions monotonic.",
)
def eval_set_quality(database: LogmineDatabase) -> dg.AssetCheckResult:
    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.evalset.quality import cases_frame, load_releases_frame, run_quality_suite

    db = database.get()
    result = run_quality_suite(cases_frame(eval_case_dicts(db)), releases=load_releases_frame(db))
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            **result.numbers(),
            "expectations": dg.MetadataValue.md(result.markdown()),
            "failures": dg.MetadataValue.json(result.failures),
            "case_ids": dg.MetadataValue.json(result.case_ids()),
        },
        description=None if result.passed else f"{len(result.failures)} expectation(s) failed: " + "; ".join(result.failures),
    )
