"""Imported once per run by the multiprocess executor's forkserver (`executors.py`): every step process
is then forked from a process that has Dagster, logmine's code location and the sanitiser loaded.

With the default `spawn`, each step process imported Dagster and the code location again, and each
sanitise shard step loaded spaCy and Presidio again (several CPU seconds each, per step, per run).
Nothing here reads record text; a failure only means the steps load what they need themselves.
The forkserver belongs to the process that runs the run (one per run with Dagster's run launchers and
`dagster job execute`) and holds that process's environment from the run's first step on.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def _warm() -> None:
    import dagster._core.execution.api  # noqa: F401  (what a step process runs)

    from logmine_dagster.core.config import Settings
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    # The same cache key as the PresidioSanitiser resource's, so the shard steps find it built.
    get_sanitiser(Settings.from_env().allow_terms)


try:
    _warm()
except Exception as error:  # noqa: BLE001 - a preload must never stop the forkserver; the steps load it themselves
    log.warning("logmine: step preload skipped (%s)", type(error).__name__)
