"""What goes into Dagster's event log: ids and numbers, never record text (not even sanitised text)."""

from __future__ import annotations

from logmine_dagster.lib.metadata import novel_clusters_markdown

TEXT = "Does the satellite messaging add-on work on my <PERSON>'s smartwatch?"


def test_novel_clusters_show_ids_and_numbers_but_never_the_text():
    # The rows as the daily curation report and the weekly summary (day dropped) hand them over.
    rows = [("case-a1", "drift", 0.8731, 3, TEXT), ("case-b2", "edge_case", 0.5, 1, "a second text")]
    markdown = novel_clusters_markdown(rows).value
    lines = markdown.splitlines()
    assert lines[2:] == ["| case-a1 | drift | 0.87 | 3 |", "| case-b2 | edge_case | 0.50 | 1 |"]
    for word in ("satellite", "smartwatch", "<PERSON>", "second text"):
        assert word not in markdown


def test_no_rows_says_why_there_is_no_table():
    assert "no novelty scores" in novel_clusters_markdown([]).value
