"""Blocking checks on the PII-free tier: no residual PII, and every planted canary removed."""

import dagster as dg

from logmine_dagster.defs.resources import PresidioSanitiser, LogmineDatabase
from logmine_dagster.sanitise.sanitise_day import residual_pii_in_day
from logmine_dagster.sanitise.shard_staging import take_residual_verdict


@dg.asset_check(
    asset="sanitised_samples",
    blocking=True,
    description="Re-reads the stored sanitised rows with an independent scanner (strict regexes plus every "
    "value that scanner finds in the raw record). Any finding fails the check and blocks downstream assets. "
    "After a materialisation the re-read ran in the asset's scan shard steps; run alone, it scans here.",
)
def sanitised_samples_no_residual_pii(
    context: dg.AssetCheckExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser
) -> dg.AssetCheckResult:
    day = context.run.tags.get("dagster/partition")
    if day is None:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR, description="run has no partition")
    run_id = context.run.root_run_id or context.run.run_id
    findings = take_residual_verdict(database.get(), day, run_id)
    sharded = findings is not None
    if findings is None:  # the check run on its own: the same scan, in one step
        findings = residual_pii_in_day(database.get(), presidio.key(), day)
    total = int(sum(findings.values()))
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"partition": day, "residual_findings": total, "scanned_in_shards": sharded, **{f"found_{kind}": int(n) for kind, n in findings.items()}},
        description=None if total == 0 else f"{total} residual PII finding(s) in the sanitised tier for {day}",
    )


@dg.asset_check(
    asset="sanitised_samples",
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
