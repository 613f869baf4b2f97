"""Turning stage reports into Dagster metadata. Counts, keys and reasons only: never record text."""

from __future__ import annotations

from collections import Counter
from typing import Mapping

import dagster as dg

from logmine_dagster.lib.sparkline import INLINE_LIMIT


def counts_markdown(counter: Counter, label: str, width: int | None = None) -> dg.MetadataValue:
    """Counts per key, largest first; keys cut to `width` characters when given (to fit the asset page)."""
    if not counter:
        return dg.MetadataValue.md(f"_no {label}_")
    lines = [f"| {label} | count |", "| --- | ---: |"]
    lines += [f"| {clip(str(key), width) if width else key} | {int(value)} |"
              for key, value in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    return dg.MetadataValue.md("\n".join(lines))


def per_key_counts(counter: Counter, prefix: str) -> dict[str, int]:
    """Stable numeric keys (e.g. `category_drift`), so the UI plots them across materialisations. Only
    for a handful of keys worth a chart each: dozens of them bury the few that matter (counts_table)."""
    return {f"{prefix}_{key}": int(value) for key, value in counter.items()}


def counts_table(columns: dict[str, Mapping], keys, label: str) -> dg.MetadataValue:
    """One row per key, one column per counter, for counts read rather than plotted. Keys with every
    count at zero are named on one line under the table instead of a row each, so it stays short;
    few narrow columns, so it fits a 1280 px window."""
    names = list(columns)
    rows, zero = [], []
    for key in keys:
        values = [int(columns[name].get(key, 0)) for name in names]
        if any(values):
            rows.append(f"| {key} | " + " | ".join(str(v) for v in values) + " |")
        else:
            zero.append(str(key))
    lines = [f"| {label} | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)] + rows if rows else []
    if zero:
        lines.append(("\n" if rows else "") + f"_zero: {', '.join(zero)}_")
    return dg.MetadataValue.md("\n".join(lines))


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


# Dagster 1.13 shows a markdown entry inline on the asset page only under 1,000 characters (longer ones
# hide behind "Show Markdown"), and about 150 characters of table text fit a 1280 px window.
INLINE_CHARS = INLINE_LIMIT
LINE_CHARS = 150
# At 1280 px the value column of the asset page's metadata table is about 330 px wide (the navigation,
# the key and time columns and the definition panel take the rest; less beside a long key) and it does
# not wrap: about four narrow columns, or a paragraph line of NOTE_CHARS characters (measured in
# Chromium: test_ui_screenshots).
NOTE_CHARS = 36


def split_table(markdown: str) -> tuple[list[str], list[list[str]]]:
    """(header cells, body rows' cells) of a markdown table (its first lines starting with "|")."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip().strip("|").split("|")]

    return cells(lines[0]), [cells(line) for line in lines[2:]]


def transposed(label: str, header: list[str], rows: list[list[str]]) -> str:
    """A table with few rows and many columns turned on its side: one row per column, one column per row
    (headed by the row's first cell), so it stays narrow."""
    lines = ["| " + " | ".join([label] + [row[0] for row in rows]) + " |", "| --- |" + " ---: |" * len(rows)]
    lines += ["| " + " | ".join([name] + [row[i] for row in rows]) + " |" for i, name in enumerate(header) if i]
    return "\n".join(lines)


def clip(text: str, width: int) -> str:
    """One cell at most `width` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def short_codes(codes: str, width: int = 40) -> str:
    """Comma-separated reason codes without their category prefix (`edge:`, `drift:`), as many as fit
    `width`, then `+N` for the rest: the legend under the table says so."""
    names = [c.split(":", 1)[1] if c.startswith(("edge:", "drift:")) else c for c in (codes or "").split(",") if c]
    shown: list[str] = []
    for name in names:
        if shown and len(" ".join(shown + [name])) > width:
            break
        shown.append(clip(name, width))
    rest = len(names) - len(shown)
    return " ".join(shown) + (f" +{rest}" if rest else "")


def inline_table(header: list[str], rows: list[str], more: str, keep_last: bool = False, reserve: int = 0) -> str:
    """A markdown table cut to as many rows as the asset page shows inline (under INLINE_CHARS); when rows
    are left out, a last line says how many and where `more` (e.g. a CLI command) lists them all. Keeps the
    first rows, or the last ones (`keep_last`) for tables that grow by one row per week; `reserve` leaves
    room for text the caller adds (a legend)."""
    shown = list(rows)
    while True:
        rest = len(rows) - len(shown)
        markdown = "\n".join(header + shown) + (f"\n\n_{rest} more: {more}_" if rest else "")
        if len(markdown) + reserve < INLINE_CHARS or not shown:
            return markdown
        shown.pop(0 if keep_last else -1)


def latest_rows_inline(markdown: str, more: str) -> str:
    """A table that grows by a row per week or release (header, then oldest row first), cut to its latest
    rows that show inline; text without table rows is returned as it is."""
    lines = markdown.splitlines()
    if len(lines) < 3 or not lines[0].startswith("|"):
        return markdown
    return inline_table(lines[:2], lines[2:], more, keep_last=True)
