"""Tables that grow with the data still show inline on the asset page: under 1,000 characters (Dagster
1.13 hides longer markdown behind "Show Markdown") and no line wider than a 1280 px window holds."""

from __future__ import annotations

import json

from logmine_dagster.defs.evalset.coverage import inline_uncovered
from logmine_dagster.defs.review.assets import batch_markdown
from logmine_dagster.lib.metadata import NOTE_CHARS, latest_rows_inline, short_codes, transposed
from logmine_dagster_tests.helpers import INLINE_MARKDOWN_CHARS, MAX_MARKDOWN_LINE

LONG_REASONS = ",".join(["edge:error:timeout", "edge:low_confidence", "edge:escalated", "edge:negative_feedback",
                         "drift:new_tool", "edge:structure:json", "near_dup:earlier"])


def _fits(markdown: str) -> None:
    assert len(markdown) < INLINE_MARKDOWN_CHARS
    assert max(len(line) for line in markdown.splitlines()) <= MAX_MARKDOWN_LINE


def test_a_full_batch_shows_its_first_cases_and_says_where_the_rest_are():
    chosen = [
        {"case_id": f"case-{i:04d}-{'x' * 40}", "day": "2026-03-02", "category": "edge_case", "duplicate_count": 3,
         "duplicate_ids": json.dumps([f"dup-{i}-{j}" for j in range(5)]), "reasons": LONG_REASONS, "why": "slot 1/9; " * 20}
        for i in range(60)
    ]
    markdown = batch_markdown(chosen, "2026-03-02")
    _fits(markdown)
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert 3 <= len(rows) < 60 and rows[0].startswith("| 1 | case-0000-")
    assert markdown.endswith(f"_{60 - len(rows)} more: `logmine review export --week 2026-03-02`_")


def test_an_empty_batch_says_so():
    assert batch_markdown([], "2026-03-02") == "_nothing queued this week_"


def test_many_uncovered_clusters_with_many_reasons_fit_with_a_legend():
    rows = [{"cluster_id": f"c_{i:04d}{'ab' * 12}", "size": 40 - i, "signals": "error,low_confidence,escalated,negative_feedback",
             "reasons": LONG_REASONS} for i in range(40)]
    markdown = inline_uncovered(rows)
    _fits(markdown)
    # Four narrow columns for the asset page at 1280 px: ids cut, a letter per signal, reasons shortened.
    assert "| c_0000ab… | 40 | ELXN | error:timeout +6 |" in markdown and "more: `logmine evalset stats`" in markdown
    assert "+N: N more codes" in markdown and "edge:" not in markdown.split("_reasons")[0]
    assert all(len(line) <= NOTE_CHARS + 2 for line in markdown.splitlines() if line.startswith("_"))


def test_reason_codes_lose_their_prefix_and_the_rest_is_counted():
    assert short_codes("edge:low_confidence,drift:new_tool") == "low_confidence new_tool"
    assert short_codes(LONG_REASONS, width=30) == "error:timeout low_confidence +5"
    assert short_codes("") == ""


def test_a_weekly_table_keeps_its_latest_weeks():
    table = "\n".join(["| week | n |", "| --- | ---: |"] + [f"| week {w:03d} | {w} |" for w in range(1, 101)])
    markdown = latest_rows_inline(table, "`logmine evalset stats`")
    _fits(markdown)
    assert "| week 100 | 100 |" in markdown and "| week 001 | 1 |" not in markdown
    assert latest_rows_inline("_no week measured yet_", "x") == "_no week measured yet_"


def test_a_wide_table_with_few_rows_is_turned_on_its_side():
    header = ["week", "added", "discarded", "accepted"]
    markdown = transposed("week", header, [["2026-W46", "21", "9", "70%"], ["2026-W47", "27", "9", "75%"]])
    assert markdown.splitlines() == ["| week | 2026-W46 | 2026-W47 |", "| --- | ---: | ---: |", "| added | 21 | 27 |",
                                     "| discarded | 9 | 9 |", "| accepted | 70% | 75% |"]
