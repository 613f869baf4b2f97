"""The eval set's tables as the asset page shows them inline: few columns, the latest rows, under the
length Dagster shows without "Show Markdown" (lib/metadata.inline_table). `logmine evalset stats` prints
the full tables (per-category columns, every week and release)."""

from logmine_dagster.lib.metadata import inline_table, latest_rows_inline

MORE = "`logmine evalset stats`"


def growth_table(growth) -> str:
    """One row per review week (evalset/growth.GrowthReport), latest weeks kept."""
    if not growth.weeks:
        return "_no labelled cases yet_"
    header = ["| week | added | discarded | accepted | reviewers | total | mined/synthetic |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    rows = [
        f"| {w.label} | {w.added} | {w.discarded} | {'-' if w.acceptance_rate is None else f'{w.acceptance_rate:.0%}'} | "
        f"{w.reviewers} | {w.total_cases} | {w.added_by_origin.get('mined', 0)}/{w.added_by_origin.get('synthetic', 0)} |"
        for w in growth.weeks
    ]
    return inline_table(header, rows, MORE + " (and per category)", keep_last=True)


def release_mix_table(markdown: str) -> str:
    """evalset/growth.release_mix_markdown cut to the latest releases that fit inline."""
    return latest_rows_inline(markdown, MORE)


def representativeness_table(mix) -> str:
    """evalset/representativeness.Representativeness: its table, and its note as short paragraphs (the
    asset page does not wrap a line)."""
    table = mix.markdown().split("\n\n")[0]
    if not mix.samples:
        return table + "\n\n" + mix.note()
    span = f"{mix.first_day} to {mix.last_day}" if mix.first_day != mix.last_day else str(mix.first_day)
    note = [
        f"Production estimated from {mix.samples} sampled record(s) ({span}),",
        f"each weighted 1/inclusion probability over its near-duplicate cluster "
        f"(about {sum(mix.production_weights.values()):.0f} production records).",
    ]
    if mix.fallback_samples:
        rate = "the base rate" if mix.base_rate is None else f"the base rate {mix.base_rate:g}"
        note.append(f"{mix.fallback_samples} had no recorded inclusion probability: {rate} assumed ({MORE}).")
    return "\n\n".join([table] + note)
