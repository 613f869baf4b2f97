"""What a Dask worker runs for logmine's Dask executor (`dask_executor.py`): the step task, and a preload.

Kept free of module-level Dagster imports: the Dask scheduler unpickles every task graph it is sent,
so it imports the module that holds the task function (and would import whatever a task's arguments
need). A step's Dagster objects therefore travel as pickled bytes that only a worker opens, and the
scheduler imports this small module, not Dagster and logmine's code location.

Start workers with `dask worker --preload logmine_dagster.lib.dask_worker tcp://scheduler:8786` and
the `DASK_SETTINGS` environment: the preload imports Dagster and loads the Presidio/spaCy analyzer when
the worker starts, so a worker serves every run it gets with them loaded (each is cached for the
worker's life), instead of the first step of the first run paying for them.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any, Sequence

# Dask's own diagnostics that cost CPU on every worker and the scheduler, whatever the load: the
# statistical profiler walks the running task's stack every 10 ms (Dagster's stacks are deep), the
# system monitor samples every 500 ms, the event-loop tick fires every 20 ms. None feeds scheduling.
DASK_SETTINGS = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__GIL__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
}

log = logging.getLogger(__name__)


def seal(args: tuple) -> bytes:
    """A step's arguments for `run_step_on_worker`, opaque to Dask and its scheduler."""
    return pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)


def _succeeded(events: Sequence[Any]) -> bool:
    from dagster._core.events import DagsterEventType

    return any(event.event_type == DagsterEventType.STEP_SUCCESS for event in events)


def run_step_on_worker(upstream_results: list, sealed: bytes) -> list:
    """Runs on a Dask worker: one step of the run, unless a step it depends on did not succeed."""
    if not all(_succeeded(events) for events in upstream_results):
        return []
    from dagster_dask.executor import query_on_dask_worker

    return list(query_on_dask_worker(upstream_results, *pickle.loads(sealed)))


def warm_up() -> None:
    """Imports Dagster's step execution and loads the analyzer (each cached for the process's life). The
    code location itself loads at the first step (this layer may not import it; it is the smaller part)."""
    import dagster._core.execution.api  # noqa: F401
    import dagster_dask.executor  # noqa: F401

    from logmine_dagster.sanitise.engine import get_analyzer

    get_analyzer()


def dask_setup(worker) -> None:
    """Dask calls this when a worker started with `--preload logmine_dagster.lib.dask_worker` starts."""
    warm_up()
    log.info("logmine: Dagster and the analyzer are loaded on %s", worker.name)
