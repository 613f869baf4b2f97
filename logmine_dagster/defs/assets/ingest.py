"""Raw logs (an external asset) and the daily sample of them (raw tier: holds PII)."""

import dagster as dg

from logmine_dagster.defs.metadata import counts_markdown, per_key_counts
from logmine_dagster.defs.partitions import daily_partitions
from logmine_dagster.defs.resources import LogmineDatabase, LogSource, MiningPolicy
from logmine_dagster.defs.retries import retry_on_transient_database_errors
from logmine_dagster.sampling import REASON_ORDER
from logmine_dagster.stages.sample import sample_day

raw_logs = dg.AssetSpec(
    "raw_logs",
    description="Production LLM call logs, one JSON line per call, under LOGMINE_LOG_ROOT/dt=YYYY-MM-DD/. "
    "Written by the application, not by logmine; deleted by raw_log_retention.",
    partitions_def=daily_partitions,
    group_name="ingest",
    kinds={"file"},
    tags={"tier": "raw"},
)


@dg.asset(
    deps=[raw_logs],
    partitions_def=daily_partitions,
    group_name="ingest",
    kinds={"sqlalchemy"},
    tags={"tier": "raw"},
    description="Deterministic hash sample of the day's records plus every error, low-confidence, escalated "
    "or thumbs-down record, each with its reasons. Raw tier: holds PII, under retention.",
)
@retry_on_transient_database_errors
def sampled_logs(
    context: dg.AssetExecutionContext, database: LogmineDatabase, log_source: LogSource, policy: MiningPolicy
) -> dg.MaterializeResult:
    day = context.partition_key
    if not log_source.has_day(day):
        # Replacing the partition with nothing would wipe an earlier sample (e.g. an unmounted log root,
        # or a day already deleted by retention): refuse and change nothing.
        raise dg.Failure(
            description=f"no dt={day} folder under the log root {log_source.root_path()}: nothing was changed",
            allow_retries=False,
        )
    sampling = policy.sampling()
    report = sample_day(database.get(), log_source.root_path(), day, sampling, log_source.read_day(day))
    if report.files == 0:
        context.log.warning(f"no log files under dt={day}: the partition is empty")
    if report.quarantined:
        context.log.warning(f"{report.quarantined} bad line(s) quarantined in ingest_quarantine for {day}")
    return dg.MaterializeResult(
        metadata={
            "files": report.files,
            "records_scanned": report.scanned,
            "records_sampled": report.sampled,
            "lines_quarantined": report.quarantined,
            "excluded_opt_out": report.excluded_opt_out,
            "excluded_user_cap": report.excluded_user_cap,
            "opted_out_entries": len(sampling.opted_out_users) + len(sampling.opted_out_tenants),
            "max_per_user_per_day": sampling.max_per_user_per_day or 0,
            "sample_rate": sampling.rate,
            "low_confidence_threshold": sampling.low_confidence_threshold,
            **{f"sampled_{reason}": int(report.by_reason.get(reason, 0)) for reason in REASON_ORDER},
            **per_key_counts(report.quarantine_reasons, "quarantined"),
            "sampled_by_reason": counts_markdown(report.by_reason, "reason"),
            "quarantined_by_reason": counts_markdown(report.quarantine_reasons, "reason"),
        }
    )
