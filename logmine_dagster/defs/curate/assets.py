"""Categorised candidates per day: categories with reasons, near-duplicates collapsed."""

import dagster as dg

from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.lib.metadata import counts_markdown, novel_clusters_markdown
from logmine_dagster.defs.resources import LogmineDatabase
from logmine_dagster.curation.categorise_day import categorise_day


@retry_on_transient_database_errors
def categorise_candidates(context: dg.AssetExecutionContext, database: LogmineDatabase) -> dg.MaterializeResult:
    report = categorise_day(database.get(), context.partition_key)
    clusters = "\n".join(
        ["| case | category | seen | collapsed (first 3) |", "| --- | --- | ---: | --- |"]
        + [
            f"| {c} | {cat} | {n} | {', '.join(report.cluster_members.get(c, [])[:3])} |"
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
            "top_novel_clusters": novel_clusters_markdown(report.top_novel),
            # A reference size, not a measurement of the day: shown, not plotted.
            "novelty_reference": dg.MetadataValue.text(f"{report.novelty_reference} earlier texts and eval cases"),
        }
    )


def categorised_candidates_asset(daily: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        name="categorised_candidates",
        deps=["sanitised_samples"],
        partitions_def=daily,
        group_name="curate",
        kinds={"sqlalchemy"},
        description="Promises: each sanitised sample of the day as one candidate for review, categorised as "
        "happy_path, edge_case, adversarial or drift with its reasons; near-identical cases collapsed into one "
        "with a duplicate count. Holds sanitised text only.",
    )(categorise_candidates)
