"""The eval set built from the accepted, human-labelled cases, its releases and its exports."""

from typing import Optional

import dagster as dg

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.defs.review.assets import labelled_cases
from logmine_dagster.defs.resources import LogmineDatabase, MiningPolicy, PresidioSanitiser
from logmine_dagster.evalset.build import build_eval_set, publish_release, unlabelled_eval_cases


PLOTTED_GROWTH = ("cases_synthetic", "acceptance_rate_overall", "latest_week_added")


class EvalSetConfig(dg.Config):
    """`release_week`: ISO week (`2026-W10`) or a date in it to label the release with; default: the
    week of the run. Set it when publishing for a past week (a backfill or a simulation)."""

    release_week: Optional[str] = None


class EvalSetExportsConfig(dg.Config):
    """`reviewer_names`: write reviewers' names into the public exports instead of keyed pseudonyms."""

    reviewer_names: bool = False


@dg.asset(
    deps=[labelled_cases],
    group_name="evalset",
    kinds={"sqlalchemy", "file"},
    description="The eval set: accepted, human-labelled cases (minus cases an admin retired); also written to "
    "LOGMINE_HOME/eval_set.jsonl. Mined cases and imported synthetic ones (`origin`). Publishes an immutable "
    "release (`YYYY-Www-<content hash>`) when the content changed and the quality suite passes; earlier releases "
    "stay readable (`logmine evalset show --version V`).",
)
def eval_set(
    context: dg.AssetExecutionContext, config: EvalSetConfig, database: LogmineDatabase, policy: MiningPolicy
) -> dg.MaterializeResult:
    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.defs.evalset.compact import growth_table, release_mix_table, representativeness_table
    from logmine_dagster.evalset.growth import growth_report, release_mix, release_mix_markdown
    from logmine_dagster.evalset.quality import cases_frame, load_releases_frame, run_quality_suite
    from logmine_dagster.evalset.representativeness import representativeness

    db = database.get()
    out = database.home() / "eval_set.jsonl"
    report = build_eval_set(db, out)
    growth = growth_report(db)
    sample_rate = policy.sampling().rate
    # A release is never published from a set the blocking checks would fail.
    quality = run_quality_suite(cases_frame(eval_case_dicts(db)), releases=load_releases_frame(db))
    unlabelled = unlabelled_eval_cases(db)
    if quality.passed and not unlabelled:
        release = publish_release(db, config.release_week, sample_rate=sample_rate, quality=quality.numbers())
        release_status = "published" if release.published else release.reason
    else:
        release, release_status = None, "withheld: the eval set fails its quality or labelling checks"
        context.log.warning("eval set release withheld: quality suite or human-labelling check failed")
    mix = representativeness(db, sample_rate)
    numbers = {**growth.metadata_values(), **mix.metadata_values()}
    plotted = {key: numbers.pop(key) for key in PLOTTED_GROWTH}
    release_numbers = {
        "added": release.added if release and release.published else 0,
        "changed": release.changed if release and release.published else 0,
        "removed": release.removed if release and release.published else 0,
        "retired_excluded": report.retired,
    }
    return dg.MaterializeResult(
        metadata={
            # Numbers worth a chart each (the UI plots every numeric entry across materialisations).
            "cases": report.total,
            **{f"cases_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
            **plotted,
            "release_added": release_numbers["added"],
            "release_status": release_status,
            "version": (release.version if release else None) or "none",
            "release_published": bool(release and release.published),
            "growth_chart": dg.MetadataValue.md(growth_sparkline(growth)),
            "coverage_chart": dg.MetadataValue.md(coverage_sparkline(db)),
            "growth_by_week": dg.MetadataValue.md(growth_table(growth)),
            "growth_chart_detail": growth_chart_file(growth, database.home()),
            "mix_by_release": dg.MetadataValue.md(release_mix_table(release_mix_markdown(release_mix(db)))),
            "representativeness": dg.MetadataValue.md(representativeness_table(mix)),
            # The rest, read rather than plotted (and for scripts).
            "numbers": dg.MetadataValue.json({"release": release_numbers, **numbers}),
            "path": dg.MetadataValue.path(str(out)),
        }
    )


def growth_chart_file(growth, home) -> dg.MetadataValue:
    """The detailed growth chart (per category, with the acceptance rate) as a PNG beside eval_set.jsonl:
    as markdown its data URI would be far over the length the asset page shows inline."""
    from logmine_dagster.evalset.growth import chart_markdown

    png = growth.chart_png()
    if not png:
        return dg.MetadataValue.md(chart_markdown(png))
    path = home / "eval_set_growth.png"
    path.write_bytes(png)
    return dg.MetadataValue.path(str(path))


def growth_sparkline(growth) -> str:
    """Eval set size per review week, small enough to show on the asset page (lib/sparkline.py)."""
    from logmine_dagster.lib.sparkline import sparkline_markdown

    return sparkline_markdown("eval cases per review week", [w.label for w in growth.weeks],
                              [w.total_cases for w in growth.weeks])


def coverage_sparkline(db) -> str:
    """The covered share of production failures per measured week (eval_coverage's trend), so the eval set's
    page shows what it grew for next to how it grew."""
    from logmine_dagster.curation.coverage_summary import summarise
    from logmine_dagster.curation.failure_coverage import coverage_rows
    from logmine_dagster.defs.evalset.coverage import coverage_chart

    return coverage_chart(list(summarise(coverage_rows(db)).values()))


@dg.asset(
    deps=[eval_set],
    group_name="evalset",
    kinds={"file"},
    description="The eval set in every tool's format (promptfoo, OpenAI Evals, inspect-ai, DeepEval, Parquet with "
    "a dataset card) under LOGMINE_HOME/exports/. Downstream of eval_set, so its blocking quality check gates it.",
)
def eval_set_exports(config: EvalSetExportsConfig, database: LogmineDatabase, presidio: PresidioSanitiser) -> dg.MaterializeResult:
    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.evalset.exports import export_all

    cases = eval_case_dicts(database.get())
    # Reviewers as keyed pseudonyms unless names are asked for (README, "Reviewer names in exports").
    written = export_all(cases, database.home() / "exports", reviewer_key=presidio.key(), reviewer_names=config.reviewer_names)
    return dg.MaterializeResult(
        metadata={
            "cases": len(cases),
            "reviewers": "names" if config.reviewer_names else "pseudonyms",
            "files": dg.MetadataValue.json({f: [str(p) for p in ps] for f, ps in written.items()}),
        }
    )
