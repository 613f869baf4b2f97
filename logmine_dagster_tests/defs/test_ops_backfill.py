"""Backfills through the production-like deployment (issue 8 item 3, issue 4 item 7).

Real parts: `scripts/stack.sh up` with the repository's dagster.yaml (run, event and schedule storage in
PostgreSQL, QueuedRunCoordinator with its backfill tag limit), `dagster-daemon` launching every run,
`dagster-webserver` answering GraphQL, logmine's own database on PostgreSQL, Presidio with the real
spaCy model inside the run workers. Nothing is called in-process except reading the database.

1. `launchPartitionBackfill` of three days for the three daily assets, through the web UI's GraphQL API:
   each day is materialised exactly once per asset and the sanitised tier's blocking checks pass.
2. `dagster job backfill -w workspace.yaml -j daily_mining_job --from A --to B --noprompt` (the CLI
   route the README documents) re-runs two of those days: the daemon runs them, each now has two
   materialisations, and the rows in logmine's database are unchanged (a re-run replaces, never adds):
   the same counts and the same content hash per table and day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess

import pytest
import sqlalchemy as sa

from logmine_dagster_tests.conftest import _postgres_database
from logmine_dagster_tests.stack_support import (
    DAILY_ASSETS,
    REPO,
    SANITISED_CHECKS,
    running_stack,
    skip_unless_stack_can_run,
)

skip_unless_stack_can_run()

# Bounded waits, generous for 2 shared cores: three runs, two at a time (the backfill tag limit), each
# loading spaCy and Presidio.
BACKFILL_S = 1200  # categorising is serial now (one day after the other), each day its own run
TABLES = ("raw_samples", "sanitised_samples", "candidates")


@pytest.fixture(scope="module")
def backfill_stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backfill")
    app_db_url, drop_app_db = _postgres_database()
    try:
        with running_stack(tmp, LOGMINE_DATABASE_URL=app_db_url) as (deployment, log_root):
            # The sensor would launch its own runs for the days we write: this module is about backfills.
            deployment.stop_sensor()
            yield deployment, log_root, app_db_url
    finally:
        drop_app_db()


def _row_counts(url: str, days: list[str]) -> dict[tuple[str, str], int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                (table, day): conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE day = %s", (day,)).scalar_one()
                for table in TABLES
                for day in days
            }
    finally:
        engine.dispose()


# Columns that record when a row was written, not what it holds: a re-run writes them anew.
WRITE_TIME_COLUMNS = {"raw_samples": {"sampled_at"}}


def _comparable(value) -> str:
    # Binary columns (a candidate's stored MinHash signature) by content: str() of a memoryview is its address.
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def _content_fingerprints(url: str, days: list[str]) -> dict[tuple[str, str, str], str]:
    """A hash per table, day and column of every row's content (all columns but the write time), rows in key
    order: equal counts could hide a re-run that writes other rows, or the same rows with other sanitised text;
    one hash per column names what changed."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            found = {}
            for table in TABLES:
                columns = [c["name"] for c in inspector.get_columns(table) if c["name"] not in WRITE_TIME_COLUMNS.get(table, set())]
                key = ", ".join(inspector.get_pk_constraint(table)["constrained_columns"])
                for day in days:
                    rows = conn.exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table} WHERE day = %s ORDER BY {key}", (day,)).all()
                    for i, column in enumerate(columns):
                        values = json.dumps([row[i] for row in rows], default=_comparable).encode()
                        found[(table, day, column)] = hashlib.sha256(values).hexdigest()
            return found
    finally:
        engine.dispose()


def _duplicate_keys(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sum(
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY day, {key} HAVING count(*) > 1) d"
                ).scalar_one()
                for table, key in (("raw_samples", "request_id"), ("sanitised_samples", "case_id"), ("candidates", "case_id"))
            )
    finally:
        engine.dispose()


def _tag(run: dict, key: str) -> str | None:
    return next((t["value"] for t in run["tags"] if t["key"] == key), None)


def _assert_backfill_succeeded(deployment, backfill_id: str) -> dict:
    backfill = deployment.wait_backfill(backfill_id, BACKFILL_S)
    if backfill["status"] != "COMPLETED_SUCCESS":
        failed = [r for r in backfill["runs"] if r["status"] != "SUCCESS"]
        details = "\n".join("\n".join(deployment.run_messages(r["runId"])[-12:]) for r in failed[:2])
        pytest.fail(f"backfill {backfill_id} ended {backfill['status']}:\n{details}")
    return backfill


def _run_summary(deployment, run_id: str) -> dict:
    from logmine_dagster_tests.stack_support import RUN

    run = deployment.graphql(RUN, runId=run_id)["runOrError"]
    return {"run": run_id, "status": run.get("status"), "tags": {t["key"]: t["value"] for t in run.get("tags", [])}}


def test_graphql_backfill_of_three_days_then_cli_backfill_rerun(backfill_stack):
    deployment, log_root, app_db_url = backfill_stack
    from logmine_dagster.generator import generate

    first = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=6)
    days = [(first + dt.timedelta(days=i)).isoformat() for i in range(3)]
    generate(log_root, first, 3, 120, 31, write_manifest=False)

    backfill_id = deployment.launch_asset_backfill(DAILY_ASSETS, days, title="three-day test backfill")
    backfill = _assert_backfill_succeeded(deployment, backfill_id)
    assert backfill["isAssetBackfill"] and backfill["numPartitions"] == 3
    backfill_runs = {r["runId"] for r in backfill["runs"]}
    assert all(r["status"] == "SUCCESS" for r in backfill["runs"])

    for asset in DAILY_ASSETS:
        events = deployment.materialisations(asset, days)
        per_day = {day: [e for e in events if e["partition"] == day] for day in days}
        extra = {e["runId"] for e in events} - backfill_runs
        # materialised by the backfill, nothing else (the message shows who else did, by job and tags)
        assert not extra, (asset, [_run_summary(deployment, run_id) for run_id in sorted(extra)])
        assert {day: len(found) for day, found in per_day.items()} == {day: 1 for day in days}, asset
    # The checks' evaluations carry no partition (Dagster records a check on a partitioned asset without
    # one; only the "planned" record names it), so each evaluation is matched to its day by its run.
    day_of_run = {r["runId"]: _tag(r, "dagster/partition") for r in backfill["runs"]}
    for check in SANITISED_CHECKS:
        executions = [e for e in deployment.check_executions("sanitised_samples", check, None) if e["runId"] in day_of_run]
        passed = sorted(day_of_run[e["runId"]] for e in executions if e["status"] == "SUCCEEDED")
        assert passed == days, (check, executions)

    counts = _row_counts(app_db_url, days)
    assert all(counts[("raw_samples", day)] > 0 and counts[("sanitised_samples", day)] > 0 for day in days), counts
    assert _duplicate_keys(app_db_url) == 0
    fingerprints = _content_fingerprints(app_db_url, days)

    # The CLI route: a job backfill submitted to the same instance, run by the daemon.
    cli = subprocess.run(
        ["dagster", "job", "backfill", "-w", str(REPO / "workspace.yaml"), "-j", "daily_mining_job",
         "--from", days[1], "--to", days[2], "--noprompt"],
        env={**deployment.env, "DAGSTER_HOME": str(deployment.state / "dagster_home")},
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "Launched backfill job" in cli.stdout or "backfill" in cli.stdout.lower(), cli.stdout

    def cli_backfill_runs_done():
        runs = [
            r for r in deployment.runs()
            if r["runId"] not in backfill_runs and any(t["key"] == "dagster/backfill" for t in r["tags"])
        ]
        done = [r for r in runs if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
        return runs if len(runs) == 2 and len(done) == 2 else None

    cli_runs = deployment.wait("the CLI backfill's two runs", BACKFILL_S, cli_backfill_runs_done, every=3)
    assert [r["status"] for r in cli_runs] == ["SUCCESS", "SUCCESS"], [
        deployment.run_messages(r["runId"])[-10:] for r in cli_runs if r["status"] != "SUCCESS"
    ]
    assert {r["jobName"] for r in cli_runs} == {"daily_mining_job"}
    cli_days = sorted(_tag(r, "dagster/partition") for r in cli_runs)
    assert cli_days == days[1:]

    for asset in DAILY_ASSETS:
        events = deployment.materialisations(asset, days)
        assert sorted(e["partition"] for e in events) == sorted([days[0], days[1], days[1], days[2], days[2]]), asset
    # Re-running a day replaces its rows: same counts, no duplicates, and the same content row for row.
    assert _row_counts(app_db_url, days) == counts
    assert _duplicate_keys(app_db_url) == 0
    changed = {key for key, digest in _content_fingerprints(app_db_url, days).items() if fingerprints[key] != digest}
    # Every column, reasons included: the asset backfill categorised the days oldest first (categorised_candidates
    # depends on its previous day), so the re-run sees the same earlier days the first run saw.
    assert not changed, f"a re-run changed {sorted(changed)}"
