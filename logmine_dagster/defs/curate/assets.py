"""Categorised candidates per day: categories with reasons, near-duplicates collapsed."""

import dagster as dg

from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.lib.metadata import clip, counts_markdown, novel_clusters_markdown
from logmine_dagster.defs.resources import LogmineDatabase
from logmine_dagster.curation.categorise_day import categorise_day


@retry_on_transient_database_errors
def categorise_candidates(context: dg.AssetExecutionContext, database: LogmineDatabase) -> dg.MaterializeResult:
    report = categorise_day(database.get(), context.partition_key)
    # Three columns, ids cut, fit the asset page at 1280 px; `collapsed_ids` has each cluster's full id and
    # its first collapsed ids.
    clusters = "\n".join(
        ["| case | category | seen |", "| --- | --- | ---: |"]
        + [f"| {clip(c, 16)} | {cat} | {n} |" for c, cat, n in report.largest_clusters]
    )
    return dg.MaterializeResult(
        metadata={
            "samples_read": report.read,
            "candidates": report.kept,
            "duplicates_dropped": report.duplicates_dropped,
            **{f"category_{name}": int(report.by_category.get(name, 0)) for name in CATEGORIES},
            "by_category": counts_markdown(report.by_category, "category"),
            "by_reason": counts_markdown(report.by_reason, "reason", width=26),
            "largest_clusters": dg.MetadataValue.md(clusters),
            "collapsed_ids": dg.MetadataValue.json({c: report.cluster_members.get(c, [])[:3] for c, _, _ in report.largest_clusters}),
            "near_duplicate_repeats": counts_markdown(report.repeats, "repeat of"),
            "top_novel_clusters": novel_clusters_markdown(report.top_novel),
            # A reference size, not a measurement of the day: shown, not plotted.
            "novelty_reference": dg.MetadataValue.text(f"{report.novelty_reference} earlier texts and eval cases"),
        }
    )


# A day's reasons read the EARLIER days' candidates and samples (near_dup:earlier against the trailing
# REFERENCE_DAYS of candidates; the drift baseline and the novelty reference of the weeks before the day's week):
# declared as a dependency on the previous day's partition, so an asset backfill (Dagster 1.13) categorises one
# day after the other, each only once the day before it is done, and by induction every earlier day of the
# backfill. Trade-off: Dagster runs a self-dependent asset in runs of its own, so a backfill's categorise steps
# run one day at a time after sampling and sanitising (which, the slow part, still run days in parallel). Plain
# job runs (the sensor, `dagster job backfill`) are not ordered by Dagster: re-running days whose earlier days
# exist gives identical rows, but a catch-up of several new days at once can still categorise a day before
# the one before it (README, "Run order").
PREVIOUS_DAY = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


def categorised_candidates_asset(daily: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        name="categorised_candidates",
        deps=["sanitised_samples", dg.AssetDep("categorised_candidates", partition_mapping=PREVIOUS_DAY)],
        partitions_def=daily,
        group_name="curate",
        kinds={"sqlalchemy"},
        description="Promises: each sanitised sample of the day as one candidate for review, categorised as "
        "happy_path, edge_case, adversarial or drift with its reasons; near-identical cases collapsed into one "
        "with a duplicate count. Holds sanitised text only.",
    )(categorise_candidates)
