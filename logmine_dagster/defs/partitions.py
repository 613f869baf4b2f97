"""Day partitions for the logs (from LOGMINE_START_DATE), Monday-to-Sunday weeks for review.

Built when the code location loads (definitions.py), from the start date read then: never at import.
"""

import datetime as dt

import dagster as dg

from logmine_dagster.core.weeks import week_start


def daily_partitions(start: dt.date) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(start_date=start.isoformat())


def weekly_partitions(start: dt.date) -> dg.WeeklyPartitionsDefinition:
    return dg.WeeklyPartitionsDefinition(start_date=week_start(start).isoformat(), day_offset=1)
