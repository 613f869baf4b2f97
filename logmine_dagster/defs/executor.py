"""The executor every logmine job runs on, chosen by LOGMINE_EXECUTOR (lib/executors.py)."""

import dagster as dg

from logmine_dagster.lib.executors import executor_from_env


@dg.definitions
def executor() -> dg.Definitions:
    return dg.Definitions(executor=executor_from_env())
