"""The inline chart stays under the length the Dagster UI shows on the asset page, and is a real SVG."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from logmine_dagster.lib.sparkline import INLINE_LIMIT, MAX_POINTS, sparkline_markdown


def _svg(markdown: str) -> ET.Element:
    return ET.fromstring(base64.b64decode(markdown.split("base64,", 1)[1].rstrip(")")))


def test_long_series_keep_the_newest_points_under_the_inline_limit():
    labels = [f"2026-W{n:02d}" for n in range(1, 41)]
    markdown = sparkline_markdown("eval cases per review week", labels, [n * 1234567 for n in range(40)])
    assert len(markdown) < INLINE_LIMIT
    svg = _svg(markdown)
    [line] = [e for e in svg.iter() if e.tag.endswith("polyline")]
    assert 2 <= len(line.get("points").split()) <= MAX_POINTS
    assert [e.text for e in svg.iter() if e.tag.endswith("text")][-1] == "2026-W40"  # the newest week is kept


def test_shares_are_drawn_on_a_percent_axis_and_gaps_are_skipped():
    markdown = sparkline_markdown("covered share", ["a", "b", "c"], [0.5, None, 1.0], percent=True)
    svg = _svg(markdown)
    [line] = [e for e in svg.iter() if e.tag.endswith("polyline")]
    assert len(line.get("points").split()) == 2 and "100%" in [e.text for e in svg.iter() if e.tag.endswith("text")]
    assert sparkline_markdown("covered share", ["a"], [None]) == "_covered share: nothing to draw yet_"
