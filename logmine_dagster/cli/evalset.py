"""`logmine evalset`: export the eval set for eval tools, show its releases and how it grows, retire cases.

Registered in `logmine_dagster.cli` with `cli.add_command(evalset)`.
"""

from __future__ import annotations

from pathlib import Path

import click

from logmine_dagster.cli.options import invocation_settings
from logmine_dagster.evalset.exports import FORMATS

LATEST = "latest"


def _database():
    from logmine_dagster.storage import Database

    return Database(invocation_settings().database_url)


@click.group()
def evalset() -> None:
    """Export the eval set in the formats eval tools read, and show its growth."""


@evalset.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS), help="Target tool's format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write (Parquet also writes README.md beside it).")
@click.option("--version", "version", default=LATEST, show_default=True, help="Eval set release (e.g. 2026-W10-3f9a2c1d); 'latest' is the newest release.")
@click.option(
    "--reviewer-names",
    is_flag=True,
    help="Write reviewers' names. Default: keyed pseudonyms (r_...), stable across releases, not reversible without LOGMINE_HASH_KEY.",
)
def export_command(fmt: str, out: Path, version: str, reviewer_names: bool) -> None:
    """Write one release of the eval set (its frozen cases) in one tool's format."""
    from logmine_dagster.core.config import load_hash_key

    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.evalset.exports import export
    from logmine_dagster.evalset.releases import ReleaseError, latest_release, release_cases

    db = _database()
    if version == LATEST and latest_release(db) is None:
        click.echo("no release published yet: exporting the current eval set (the eval_cases table)", err=True)
        cases, label = eval_case_dicts(db), "none: current eval_cases"
    else:
        try:
            release = _release(db, version)
            cases, label = release_cases(db, release["version"]), release["version"]
        except ReleaseError as error:
            raise click.UsageError(str(error)) from None
    if not cases:
        raise click.ClickException("the eval set is empty: import reviewers' decisions and materialise eval_set first; nothing was written")
    key = None if reviewer_names else load_hash_key(invocation_settings().home)
    written = export(cases, fmt, out, reviewer_key=key, reviewer_names=reviewer_names)
    who = "reviewer names" if reviewer_names else "pseudonymous reviewer ids"
    click.echo(f"exported {len(cases)} case(s) as {fmt} to " + ", ".join(str(p) for p in written) + f" (release {label}); {who}")


def _release(db, version: str) -> dict:
    from logmine_dagster.evalset.releases import get_release

    return get_release(db, version)


@evalset.command("show")
@click.option("--version", "version", default=LATEST, show_default=True, help="Release to show.")
@click.option("--cases/--no-cases", "with_cases", default=True, show_default=True, help="List the release's case ids.")
def show_command(version: str, with_cases: bool) -> None:
    """Show one release: when, parent, counts, cases per category, and its case ids."""
    from logmine_dagster.evalset.releases import ReleaseError, list_releases, release_summary

    db = _database()
    try:
        summary = release_summary(db, version)
    except ReleaseError as error:
        raise click.ClickException(str(error)) from None
    created = summary["created_at"]
    click.echo(f"version {summary['version']}  (week {summary['week']}, published {created.isoformat() if hasattr(created, 'isoformat') else created})")
    click.echo(f"parent {summary['parent_version'] or '-'}; content hash {summary['content_hash']}; {summary['code_version']}")
    click.echo(f"{summary['case_count']} case(s): {summary['added']} added, {summary['changed']} changed, {summary['removed']} removed")
    for category, count in summary["by_category"].items():
        click.echo(f"  {category}: {count}")
    if with_cases:
        for case in summary["cases"]:
            click.echo(f"{case['case_id']}\t{case['category']}\t{case['added_week']}\t{case['change']}")
    others = [r["version"] for r in list_releases(db)]
    click.echo(f"{len(others)} release(s): " + ", ".join(others[-10:]), err=True)


@evalset.command("diff")
@click.argument("old_version")
@click.argument("new_version")
def diff_command(old_version: str, new_version: str) -> None:
    """Cases added, removed (with the retirement reason) and changed between two releases."""
    from logmine_dagster.evalset.releases import ReleaseError, diff_releases

    try:
        diff = diff_releases(_database(), old_version, new_version)
    except ReleaseError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{diff.old} -> {diff.new}: {len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed")
    for case in diff.added:
        click.echo(f"+ {case['case_id']}\t{case['category']}")
    for case in diff.removed:
        note = f"\tretired by {case['retired_by']}: {case['retired_reason']}" if case["retired_reason"] else ""
        click.echo(f"- {case['case_id']}\t{case['category']}{note}")
    for case in diff.changed:
        click.echo(f"~ {case['case_id']}\t{case['category']}\t" + ",".join(case["fields"]))


@evalset.command("retire")
@click.argument("case_id")
@click.option("--reason", required=True, help="Why the case leaves the eval set (kept with the retirement).")
@click.option("--admin", required=True, help="Admin account taking the decision (logmine review add-user NAME --role admin).")
def retire_command(case_id: str, reason: str, admin: str) -> None:
    """Retire a case: it leaves every later release; earlier releases keep it."""
    from logmine_dagster.evalset.releases import ReleaseError, retire_case

    try:
        retire_case(_database(), case_id, reason, admin)
    except ReleaseError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"retired {case_id} ({admin}); materialise eval_set to publish a release without it")


@evalset.command("lineage")
@click.argument("case_id")
def lineage_command(case_id: str) -> None:
    """Where a released case came from: day, sampling and categoriser reasons, reviewers, versions."""
    import json

    from logmine_dagster.evalset.releases import case_lineage

    lineage = case_lineage(_database(), case_id)
    if lineage is None:
        raise click.ClickException(f"case {case_id!r} is in no release")
    click.echo(json.dumps(lineage, default=str, indent=1, ensure_ascii=False))


@evalset.command("stats")
def stats_command() -> None:
    """Print the eval set's growth per review week, the mined/synthetic mix per release, and its
    category mix beside production's (the tables in the eval_set asset's metadata)."""
    click.echo(stats_text(_database(), invocation_settings().sample_rate))


def stats_text(db, base_rate: float | None) -> str:
    from logmine_dagster.evalset.growth import growth_report, release_mix, release_mix_markdown
    from logmine_dagster.curation.coverage_summary import coverage_text
    from logmine_dagster.curation.failure_coverage import COVERED_SIMILARITY, coverage_rows
    from logmine_dagster.evalset.representativeness import representativeness

    report = growth_report(db)
    mixes = release_mix(db)
    parts = [
        "## Growth per review week (added mined/synthetic; category columns: added/discarded)",
        "",
        report.markdown(),
        "",
        f"{report.total_cases} case(s) in the eval set over {len(report.weeks)} review week(s)",
        "",
        "## Releases: mined/synthetic per category",
        "",
        release_mix_markdown(mixes),
        "",
        "## Representativeness: the eval set's category mix beside production's",
        "",
        representativeness(db, base_rate).markdown(),
        "",
        f"## Failure coverage: production failures near an eval case (similarity >= {COVERED_SIMILARITY})",
        "",
        coverage_text(coverage_rows(db)),
    ]
    return "\n".join(parts)


@evalset.command("import-synthetic")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Where the cases come from (file or tool name); kept with each case.")
@click.option("--admin", required=True, help="Admin account importing them (logmine review add-user NAME --role admin).")
def import_synthetic_command(path: Path, source: str, admin: str) -> None:
    """Import synthetic cases (JSONL: id?, input, expected_output, category, tags?) into the eval set.

    Every line is checked (JSON, fields, category, duplicate ids and inputs, PII by the sanitiser and
    the residual gate); nothing is stored if any line is refused. Errors name lines, never text."""
    from logmine_dagster.evalset.synthetic import SyntheticImportError, import_synthetic

    settings = invocation_settings()
    try:
        report = import_synthetic(_database(), path, source, admin, allow_terms=settings.allow_terms)
    except SyntheticImportError as error:
        raise click.UsageError(str(error)) from None
    if report.rejected:
        for number, reason in report.rejected[:100]:
            click.echo(f"{path}:{number}: {reason}", err=True)
        if len(report.rejected) > 100:
            click.echo(f"... and {len(report.rejected) - 100} more", err=True)
        raise click.ClickException(f"{len(report.rejected)} line(s) refused: nothing imported, fix them and import again")
    categories = ", ".join(f"{k} {v}" for k, v in sorted(report.by_category.items())) or "none"
    click.echo(
        f"imported {report.imported} new and {report.updated} updated synthetic case(s) from {source!r} "
        f"({report.unchanged} unchanged; {categories})"
    )
    click.echo("materialise eval_set to add them to the eval set and publish a release")
