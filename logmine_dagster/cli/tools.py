"""The stand-alone commands: synthetic traffic, the demo, the stdin sanitiser and the schema upgrade."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from logmine_dagster.cli.options import date_option, invocation_settings
from logmine_dagster.core.json_input import loads_bounded


@click.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Log root to write dt=YYYY-MM-DD folders into.")
@click.option("--start", required=True, callback=date_option, help="First day, YYYY-MM-DD.")
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=1))
@click.option("--per-day", default=2000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--gzip", "gzip_output", is_flag=True, help="Write .jsonl.gz files.")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), help="PII manifest path (default: beside --out).")
@click.option("--no-manifest", is_flag=True, help="Do not write the PII manifest.")
def generate(out, start, days, per_day, seed, gzip_output, manifest, no_manifest) -> None:
    """Write realistic synthetic support-assistant traffic, one JSON line per LLM call."""
    from logmine_dagster.generator import generate as run_generate
    from logmine_dagster.cli.progress import progress_bar

    with progress_bar("generating", days * per_day) as advance:
        try:
            summary = run_generate(
                out, start, days, per_day, seed, manifest=manifest, write_manifest=not no_manifest, gzip=gzip_output, progress=advance
            )
        except ValueError as error:
            raise click.UsageError(str(error)) from None
    click.echo(f"wrote {summary.records} records over {summary.days} day(s) to {out}")
    if not no_manifest:
        click.echo(f"PII manifest (for tests, holds the planted values): {summary.manifest}")


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Default: LOGMINE_HOME/demo.")
@click.option("--per-day", default=1500, show_default=True, type=click.IntRange(min=10))
@click.option("--seed", default=7, show_default=True, type=int)
def demo(workdir, per_day, seed) -> None:
    """Generate a week of traffic and run every stage up to the review batch in a local Dagster instance."""
    from logmine_dagster.cli.demo import run_demo

    run_demo(workdir or invocation_settings().home / "demo", per_day=per_day, seed=seed, echo=click.echo)


@click.command()
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(min=1))
def sanitise(batch_size) -> None:
    """Read JSON lines {"id", "text"} on stdin, write them sanitised to stdout (the pipeline's sanitiser)."""
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    sanitiser = get_sanitiser(invocation_settings().allow_terms)
    pending: list[tuple[object, str]] = []

    def flush() -> None:
        texts = sanitiser.sanitise_texts([text for _, text in pending])
        for (item_id, _), text in zip(pending, texts):
            sys.stdout.write(json.dumps({"id": item_id, "text": text}, ensure_ascii=False) + "\n")
        pending.clear()

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            value = loads_bounded(line)
            if not isinstance(value, dict) or not isinstance(value.get("text"), str):
                raise ValueError
        except ValueError:
            # Refuse rather than pass the line through: it could carry PII unsanitised.
            raise click.ClickException(f"line {number}: expected a JSON object with a string 'text'") from None
        pending.append((value.get("id"), value["text"]))
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Create or migrate logmine's tables in LOGMINE_DATABASE_URL."""
    from logmine_dagster.storage import Database

    Database(invocation_settings().database_url)
    click.echo("database schema is up to date")
