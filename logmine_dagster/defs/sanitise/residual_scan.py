"""The residual-PII re-read of a published day, in as many shard steps as sanitising had, and the step
that ends the `sanitised_samples` graph: it emits the materialisation once every scan shard has staged
its finding counts (in the database) for the blocking check `sanitised_samples_no_residual_pii`."""

import dagster as dg

from logmine_dagster.defs.resources import LogmineDatabase, PresidioSanitiser
from logmine_dagster.lib.metadata import counts_markdown
from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.sanitise.refusals import refusal_summary
from logmine_dagster.sanitise.sanitise_day import residual_pii_in_shard
from logmine_dagster.sanitise.shard_staging import published_report, stage_residual_shard


def root_run_id(context) -> str:
    # A retry "from failure" is a new run with the same root: it finds what the original run staged.
    return context.run.root_run_id or context.run_id


def residual_scan_shard_op(shard: int, shard_count: int) -> dg.OpDefinition:
    @dg.op(
        name=f"residual_scan_shard_{shard}",
        ins={"published": dg.In(dg.Nothing)},
        out=dg.Out(dg.Nothing),
        tags={"logmine/shard": str(shard)},
        description=f"Re-reads shard {shard + 1} of {shard_count} of the published rows for residual PII (counts only).",
    )
    @retry_on_transient_database_errors
    def residual_scan_shard(context: dg.OpExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser) -> None:
        findings = residual_pii_in_shard(database.get(), presidio.key(), context.partition_key, shard, shard_count)
        stage_residual_shard(database.get(), context.partition_key, root_run_id(context), shard, shard_count, findings)

    return residual_scan_shard


def ready_op(shard_count: int) -> dg.OpDefinition:
    @dg.op(
        name="sanitised_samples_ready",
        ins={"scans_done": dg.In(dg.Nothing)},
        out=dg.Out(dg.Nothing),
        description="Emits the day's materialisation with the publish step's counts, once every scan shard has staged.",
    )
    @retry_on_transient_database_errors
    def sanitised_samples_ready(context: dg.OpExecutionContext, database: LogmineDatabase) -> dg.Output:
        report = published_report(database.get(), context.partition_key, root_run_id(context))
        return dg.Output(
            None,
            metadata={
                "records_read": report.read,
                "records_written": report.written,
                "records_quarantined": report.quarantined,
                "entities_masked": int(sum(report.entity_counts.values())),
                # Per-type counts as a table, not a plot each: a few dozen entity types would bury the totals.
                "shards": shard_count,
                "masked_by_type": counts_markdown(report.entity_counts, "entity type"),
                "quarantined_by_reason": counts_markdown(report.quarantine_reasons, "reason"),
                # Fields outside the declared schema of the PII-free tier (sanitise/schema.py): dropped, by label.
                "fields_dropped": int(sum(report.dropped_fields.values())),
                "dropped_by_field": counts_markdown(report.dropped_fields, "field"),
                # The day's refusal rate, overall and for failed vs successful conversations (counts only).
                "refusals_by_outcome": dg.MetadataValue.json(refusal_summary(report.read_by_outcome, report.refused_by_outcome)),
                # Seconds added over the shards: the sanitiser's part and the residual gate's (profiling).
                "seconds_by_part": dg.MetadataValue.json({part: round(s, 3) for part, s in sorted(report.seconds.items())}),
            },
        )

    return sanitised_samples_ready
