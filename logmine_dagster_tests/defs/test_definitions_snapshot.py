"""The code location's wiring, pinned: asset keys with their group, partitions and deps, asset checks,
jobs, schedules, sensors, resources and the executor. A wiring change fails here until the snapshot is regenerated on
purpose: `LOGMINE_UPDATE_SNAPSHOT=1 python -m pytest logmine_dagster_tests/defs/test_definitions_snapshot.py`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def _partitions_kind(partitions_def) -> str | None:
    if partitions_def is None:
        return None
    if isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        # The start comes from LOGMINE_START_DATE (conftest fixes it), so it is pinned too.
        start = partitions_def.start.date().isoformat()
        return f"{type(partitions_def).__name__}:{partitions_def.cron_schedule}:from {start}"
    return type(partitions_def).__name__


def wiring(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "partitions": _partitions_kind(node.partitions_def),
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
        }
    checks = {}
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        checks[f"{check_key.asset_key.to_user_string()}:{check_key.name}"] = {"blocking": spec.blocking}
    repository = defs.get_repository_def()
    jobs = sorted(job.name for job in repository.get_all_jobs() if not job.name.startswith("__"))
    schedules = {
        schedule.name: {"cron": schedule.cron_schedule, "job": schedule.job_name, "timezone": schedule.execution_timezone}
        for schedule in repository.schedule_defs
    }
    sensors = {
        sensor.name: {"jobs": sorted(job.name for job in sensor.jobs), "minimum_interval_seconds": sensor.minimum_interval_seconds}
        for sensor in repository.sensor_defs
    }
    resources = sorted(defs.resources or {})
    executor = defs.executor.name if defs.executor is not None else None
    return {"executor": executor, "resources": resources, "assets": assets, "asset_checks": checks, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def test_definitions_match_the_committed_snapshot(code_location):
    current = json.dumps(wiring(code_location), indent=2, sort_keys=True) + "\n"
    if os.environ.get("LOGMINE_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current)
    assert SNAPSHOT.exists(), "no snapshot yet: run with LOGMINE_UPDATE_SNAPSHOT=1"
    assert json.loads(current) == json.loads(SNAPSHOT.read_text()), (
        "the code location's wiring changed: if on purpose, regenerate with LOGMINE_UPDATE_SNAPSHOT=1"
    )
