"""Shares, trend and tables of the stored failure coverage (failure_coverage rows), for the asset's
metadata, its check, `logmine evalset stats` and `logmine status`. Ids, sizes and codes only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from logmine_dagster.core.weeks import iso_week_label
from logmine_dagster.curation.failure_coverage import FAILURE_SIGNALS

LARGEST_UNCOVERED = 10


@dataclass
class Share:
    failures: int = 0
    covered: int = 0
    clusters: int = 0
    covered_clusters: int = 0

    def add(self, row: dict) -> None:
        self.failures += row["size"]
        self.clusters += 1
        if row["covered"]:
            self.covered += row["size"]
            self.covered_clusters += 1

    @property
    def share(self) -> float | None:
        """Covered share of the failures (weighted by cluster size); None when there are none."""
        return round(self.covered / self.failures, 4) if self.failures else None


@dataclass
class WeekCoverage:
    week: str
    eval_cases: int
    overall: Share = field(default_factory=Share)
    by_category: dict[str, Share] = field(default_factory=lambda: defaultdict(Share))
    by_signal: dict[str, Share] = field(default_factory=lambda: defaultdict(Share))


def summarise(rows: list[dict]) -> dict[str, WeekCoverage]:
    """Per week (in week order): overall, per category and per signal shares."""
    weeks: dict[str, WeekCoverage] = {}
    for row in sorted(rows, key=lambda r: (r["week"], r["cluster_id"])):
        week = weeks.setdefault(row["week"], WeekCoverage(row["week"], row["eval_cases"]))
        week.overall.add(row)
        week.by_category[row["category"]].add(row)
        for signal in (row["signals"] or "").split(","):
            if signal:
                week.by_signal[signal].add(row)
    return weeks


def previous_share(rows: list[dict], week: str) -> tuple[str, float] | None:
    """The latest week before `week` with failures, and its covered share."""
    earlier = [w for w in summarise(rows).values() if w.week < week and w.overall.share is not None]
    return (earlier[-1].week, earlier[-1].overall.share) if earlier else None


def largest_uncovered(rows: list[dict], limit: int = LARGEST_UNCOVERED) -> list[dict]:
    uncovered = [r for r in rows if not r["covered"]]
    return sorted(uncovered, key=lambda r: (-r["size"], r["cluster_id"]))[:limit]


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def ordered_keys(groups: dict, order: tuple[str, ...] = ()) -> list[str]:
    """The groups' keys: those named in `order` first, in that order, then the rest sorted."""
    return [k for k in order if k in groups] + sorted(k for k in groups if k not in order)


def shares_markdown(groups: dict[str, Share], label: str, order: tuple[str, ...] = ()) -> str:
    keys = ordered_keys(groups, order)
    if not keys:
        return f"_no failures, no {label} to show_"
    lines = [f"| {label} | failures | covered | share | clusters | covered clusters |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for key in keys:
        s = groups[key]
        lines.append(f"| {key} | {s.failures} | {s.covered} | {_percent(s.share)} | {s.clusters} | {s.covered_clusters} |")
    return "\n".join(lines)


def uncovered_markdown(rows: list[dict]) -> str:
    """The largest uncovered clusters: the next review priorities, as ids, sizes, signals and reason
    codes. Few columns, so the table fits the asset page's value column."""
    if not rows:
        return "_every failure cluster is covered by an eval case_"
    lines = ["| cluster | size | signals | reasons |", "| --- | ---: | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['cluster_id']} | {r['size']} | {r['signals'].replace(',', ' ')} | {(r['reasons'] or '').replace(',', ' ')} |")
    return "\n".join(lines)


def trend_markdown(weeks: dict[str, WeekCoverage]) -> str:
    if not weeks:
        return "_no week measured yet_"
    lines = ["| week | evals | failures | clusters | covered |", "| --- | ---: | ---: | ---: | ---: |"]
    for w in weeks.values():
        o = w.overall
        lines.append(f"| {iso_week_label(w.week)} | {w.eval_cases} | {o.failures} | {o.clusters} | {_percent(o.share)} |")
    return "\n".join(lines)


def signal_order() -> tuple[str, ...]:
    return FAILURE_SIGNALS


def coverage_text(rows: list[dict]) -> str:
    """Markdown for the operator: the trend per week, then the latest week per category and signal,
    and its largest uncovered clusters."""
    weeks = summarise(rows)
    if not weeks:
        return "_no week measured yet: materialise eval_coverage (weekly_eval_coverage_job)_"
    latest = list(weeks.values())[-1]
    label = iso_week_label(latest.week)
    return "\n".join([
        trend_markdown(weeks), "",
        f"Latest week {label}, per category:", "", shares_markdown(latest.by_category, "category"), "",
        f"Latest week {label}, per signal:", "", shares_markdown(latest.by_signal, "signal", signal_order()), "",
        f"Largest uncovered clusters of {label} (the next review priorities):", "",
        uncovered_markdown(largest_uncovered([r for r in rows if r["week"] == latest.week])),
    ])
