"""Joining spans that carry no messages to the GenAI content their library wrote as OTLP log records.

The two signals land in different files of the same day folder, in any order, so a day is joined
once all its files are read: spans without messages wait (`AwaitingContent`, their attributes only),
content from the logs is kept by `traceId:spanId`, and `finish` turns every waiting span into a
record when its content came, or into its no-content reason when none did.

Agent traces: the `invoke_agent` span ends after the LLM calls it made, so its agent name and its
tools' names are kept by trace id (a few bytes a trace) and copied onto the records that are kept
(`trace_context`), not onto every record as it streams past.

Memory: the waiting spans and the content are held in memory up to `spool_after` items; past that,
all of them move to a temporary SQLite file (`join_spool`) and the rest of the day goes there, so a
day whose every span waits for its content stays flat in memory.
"""

from __future__ import annotations

from typing import Iterator

from logmine_dagster.ingest.formats import AwaitingContent, SkippedSpan, SpanContent, UnusableSpan
from logmine_dagster.ingest.formats.otlp import span_key, span_to_record
from logmine_dagster.ingest.formats.span_views import joined_view
from logmine_dagster.ingest.join_spool import JoinSpool

# Items (waiting spans + content entries) held in memory before the join moves to disk: a waiting span
# holds its attributes, a few kB, so this bounds the join to some tens of MB.
SPOOL_AFTER = 10_000


class SpanContentJoin:
    def __init__(self, spool_after: int | None = None, views: int | None = None) -> None:
        """With `views` (the sampler's long-conversation threshold), a joined span in the current
        GenAI shape comes out as its view (`span_views`), built only if it is drawn."""
        self._content: dict[str, tuple[dict, list]] = {}
        self._waiting: dict[str, tuple[AwaitingContent, str, int]] = {}
        self._agents: dict[str, str] = {}
        self._tools: dict[str, set[str]] = {}
        self._spool_after = SPOOL_AFTER if spool_after is None else spool_after
        self._spool: JoinSpool | None = None
        self._views = views

    @property
    def in_memory(self) -> int:
        """Waiting spans and content entries held in memory (at most `spool_after`)."""
        return len(self._content) + len(self._waiting)

    @property
    def spooled(self) -> bool:
        return self._spool is not None

    def _make_room(self) -> None:
        if self._spool is not None or self.in_memory < self._spool_after:
            return
        self._spool = JoinSpool()
        for key, (attrs, events) in self._content.items():
            self._spool.add_content(key, attrs, None)
            for event in events:
                self._spool.add_content(key, {}, event)
        for key, (item, source, line) in self._waiting.items():
            self._spool.add_waiting(key, item.span, item.resource, item.scope_name, item.attrs, item.reason, source, line)
        self._content.clear()
        self._waiting.clear()

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
        self._make_room()
        if self._spool is not None:
            self._spool.add_content(item.key, item.attrs, item.event)
            return
        attrs, events = self._content.setdefault(item.key, ({}, []))
        attrs.update(item.attrs)
        if item.event is not None:
            events.append(item.event)

    def wait(self, item: AwaitingContent, source: str, line: int) -> None:
        self._make_room()
        if self._spool is not None:
            self._spool.add_waiting(span_key(item.span), item.span, item.resource, item.scope_name, item.attrs, item.reason, source, line)
            return
        self._waiting[span_key(item.span)] = (item, source, line)

    def finish(self) -> Iterator[tuple[str, int, dict | UnusableSpan]]:
        """(source, line, record dict or UnusableSpan) of every waiting span, in the order they came."""
        if self._spool is None:
            content = self._content.get
            waiting = ((key, (i.span, i.resource, i.scope_name, i.attrs), i.reason, source, line, content(key))
                       for key, (i, source, line) in self._waiting.items())
        else:
            waiting = self._spool.joined()
        try:
            for key, (span, resource, scope_name, span_attrs), reason, source, line, found in waiting:
                yield source, line, _joined_record(found, span, resource, scope_name, span_attrs, reason, self._views)
        finally:
            self.close()

    def close(self) -> None:
        """Forget the waiting spans and content (the temporary file too); the agents stay:
        `trace_context` is asked once the day is read."""
        self._content.clear()
        self._waiting.clear()
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def _joined_record(found, span: dict, resource: dict, scope_name: str, span_attrs: dict, reason: str, views: int | None) -> dict | UnusableSpan:
    if found is None:
        return UnusableSpan(reason)
    attrs, events = found
    joined = {**span, "events": list(span.get("events") or []) + events}
    merged = {**span_attrs, **attrs}
    if views is not None and (view := joined_view(views, joined, resource, scope_name, merged)) is not None:
        return view
    result = span_to_record(joined, resource, scope_name, merged)
    # Still nothing usable: the reason of the span as it was, not a second wait.
    return UnusableSpan(result.reason) if isinstance(result, UnusableSpan) else result
