"""Curation does not depend on the order days run in (issue 19: a backfill re-run changed `candidates.reasons`).

A day's reasons read the earlier days' candidates (`near_dup:earlier`), so categorising a day before the
day before it gives other reasons. The fix is declared in Dagster: categorised_candidates depends on its
own previous partition, so an asset backfill asks for one day at a time, oldest first, whatever order the
days were selected in. Both halves are checked with real parts: categorise_day on a real database, and
Dagster's own asset-backfill daemon logic (one iteration at a time, runs executed in process)."""

from __future__ import annotations

import logging
import time

import dagster as dg
import sqlalchemy as sa

from logmine_dagster.curation.categorise_day import categorise_day
from logmine_dagster.storage.schema import candidates
from logmine_dagster_tests.curation.test_curation_pipeline import _sample, _store

DAYS = ["2026-03-03", "2026-03-04", "2026-03-05"]  # one review week: the drift baseline is empty for all three


def _three_days(db) -> None:
    """Each day repeats (reworded) a request of the day before, and brings one of its own."""
    texts = [
        "My card was declined when I tried to pay my bill.",
        "How do I reset the HomeHub router to factory settings?",
        "Can I move my contract to my new address next month?",
    ]
    for position, day in enumerate(DAYS):
        rows = [_sample(day, f"own{position}", texts[position])]
        if position:
            rows.append(_sample(day, f"again{position}", texts[position - 1].lower().rstrip(".") + "!!"))
        _store(db, day, rows)


def _reasons(db) -> dict[tuple[str, str], str]:
    return {(r["day"], r["case_id"]): r["reasons"] for r in db.fetch_all(sa.select(candidates.c.day, candidates.c.case_id, candidates.c.reasons))}


def test_a_day_categorised_before_the_day_before_it_gets_other_reasons(db):
    """Why the dependency is declared: the same day, with its previous day missing and then present."""
    _three_days(db)
    categorise_day(db, DAYS[0])
    categorise_day(db, DAYS[2])
    early = _reasons(db)[(DAYS[2], "again2")]
    categorise_day(db, DAYS[1])
    categorise_day(db, DAYS[2])
    assert "near_dup:earlier" not in early and "near_dup:earlier" in _reasons(db)[(DAYS[2], "again2")]


def _backfill_iterations(database_url: str, monkeypatch, tmp_path) -> list[list[str]]:
    """Run an asset backfill of the three days (selected newest first) through Dagster's backfill daemon
    logic, one iteration at a time; the days of categorised_candidates each iteration launched."""
    from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
    from dagster._core.test_utils import create_test_daemon_workspace_context, instance_for_test
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._daemon.backfill import execute_backfill_iteration

    monkeypatch.setenv("LOGMINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    overrides = {
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
        "run_launcher": {"module": "dagster._core.launcher.sync_in_memory_run_launcher", "class": "SyncInMemoryRunLauncher"},
    }
    target = ModuleTarget(module_name="logmine_dagster_tests.defs.ordered_curation_location", attribute="defs",
                          working_directory=None, location_name="ordered_curation")
    key = dg.AssetKey("categorised_candidates")
    launched: list[list[str]] = []
    with instance_for_test(overrides=overrides) as instance, create_test_daemon_workspace_context(target, instance) as context:
        backfill = PartitionBackfill.from_asset_partitions(
            asset_graph=context.create_request_context().asset_graph, backfill_id="order", tags={}, backfill_timestamp=time.time(),
            asset_selection=[key], partition_names=list(reversed(DAYS)), dynamic_partitions_store=instance,
            all_partitions=False, title=None, description=None, run_config=None,
        )
        instance.add_backfill(backfill)
        seen: set[str] = set()
        for _ in range(12):
            list(execute_backfill_iteration(context, logging.getLogger("test_curation_order")))
            runs = instance.get_runs()
            assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [(r.tags, r.status) for r in runs]
            new = sorted(r.run_id for r in runs if r.run_id not in seen)
            launched.append(sorted(r.tags["dagster/partition"] for r in runs if r.run_id in new))
            seen.update(new)
            if instance.get_backfill("order").status != BulkActionStatus.REQUESTED:
                break
        assert instance.get_backfill("order").status == BulkActionStatus.COMPLETED_SUCCESS
    return [days for days in launched if days]


def test_an_asset_backfill_categorises_one_day_at_a_time_oldest_first(db, database_url, monkeypatch, tmp_path):
    _three_days(db)
    for day in DAYS:  # the reasons days get when run one after the other
        categorise_day(db, day)
    in_order = _reasons(db)
    with db.transaction() as conn:
        conn.execute(candidates.delete())
    launched = _backfill_iterations(database_url, monkeypatch, tmp_path)
    assert launched == [[day] for day in DAYS]  # before the self-dependency: all three at once
    assert _reasons(db) == in_order
