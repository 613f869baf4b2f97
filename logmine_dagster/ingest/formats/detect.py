"""Recognising a line's format and turning it into canonical-record dicts."""

from __future__ import annotations


from logmine_dagster.ingest.formats.mapped import map_line
from logmine_dagster.ingest.formats.otlp import records_from_export
from logmine_dagster.ingest.formats.otlp_logs import content_from_logs
from logmine_dagster.ingest.formats.results import SkippedSpan, SpanContent, UnusableSpan
from functools import partial

from logmine_dagster.ingest.formats.span_views import span_view
from logmine_dagster.core.errors import LogmineError

FORMATS = ("canonical", "otlp", "mapped")


class FormatError(LogmineError, ValueError):
    """The line is in no known format. The message never quotes the line."""


def detect_format(value, mapping: dict | None = None) -> str:
    if isinstance(value, dict):
        if "resourceSpans" in value or "resourceLogs" in value:
            return "otlp"
        if "request_id" in value and "input" in value:
            return "canonical"
        if mapping is not None:
            return "mapped"
    raise FormatError("unknown log format (not canonical, not OTLP JSON traces or logs, and no field mapping configured)")


def records_from_line(
    value, fmt: str | None = None, mapping: dict | None = None, views: int | None = None
) -> list[dict | SkippedSpan | UnusableSpan | SpanContent]:
    """One decoded JSON line -> the canonical-record dicts it holds (not yet validated); an OTLP line
    also gives SkippedSpan / UnusableSpan items for its spans that are not records, and an OTLP logs
    line the SpanContent of its GenAI content events. With `views` (the sampler's long-conversation
    threshold), an inference span in the common shape comes as its view (`span_views`), whose record
    is built only if it is drawn."""
    fmt = fmt or detect_format(value, mapping)
    if fmt == "canonical":
        return [value]
    if fmt == "otlp":
        if not isinstance(value, dict):
            raise FormatError("OTLP export request is not a JSON object")
        if "resourceLogs" in value:
            return list(content_from_logs(value))
        return list(records_from_export(value, None if views is None else partial(span_view, views)))
    if fmt == "mapped":
        if mapping is None:
            raise FormatError("format 'mapped' needs a field mapping")
        if not isinstance(value, dict):
            raise FormatError("line is not a JSON object")
        return [map_line(value, mapping)]
    raise FormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
