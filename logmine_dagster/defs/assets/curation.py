"""Categorised candidates per day, and the weekly batch for human reviewers."""

import json

import dagster as dg

from logmine_dagster.defs.retries import retry_on_transient_database_errors
from logmine_dagster.batching import quota_markdown
from logmine_dagster.categorise import CATEGORIES
from logmine_dagster.defs.assets.sanitise import sanitised_samples
from logmine_dagster.defs.metadata import counts_markdown
from logmine_dagster.defs.partitions import daily_partitions, weekly_partitions
from logmine_dagster.defs.resources import LogmineDatabase, MiningPolicy
from logmine_dagster.stages.curate import categorise_day, week_summary
from logmine_dagster.stages.review import build_batch
from logmine_dagster.weeks import iso_week_label


@dg.asset(
    deps=[sanitised_samples],
    partitions_def=daily_partitions,
    group_name="curate",
    kinds={"sqlalchemy"},
    description="Sanitised samples categorised as happy_path, edge_case, adversarial or drift, with reasons; "
    "near-identical cases collapsed into one with a duplicate count.",
)
@retry_on_transient_database_errors
def categorised_candidates(context: dg.AssetExecutionContext, database: LogmineDatabase) -> dg.MaterializeResult:
    report = categorise_day(database.get(), context.partition_key)
    clusters = "\n".join(
        ["| case | category | seen | collapsed into it (first 5) |", "| --- | --- | ---: | --- |"]
        + [
            f"| {c} | {cat} | {n} | {', '.join(report.cluster_members.get(c, [])[:5])} |"
            for c, cat, n in report.largest_clusters
        ]
    )
    return dg.MaterializeResult(
        metadata={
            "samples_read": report.read,
            "candidates": report.kept,
            "duplicates_dropped": report.duplicates_dropped,
            **{f"category_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
            "by_category": counts_markdown(report.by_category, "category"),
            "by_reason": counts_markdown(report.by_reason, "reason"),
            "largest_clusters": dg.MetadataValue.md(clusters),
            "near_duplicate_repeats": counts_markdown(report.repeats, "repeat of"),
            "novelty_reference_texts": report.novelty_reference,
            "top_novel_clusters": dg.MetadataValue.md(_novel_table(report.top_novel)),
        }
    )


def _novel_table(rows) -> str:
    """Most novel clusters first; the text is the sanitised user text, cut short."""
    if not rows:
        return "_no novelty scores (no earlier weeks or eval cases to compare with)_"
    lines = ["| case | category | novelty | seen | sanitised text (cut) |", "| --- | --- | ---: | ---: | --- |"]
    lines += [f"| {case} | {category} | {novelty:.2f} | {size} | {text} |" for case, category, novelty, size, text in rows]
    return "\n".join(lines)


@dg.asset(
    deps=[categorised_candidates],
    partitions_def=weekly_partitions,
    group_name="review",
    kinds={"sqlalchemy"},
    description="The week's capped, category-balanced batch, queued for human review.",
)
@retry_on_transient_database_errors
def review_batch(context: dg.AssetExecutionContext, database: LogmineDatabase, policy: MiningPolicy) -> dg.MaterializeResult:
    week = context.partition_key
    db = database.get()
    report = build_batch(db, week, policy.batch_cap())
    summary = week_summary(db, week)
    chosen = "\n".join(
        ["| # | case | day | category | seen | collapsed ids (first 3) | why |", "| ---: | --- | --- | --- | ---: | --- | --- |"]
        + [
            f"| {i + 1} | {c['case_id']} | {c['day']} | {c['category']} | {c.get('duplicate_count', 1)} | "
            f"{', '.join(json.loads(c.get('duplicate_ids') or '[]')[:3])} | {c.get('why', c['reasons'])} |"
            for i, c in enumerate(report.chosen)
        ]
    )
    per_day = ["| day | " + " | ".join(CATEGORIES) + " |", "| --- |" + " ---: |" * len(CATEGORIES)]
    per_day += [f"| {day} | " + " | ".join(str(counts.get(c, 0)) for c in CATEGORIES) + " |" for day, counts in sorted(summary.by_day_category.items())]
    return dg.MaterializeResult(
        metadata={
            "week": iso_week_label(week),
            "candidates_in_week": report.candidates,
            "excluded_already_queued_or_decided": report.excluded,
            "queued": report.selected,
            "kept_decided": report.kept_decided,
            **{f"queued_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
            "batch": dg.MetadataValue.md(chosen),
            "week_candidates_by_day": dg.MetadataValue.md("\n".join(per_day)) if summary.by_day_category else dg.MetadataValue.md("_no candidates_"),
            "week_by_reason": counts_markdown(summary.by_reason, "reason"),
            "week_samples_by_category": counts_markdown(summary.seen_by_category, "category"),
            "week_cluster_sizes": counts_markdown(summary.cluster_sizes, "cluster size"),
            "week_top_novel_clusters": dg.MetadataValue.md(_novel_table([r[1:] for r in summary.top_novel])),
            "quotas": dg.MetadataValue.md(quota_markdown(report.plan)) if report.plan else dg.MetadataValue.md("_no candidates_"),
            "next_step": dg.MetadataValue.md(
                f"`logmine review export --week {week} --out batch.jsonl`, then "
                f"`logmine review import batch.jsonl --reviewer NAME`"
            ),
        }
    )
