"""`logmine evalset`: export the eval set for eval tools, and show how it grows.

Registered in `logmine_dagster.cli` with `cli.add_command(evalset)`.
"""

from __future__ import annotations

from pathlib import Path

import click

from logmine_dagster.config import Settings
from logmine_dagster.evalset.exports import FORMATS

LATEST = "latest"


def _database():
    from logmine_dagster.storage import Database

    return Database(Settings.from_env().database_url)


@click.group()
def evalset() -> None:
    """Export the eval set in the formats eval tools read, and show its growth."""


@evalset.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS), help="Target tool's format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write (Parquet also writes README.md beside it).")
@click.option("--version", "version", default=LATEST, show_default=True, help="Eval set release; only the current set until versioned releases exist.")
def export_command(fmt: str, out: Path, version: str) -> None:
    """Write the current eval set (the eval_cases table) in one tool's format."""
    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.evalset.exports import export

    if version != LATEST:
        raise click.UsageError(f"--version {version!r}: versioned releases are not available yet, only 'latest'")
    cases = eval_case_dicts(_database())
    if not cases:
        click.echo("the eval set is empty: import reviewers' decisions and materialise eval_set first", err=True)
    written = export(cases, fmt, out)
    click.echo(f"exported {len(cases)} case(s) as {fmt} to " + ", ".join(str(p) for p in written))


@evalset.command("stats")
def stats_command() -> None:
    """Print the eval set's growth per review week (the table shown in the eval_set asset's metadata)."""
    from logmine_dagster.evalset.growth import growth_report

    report = growth_report(_database())
    click.echo(report.markdown())
    click.echo(f"\n{report.total_cases} case(s) in the eval set over {len(report.weeks)} review week(s)")
