"""`logmine status`: one screen for the operator: the last run of each asset (from the Dagster instance
under DAGSTER_HOME), open review work, failure coverage, retention, and what needs attention."""

from __future__ import annotations

import datetime as dt
import os

import click
import sqlalchemy as sa

from logmine_dagster.cli.options import invocation_settings

FAILED_RUNS_SHOWN = 5


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def dagster_section(attention: list[str]) -> list[str]:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return ["DAGSTER_HOME is not set: no Dagster instance to read runs from (set it to the folder `dagster dev` uses)."]
    import dagster as dg

    instance = dg.DagsterInstance.get()
    lines = [f"Dagster instance: {home}", "", "| asset | last materialised | partition | run |", "| --- | --- | --- | --- |"]
    keys = sorted(instance.get_asset_keys(), key=lambda k: k.to_user_string())
    for key in keys:
        event = instance.get_latest_materialization_event(key)
        if event is None:
            lines.append(f"| {key.to_user_string()} | never | | |")
            continue
        partition = event.dagster_event.partition if event.dagster_event else None
        lines.append(f"| {key.to_user_string()} | {_when(event.timestamp)} | {partition or ''} | {event.run_id[:8]} |")
    if not keys:
        lines.append("| (nothing materialised yet) | | | |")
    failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]), limit=FAILED_RUNS_SHOWN)
    for run in failed:
        partition = run.tags.get("dagster/partition", "")
        attention.append(f"run {run.run_id[:8]} of {run.job_name} {partition} failed: open it in the Dagster UI".replace("  ", " "))
    return lines


def review_section(db, attention: list[str]) -> list[str]:
    from logmine_dagster.review.progress import batch_summaries

    summaries = batch_summaries(db)
    if not summaries:
        return ["No review batch queued yet."]
    lines = ["| week | cases | decided | open | disputed |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {s.week} | {s.total} | {s.decided} | {s.open} | {s.disputed} |" for s in summaries]
    for s in summaries[1:]:
        attention.append(f"batch {s.week} still has {s.open} open and {s.disputed} disputed case(s) (a newer batch exists)")
    if summaries[0].disputed:
        attention.append(f"batch {summaries[0].week}: {summaries[0].disputed} disputed case(s) need an admin")
    return lines


def coverage_section(db, attention: list[str]) -> list[str]:
    from logmine_dagster.curation.coverage_summary import coverage_text, previous_share, summarise
    from logmine_dagster.curation.failure_coverage import coverage_rows

    rows = coverage_rows(db)
    weeks = list(summarise(rows).values())
    if weeks and weeks[-1].overall.share is not None:
        latest, previous = weeks[-1], previous_share(rows, weeks[-1].week)
        if previous is not None and latest.overall.share < previous[1]:
            attention.append(f"failure coverage fell from {previous[1]:.0%} ({previous[0]}) to {latest.overall.share:.0%} ({latest.week})")
    return [coverage_text(rows)]


def retention_section(db, settings, attention: list[str]) -> list[str]:
    from logmine_dagster.retention.deletion import cutoff_day, retention_violations
    from logmine_dagster.storage.schema import raw_samples, retention_log

    today = dt.datetime.now(dt.timezone.utc).date()
    oldest = db.fetch_all(sa.select(sa.func.min(raw_samples.c.day).label("day")))[0]["day"]
    last = db.fetch_all(sa.select(sa.func.max(retention_log.c.deleted_at).label("at")))[0]["at"]
    try:
        stale = retention_violations(db, settings.log_root, today, settings.retention_days)
    except OSError as error:  # an unreachable log store: say so rather than fail the whole status
        stale = []
        attention.append(f"the log root could not be listed for retention ({type(error).__name__})")
    if stale:
        attention.append(f"{len(stale)} raw item(s) are past the {settings.retention_days}-day retention: run retention_job")
    return [
        f"Raw data kept {settings.retention_days} days (cutoff {cutoff_day(today, settings.retention_days)}); "
        f"oldest raw sample day: {oldest or 'none'}; last deletion: {last or 'never'}; past the cutoff: {len(stale)} item(s)."
    ]


def status_text(db, settings) -> str:
    attention: list[str] = []
    parts = [
        ("Last run of each asset", dagster_section(attention)),
        ("Open review work", review_section(db, attention)),
        ("Failure coverage", coverage_section(db, attention)),
        ("Retention", retention_section(db, settings, attention)),
    ]
    lines = []
    for title, body in parts:
        lines += [f"## {title}", "", *body, ""]
    lines += ["## Needs attention", ""]
    lines += [f"- {item}" for item in attention] or ["Nothing."]
    return "\n".join(lines)


@click.command()
def status() -> None:
    """What the operator needs at a glance: last asset runs, open review work, coverage, retention, attention."""
    from logmine_dagster.storage import Database

    settings = invocation_settings()
    click.echo(status_text(Database(settings.database_url), settings))
