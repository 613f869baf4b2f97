"""`logmine demo`, then a real `dagster-daemon run` on the demo's instance and workspace: the new-day
sensor's ticks launch no run for the days the demo mined, and exactly one for a day added afterwards.

This is what an operator gets after the demo (the demo prints the command): the daemon process loads the
code location from the printed workspace file, evaluates the sensor on its own schedule and queues runs
through the demo instance's run queue."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from dagster._core.scheduler.instigation import TickStatus

from logmine_dagster.cli.demo import run_demo

# Each wait is bounded: the daemon loads the code location (about 10 s), then evaluates sensors every 5 s.
TICK_TIMEOUT_S = 120
ENVIRONMENT = ("LOGMINE_HOME", "LOGMINE_LOG_ROOT", "DAGSTER_HOME", "LOGMINE_ALLOW_TERMS", "LOGMINE_HASH_KEY", "LOGMINE_SENSOR_INTERVAL_S")


def _sensor_ticks(instance):
    """The new-day sensor's ticks, newest first ([] until the daemon has stored the sensor's state)."""
    from dagster._core.scheduler.instigation import InstigatorType

    from logmine_dagster.defs.sensors import SENSOR_NAME

    states = [s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR) if s.name == SENSOR_NAME]
    ticks = []
    for state in states:
        ticks.extend(instance.get_ticks(state.instigator_origin_id, state.selector_id))
    return sorted(ticks, key=lambda tick: tick.timestamp, reverse=True)


def _wait_for(what: str, probe, daemon: subprocess.Popen, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        if daemon.poll() is not None:
            pytest.fail(f"dagster-daemon exited ({daemon.returncode}) while waiting for {what}:\n{daemon.log.read_text()[-3000:]}")
        time.sleep(1)
    pytest.fail(f"no {what} within {timeout_s} s")


def _stop(daemon: subprocess.Popen) -> None:
    """SIGTERM, as a service manager stops it: the daemon stops its threads and its code server."""
    if daemon.poll() is None:
        daemon.terminate()
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(timeout=30)
    # Anything the daemon started (code server, run workers) is in its session: none may outlive it.
    try:
        os.killpg(daemon.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_daemon_after_the_demo_mines_no_demo_day_and_then_exactly_a_new_day(tmp_path, monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.setenv(name, "unset-by-test")
        monkeypatch.delenv(name)
    monkeypatch.delenv("LOGMINE_DATABASE_URL", raising=False)
    # The demo's week ends at least a week ago, so a day after it is complete (the sensor skips today).
    today = dt.datetime.now(dt.timezone.utc).date()
    workdir = tmp_path / "demo"
    lines: list[str] = []
    summary = run_demo(workdir, per_day=20, seed=11, echo=lines.append, today=today - dt.timedelta(days=7))
    demo_days = [row[0] for row in summary["days"]]
    workspace = next(line for line in lines if " dagster dev -w " in line).rsplit(" -w ", 1)[1]

    import dagster as dg

    from logmine_dagster.generator import generate

    with dg.DagsterInstance.get() as instance:
        demo_runs = {run.run_id for run in instance.get_runs()}
        # Only the sensor's interval is shortened (production: 60 s); the daemon's loop runs every 5 s.
        env = {**os.environ, "LOGMINE_SENSOR_INTERVAL_S": "1"}
        log = tmp_path / "daemon.log"
        with open(log, "w") as out:  # a file, not a pipe: a full pipe would block the daemon
            daemon = subprocess.Popen(
                [sys.executable, "-m", "dagster._daemon", "run", "-w", workspace],
                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        daemon.log = log
        try:
            first = _wait_for("sensor tick", lambda: [t for t in _sensor_ticks(instance) if t.status != TickStatus.STARTED],
                              daemon, TICK_TIMEOUT_S)[-1]
            assert first.status == TickStatus.SKIPPED, (first.status, first.error)
            assert first.run_ids == [] and first.run_keys == []
            assert {run.run_id for run in instance.get_runs()} == demo_runs
            # The tick stored a cursor that knows every demo day, so later ticks do not depend on run tags.
            assert sorted(json.loads(first.cursor)) == demo_days

            new_day = dt.date.fromisoformat(demo_days[-1]) + dt.timedelta(days=1)
            generate(workdir / "logs", new_day, 1, 20, 11, write_manifest=False)
            launched = _wait_for(
                "tick for the new day", lambda: [t for t in _sensor_ticks(instance) if t.status == TickStatus.SUCCESS],
                daemon, TICK_TIMEOUT_S,
            )
            assert len(launched) == 1 and len(launched[0].run_ids) == 1
            new_runs = [run for run in instance.get_runs() if run.run_id not in demo_runs]
            assert [run.tags.get("dagster/partition") for run in new_runs] == [new_day.isoformat()]
            assert new_runs[0].tags["dagster/run_key"].startswith(f"{new_day.isoformat()}:")
            # The run itself is the pipeline's (tests of their own); the daemon's queue starts it, and
            # stopping the daemon's session below ends it.
            # Later ticks request nothing more: every day is in the cursor now.
            later = _wait_for("a later tick", lambda: [t for t in _sensor_ticks(instance)
                                                        if t.timestamp > launched[0].timestamp and t.status != TickStatus.STARTED],
                              daemon, TICK_TIMEOUT_S)
            assert all(t.status == TickStatus.SKIPPED for t in later)
            assert len(instance.get_runs()) == len(demo_runs) + 1
        finally:
            _stop(daemon)
    assert daemon.returncode is not None
