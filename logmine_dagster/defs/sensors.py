"""Picking up new (and rewritten) day partitions under the log root."""

import datetime as dt
import json

import dagster as dg

from logmine_dagster.core import clock
from logmine_dagster.defs.jobs import daily_mining_job
from logmine_dagster.defs.resources import LogSource

SENSOR_NAME = "new_log_partitions_sensor"
# Dagster's own tags: the daemon skips a request whose run key already has a run tagged with this
# sensor's name, whoever launched it (the daemon itself, or `logmine demo` running the day in process).
RUN_KEY_TAG = "dagster/run_key"
SENSOR_NAME_TAG = "dagster/sensor_name"
# Every run the sensor requests carries this tag, and the instance's run queue starts at most one run with
# it at a time (dagster.yaml, and the demo's instance), oldest queued first. The sensor queues days oldest
# first, so a catch-up over several new days categorises each day after the day before it
# (categorised_candidates reads the earlier days), however many days come at once.
DAY_ORDER_TAG = "logmine/day_order"


def run_key(day: str, fingerprint: str) -> str:
    """The fingerprint is part of the run key: a rewritten day runs again, an unchanged one never."""
    return f"{day}:{fingerprint}"


def day_run_tags(day: str, fingerprint: str) -> dict[str, str]:
    """Tags of a daily run for `day` as the sensor sees it; `logmine demo` puts the same tags (with
    Dagster's run-key and sensor-name tags) on the runs it executes, so the sensor never repeats them."""
    return {"logmine/day": day, "logmine/fingerprint": fingerprint, DAY_ORDER_TAG: "oldest_first"}


def complete_days(candidates: list[str], start: str, today: dt.date) -> list[str]:
    """Days the daily partitions cover: from the start date up to yesterday (today is still being written)."""
    return [day for day in candidates if start <= day < today.isoformat()]


def plan_requests(
    seen: dict[str, str], present: list[str], fingerprint, start: str, today: dt.date
) -> tuple[list[dg.RunRequest], dict[str, str]]:
    """Run requests for the days that are new or whose files changed since `seen` (day -> fingerprint),
    and the next cursor. `fingerprint(day)` comes from the listing (names, sizes, mtimes or ETags): no file is read."""
    requests = []
    for day in sorted(complete_days(present, start, today)):  # queued oldest first (DAY_ORDER_TAG)
        fingerprint_now = fingerprint(day)
        if seen.get(day) != fingerprint_now:
            requests.append(
                dg.RunRequest(run_key=run_key(day, fingerprint_now), partition_key=day, tags=day_run_tags(day, fingerprint_now))
            )
            seen[day] = fingerprint_now
    # Forget days deleted by retention so the cursor does not grow for ever.
    present_days = set(present)
    return requests, {day: fp for day, fp in seen.items() if day in present_days}


def new_log_partitions_sensor(start_date: dt.date, interval_s: int) -> dg.SensorDefinition:
    """The sensor over days from `start_date` (LOGMINE_START_DATE), ticking every `interval_s`
    seconds (LOGMINE_SENSOR_INTERVAL_S): both read when the code location loads."""

    @dg.sensor(
        name=SENSOR_NAME,
        job=daily_mining_job,
        minimum_interval_seconds=interval_s,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requests a daily_mining_job run for every dt= folder that is new or whose files changed.",
    )
    def sensor(context: dg.SensorEvaluationContext, log_source: LogSource) -> dg.SensorResult:
        return request_new_days(context, log_source, start_date.isoformat())

    return sensor


def seen_from_runs(instance: dg.DagsterInstance) -> dict[str, str]:
    """day -> fingerprint of the daily runs already made under this sensor's name: the cursor a sensor
    starts from when it has none (a new deployment over an instance `logmine demo` filled, or a reset
    sensor), so it does not mine those days again. One query, once per cursor lost."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=daily_mining_job.name, tags={SENSOR_NAME_TAG: SENSOR_NAME}))
    seen: dict[str, str] = {}
    for run in reversed(runs):  # oldest first: the newest run of a day sets its fingerprint
        day, fingerprint = run.tags.get("logmine/day"), run.tags.get("logmine/fingerprint")
        if day and fingerprint:
            seen[day] = fingerprint
    return seen


def request_new_days(context: dg.SensorEvaluationContext, log_source: LogSource, start: str) -> dg.SensorResult:
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else seen_from_runs(context.instance)
    today = clock.utc_today()
    present, fingerprint = log_source.listing()
    requests, seen = plan_requests(seen, present, fingerprint, start, today)
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True, separators=(",", ":")))
