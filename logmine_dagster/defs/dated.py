"""What depends on the settings read when the code location loads: the day and week partitions
(LOGMINE_START_DATE), the partitioned assets, the sanitise shard steps (LOGMINE_SANITISE_SHARDS)
and the sensor's interval (LOGMINE_SENSOR_INTERVAL_S). Nothing here reads the environment at import."""

import dagster as dg

from logmine_dagster.core.config import Settings
from logmine_dagster.defs.curate.assets import categorised_candidates_asset
from logmine_dagster.defs.evalset.coverage import eval_coverage_asset
from logmine_dagster.defs.ingest.assets import ingest_assets
from logmine_dagster.defs.partitions import daily_partitions, weekly_partitions
from logmine_dagster.defs.review.assets import review_batch_asset
from logmine_dagster.defs.sanitise.assets import sanitised_samples_asset
from logmine_dagster.defs.sensors import new_log_partitions_sensor


def dated_definitions(settings: Settings, shard_count: int) -> dg.Definitions:
    daily = daily_partitions(settings.start_date)
    weekly = weekly_partitions(settings.start_date)
    return dg.Definitions(
        assets=[
            *ingest_assets(daily),
            sanitised_samples_asset(daily, shard_count),
            categorised_candidates_asset(daily),
            review_batch_asset(weekly),
            eval_coverage_asset(weekly),
        ],
        sensors=[new_log_partitions_sensor(settings.start_date, settings.sensor_interval_s)],
    )
