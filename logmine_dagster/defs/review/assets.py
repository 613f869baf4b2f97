"""The weekly batch for human reviewers, and their decisions as labelled cases."""

import dagster as dg

from logmine_dagster.core.weeks import iso_week_label
from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.curation.categorise_day import week_summary
from logmine_dagster.defs.resources import LogmineDatabase, MiningPolicy
from logmine_dagster.defs.review.metadata import review_metadata
from logmine_dagster.lib.metadata import clip, counts_markdown, inline_table, novel_clusters_markdown, short_codes
from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.review.batch import build_batch
from logmine_dagster.review.labelled import build_labelled_cases
from logmine_dagster.review.batching import quota_markdown


@retry_on_transient_database_errors
def queue_review_batch(context: dg.AssetExecutionContext, database: LogmineDatabase, policy: MiningPolicy) -> dg.MaterializeResult:
    week = context.partition_key
    db = database.get()
    report = build_batch(db, week, policy.batch_cap())
    summary = week_summary(db, week)
    chosen = batch_markdown(report.chosen, week)
    per_day = ["| day | " + " | ".join(CATEGORIES) + " |", "| --- |" + " ---: |" * len(CATEGORIES)]
    per_day += [f"| {day} | " + " | ".join(str(counts.get(c, 0)) for c in CATEGORIES) + " |" for day, counts in sorted(summary.by_day_category.items())]
    return dg.MaterializeResult(
        metadata={
            "week": iso_week_label(week),
            "candidates_in_week": report.candidates,
            "excluded_already_queued_or_decided": report.excluded,
            "queued": report.selected,
            "kept_decided": report.kept_decided,
            "queued_from_uncovered_failures": report.queued_uncovered,
            **{f"queued_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
            "batch": dg.MetadataValue.md(chosen),
            "batch_case_ids": dg.MetadataValue.json([c["case_id"] for c in report.chosen]),
            "week_candidates_by_day": dg.MetadataValue.md("\n".join(per_day)) if summary.by_day_category else dg.MetadataValue.md("_no candidates_"),
            "week_by_reason": counts_markdown(summary.by_reason, "reason"),
            "week_samples_by_category": counts_markdown(summary.seen_by_category, "category"),
            "week_cluster_sizes": counts_markdown(summary.cluster_sizes, "cluster size"),
            "week_top_novel_clusters": novel_clusters_markdown([r[1:] for r in summary.top_novel]),
            "quotas": dg.MetadataValue.md(quota_markdown(report.plan)) if report.plan else dg.MetadataValue.md("_no candidates_"),
            "next_step": dg.MetadataValue.md(
                f"`logmine review export --week {week} --out batch.jsonl`, then "
                f"`logmine review import batch.jsonl --reviewer NAME`"
            ),
        }
    )


@dg.asset(
    deps=["review_batch"],
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


def batch_markdown(chosen: list[dict], week: str) -> str:
    """The batch as the asset page shows it inline: the first cases with ids, category, cluster size and
    its reason codes (shortened: no category prefix, `+N` more); the per-category slots are the `quotas`
    table, the reviewer's full `why` line is in the export; every id is in `batch_case_ids` and the whole batch in the export."""
    if not chosen:
        return "_nothing queued this week_"
    header = ["| # | case | day | category | seen | reasons |", "| ---: | --- | --- | --- | ---: | --- |"]
    rows = [
        f"| {i + 1} | {clip(c['case_id'], 16)} | {c['day']} | {c['category']} | {c.get('duplicate_count', 1)} | "
        f"{short_codes(c['reasons'])} |"
        for i, c in enumerate(chosen)
    ]
    return inline_table(header, rows, f"`logmine review export --week {week}`")


def review_batch_asset(weekly: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        name="review_batch",
        deps=["categorised_candidates"],
        partitions_def=weekly,
        group_name="review",
        kinds={"sqlalchemy"},
        description="Promises: the week's candidates most worth a reviewer's time, capped and balanced across "
        "categories, none already queued or decided. Labels come only from reviewers (labelled_cases).",
    )(queue_review_batch)
