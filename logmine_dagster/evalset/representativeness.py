"""How the eval set's category mix compares with production's.

The sample is deliberately biased (errors, low confidence, escalations and negative feedback are
always taken; everything else at the base rate), so the candidates' own mix says little about
production. Production's mix is estimated the Horvitz-Thompson way: each sampled record counts
1/p, p being its inclusion probability (`sanitised_samples.inclusion_probability`, written by the
sampler). A candidate stands for its near-duplicate cluster: its members' weights when
`candidates.duplicate_ids` lists them, else `duplicate_count` times the representative's weight.

When p is missing (rows sampled before the sampler recorded it) it is derived from the reasons the
sampler gave: a record taken for a signal was certain to be taken (p = 1); one taken only at the
base rate had p = the configured base rate (weight 1/rate). The table says how many samples needed
that fallback, since it ignores caps such as the per-user daily limit.

Counts and shares only: no case text, no ids.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import candidates, eval_cases, sanitised_samples

BASE_RATE_REASON = "base_rate"


@dataclass
class Representativeness:
    eval_counts: Counter = field(default_factory=Counter)  # category -> eval cases (all origins)
    eval_mined: Counter = field(default_factory=Counter)  # category -> mined eval cases
    sampled_counts: Counter = field(default_factory=Counter)  # category -> sampled records (unweighted)
    production_weights: Counter = field(default_factory=Counter)  # category -> estimated production records
    samples: int = 0  # sampled records behind the estimate
    fallback_samples: int = 0  # of those, how many lacked an inclusion probability
    base_rate: float | None = None
    first_day: str | None = None
    last_day: str | None = None
    categories: tuple[str, ...] = CATEGORIES

    @staticmethod
    def _share(counts: Counter, category: str) -> float | None:
        total = sum(counts.values())
        return counts.get(category, 0) / total if total else None

    def rows(self) -> list[dict]:
        out = []
        for category in self.categories:
            eval_share = self._share(self.eval_counts, category)
            production_share = self._share(self.production_weights, category)
            out.append(
                {
                    "category": category,
                    "eval_cases": int(self.eval_counts.get(category, 0)),
                    "eval_share": eval_share,
                    "mined_share": self._share(self.eval_mined, category),
                    "sampled_share": self._share(self.sampled_counts, category),
                    "production_share": production_share,
                    "production_estimate": float(self.production_weights.get(category, 0.0)),
                    "ratio": (eval_share / production_share) if eval_share is not None and production_share else None,
                }
            )
        return out

    def markdown(self) -> str:
        def pct(value: float | None) -> str:
            return "-" if value is None else f"{value:.1%}"

        lines = [
            "| category | eval cases | eval set | mined only | sampled (unweighted) | production (est.) | eval / production |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in self.rows():
            ratio = "-" if row["ratio"] is None else f"{row['ratio']:.1f}x"
            lines.append(
                f"| {row['category']} | {row['eval_cases']} | {pct(row['eval_share'])} | {pct(row['mined_share'])} | "
                f"{pct(row['sampled_share'])} | {pct(row['production_share'])} | {ratio} |"
            )
        lines.append("")
        lines.append(self.note())
        return "\n".join(lines)

    def note(self) -> str:
        if not self.samples:
            return "_production mix unknown: no sanitised samples with candidates yet_"
        span = f"{self.first_day} to {self.last_day}" if self.first_day != self.last_day else str(self.first_day)
        text = (
            f"Production estimated from {self.samples} sampled record(s) ({span}), each weighted 1/inclusion probability "
            f"over its near-duplicate cluster (about {sum(self.production_weights.values()):.0f} production records)."
        )
        if self.fallback_samples:
            rate = "the configured base rate" if self.base_rate is None else f"the configured base rate {self.base_rate:g}"
            text += (
                f" {self.fallback_samples} of them had no recorded inclusion probability: p = {rate} when sampled only at "
                "the base rate (weight 1/rate), p = 1 when sampled for a signal."
            )
        else:
            text += " Every one had a recorded inclusion probability."
        return text

    def metadata_values(self) -> dict[str, float]:
        """Shares under stable keys (plotted by the Dagster UI); -1 when unknown (metadata needs numbers)."""
        values: dict[str, float] = {}
        for row in self.rows():
            values[f"production_share_{row['category']}"] = -1.0 if row["production_share"] is None else round(float(row["production_share"]), 4)
        values["representativeness_fallback_samples"] = float(self.fallback_samples)
        return values


def _fallback_probability(reasons: str, base_rate: float | None) -> float | None:
    """p from the sampling reasons when the sampler did not record it (module docstring)."""
    codes = {code for code in (reasons or "").split(",") if code}
    if codes - {BASE_RATE_REASON}:
        return 1.0
    if base_rate:
        return float(base_rate)
    return None


def representativeness(db: Database, base_rate: float | None, categories: tuple[str, ...] = CATEGORIES) -> Representativeness:
    """The eval set's category mix beside production's estimated mix (see the module docstring)."""
    report = Representativeness(base_rate=base_rate, categories=tuple(categories))
    for row in db.fetch_all(
        sa.select(eval_cases.c.category, eval_cases.c.origin, sa.func.count().label("n")).group_by(eval_cases.c.category, eval_cases.c.origin)
    ):
        report.eval_counts[row["category"]] += int(row["n"])
        if (row["origin"] or "mined") == "mined":
            report.eval_mined[row["category"]] += int(row["n"])

    # Every sampled record's weight, per day.
    weights: dict[tuple[str, str], float] = {}
    fallback: set[tuple[str, str]] = set()
    days: list[str] = []
    for row in db.fetch_all(
        sa.select(
            sanitised_samples.c.day,
            sanitised_samples.c.case_id,
            sanitised_samples.c.sample_reasons,
            sanitised_samples.c.inclusion_probability,
        )
    ):
        key = (row["day"], row["case_id"])
        p = row["inclusion_probability"]
        if p is None or not p > 0:
            fallback.add(key)
            p = _fallback_probability(row["sample_reasons"], base_rate)
        weights[key] = 1.0 / p if p else 1.0

    for row in db.fetch_all(
        sa.select(candidates.c.day, candidates.c.case_id, candidates.c.category, candidates.c.duplicate_count, candidates.c.duplicate_ids)
    ):
        members = [row["case_id"]]
        try:
            listed = json.loads(row["duplicate_ids"]) if row["duplicate_ids"] else None
        except ValueError:
            listed = None
        if isinstance(listed, list) and all(isinstance(m, str) for m in listed):
            members += [m for m in listed if m != row["case_id"]]
        else:
            members += [row["case_id"]] * (max(int(row["duplicate_count"] or 1), 1) - 1)  # unlisted: as the representative
        keys = [(row["day"], m) if (row["day"], m) in weights else (row["day"], row["case_id"]) for m in members]
        report.production_weights[row["category"]] += sum(weights.get(key, 1.0) for key in keys)
        report.sampled_counts[row["category"]] += len(keys)
        report.samples += len(keys)
        report.fallback_samples += sum(1 for key in keys if key in fallback or key not in weights)
        days.append(row["day"])
    if days:
        report.first_day, report.last_day = min(days), max(days)
    extra = tuple(sorted(set(report.eval_counts) - set(categories)))
    report.categories = tuple(categories) + extra
    return report
