"""Which engine runs the steps of every logmine job, chosen by LOGMINE_EXECUTOR:

- `multiprocess` (default): one process per step on this machine; the sanitise shard steps of a day
  use every core.
- `dask`: steps are tasks on an existing Dask cluster at LOGMINE_DASK_SCHEDULER (tcp://host:8786),
  whose workers may run on other machines (see README, "Scaling out").
- `in_process`: every step in the run's own process (debugging).
"""

from __future__ import annotations

import os

import dagster as dg

from logmine_dagster.core.config import ConfigError

EXECUTORS = ("multiprocess", "dask", "in_process")
FORKSERVER_PRELOAD = ("logmine_dagster.lib.step_preload", "logmine_dagster.definitions")


def executor_from_env(environ=None) -> dg.ExecutorDefinition:
    environ = os.environ if environ is None else environ
    name = (environ.get("LOGMINE_EXECUTOR") or "multiprocess").strip().lower()
    if name == "multiprocess":
        # Steps fork from a forkserver that has loaded the code location and the sanitiser once per run
        # (`step_preload`), instead of each spawned step importing Dagster and each shard loading spaCy.
        return dg.multiprocess_executor.configured(
            {"start_method": {"forkserver": {"preload_modules": list(FORKSERVER_PRELOAD)}}}, name="multiprocess"
        )
    if name == "in_process":
        return dg.in_process_executor
    if name == "dask":
        from logmine_dagster.lib.dask_executor import dask_cluster_executor

        # Resolved when a run starts, so the address is never written into run config.
        return dask_cluster_executor.configured({"scheduler_address": {"env": "LOGMINE_DASK_SCHEDULER"}}, name="dask")
    raise ConfigError(f"LOGMINE_EXECUTOR must be one of {', '.join(EXECUTORS)}, got {name!r}")
