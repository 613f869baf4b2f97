"""The sanitised tier: every text field through Presidio, ids replaced by keyed pseudonyms."""

import dagster as dg

from logmine_dagster.defs.assets.ingest import sampled_logs
from logmine_dagster.defs.metadata import counts_markdown, per_key_counts
from logmine_dagster.defs.partitions import daily_partitions
from logmine_dagster.defs.resources import LogmineDatabase, PresidioSanitiser
from logmine_dagster.stages.sanitise import RawTierGone, sanitise_day


@dg.asset(
    deps=[sampled_logs],
    partitions_def=daily_partitions,
    group_name="sanitise",
    kinds={"presidio", "sqlalchemy"},
    tags={"tier": "sanitised"},
    description="Sampled records with every text field sanitised (typed placeholders) and ids pseudonymised. "
    "The asset re-scans its own output and refuses to write any record that still shows PII.",
)
def sanitised_samples(
    context: dg.AssetExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser
) -> dg.MaterializeResult:
    day = context.partition_key
    try:
        report = sanitise_day(database.get(), presidio.sanitiser(), presidio.key(), day)
    except RawTierGone as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    if report.quarantined:
        context.log.warning(f"{report.quarantined} record(s) refused by the residual-PII gate, see sanitiser_quarantine")
    return dg.MaterializeResult(
        metadata={
            "records_read": report.read,
            "records_written": report.written,
            "records_quarantined": report.quarantined,
            "entities_masked": int(sum(report.entity_counts.values())),
            **per_key_counts(report.entity_counts, "masked"),
            "masked_by_type": counts_markdown(report.entity_counts, "entity type"),
            "quarantined_by_reason": counts_markdown(report.quarantine_reasons, "reason"),
        }
    )
