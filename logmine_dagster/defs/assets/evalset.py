"""Human decisions as labelled cases, and the eval set built from the accepted ones."""

import dagster as dg

from logmine_dagster.categorise import CATEGORIES
from logmine_dagster.defs.assets.curation import review_batch
from logmine_dagster.defs.metadata import counts_markdown
from logmine_dagster.defs.resources import LogmineDatabase, MiningPolicy
from logmine_dagster.stages.evalset import build_eval_set, publish_release, unlabelled_eval_cases
from logmine_dagster.stages.review import build_labelled_cases
from logmine_dagster.defs.review_checks import review_metadata


@dg.asset(
    deps=[review_batch],
    group_name="review",
    kinds={"sqlalchemy"},
    description="Reviewers' decisions (accept with an expected output, or discard with a reason), each with "
    "reviewer and time. Only human decisions: nothing here is inferred.",
)
def labelled_cases(database: LogmineDatabase) -> dg.MaterializeResult:
    rows = build_labelled_cases(database.get())
    accepted = sum(1 for r in rows if r["decision"] == "accept")
    reviewers = sorted({r["reviewer"] for r in rows})
    return dg.MaterializeResult(
        metadata={
            "decided": len(rows),
            "accepted": accepted,
            "discarded": len(rows) - accepted,
            "reviewers": len(reviewers),
            **review_metadata(database.get()),
        }
    )


@dg.asset(
    deps=[labelled_cases],
    group_name="evalset",
    kinds={"sqlalchemy", "file"},
    description="The eval set: accepted, human-labelled cases (minus cases an admin retired); also written to "
    "LOGMINE_HOME/eval_set.jsonl. Publishes an immutable release (`YYYY-Www-<content hash>`) when the content "
    "changed and the quality suite passes; earlier releases stay readable (`logmine evalset show --version V`).",
)
def eval_set(context: dg.AssetExecutionContext, database: LogmineDatabase, policy: MiningPolicy) -> dg.MaterializeResult:
    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.evalset.growth import chart_markdown, growth_report
    from logmine_dagster.evalset.quality import cases_frame, run_quality_suite

    db = database.get()
    out = database.home() / "eval_set.jsonl"
    report = build_eval_set(db, out)
    growth = growth_report(db)
    # A release is never published from a set the blocking checks would fail.
    quality = run_quality_suite(cases_frame(eval_case_dicts(db)))
    unlabelled = unlabelled_eval_cases(db)
    if quality.passed and not unlabelled:
        release = publish_release(db, sample_rate=policy.sampling().rate, quality=quality.numbers())
        release_status = "published" if release.published else release.reason
    else:
        release, release_status = None, "withheld: the eval set fails its quality or labelling checks"
        context.log.warning("eval set release withheld: quality suite or human-labelling check failed")
    release_metadata = {
        "release_status": release_status,
        "version": (release.version if release else None) or "none",
        "release_published": bool(release and release.published),
        "release_added": release.added if release and release.published else 0,
        "release_changed": release.changed if release and release.published else 0,
        "release_removed": release.removed if release and release.published else 0,
        "retired_excluded": report.retired,
    }
    return dg.MaterializeResult(
        metadata={
            "cases": report.total,
            **{f"cases_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
            **release_metadata,
            **growth.metadata_values(),
            "by_category": counts_markdown(report.by_category, "category"),
            "growth_by_week": dg.MetadataValue.md(growth.markdown()),
            "growth_chart": dg.MetadataValue.md(chart_markdown(growth.chart_png())),
            "path": dg.MetadataValue.path(str(out)),
        }
    )


@dg.asset(
    deps=[eval_set],
    group_name="evalset",
    kinds={"file"},
    description="The eval set in every tool's format (promptfoo, OpenAI Evals, inspect-ai, DeepEval, Parquet with "
    "a dataset card) under LOGMINE_HOME/exports/. Downstream of eval_set, so its blocking quality check gates it.",
)
def eval_set_exports(database: LogmineDatabase) -> dg.MaterializeResult:
    from logmine_dagster.evalset.cases import eval_case_dicts
    from logmine_dagster.evalset.exports import export_all

    cases = eval_case_dicts(database.get())
    written = export_all(cases, database.home() / "exports")
    return dg.MaterializeResult(
        metadata={"cases": len(cases), "files": dg.MetadataValue.json({f: [str(p) for p in ps] for f, ps in written.items()})}
    )
