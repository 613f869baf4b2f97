"""The new-partition sensor and the schedules."""

from __future__ import annotations

import datetime as dt
import json
import time

import dagster as dg

from logmine_dagster.defs.resources import LogSource
from logmine_dagster.defs.sensors import new_log_partitions_sensor as build_sensor

# The code location builds it at load time; the tests' LOGMINE_START_DATE is 2026-01-01 (conftest).
new_log_partitions_sensor = build_sensor(dt.date(2026, 1, 1), 60)


def _day_file(root, day, text='{"x": 1}\n'):
    folder = root / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "part-00000.jsonl"
    path.write_text(text)
    return path


def _tick(root, cursor, instance):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"log_source": LogSource(root=str(root))})
    result = new_log_partitions_sensor(context)
    return [(r.partition_key, r.run_key) for r in result.run_requests], result.cursor


def test_sensor_requests_exactly_the_new_and_changed_partitions(tmp_path):
    root = tmp_path / "logs"
    for day in ("2026-03-02", "2026-03-03"):
        _day_file(root, day)
    _day_file(root, "2025-06-01")  # before the partitions start: not a partition
    _day_file(root, dt.datetime.now(dt.timezone.utc).date().isoformat())  # today: still being written
    (root / "dt=garbage").mkdir()

    with dg.instance_for_test() as instance:
        requests, cursor = _tick(root, None, instance)
        assert sorted(day for day, _ in requests) == ["2026-03-02", "2026-03-03"]
        assert json.loads(cursor).keys() == {"2026-03-02", "2026-03-03"}

        assert _tick(root, cursor, instance)[0] == []

        _day_file(root, "2026-03-04")
        requests, cursor = _tick(root, cursor, instance)
        assert [day for day, _ in requests] == ["2026-03-04"]

        # A rewritten day (late data) runs again, under a new run key.
        old_key = next(key for day, key in _tick(root, None, instance)[0] if day == "2026-03-02")
        time.sleep(0.01)
        _day_file(root, "2026-03-02", '{"x": 1}\n{"x": 2}\n')
        requests, cursor = _tick(root, cursor, instance)
        assert [day for day, _ in requests] == ["2026-03-02"]
        assert requests[0][1] != old_key


def test_weekly_schedule_targets_the_week_that_just_ended(code_location):
    schedule = code_location.resolve_schedule_def("weekly_review_batch_schedule")
    assert schedule.cron_schedule == "0 6 * * 1"
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2026, 3, 9, 6, 0, tzinfo=dt.timezone.utc)
        )
        run_requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in run_requests] == ["2026-03-02"]


def test_daily_retention_and_weekly_eval_set_schedules_exist(code_location):
    assert code_location.resolve_schedule_def("daily_retention_schedule").cron_schedule == "0 3 * * *"
    assert code_location.resolve_schedule_def("weekly_eval_set_schedule").job_name == "eval_set_job"


def test_sensor_waits_for_the_success_marker_when_required(tmp_path):
    root = tmp_path / "logs"
    _day_file(root, "2026-03-02")
    _day_file(root, "2026-03-03")
    (root / "dt=2026-03-03" / "_SUCCESS").touch()
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"log_source": LogSource(root=str(root), require_success_marker=True)}
        )
        result = new_log_partitions_sensor(context)
    assert [r.partition_key for r in result.run_requests] == ["2026-03-03"]
