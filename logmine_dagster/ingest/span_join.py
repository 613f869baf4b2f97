"""Joining spans that carry no messages to the GenAI content their library wrote as OTLP log records.

The two signals land in different files of the same day folder, in any order, so a day is joined
once all its files are read: spans without messages wait (`AwaitingContent`, their attributes only),
content from the logs is kept by `traceId:spanId`, and `finish` turns every waiting span into a
record when its content came, or into its no-content reason when none did.

Agent traces: the `invoke_agent` span ends after the LLM calls it made, so its agent name and its
tools' names are kept by trace id (a few bytes a trace) and copied onto the records that are kept
(`trace_context`), not onto every record as it streams past.

Memory: the day's content events are held until the end of the day (a first increment; a day too big
for that would spool them to disk like the candidate spool does).
"""

from __future__ import annotations

from typing import Iterator

from logmine_dagster.ingest.formats import AwaitingContent, SkippedSpan, SpanContent, UnusableSpan
from logmine_dagster.ingest.formats.otlp import span_key, span_to_record


class SpanContentJoin:
    def __init__(self) -> None:
        self._content: dict[str, tuple[dict, list]] = {}
        self._waiting: dict[str, tuple[AwaitingContent, str, int]] = {}
        self._agents: dict[str, str] = {}
        self._tools: dict[str, set[str]] = {}

    def note(self, item: SkippedSpan) -> None:
        """An agent's or a tool's name, for the LLM calls of its trace."""
        if not item.trace_id or not item.name:
            return
        if item.kind == "agent":
            self._agents.setdefault(item.trace_id, item.name)
        elif item.kind == "tool":
            self._tools.setdefault(item.trace_id, set()).add(item.name)

    def trace_context(self, request_id: str) -> dict:
        """`agent` and `agent_tools` (sorted) of the trace an OTLP record (`traceId:spanId`) belongs to."""
        trace_id = request_id.split(":", 1)[0]
        found = {}
        if trace_id in self._agents:
            found["agent"] = self._agents[trace_id]
        if trace_id in self._tools:
            found["agent_tools"] = sorted(self._tools[trace_id])
        return found

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
        self._waiting.clear()  # the agents stay: trace_context is asked once the day is read
