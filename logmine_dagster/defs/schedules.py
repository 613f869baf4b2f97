"""Weekly review batch (Monday 06:00 UTC), weekly eval-set rebuild, and daily retention."""

import dagster as dg

from logmine_dagster.defs.jobs import eval_set_job, retention_job, weekly_review_batch_job

weekly_review_batch_schedule = dg.build_schedule_from_partitioned_job(
    weekly_review_batch_job,
    hour_of_day=6,
    day_of_week=1,
    name="weekly_review_batch_schedule",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 06:00 UTC: the batch of the week that just ended.",
)

weekly_eval_set_schedule = dg.ScheduleDefinition(
    name="weekly_eval_set_schedule",
    job=eval_set_job,
    cron_schedule="0 5 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 05:00 UTC: collect the past week's decisions into the eval set.",
)

daily_retention_schedule = dg.ScheduleDefinition(
    name="daily_retention_schedule",
    job=retention_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day 03:00 UTC: delete raw data past the retention period.",
)
