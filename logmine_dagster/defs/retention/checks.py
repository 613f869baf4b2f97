"""The retention guarantee, checked after every retention run: nothing older than the period survives."""

import dagster as dg

from logmine_dagster.core import clock
from logmine_dagster.defs.resources import LogmineDatabase, LogSource, MiningPolicy
from logmine_dagster.defs.retention.assets import raw_log_retention
from logmine_dagster.retention.deletion import retention_violations


@dg.asset_check(
    asset=raw_log_retention,
    blocking=True,
    description="Nothing older than the retention period survives: no dt= log folder and no raw_samples row.",
)
def raw_logs_within_retention(database: LogmineDatabase, log_source: LogSource, policy: MiningPolicy) -> dg.AssetCheckResult:
    stale = retention_violations(
        database.get(), log_source.root_path(), clock.utc_today(), policy.retention()
    )
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"stale_items": len(stale), "stale": dg.MetadataValue.json(stale[:50])},
    )
