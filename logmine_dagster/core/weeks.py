"""Review weeks: Monday-to-Sunday, named by their Monday (`YYYY-MM-DD`), the weekly partition key."""

from __future__ import annotations

import datetime as dt
import re

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(text: str) -> str:
    """Accept `2026-W47` or any date in the week; return the week's Monday as `YYYY-MM-DD`."""
    value = text.strip()
    match = _ISO_WEEK.match(value)
    if match:
        try:
            return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1).isoformat()
        except ValueError:
            raise ValueError(f"not a valid ISO week: {text!r}") from None
    try:
        return week_start(dt.date.fromisoformat(value)).isoformat()
    except ValueError:
        raise ValueError(f"week must look like 2026-W47 or YYYY-MM-DD, got {text!r}") from None


def days_of_week(week: str) -> list[str]:
    monday = dt.date.fromisoformat(week)
    return [(monday + dt.timedelta(days=offset)).isoformat() for offset in range(7)]


def iso_week_label(week: str) -> str:
    year, number, _ = dt.date.fromisoformat(week).isocalendar()
    return f"{year}-W{number:02d}"
