"""Deleting raw data older than the retention period, and recording each deletion."""

import dagster as dg

from logmine_dagster.core import clock
from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.defs.resources import LogmineDatabase, LogSource, MiningPolicy
from logmine_dagster.retention.deletion import RetentionIncomplete, RetentionReport, apply_retention


@dg.asset(
    deps=["raw_logs", "sampled_logs"],
    group_name="retention",
    kinds={"file", "sqlalchemy"},
    description="Deletes raw log partitions and raw_samples rows older than retention_days (default 30) "
    "and records every deletion in retention_log (keys and counts, never content).",
)
@retry_on_transient_database_errors
def raw_log_retention(
    context: dg.AssetExecutionContext, database: LogmineDatabase, log_source: LogSource, policy: MiningPolicy
) -> dg.MaterializeResult:
    retention_days = policy.retention()
    try:
        report = apply_retention(database.get(), log_source.root_path(), clock.utc_today(), retention_days)
    except RetentionIncomplete as error:
        # Everything else was deleted and logged: fail the run with what was done and what is left.
        raise dg.Failure(description=str(error), metadata=_report_metadata(error.report, retention_days)) from error
    return dg.MaterializeResult(metadata=_report_metadata(report, retention_days))


def _report_metadata(report: RetentionReport, retention_days: int) -> dict:
    return {
        "retention_days": retention_days,
        "oldest_day_kept": report.cutoff,
        "log_partitions_deleted": len(report.deleted_partitions),
        "raw_sample_rows_deleted": int(sum(report.deleted_raw_rows.values())),
        "deleted_partitions": dg.MetadataValue.json(report.deleted_partitions),
        "deleted_raw_rows_by_day": dg.MetadataValue.json(report.deleted_raw_rows),
        "log_partitions_not_deleted": dg.MetadataValue.json(report.failed_partitions),
    }
