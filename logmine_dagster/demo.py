"""`logmine demo`: a week of synthetic traffic through every stage up to the review batch.

It runs the real Dagster jobs in a local instance under the work folder, so the operator can open the
same runs in the UI afterwards. It never labels anything: that is the reviewer's job.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Callable

from logmine_dagster.weeks import days_of_week, week_start


def last_complete_week(today: dt.date) -> str:
    """Monday of the newest Monday-to-Sunday week that has fully ended (its weekly partition exists)."""
    return (week_start(today) - dt.timedelta(days=7)).isoformat()


def _configure_environment(workdir: Path, week: str) -> None:
    """Point every LOGMINE_* setting at the work folder, before the code location is imported."""
    os.environ["LOGMINE_HOME"] = str(workdir)
    os.environ["LOGMINE_LOG_ROOT"] = str(workdir / "logs")
    os.environ.setdefault("LOGMINE_START_DATE", week)
    if os.environ["LOGMINE_START_DATE"] > week:
        os.environ["LOGMINE_START_DATE"] = week
    # The synthetic company's own names are not PII; production sets its own list.
    os.environ.setdefault("LOGMINE_ALLOW_TERMS", "Northwind,Northwind Telecom,Nova")
    dagster_home = workdir / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(dagster_home)


# Dagster's console logger prints every step event at DEBUG; the demo prints its own summary.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _metadata_value(result, asset_name: str, key: str):
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == asset_name:
            entry = event.step_materialization_data.materialization.metadata.get(key)
            return None if entry is None else entry.value
    return None


def run_demo(workdir: Path, *, per_day: int, seed: int, echo: Callable[[str], None] = print, today: dt.date | None = None) -> dict:
    started = time.perf_counter()
    workdir = Path(workdir).resolve()
    week = last_complete_week(today or dt.datetime.now(dt.timezone.utc).date())
    days = days_of_week(week)
    _configure_environment(workdir, week)

    from logmine_dagster.generator import generate
    from logmine_dagster.progress import progress_bar

    log_root = workdir / "logs"
    echo(f"1/4 generating {len(days)} days x {per_day} records of synthetic traffic into {log_root}")
    with progress_bar("generating", len(days) * per_day) as advance:
        generate(log_root, dt.date.fromisoformat(days[0]), len(days), per_day, seed, progress=advance)
    generated_at = time.perf_counter()

    import dagster as dg

    from logmine_dagster.definitions import defs as load_defs

    definitions = load_defs()
    instance = dg.DagsterInstance.get()
    daily_job = definitions.resolve_job_def("daily_mining_job")
    echo(f"2/4 sampling, sanitising and categorising each day (Dagster instance: {os.environ['DAGSTER_HOME']})")
    rows = []
    with progress_bar("days", len(days)) as advance:
        for day in days:
            result = daily_job.execute_in_process(
                partition_key=day, instance=instance, raise_on_error=False, run_config=QUIET_RUN_CONFIG
            )
            if not result.success:
                raise SystemExit(f"logmine: the run for {day} failed; open the Dagster UI to see why (run {result.run_id})")
            rows.append(
                (
                    day,
                    _metadata_value(result, "sampled_logs", "records_scanned"),
                    _metadata_value(result, "sampled_logs", "records_sampled"),
                    _metadata_value(result, "sampled_logs", "lines_quarantined"),
                    _metadata_value(result, "sanitised_samples", "records_written"),
                    _metadata_value(result, "sanitised_samples", "records_quarantined"),
                    _metadata_value(result, "categorised_candidates", "candidates"),
                )
            )
            advance(1)
    mined_at = time.perf_counter()

    echo(f"3/4 building the review batch for the week of {week}")
    batch_result = definitions.resolve_job_def("weekly_review_batch_job").execute_in_process(
        partition_key=week, instance=instance, run_config=QUIET_RUN_CONFIG
    )
    queued = _metadata_value(batch_result, "review_batch", "queued")

    from logmine_dagster.config import Settings
    from logmine_dagster.stages.review import export_batch
    from logmine_dagster.storage import Database

    batch_file = workdir / "review" / f"batch-{week}.jsonl"
    export_batch(Database(Settings.from_env().database_url), week, batch_file)
    finished = time.perf_counter()

    from tabulate import tabulate

    echo("4/4 done\n")
    echo(
        tabulate(
            rows,
            headers=["day", "scanned", "sampled", "bad lines", "sanitised", "refused (PII)", "candidates"],
            tablefmt="github",
        )
    )
    by_category = {
        name: _metadata_value(batch_result, "review_batch", f"queued_{name}")
        for name in ("adversarial", "drift", "edge_case", "happy_path")
    }
    echo(f"\nreview batch {week}: {queued} case(s) " + ", ".join(f"{k} {v}" for k, v in by_category.items()))
    echo(f"timings: generate {generated_at - started:.1f}s, mine {mined_at - generated_at:.1f}s, batch {finished - mined_at:.1f}s")
    environment = (
        f"DAGSTER_HOME={os.environ['DAGSTER_HOME']} LOGMINE_HOME={workdir} LOGMINE_LOG_ROOT={log_root} "
        f"LOGMINE_START_DATE={os.environ['LOGMINE_START_DATE']} LOGMINE_ALLOW_TERMS='{os.environ['LOGMINE_ALLOW_TERMS']}'"
    )
    echo(f"\nThe batch for reviewers is in {batch_file}. A reviewer fills in decision, expected_output and")
    echo("reason, then imports it (or uses the web app: logmine review add-user NAME, logmine review serve):")
    echo(f"  LOGMINE_HOME={workdir} logmine review import {batch_file} --reviewer YOUR_NAME")
    echo("Then the eval set is built from those decisions, released and exported:")
    echo(f"  {environment} dagster asset materialize -m logmine_dagster.definitions --select labelled_cases,eval_set,eval_set_exports")
    echo(f"  LOGMINE_HOME={workdir} logmine evalset show")
    echo("To browse the runs in the Dagster UI:")
    echo(f"  {environment} dagster dev -w workspace.yaml")
    echo("No case was labelled: labels come only from reviewers.")
    return {"week": week, "days": rows, "queued": queued, "batch_file": str(batch_file)}
