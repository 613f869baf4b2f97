"""What the commands share: option parsing and the settings of the invocation."""

from __future__ import annotations

import datetime as dt

import click

from logmine_dagster.core.config import Settings


def date_option(_ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"must be a date YYYY-MM-DD, got {value!r}") from None


_SETTINGS_KEY = "logmine.settings"


def invocation_settings() -> Settings:
    """The LOGMINE_* settings, read once per `logmine` invocation and shared by its commands."""
    context = click.get_current_context(silent=True)
    if context is None:  # a command's function called directly, outside click
        return Settings.from_env()
    meta = context.find_root().meta
    if _SETTINGS_KEY not in meta:
        meta[_SETTINGS_KEY] = Settings.from_env()
    return meta[_SETTINGS_KEY]
