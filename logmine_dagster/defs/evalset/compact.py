"""The eval set's tables as the asset page shows them inline: under the length Dagster shows without
"Show Markdown" and narrow enough for the page's value column at 1280 px (lib/metadata.NOTE_CHARS): the
latest weeks and releases turned on their side, four columns at most. `logmine evalset stats` prints the
full tables (per-category columns, every week and release)."""

import re

from logmine_dagster.lib.metadata import clip, split_table, transposed

MORE = "`logmine evalset stats`"
# Weeks and releases shown side by side: as many as fit the value column.
SIDE_BY_SIDE = 3


def _earlier(count: int) -> str:
    return f"\n\n_{count} earlier: {MORE}_" if count else ""


def growth_table(growth) -> str:
    """The latest review weeks (evalset/growth.GrowthReport), one column each."""
    if not growth.weeks:
        return "_no labelled cases yet_"
    header = ["week", "added", "discarded", "accepted", "reviewers", "total", "mined/synth"]
    rows = [
        [w.label, str(w.added), str(w.discarded), "-" if w.acceptance_rate is None else f"{w.acceptance_rate:.0%}",
         str(w.reviewers), str(w.total_cases), f"{w.added_by_origin.get('mined', 0)}/{w.added_by_origin.get('synthetic', 0)}"]
        for w in growth.weeks
    ]
    return transposed("week", header, rows[-SIDE_BY_SIDE:]) + _earlier(len(rows[:-SIDE_BY_SIDE]))


def short_version(version: str) -> str:
    """`2026-W47-44a34f2c` as `W47-44a`: the week and the start of the content hash (3 characters, so three releases fit 1280 px)."""
    match = re.fullmatch(r"\d{4}-(W\d\d-[0-9a-f]{3})[0-9a-f]*", version)
    return match.group(1) if match else clip(version, 10)


def release_mix_table(markdown: str) -> str:
    """evalset/growth.release_mix_markdown's latest releases, one column each."""
    if not markdown.startswith("|"):
        return markdown
    header, rows = split_table(markdown)
    rows = [[short_version(row[0])] + row[1:] for row in rows]
    return transposed("release", header, rows[-SIDE_BY_SIDE:]) + _earlier(len(rows[:-SIDE_BY_SIDE]))


def representativeness_table(mix) -> str:
    """evalset/representativeness.Representativeness: the eval set's share per category beside
    production's, and its note in short lines (the asset page does not wrap a line)."""
    def pct(value) -> str:
        return "-" if value is None else f"{value:.1%}"

    def ratio(row) -> str:
        return "-" if row["ratio"] is None else f"{row['ratio']:.1f}x"

    lines = ["| category | eval set | prod. | ratio |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r['category']} | {pct(r['eval_share'])} | {pct(r['production_share'])} | "
              f"{ratio(r)} |"
              for r in mix.rows()]
    table = "\n".join(lines)
    if not mix.samples:
        return table + "\n\n_production mix unknown:_\n\n_no sampled candidates yet_"
    note = [
        f"prod.: estimated from {mix.samples} samples",
        f"of {mix.first_day} to {mix.last_day},",
        "each weighted 1/inclusion",
        "probability over its cluster",
        f"(about {sum(mix.production_weights.values()):.0f} production records)",
    ]
    if mix.fallback_samples:
        rate = "base rate" if mix.base_rate is None else f"base rate {mix.base_rate:g}"
        note += [f"{mix.fallback_samples} without a recorded", f"probability: {rate} assumed"]
    note += ["ratio: eval set / prod.;", f"more: {MORE}"]
    return "\n\n".join([table] + [f"_{line}_" for line in note])
