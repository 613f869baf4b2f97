"""Human decisions as labelled cases, and the eval set built from the accepted ones."""

import dagster as dg

from logmine_dagster.categorise import CATEGORIES
from logmine_dagster.defs.assets.curation import review_batch
from logmine_dagster.defs.metadata import counts_markdown
from logmine_dagster.defs.resources import LogmineDatabase
from logmine_dagster.stages.evalset import build_eval_set
from logmine_dagster.stages.review import build_labelled_cases


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
        }
    )


@dg.asset(
    deps=[labelled_cases],
    group_name="evalset",
    kinds={"sqlalchemy", "file"},
    description="The eval set: accepted, human-labelled cases; also written to LOGMINE_HOME/eval_set.jsonl.",
)
def eval_set(database: LogmineDatabase) -> dg.MaterializeResult:
    from logmine_dagster.evalset.growth import chart_markdown, growth_report

    out = database.home() / "eval_set.jsonl"
    report = build_eval_set(database.get(), out)
    growth = growth_report(database.get())
    return dg.MaterializeResult(
        metadata={
            "cases": report.total,
            **{f"cases_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
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
