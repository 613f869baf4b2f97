"""How the eval set grows, week by review week: from `eval_cases` and `labelled_cases`.

Per week: cases added (accepted into the eval set), discarded, acceptance rate, reviewers and
decisions per reviewer, the running total; per week and category: added and discarded. As rows, a
markdown table (Dagster metadata and `logmine evalset stats`), numeric metadata under stable keys (the
Dagster UI plots them across materialisations) and a PNG chart (matplotlib, when installed).

Mined and synthetic cases are counted apart (`added_mined`, `added_synthetic` per week; a mix per
release and category in `release_mix`). Synthetic cases have no review decision: they count as added
in the week they were imported, never in the acceptance rate.

Counts and week names only; reviewers appear as a count, never by name, and no case text.
"""

from __future__ import annotations

import base64
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import eval_case_snapshots, eval_cases, eval_set_release_cases, eval_set_releases, labelled_cases
from logmine_dagster.core.weeks import iso_week_label


@dataclass
class WeekGrowth:
    week: str  # the week's Monday, YYYY-MM-DD (the weekly partition key)
    added: int = 0  # cases that entered the eval set this week
    accepted: int = 0  # accept decisions on the week's cases
    discarded: int = 0  # discard decisions on the week's cases
    reviewers: int = 0
    total_cases: int = 0  # eval set size after this week
    added_by_category: Counter = field(default_factory=Counter)
    discarded_by_category: Counter = field(default_factory=Counter)
    added_by_origin: Counter = field(default_factory=Counter)  # mined | synthetic

    @property
    def decided(self) -> int:
        return self.accepted + self.discarded

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.decided if self.decided else None

    @property
    def decisions_per_reviewer(self) -> float | None:
        return self.decided / self.reviewers if self.reviewers else None

    @property
    def label(self) -> str:
        return iso_week_label(self.week)


@dataclass
class GrowthReport:
    weeks: list[WeekGrowth] = field(default_factory=list)
    categories: tuple[str, ...] = CATEGORIES

    @property
    def total_cases(self) -> int:
        return self.weeks[-1].total_cases if self.weeks else 0

    def by_category(self) -> Counter:
        total: Counter = Counter()
        for week in self.weeks:
            total.update(week.added_by_category)
        return total

    def rows(self) -> list[dict]:
        """One row per week (category counts as `added_<category>` / `discarded_<category>`)."""
        out = []
        for w in self.weeks:
            row = {
                "week": w.label,
                "week_start": w.week,
                "added": w.added,
                "discarded": w.discarded,
                "decided": w.decided,
                "acceptance_rate": None if w.acceptance_rate is None else round(w.acceptance_rate, 4),
                "reviewers": w.reviewers,
                "decisions_per_reviewer": None if w.decisions_per_reviewer is None else round(w.decisions_per_reviewer, 2),
                "total_cases": w.total_cases,
                "added_mined": int(w.added_by_origin.get("mined", 0)),
                "added_synthetic": int(w.added_by_origin.get("synthetic", 0)),
            }
            for category in self.categories:
                row[f"added_{category}"] = int(w.added_by_category.get(category, 0))
                row[f"discarded_{category}"] = int(w.discarded_by_category.get(category, 0))
            out.append(row)
        return out

    def markdown(self) -> str:
        if not self.weeks:
            return "_no labelled cases yet_"
        head = ["week", "added", "discarded", "acceptance", "reviewers", "decisions/reviewer", "total", "mined/synthetic"]
        head += [f"{c} +/-" for c in self.categories]
        lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
        for w in self.weeks:
            cells = [
                w.label,
                str(w.added),
                str(w.discarded),
                "-" if w.acceptance_rate is None else f"{w.acceptance_rate:.0%}",
                str(w.reviewers),
                "-" if w.decisions_per_reviewer is None else f"{w.decisions_per_reviewer:.1f}",
                str(w.total_cases),
                f"{w.added_by_origin.get('mined', 0)}/{w.added_by_origin.get('synthetic', 0)}",
            ]
            cells += [f"{w.added_by_category.get(c, 0)}/{w.discarded_by_category.get(c, 0)}" for c in self.categories]
            lines.append("| " + " | ".join(cells) + " |")
        totals = self.by_category()
        accepted = sum(w.accepted for w in self.weeks)
        decided = sum(w.decided for w in self.weeks)
        cells = [
            "all",
            str(sum(w.added for w in self.weeks)),
            str(sum(w.discarded for w in self.weeks)),
            "-" if not decided else f"{accepted / decided:.0%}",
            "",
            "",
            str(self.total_cases),
            f"{sum(w.added_by_origin.get('mined', 0) for w in self.weeks)}/{sum(w.added_by_origin.get('synthetic', 0) for w in self.weeks)}",
        ]
        cells += [f"{totals.get(c, 0)}/{sum(w.discarded_by_category.get(c, 0) for w in self.weeks)}" for c in self.categories]
        lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def metadata_values(self) -> dict[str, int | float]:
        """Plain numbers under stable keys (the Dagster UI plots them across materialisations): the
        latest week's growth and the overall acceptance rate. Case counts per category are already
        the eval_set asset's `cases` and `cases_<category>`."""
        latest = self.weeks[-1] if self.weeks else WeekGrowth(week="")
        accepted = sum(w.accepted for w in self.weeks)
        decided = sum(w.decided for w in self.weeks)
        return {
            "weeks_with_decisions": len(self.weeks),
            "latest_week_added": int(latest.added),
            "latest_week_discarded": int(latest.discarded),
            "latest_week_acceptance_rate": float(latest.acceptance_rate or 0.0),
            "latest_week_reviewers": int(latest.reviewers),
            "latest_week_decisions_per_reviewer": float(latest.decisions_per_reviewer or 0.0),
            "acceptance_rate_overall": round(accepted / decided, 4) if decided else 0.0,
            "cases_mined": int(sum(w.added_by_origin.get("mined", 0) for w in self.weeks)),
            "cases_synthetic": int(sum(w.added_by_origin.get("synthetic", 0) for w in self.weeks)),
        }

    def chart_png(self) -> bytes | None:
        """A PNG of cases added per week by category with the running total, and the acceptance rate.
        None when matplotlib is not installed or there is nothing to draw."""
        if not self.weeks:
            return None
        try:
            # Figure without pyplot: no global backend state, safe in any process.
            from matplotlib.figure import Figure
            from matplotlib.ticker import MaxNLocator
        except ImportError:
            return None
        labels = [w.label for w in self.weeks]
        positions = list(range(len(labels)))
        figure = Figure(figsize=(7, 4.2), dpi=80)
        top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
        base = [0] * len(labels)
        for category in self.categories:
            heights = [w.added_by_category.get(category, 0) for w in self.weeks]
            top.bar(positions, heights, bottom=base, label=category)
            base = [b + h for b, h in zip(base, heights)]
        top.set_ylabel("added")
        top.yaxis.set_major_locator(MaxNLocator(integer=True))
        top.legend(fontsize=7, loc="upper left")
        total_axis = top.twinx()
        total_axis.plot(positions, [w.total_cases for w in self.weeks], color="black", marker="o", label="total")
        total_axis.set_ylabel("total cases")
        total_axis.set_ylim(bottom=0)
        rates = [None if w.acceptance_rate is None else 100 * w.acceptance_rate for w in self.weeks]
        bottom.plot(positions, [r if r is not None else float("nan") for r in rates], marker="o", color="tab:green")
        bottom.set_ylim(0, 105)
        bottom.set_ylabel("accepted %")
        bottom.set_xticks(positions, labels, rotation=45, ha="right", fontsize=7)
        top.set_title("eval set growth by review week")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()


def chart_markdown(png: bytes | None, alt: str = "eval set growth") -> str:
    """Markdown embedding the PNG as a data URI (Dagster's markdown metadata renders it inline)."""
    if not png:
        return "_chart unavailable: matplotlib is not installed_"
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def growth_report(db: Database, categories: tuple[str, ...] = CATEGORIES) -> GrowthReport:
    """Growth from the eval_cases and labelled_cases tables, one entry per week with any decision or case."""
    weeks: dict[str, WeekGrowth] = {}

    def week(key: str) -> WeekGrowth:
        if key not in weeks:
            weeks[key] = WeekGrowth(week=key)
        return weeks[key]

    for row in db.fetch_all(
        sa.select(eval_cases.c.added_week, eval_cases.c.category, eval_cases.c.origin, sa.func.count().label("n")).group_by(
            eval_cases.c.added_week, eval_cases.c.category, eval_cases.c.origin
        )
    ):
        entry = week(row["added_week"])
        entry.added += int(row["n"])
        entry.added_by_category[row["category"]] += int(row["n"])
        entry.added_by_origin[row["origin"] or "mined"] += int(row["n"])

    reviewers: dict[str, set[str]] = defaultdict(set)
    for row in db.fetch_all(
        sa.select(
            labelled_cases.c.week,
            labelled_cases.c.category,
            labelled_cases.c.decision,
            labelled_cases.c.reviewer,
            sa.func.count().label("n"),
        ).group_by(labelled_cases.c.week, labelled_cases.c.category, labelled_cases.c.decision, labelled_cases.c.reviewer)
    ):
        entry = week(row["week"])
        n = int(row["n"])
        if row["decision"] == "accept":
            entry.accepted += n
        else:
            entry.discarded += n
            entry.discarded_by_category[row["category"]] += n
        if row["reviewer"]:
            reviewers[row["week"]].add(row["reviewer"])

    ordered = [weeks[key] for key in sorted(weeks)]
    running = 0
    for entry in ordered:
        entry.reviewers = len(reviewers.get(entry.week, ()))
        running += entry.added
        entry.total_cases = running
    extra = tuple(sorted({c for w in ordered for c in w.added_by_category} - set(categories)))
    return GrowthReport(weeks=ordered, categories=tuple(categories) + extra)


# ---------------------------------------------------------------- mix per release


@dataclass
class ReleaseMix:
    version: str
    week: str  # the release's ISO week label
    cases: int
    by_category_origin: Counter  # (category, origin) -> cases

    def origin_total(self, origin: str) -> int:
        return sum(n for (_, o), n in self.by_category_origin.items() if o == origin)


def release_mix(db: Database) -> list[ReleaseMix]:
    """Mined and synthetic cases per category in every release, oldest first (from frozen snapshots)."""
    releases = db.fetch_all(sa.select(eval_set_releases.c.version, eval_set_releases.c.week).order_by(eval_set_releases.c.seq))
    if not releases:
        return []
    # Each snapshot's origin once (a case's content, and origin, is frozen per hash).
    origin_of: dict[tuple[str, str], str] = {}
    for row in db.fetch_all(sa.select(eval_case_snapshots.c.case_id, eval_case_snapshots.c.case_hash, eval_case_snapshots.c.case_json)):
        origin_of[(row["case_id"], row["case_hash"])] = (json.loads(row["case_json"]).get("metadata") or {}).get("origin") or "mined"
    members: dict[str, Counter] = defaultdict(Counter)
    statement = sa.select(
        eval_set_release_cases.c.version, eval_set_release_cases.c.case_id, eval_set_release_cases.c.case_hash, eval_case_snapshots.c.category
    ).join(
        eval_case_snapshots,
        sa.and_(
            eval_case_snapshots.c.case_id == eval_set_release_cases.c.case_id,
            eval_case_snapshots.c.case_hash == eval_set_release_cases.c.case_hash,
        ),
    )
    for row in db.fetch_all(statement):
        members[row["version"]][(row["category"], origin_of.get((row["case_id"], row["case_hash"]), "mined"))] += 1
    return [
        ReleaseMix(version=r["version"], week=r["week"], cases=sum(members[r["version"]].values()), by_category_origin=members[r["version"]])
        for r in releases
    ]


def release_mix_markdown(mixes: list[ReleaseMix], categories: tuple[str, ...] = CATEGORIES) -> str:
    """One row per release: cases, mined/synthetic, and mined/synthetic per category."""
    if not mixes:
        return "_no release published yet_"
    extra = tuple(sorted({c for m in mixes for c, _ in m.by_category_origin} - set(categories)))
    columns = tuple(categories) + extra
    head = ["version", "cases", "mined/synthetic"] + [f"{c} m/s" for c in columns]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for mix in mixes:
        cells = [mix.version, str(mix.cases), f"{mix.origin_total('mined')}/{mix.origin_total('synthetic')}"]
        cells += [f"{mix.by_category_origin.get((c, 'mined'), 0)}/{mix.by_category_origin.get((c, 'synthetic'), 0)}" for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
