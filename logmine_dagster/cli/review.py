"""`logmine review ...`: hand the weekly batch to reviewers and take their decisions back."""

from __future__ import annotations

from pathlib import Path

import click

from logmine_dagster.cli.review_app import add_user, serve
from logmine_dagster.cli.options import invocation_settings


@click.group()
def review() -> None:
    """Hand the weekly batch to reviewers and take their decisions back."""


@review.command("export")
@click.option("--week", required=True, help="2026-W47 or any date in the week.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "label-studio"]), default=None,
    help="File format [default: from --out: .csv is CSV, .json Label Studio tasks, else JSON lines].",
)
@click.option("--include-decided", is_flag=True, help="Also write decided cases, marked by review_status (a decision on them is refused on import).")
def review_export(week, out, fmt, include_decided) -> None:
    """Write the week's batch for reviewers: JSON lines, CSV, or Label Studio tasks; decided cases are
    left out, and expected_output is prefilled with the model output."""
    from logmine_dagster.review.label_studio import CONFIG_PATH
    from logmine_dagster.review.interchange import export_batch, exportable_cases, format_for
    from logmine_dagster.storage import Database
    from logmine_dagster.core.weeks import parse_week

    try:
        monday = parse_week(week)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    fmt = format_for(out, fmt)
    db = Database(invocation_settings().database_url)
    if not exportable_cases(db, monday, include_decided=include_decided):
        # Refused before writing: an empty file would look like a batch with nothing in it.
        left = "" if include_decided else " left to review (decided cases are left out: --include-decided writes them)"
        raise click.ClickException(f"no cases{left} for the week of {monday}: materialise review_batch for that week first; "
                                   f"nothing was written")
    count = export_batch(db, monday, out, fmt, include_decided=include_decided)
    click.echo(f"exported {count} case(s) of the week of {monday} to {out} ({fmt})")
    if fmt == "label-studio":
        click.echo(f"labelling config to paste into the Label Studio project: {CONFIG_PATH}")
        click.echo("after labelling, export the project as JSON, then:")
    else:
        click.echo('fill "decision" (accept|discard), check "expected_output" (for accept; prefilled with the model output)')
        click.echo('and write "reason" (for discard);')
        click.echo('optionally "rubric_notes", "tags" (comma-separated) and "category_override", then:')
    click.echo(f"  logmine review import FILE --format {fmt} --reviewer YOUR_NAME")


@review.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="The existing, enabled reviewer account whose votes these decisions are.")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "label-studio"]), default=None,
    help="File format [default: from the name: .csv is CSV, .json a Label Studio JSON export, else JSON lines].",
)
def review_import(path, reviewer, fmt) -> None:
    """Store a reviewer's decisions as their votes. Nothing is stored if any line, row or task is invalid."""
    import getpass

    from logmine_dagster.review.decision_files import UnreadableFile
    from logmine_dagster.review.errors import ReviewError
    from logmine_dagster.review.interchange import import_decisions, status_line
    from logmine_dagster.storage import Database

    try:
        settings = invocation_settings()
        report = import_decisions(Database(settings.database_url), path, reviewer, fmt, importer=f"cli:{getpass.getuser()}", allow_terms=settings.allow_terms)
    except (UnreadableFile, ValueError) as error:
        raise click.ClickException(f"{path}: {error}: nothing imported") from None
    except ReviewError as error:
        raise click.ClickException(error.message) from None
    if report.rejected:
        for number, reason in report.rejected[:50]:
            where = f"{path}: task #{number}" if report.format == "label-studio" else f"{path}:{number}"
            click.echo(f"{where}: {reason}", err=True)
        raise click.ClickException(f"{len(report.rejected)} invalid {report.unit}(s): nothing imported, fix them and import again")
    for number, case_id, status in report.outcomes:
        if status == "disputed":  # per entry, so the reviewer knows which cases now wait for an admin
            where = f"{path}: task #{number}" if report.format == "label-studio" else f"{path}:{number}"
            click.echo(f"{where}: case {case_id[:12]} is disputed: the reviews disagree, an admin resolves it", err=True)
    click.echo(
        f"imported {report.accepted} accept and {report.discarded} discard vote(s) by {reviewer}; "
        f"{report.undecided} left undecided. {status_line(report.status_counts())}".rstrip()
    )
    click.echo("materialise labelled_cases and eval_set (or wait for Monday's schedule) to update the eval set")


@review.command("policy")
@click.option("--reviews-per-case", type=click.IntRange(min=1, max=5), default=None, help="Store this number of independent reviews a case needs.")
@click.option("--week", default=None, help="Only for this week's batch (2026-W47 or a date in it) [default: the default for every week].")
def review_policy(reviews_per_case, week) -> None:
    """Show or store the reviews-per-case policy the review app and every import apply."""
    import getpass

    from logmine_dagster.core.weeks import parse_week
    from logmine_dagster.review.policy import stored_policy
    from logmine_dagster.review.policy_change import change_policy
    from logmine_dagster.storage import Database

    db = Database(invocation_settings().database_url)
    try:
        monday = parse_week(week) if week else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if reviews_per_case is not None:
        settled = change_policy(db, reviews_per_case, f"cli:{getpass.getuser()}", monday)
        decided = sum(1 for status in settled.values() if status in ("accepted", "discarded"))
        click.echo(f"cases settled by the change: {decided} decided, {len(settled) - decided} disputed")
    policy = stored_policy(db)
    click.echo(f"reviews per case: {policy.get('', 1)} by default" + "".join(f"; {w}: {n}" for w, n in sorted(policy.items()) if w))


review.add_command(serve)
review.add_command(add_user)
