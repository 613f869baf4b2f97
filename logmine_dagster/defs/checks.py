"""Asset checks: the guarantees logmine makes, checked on every materialisation."""

import datetime as dt

import dagster as dg

from logmine_dagster.defs.assets.evalset import eval_set
from logmine_dagster.defs.assets.retention import raw_log_retention
from logmine_dagster.defs.assets.sanitise import sanitised_samples
from logmine_dagster.defs.metadata import offending_cases_result
from logmine_dagster.defs.resources import LogmineDatabase, LogSource, MiningPolicy, PresidioSanitiser
from logmine_dagster.stages.evalset import unlabelled_eval_cases
from logmine_dagster.stages.retention import retention_violations
from logmine_dagster.stages.sanitise import residual_pii_in_day


@dg.asset_check(
    asset=sanitised_samples,
    blocking=True,
    description="Re-reads the stored sanitised rows with an independent scanner (strict regexes plus every "
    "value that scanner finds in the raw record). Any finding fails the check and blocks downstream assets.",
)
def sanitised_samples_no_residual_pii(
    context: dg.AssetCheckExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser
) -> dg.AssetCheckResult:
    day = context.run.tags.get("dagster/partition")
    if day is None:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR, description="run has no partition")
    findings = residual_pii_in_day(database.get(), presidio.key(), day)
    total = int(sum(findings.values()))
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"partition": day, "residual_findings": total, **{f"found_{kind}": int(n) for kind, n in findings.items()}},
        description=None if total == 0 else f"{total} residual PII finding(s) in the sanitised tier for {day}",
    )


@dg.asset_check(
    asset=sanitised_samples,
    blocking=True,
    description="Pushes a fixed set of planted canary records (every PII kind, in messages, tool calls, tool "
    "results and metadata) through the same sanitiser and requires every planted value to be gone.",
)
def sanitiser_canaries_removed(presidio: PresidioSanitiser) -> dg.AssetCheckResult:
    from logmine_dagster.sanitise.canaries import run_canaries

    report = run_canaries(presidio.sanitiser(), pseudonym_key=presidio.key())
    return dg.AssetCheckResult(
        passed=report.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "canaries_total": report.total,
            "canaries_leaked": report.leaked,
            "leaked_kinds": dg.MetadataValue.json(dict(report.leaked_kinds)),
        },
    )


@dg.asset_check(
    asset=raw_log_retention,
    blocking=True,
    description="Nothing older than the retention period survives: no dt= log folder and no raw_samples row.",
)
def raw_logs_within_retention(database: LogmineDatabase, log_source: LogSource, policy: MiningPolicy) -> dg.AssetCheckResult:
    stale = retention_violations(
        database.get(), log_source.root_path(), dt.datetime.now(dt.timezone.utc).date(), policy.retention()
    )
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"stale_items": len(stale), "stale": dg.MetadataValue.json(stale[:50])},
    )


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
