"""eval_coverage: the week's production failures clustered, and the share an eval case covers (built
when the code location loads, on the week partitions; the domain logic is curation/failure_coverage.py)."""

import dagster as dg

from logmine_dagster.defs.resources import LogmineDatabase

COVERAGE_CHECK = "coverage_not_falling"


def measure_eval_coverage(context: dg.AssetExecutionContext, database: LogmineDatabase) -> dg.MaterializeResult:
    from logmine_dagster.core.weeks import iso_week_label
    from logmine_dagster.curation import coverage_summary as summary
    from logmine_dagster.curation.failure_coverage import COVERED_SIMILARITY, coverage_rows, measure_coverage, store_coverage
    from logmine_dagster.lib.metadata import latest_rows_inline

    week = context.partition_key
    db = database.get()
    store_coverage(db, measure_coverage(db, week))
    rows = coverage_rows(db)
    weeks = summary.summarise(rows)
    this_rows = [r for r in rows if r["week"] == week]
    this = weeks.get(week) or summary.WeekCoverage(week, 0)
    share = this.overall.share
    previous = summary.previous_share(rows, week)
    falling = share is not None and previous is not None and share < previous[1]
    check = dg.AssetCheckResult(
        check_name=COVERAGE_CHECK,
        passed=not falling,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"covered_share": share if share is not None else -1.0, "previous_share": previous[1] if previous else -1.0},
        description=(f"covered share fell from {previous[1]:.0%} ({iso_week_label(previous[0])}) to {share:.0%}"
                     if falling else None),
    )
    trend = [w for w in weeks.values() if w.week <= week]
    return dg.MaterializeResult(
        metadata={
            "week": iso_week_label(week),
            "failures": this.overall.failures,
            "failure_clusters": this.overall.clusters,
            "uncovered_clusters": this.overall.clusters - this.overall.covered_clusters,
            # A week without failures has nothing uncovered: 1.0 keeps the plot from showing a false dip.
            "covered_share": share if share is not None else 1.0,
            # Short paragraphs: the asset page does not wrap a line.
            "covered_bar": dg.MetadataValue.md(f"Covered: a member's TF-IDF cosine\n\nsimilarity to an eval case is at\n\n"
                                               f"least {COVERED_SIMILARITY} (novelty below the drift bar)."),
            "by_category": dg.MetadataValue.md(inline_shares(this.by_category, "category")),
            "by_signal": dg.MetadataValue.md(inline_shares(this.by_signal, "signal", summary.signal_order())),
            "largest_uncovered": dg.MetadataValue.md(inline_uncovered(summary.largest_uncovered(this_rows))),
            "trend": dg.MetadataValue.md(latest_rows_inline(summary.trend_markdown({w.week: w for w in trend}),
                                                            "`logmine evalset stats`")),
            "trend_chart": dg.MetadataValue.md(coverage_chart(trend)),
        },
        check_results=[check],
    )


def inline_shares(groups: dict, label: str, order: tuple[str, ...] = ()) -> str:
    """coverage_summary.shares_markdown in four columns, so it fits the asset page at 1280 px: the covered
    share of the failures, and the clusters as covered/all (the counts: `logmine evalset stats`)."""
    from logmine_dagster.curation.coverage_summary import ordered_keys

    keys = ordered_keys(groups, order)
    if not keys:
        return f"_no failures, no {label} to show_"
    lines = [f"| {label} | failed | covered | clusters |", "| --- | ---: | ---: | ---: |"]
    for key in keys:
        s = groups[key]
        lines.append(f"| {key} | {s.failures} | {'-' if s.share is None else f'{s.share:.0%}'} | {s.covered_clusters}/{s.clusters} |")
    return "\n".join(lines) + "\n\n_clusters: covered/all_"


# Signals as one letter each in the uncovered table, so it fits the asset page at 1280 px.
SIGNAL_LETTERS = {"error": "E", "low_confidence": "L", "escalated": "X", "negative_feedback": "N"}


def inline_uncovered(rows: list[dict]) -> str:
    """The largest uncovered clusters, as many as the asset page shows inline, ids cut, signals as letters
    and reason codes shortened (lib/metadata.short_codes) so the table fits 1280 px; `logmine evalset stats`
    lists them all in full."""
    from logmine_dagster.lib.metadata import clip, inline_table, short_codes

    if not rows:
        return "_every failure cluster is covered by an eval case_"
    header = ["| cluster | size | signals | reasons |", "| --- | ---: | --- | --- |"]
    body = [f"| {clip(r['cluster_id'], 9)} | {r['size']} | "
            f"{''.join(SIGNAL_LETTERS.get(s, s) for s in (r['signals'] or '').split(',') if s)} | {short_codes(r['reasons'], 14)} |"
            for r in rows]
    legend = ("\n\n_signals: E error, L low confidence,_\n\n_X escalated, N negative feedback;_"
              "\n\n_reasons without `edge:`/`drift:`,_\n\n_+N: N more codes_")
    return inline_table(header, body, "`logmine evalset stats`", reserve=len(legend)) + legend


def coverage_chart(weeks) -> str:
    """Covered share per week (coverage_summary.WeekCoverage, oldest first) as a chart the asset page shows
    inline: on eval_coverage and, next to the growth chart, on eval_set."""
    from logmine_dagster.core.weeks import iso_week_label
    from logmine_dagster.lib.sparkline import sparkline_markdown

    return sparkline_markdown("covered share of failures per week", [iso_week_label(w.week) for w in weeks],
                              [w.overall.share for w in weeks], percent=True)


def eval_coverage_asset(weekly: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        name="eval_coverage",
        deps=["categorised_candidates", "eval_set"],
        partitions_def=weekly,
        group_name="evalset",
        kinds={"sqlalchemy"},
        check_specs=[
            dg.AssetCheckSpec(
                COVERAGE_CHECK,
                asset="eval_coverage",
                description="Warns when the share of production failures an eval case covers fell since the week before.",
            )
        ],
        description="Promises: the week's production failures (errors, low confidence, escalations, negative feedback, "
        "from the sanitised tier) clustered, with the share an eval case covers overall, per category and per signal, "
        "and the largest uncovered clusters as ids, sizes and reason codes. Uncovered clusters raise the next weekly "
        "review batch's priority.",
    )(measure_eval_coverage)
