"""The `logmine` command."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from logmine_dagster.core.config import ConfigError, Settings


def _date(_ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"must be a date YYYY-MM-DD, got {value!r}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """logmine: mine production LLM logs into a small, human-labelled, PII-free eval set."""


@cli.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Log root to write dt=YYYY-MM-DD folders into.")
@click.option("--start", required=True, callback=_date, help="First day, YYYY-MM-DD.")
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


@cli.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Default: LOGMINE_HOME/demo.")
@click.option("--per-day", default=1500, show_default=True, type=click.IntRange(min=10))
@click.option("--seed", default=7, show_default=True, type=int)
def demo(workdir, per_day, seed) -> None:
    """Generate a week of traffic and run every stage up to the review batch in a local Dagster instance."""
    from logmine_dagster.cli.demo import run_demo

    run_demo(workdir or Settings.from_env().home / "demo", per_day=per_day, seed=seed, echo=click.echo)


@cli.command()
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(min=1))
def sanitise(batch_size) -> None:
    """Read JSON lines {"id", "text"} on stdin, write them sanitised to stdout (the pipeline's sanitiser)."""
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    sanitiser = get_sanitiser(Settings.from_env().allow_terms)
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
            value = json.loads(line)
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


@cli.group()
def review() -> None:
    """Hand the weekly batch to reviewers and take their decisions back."""


@review.command("export")
@click.option("--week", required=True, help="2026-W47 or any date in the week.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "label-studio"]), default=None,
    help="File format [default: from --out: .csv is CSV, .json Label Studio tasks, else JSON lines].",
)
def review_export(week, out, fmt) -> None:
    """Write the week's batch for reviewers: JSON lines, CSV, or Label Studio tasks."""
    from logmine_dagster.review.label_studio import CONFIG_PATH
    from logmine_dagster.review.interchange import export_batch, format_for
    from logmine_dagster.storage import Database
    from logmine_dagster.core.weeks import parse_week

    try:
        monday = parse_week(week)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    fmt = format_for(out, fmt)
    count = export_batch(Database(Settings.from_env().database_url), monday, out, fmt)
    if count == 0:
        click.echo(f"no cases queued for the week of {monday}: materialise review_batch for that week first", err=True)
    click.echo(f"exported {count} case(s) of the week of {monday} to {out} ({fmt})")
    if fmt == "label-studio":
        click.echo(f"labelling config to paste into the Label Studio project: {CONFIG_PATH}")
        click.echo("after labelling, export the project as JSON, then:")
    else:
        click.echo('fill "decision" (accept|discard), "expected_output" (for accept) and "reason" (for discard);')
        click.echo('optionally "rubric_notes", "tags" (comma-separated) and "category_override", then:')
    click.echo(f"  logmine review import FILE --format {fmt} --reviewer YOUR_NAME")


@review.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="Who made these decisions (recorded with each).")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "label-studio"]), default=None,
    help="File format [default: from the name: .csv is CSV, .json a Label Studio JSON export, else JSON lines].",
)
def review_import(path, reviewer, fmt) -> None:
    """Store reviewers' decisions. Nothing is stored if any line, row or task is invalid."""
    from logmine_dagster.review.decision_files import UnreadableFile
    from logmine_dagster.review.errors import ReviewError
    from logmine_dagster.review.interchange import import_decisions
    from logmine_dagster.storage import Database

    try:
        report = import_decisions(Database(Settings.from_env().database_url), path, reviewer, fmt)
    except (UnreadableFile, ValueError) as error:
        raise click.ClickException(f"{path}: {error}: nothing imported") from None
    except ReviewError as error:
        raise click.ClickException(error.message) from None
    if report.rejected:
        for number, reason in report.rejected[:50]:
            where = f"{path}: task #{number}" if report.format == "label-studio" else f"{path}:{number}"
            click.echo(f"{where}: {reason}", err=True)
        raise click.ClickException(f"{len(report.rejected)} invalid {report.unit}(s): nothing imported, fix them and import again")
    click.echo(
        f"imported {report.accepted} accepted and {report.discarded} discarded case(s) by {reviewer}; "
        f"{report.undecided} left undecided"
    )
    click.echo("materialise labelled_cases and eval_set (or wait for Monday's schedule) to update the eval set")


from logmine_dagster.cli.review_app import add_user as review_add_user, serve as review_serve  # noqa: E402

review.add_command(review_serve)
review.add_command(review_add_user)


@cli.command("db-upgrade")
def db_upgrade() -> None:
    """Create or migrate logmine's tables in LOGMINE_DATABASE_URL."""
    from logmine_dagster.storage import Database

    Database(Settings.from_env().database_url)
    click.echo("database schema is up to date")


from logmine_dagster.cli.categorise import categorise as categorise_command  # noqa: E402
from logmine_dagster.cli.evalset import evalset  # noqa: E402

cli.add_command(evalset)
cli.add_command(categorise_command)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="logmine", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("logmine: aborted", err=True)
        return 1
    except click.UsageError as error:
        click.echo(f"logmine: {error.format_message()} (see 'logmine --help')", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"logmine: {error.format_message()}", err=True)
        return 1
    except ConfigError as error:
        click.echo(f"logmine: {error}", err=True)
        return 2
    return 0

