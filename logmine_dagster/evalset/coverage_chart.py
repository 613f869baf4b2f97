"""The failure-coverage trend as a PNG: covered share per week, with the failures measured."""

from __future__ import annotations

import io

from logmine_dagster.core.weeks import iso_week_label


def coverage_chart_png(weeks) -> bytes | None:
    """`weeks`: coverage_summary.WeekCoverage in week order. None without matplotlib or weeks."""
    if not weeks:
        return None
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    labels = [iso_week_label(w.week) for w in weeks]
    positions = list(range(len(labels)))
    figure = Figure(figsize=(7, 3.4), dpi=80)
    axis = figure.subplots()
    axis.bar(positions, [w.overall.failures for w in weeks], color="tab:gray", alpha=0.35, label="failures")
    axis.set_ylabel("failures")
    share_axis = axis.twinx()
    shares = [100 * w.overall.share if w.overall.share is not None else float("nan") for w in weeks]
    share_axis.plot(positions, shares, marker="o", color="tab:blue", label="covered %")
    share_axis.set_ylim(0, 105)
    share_axis.set_ylabel("covered %")
    axis.set_xticks(positions, labels, rotation=45, ha="right", fontsize=7)
    axis.set_title("production failures covered by the eval set, per week")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
