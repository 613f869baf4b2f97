"""Turning stage reports into Dagster metadata. Counts, keys and reasons only: never record text."""

from __future__ import annotations

from collections import Counter

import dagster as dg


def counts_markdown(counter: Counter, label: str) -> dg.MetadataValue:
    if not counter:
        return dg.MetadataValue.md(f"_no {label}_")
    lines = [f"| {label} | count |", "| --- | ---: |"]
    lines += [f"| {key} | {int(value)} |" for key, value in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    return dg.MetadataValue.md("\n".join(lines))


def per_key_counts(counter: Counter, prefix: str) -> dict[str, int]:
    """Stable numeric keys (e.g. `sampled_error`), so the UI plots them across materialisations."""
    return {f"{prefix}_{key}": int(value) for key, value in counter.items()}


def offending_cases_result(count_key: str, case_ids: list[str], description: str | None = None) -> dg.AssetCheckResult:
    """A blocking-severity check result over the pseudonymous ids of the cases that fail it (the first
    50 listed): passes when there are none."""
    return dg.AssetCheckResult(
        passed=not case_ids,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={count_key: len(case_ids), "case_ids": dg.MetadataValue.json(case_ids[:50])},
        description=description if case_ids else None,
    )


def novel_clusters_markdown(rows) -> dg.MetadataValue:
    """Most novel clusters first, as ids and numbers: no text, not even sanitised text, goes into Dagster's
    event log (its safety would otherwise rest on the sanitiser's recall). Rows: (case, category, novelty,
    size, text); the text is left out here on purpose."""
    if not rows:
        return dg.MetadataValue.md("_no novelty scores (no earlier weeks or eval cases to compare with)_")
    lines = ["| case | category | novelty | seen |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {case} | {category} | {novelty:.2f} | {size} |" for case, category, novelty, size, *_ in rows]
    return dg.MetadataValue.md("\n".join(lines))
