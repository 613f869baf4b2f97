"""A code location for `test_curation_order.py`: the real categorised_candidates asset, run in process, over
the database LOGMINE_DATABASE_URL names when the step runs (Dagster keeps the loaded location for the whole
process, so a URL read at load time would stay the first test's)."""

import dagster as dg

from logmine_dagster.defs.curate.assets import categorised_candidates_asset
from logmine_dagster.defs.resources import LogmineDatabase

START = "2026-03-01"


def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[categorised_candidates_asset(dg.DailyPartitionsDefinition(start_date=START))],
        resources={"database": LogmineDatabase()},
        executor=dg.in_process_executor,
    )
