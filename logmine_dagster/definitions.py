"""The logmine code location. The settings are read once, here, when Dagster loads it: the
module-level objects under `defs/` (resources, unpartitioned assets, checks, jobs, schedules) are
loaded from the folder, the ones shaped by the settings are built by `defs/dated.py`, and the
executor comes from LOGMINE_EXECUTOR."""

from pathlib import Path

import dagster as dg

from logmine_dagster.core.config import Settings
from logmine_dagster.defs.dated import dated_definitions
from logmine_dagster.defs.sanitise.assets import shard_count_from_env
from logmine_dagster.lib.executors import executor_from_env


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dated_definitions(Settings.from_env(), shard_count_from_env()),
        dg.Definitions(executor=executor_from_env()),
    )
