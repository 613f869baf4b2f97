"""A small SVG line chart as markdown, short enough for the Dagster UI to show on the asset page.

Dagster 1.13 renders a markdown metadata entry inline only when it is under 1,000 characters
(`MetadataEntry.tsx`: `expandSmallValues && mdStr.length < 1000`); longer ones hide behind
"[Show Markdown]". Its markdown sanitiser allows `data:` image sources, so a base64 PNG works but is
always far too long to show inline. A bare SVG of one polyline and a few labels fits: the newest
points are kept and older ones dropped until it does.
"""

from __future__ import annotations

import base64

INLINE_LIMIT = 1000  # characters under which the Dagster UI renders markdown metadata inline
MAX_POINTS = 12
# 260 px: the asset page's value column at 1280 px is about 290 px wide.
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 260, 96, 34, 14, 80


def _svg(title: str, labels: list[str], values: list[float | None], top: float, unit: str) -> str:
    span = max(len(values) - 1, 1)
    step = (WIDTH - LEFT - 8) / span
    points = " ".join(
        f"{LEFT + i * step:.0f},{BOTTOM - (BOTTOM - TOP) * (v / top if top else 0):.0f}" for i, v in enumerate(values) if v is not None
    )
    top_label = f"{top:.0f}{unit}"
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' font-size='9' font-family='sans-serif'>"
        f"<text x='{LEFT}' y='9'>{title}</text>"
        f"<path d='M{LEFT} {TOP}V{BOTTOM}H{WIDTH - 4}' stroke='#999' fill='none'/>"
        f"<polyline points='{points}' fill='none' stroke='#2a6fdb' stroke-width='2'/>"
        f"<text x='0' y='{TOP + 4}'>{top_label}</text><text x='0' y='{BOTTOM}'>0{unit}</text>"
        f"<text x='{LEFT}' y='{HEIGHT - 2}'>{labels[0]}</text>"
        f"<text x='{WIDTH - 4}' y='{HEIGHT - 2}' text-anchor='end'>{labels[-1]}</text></svg>"
    )


def sparkline_markdown(title: str, labels: list[str], values: list[float | None], *, percent: bool = False) -> str:
    """`values` per label (None: a gap); `percent`: values are shares 0..1, drawn on a 0-100% axis.
    Always under INLINE_LIMIT characters; a text line when there is nothing to draw."""
    if not any(v is not None for v in values):
        return f"_{title}: nothing to draw yet_"
    labels, values = labels[-MAX_POINTS:], values[-MAX_POINTS:]
    if percent:
        values = [None if v is None else 100 * v for v in values]
    while True:
        top = 100.0 if percent else max(v for v in values if v is not None) or 1.0
        svg = _svg(title, labels, values, top, "%" if percent else "")
        markdown = f"![{title}](data:image/svg+xml;base64,{base64.b64encode(svg.encode('utf-8')).decode('ascii')})"
        if len(markdown) < INLINE_LIMIT or len(values) <= 2:
            return markdown
        labels, values = labels[1:], values[1:]
