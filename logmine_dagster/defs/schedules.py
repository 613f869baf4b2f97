"""Every Monday: the eval-set rebuild (05:00 UTC), the past week's failure coverage against it (05:30),
then that week's review batch (06:00), which the uncovered clusters feed; daily retention."""

import dagster as dg

from logmine_dagster.defs.jobs import eval_set_job, retention_job, weekly_eval_coverage_job, weekly_review_batch_job

weekly_review_batch_schedule = dg.build_schedule_from_partitioned_job(
    weekly_review_batch_job,
    hour_of_day=6,
    day_of_week=1,
    name="weekly_review_batch_schedule",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 06:00 UTC: the batch of the week that just ended.",
)

weekly_eval_coverage_schedule = dg.build_schedule_from_partitioned_job(
    weekly_eval_coverage_job,
    hour_of_day=5,
    minute_of_hour=30,
    day_of_week=1,
    name="weekly_eval_coverage_schedule",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 05:30 UTC: the week that just ended, measured against the eval set rebuilt at 05:00.",
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
