"""Joining spans that carry no messages to the GenAI content their library wrote as OTLP log records.

The two signals land in different files of the same day folder, in any order, so a day is joined
once all its files are read: spans without messages wait (`AwaitingContent`, their attributes only),
content from the logs is kept by `traceId:spanId`, and `finish` turns every waiting span into a
record when its content came, or into its no-content reason when none did.

Memory: the day's content events are held until the end of the day (a first increment; a day too big
for that would spool them to disk like the candidate spool does).
"""

from __future__ import annotations

from typing import Iterator

from logmine_dagster.ingest.formats import AwaitingContent, SpanContent, UnusableSpan
from logmine_dagster.ingest.formats.otlp import span_key, span_to_record


class SpanContentJoin:
    def __init__(self) -> None:
        self._content: dict[str, tuple[dict, list]] = {}
        self._waiting: dict[str, tuple[AwaitingContent, str, int]] = {}

    def add(self, item: SpanContent) -> None:
        attrs, events = self._content.setdefault(item.key, ({}, []))
        attrs.update(item.attrs)
        if item.event is not None:
            events.append(item.event)

    def wait(self, item: AwaitingContent, source: str, line: int) -> None:
        self._waiting[span_key(item.span)] = (item, source, line)

    def finish(self) -> Iterator[tuple[str, int, dict | UnusableSpan]]:
        """(source, line, record dict or UnusableSpan) of every waiting span, in the order they came."""
        for key, (item, source, line) in self._waiting.items():
            found = self._content.get(key)
            if found is None:
                yield source, line, UnusableSpan(item.reason)
                continue
            attrs, events = found
            span = {**item.span, "events": list(item.span.get("events") or []) + events}
            result = span_to_record(span, item.resource, item.scope_name, {**item.attrs, **attrs})
            # Still nothing usable: the reason of the span as it was, not a second wait.
            yield source, line, UnusableSpan(result.reason) if isinstance(result, UnusableSpan) else result
        self._content.clear()
        self._waiting.clear()
