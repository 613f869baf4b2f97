"""Option parsing shared by the commands."""

from __future__ import annotations

import datetime as dt

import click


def date_option(_ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"must be a date YYYY-MM-DD, got {value!r}") from None
