"""Review numbers shown on labelled_cases: sanitiser misses and inter-reviewer agreement per week (counts only)."""

import dagster as dg
import sqlalchemy as sa

from logmine_dagster.lib.metadata import latest_rows_inline
from logmine_dagster.review.progress import agreement_by_week
from logmine_dagster.review.quarantine import pii_flags_by_week
from logmine_dagster.storage.schema import review_queue


# No CLI prints these tables; older weeks stay in the earlier materialisations of labelled_cases.
MORE = "older weeks in earlier materialisations"


def _number(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def review_metadata(db) -> dict:
    """Sanitiser misses (PII flags) per review week and inter-reviewer agreement per week; counts only."""
    weeks = sorted({row["week"] for row in db.fetch_all(sa.select(review_queue.c.week).distinct())})
    latest = weeks[-1] if weeks else None
    misses = pii_flags_by_week(db)
    agreement = agreement_by_week(db)
    table = ["| review week | sanitiser misses (PII flags) |", "| --- | ---: |"] + [f"| {w} | {misses.get(w, 0)} |" for w in weeks]
    metadata = {
        "sanitiser_misses": int(sum(misses.values())),
        # Stable key, so Dagster plots it across materialisations.
        "sanitiser_misses_latest_week": int(misses.get(latest, 0)) if latest else 0,
        "sanitiser_misses_by_week": dg.MetadataValue.md(latest_rows_inline("\n".join(table), MORE)),
    }
    if agreement:
        rows = ["| review week | cases reviewed 2+ times | reviews | Cohen's kappa | Krippendorff's alpha | agreement |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for week, a in agreement.items():
            rows.append(f"| {week} | {a['cases']} | {a['reviews']} | {_number(a['kappa'])} | {_number(a['alpha'])} | {a['observed']:.0%} |")
        metadata["agreement_by_week"] = dg.MetadataValue.md(latest_rows_inline("\n".join(rows), MORE))
        newest = agreement[max(agreement)]
        metadata["agreement_cases_latest"] = int(newest["cases"])
        if newest["kappa"] is not None:
            metadata["agreement_kappa_latest"] = float(newest["kappa"])
        if newest["alpha"] is not None:
            metadata["agreement_alpha_latest"] = float(newest["alpha"])
    return metadata
