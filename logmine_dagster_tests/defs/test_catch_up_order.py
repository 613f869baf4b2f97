"""A catch-up (several new days found in one sensor tick: a first deployment, the daemon down for days)
runs the days one at a time, oldest first, so each day is categorised after the day before it.

Real parts: the sensor's own run requests, the run queue configured exactly as in `dagster.yaml` and in
the demo's instance, and Dagster's own queue daemon (`QueuedRunCoordinatorDaemon`), one iteration at a
time. Only the launcher is Dagster's test launcher: a launched run stays started until the test finishes
it, which is what lets the test see what the queue would start next."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
import yaml

from logmine_dagster.cli.demo import DEMO_INSTANCE_YAML
from logmine_dagster.core import clock
from logmine_dagster.defs.resources import LogSource
from logmine_dagster.defs.sensors import new_log_partitions_sensor
from logmine_dagster_tests.stack_support import REPO

TODAY = dt.datetime.now(dt.timezone.utc).date()
DAYS = [(TODAY - dt.timedelta(days=n)).isoformat() for n in (4, 3, 2)]


@pytest.fixture(autouse=True)
def _sensor_today_is_TODAY(monkeypatch):
    """The sensor reads the clock itself: pinned to this module's TODAY, a run that crosses midnight UTC
    cannot make it see one day more than the test planted."""
    monkeypatch.setattr(clock, "utc_today", lambda: TODAY)


def _queue_config(source: str) -> dict:
    text = (REPO / "dagster.yaml").read_text() if source == "dagster.yaml" else DEMO_INSTANCE_YAML
    return yaml.safe_load(text)["run_coordinator"]


def _dequeue(instance) -> None:
    from dagster._core.test_utils import create_test_daemon_workspace_context
    from dagster._core.workspace.load_target import EmptyWorkspaceTarget
    from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

    with create_test_daemon_workspace_context(EmptyWorkspaceTarget(), instance) as context:
        list(QueuedRunCoordinatorDaemon(interval_seconds=1).run_iteration(context))


@pytest.mark.parametrize("instance_config", ["dagster.yaml", "demo"])
def test_days_found_together_start_one_at_a_time_oldest_first(tmp_path, instance_config):
    from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
    from dagster._core.test_utils import create_run_for_test

    origin = RemoteJobOrigin(RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("logmine"), "__repository__"), "daily_mining_job")

    root = tmp_path / "logs"
    for day in reversed(DAYS):  # written newest first: the order on disk must not matter
        (root / f"dt={day}").mkdir(parents=True)
        (root / f"dt={day}" / "part-00000.jsonl").write_text('{"x": 1}\n')
    overrides = {
        "run_coordinator": _queue_config(instance_config),
        "run_launcher": {"module": "dagster._core.test_utils", "class": "MockedRunLauncher"},
    }
    sensor = new_log_partitions_sensor(dt.date(2026, 1, 1), 60)
    with dg.instance_for_test(overrides=overrides) as instance:
        result = sensor(dg.build_sensor_context(instance=instance, resources={"log_source": LogSource(root=str(root))}))
        assert [r.partition_key for r in result.run_requests] == DAYS
        # Queued in the order the sensor asked, as the sensor daemon submits them.
        runs = [
            create_run_for_test(instance, job_name="daily_mining_job", status=dg.DagsterRunStatus.QUEUED,
                                remote_job_origin=origin, tags={**r.tags, "dagster/partition": r.partition_key})
            for r in result.run_requests
        ]
        started: list[str] = []
        for _ in DAYS:
            _dequeue(instance)
            running = [r for r in instance.get_runs() if r.status == dg.DagsterRunStatus.STARTING]
            # One day at a time (the queue would start up to 4 runs at once without the day-order limit).
            assert len(running) == 1, [(r.tags["dagster/partition"], r.status) for r in instance.get_runs()]
            started.append(running[0].tags["dagster/partition"])
            instance.report_run_canceled(running[0])  # finished: the queue may start the next day
        assert started == DAYS
        assert {r.run_id for r in runs} == {r.run_id for r in instance.get_runs()}
