"""What the format layer hands back besides canonical-record dicts.

A line can hold spans that are not LLM calls by design (tools, embeddings, agents...) and spans that
are LLM calls but carry nothing usable; neither is a record, and they must not be confused: the first
are counted and dropped, the second are quarantined with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SkippedSpan:
    """A GenAI span that is not an inference call (tool, embedding, retrieval, agent, chain...).
    An agent or tool span also gives its trace and the agent's or tool's name, which enrich the
    records of the LLM calls in the same trace."""

    kind: str
    trace_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class UnusableSpan:
    """An inference span that cannot become a record; `reason` names the problem, never span text."""

    reason: str


@dataclass(frozen=True)
class AwaitingContent(UnusableSpan):
    """An inference span without messages whose content may be in the day's OTLP log records
    (content captured as events). The reader joins it to them by trace and span id at the end of the
    day; unmatched, it is quarantined with `reason` like any UnusableSpan."""

    span: dict
    resource: dict
    scope_name: str
    attrs: dict


@dataclass(frozen=True)
class SpanContent:
    """GenAI content that an OTLP log record holds for the span `key` (`traceId:spanId`): current
    convention attributes (`gen_ai.input.messages`...) or one per-message event in span-event shape."""

    key: str
    attrs: dict
    event: dict | None = None

