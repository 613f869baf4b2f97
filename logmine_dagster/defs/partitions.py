"""Day partitions for the logs (from LOGMINE_START_DATE), Monday-to-Sunday weeks for review."""

import dagster as dg

from logmine_dagster.core.config import Settings
from logmine_dagster.core.weeks import week_start

_start = Settings.from_env().start_date

daily_partitions = dg.DailyPartitionsDefinition(start_date=_start.isoformat())
weekly_partitions = dg.WeeklyPartitionsDefinition(start_date=week_start(_start).isoformat(), day_offset=1)
