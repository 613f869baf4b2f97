"""Running a job's steps on a Dask cluster: a scheduler and workers that may live on other machines.

This is dagster-dask's executor (each step is a Dask task that runs `execute_plan` for that one step
on a worker, against the shared instance storage) with three fixes that logmine needs:

- distributed >= 2024.12 walks every tuple argument of `Client.submit` for task keys, and a partitioned
  `DagsterRun` (a NamedTuple) holds Dagster `@record`s that refuse iteration, so dagster-dask 0.29.27
  fails every partitioned run with "Iteration is not allowed on `@record`
  TimeWindowPartitionsDefinition". The step's arguments travel sealed, as pickled bytes
  (`dask_worker.py`: the scheduler then never imports Dagster to unpickle the graph).
- dagster-dask names tasks `job.step`: two runs of the same job on one cluster (two days, or a
  backfill) would share Dask keys and one run would get the other's results. Keys carry the run id.
- Dask starts a task once its upstream tasks finish, whether or not their steps succeeded. A step
  whose upstream step failed or was skipped (a failed blocking PII check, say) is skipped here, so
  nothing downstream of a failed check ever runs.
- A task's upstream results here are lists of Dagster events (the data itself hands over through
  the database), yet Dask's locality rule places a task beside its upstream results: the sanitise
  shards all went to the worker that had run `sampled_logs`, and the other machine sat idle. The steps
  of one level are spread over the workers in turn; a step still runs elsewhere if its worker leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import dagster as dg
from dagster._core.events import DagsterEvent
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._core.executor.base import Executor

from logmine_dagster.lib.dask_worker import DASK_SETTINGS, run_step_on_worker, seal


class DaskClusterExecutor(Executor):
    def __init__(self, scheduler_address: str):
        self.scheduler_address = scheduler_address

    @property
    def retries(self) -> RetryMode:
        return RetryMode.DISABLED

    def execute(self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan) -> Iterator[DagsterEvent]:
        import dask.distributed
        from dagster._core.errors import raise_execution_interrupts
        from dagster._utils import iterate_with_context
        from dagster_dask.executor import get_dask_resource_requirements

        if not plan_context.instance.is_persistent:
            raise dg.DagsterInvariantViolationError("steps on Dask workers need a persistent instance (DAGSTER_HOME)")
        run = plan_context.dagster_run
        instance_ref = plan_context.instance.get_ref()
        with dask.distributed.Client(self.scheduler_address) as client:
            futures: dict[str, Any] = {}
            workers = sorted(client.scheduler_info().get("workers", {}))
            for level in execution_plan.get_steps_to_execute_by_level():
                for turn, step in enumerate(level):
                    upstream = [futures[key] for step_input in step.step_inputs for key in step_input.dependency_keys]
                    sealed = seal(
                        (plan_context.reconstructable_job, run, plan_context.run_config, [step.key], instance_ref, execution_plan.known_state)
                    )
                    futures[step.key] = client.submit(
                        run_step_on_worker,
                        upstream,
                        sealed,
                        key=f"{run.run_id}.{step.key}",
                        pure=False,
                        resources=get_dask_resource_requirements(step.tags),
                        **spread_over(workers, turn),
                    )
            completed = dask.distributed.as_completed(list(futures.values()), with_results=True)
            for _future, events in iterate_with_context(raise_execution_interrupts, completed):
                yield from events


def spread_over(workers: Sequence[str], turn: int) -> dict[str, Any]:
    """Submit arguments that prefer the turn-th worker (round robin) and allow any other one."""
    if not workers:
        return {}
    return {"workers": [workers[turn % len(workers)]], "allow_other_workers": True}


@dg.executor(
    name="dask",
    config_schema={
        "scheduler_address": dg.Field(
            dg.StringSource, description="The Dask scheduler, e.g. tcp://scheduler:8786 (or {env: LOGMINE_DASK_SCHEDULER})."
        )
    },
    requirements=dg.multiple_process_executor_requirements(),
)
def dask_cluster_executor(init_context: dg.InitExecutorContext) -> DaskClusterExecutor:
    """Steps run as tasks on an existing Dask cluster; every worker needs logmine installed, the same
    LOGMINE_* environment and network access to the instance's PostgreSQL and logmine's database."""
    return DaskClusterExecutor(init_context.executor_config["scheduler_address"])


@dataclass
class LocalDaskCluster:
    """A Dask scheduler and workers started as separate processes on this machine: the same programs
    an operator starts on several machines (`dask scheduler`, `dask worker tcp://...`)."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]

    def worker_pids(self) -> dict[str, int]:
        """Worker address -> pid, as the scheduler sees them."""
        import dask.distributed

        with dask.distributed.Client(self.address, timeout=30) as client:
            return dict(client.run(os.getpid))


# Workers load Dagster, the code location and the analyzer when they start (see dask_worker.py).
WORKER_PRELOAD = ("--preload", "logmine_dagster.lib.dask_worker")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_processes(processes: Sequence[subprocess.Popen]) -> None:
    """Terminate, wait up to 20 s, then kill: how every helper cluster here is taken down."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def local_dask_cluster(
    workers: int, env: dict[str, str], log_dir: Path, start_timeout: float = 180, worker_env: Sequence[dict[str, str]] = ()
) -> Iterator[LocalDaskCluster]:
    """One scheduler on a free port and `workers` worker processes (one thread each: Dagster steps
    are not thread-safe), all with `env` (worker i with `worker_env[i]` over it: e.g. a home folder of
    its own, as on another machine). Their output goes to files under `log_dir`."""
    import dask.distributed

    log_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started: list[subprocess.Popen] = []
    try:
        with open(log_dir / "scheduler.log", "ab") as log:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                    env={**env, **DASK_SETTINGS}, stdout=log, stderr=subprocess.STDOUT,
                )
            )
        for index in range(workers):
            with open(log_dir / f"worker-{index}.log", "ab") as log:
                started.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                         "--no-dashboard", "--memory-limit", "0", "--name", f"logmine-worker-{index}", *WORKER_PRELOAD],
                        env={**env, **DASK_SETTINGS, **(worker_env[index] if index < len(worker_env) else {})},
                        stdout=log, stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with dask.distributed.Client(address, timeout=10) as client:
                    client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError, asyncio.TimeoutError):
                if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                    raise RuntimeError(f"the local Dask cluster did not start; see the logs under {log_dir}") from None
        yield LocalDaskCluster(address, started[0], started[1:])
    finally:
        stop_processes(started[1:])
        stop_processes(started[:1])
