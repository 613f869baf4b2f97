"""OpenTelemetry spans exported as OTLP JSON (one ExportTraceServiceRequest per line, as the
Collector's file exporter writes them).

Every GenAI span is classified first (`span_kinds`): inference spans become records, the others
(tools, embeddings, agents...) come back as `SkippedSpan` to be counted. An inference span's messages
are read from whichever shape its library wrote: OpenInference attributes, the current GenAI
attributes, OpenLLMetry's indexed attributes, or the older span events (`semconv`, `openinference`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from logmine_dagster.ingest.formats.chat_messages import maybe_json, missing_content, output_text
from logmine_dagster.ingest.formats.openinference import has_openinference, openinference_messages
from logmine_dagster.ingest.formats.results import AwaitingContent, SkippedSpan, UnusableSpan
from logmine_dagster.ingest.formats.semconv import (
    current_messages,
    has_indexed,
    indexed_messages,
    message_event_messages,
    prompt_event_messages,
)
from logmine_dagster.ingest.formats.span_kinds import INFERENCE, dropped_content_reason, no_content_reason, span_kind

STATUS_CODE_ERROR = 2


def any_value(value: dict) -> Any:
    """OTLP AnyValue -> Python value."""
    if not isinstance(value, dict):
        return None
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])
    if "arrayValue" in value:
        return [any_value(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return attributes(value["kvlistValue"].get("values", []))
    return None


def attributes(items: list) -> dict[str, Any]:
    return {item["key"]: any_value(item.get("value", {})) for item in items or [] if isinstance(item, dict) and "key" in item}


def iso_timestamp(nanos: Any) -> str | None:
    try:
        seconds = int(nanos) / 1e9
    except (TypeError, ValueError):
        return None
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _latency_ms(span: dict) -> float | None:
    try:
        return round((int(span["endTimeUnixNano"]) - int(span["startTimeUnixNano"])) / 1e6, 3)
    except (KeyError, TypeError, ValueError):
        return None


def _requested_model(attrs: dict) -> str | None:
    # OpenInference names the model only in the request parameters when the call failed.
    parameters = maybe_json(attrs.get("llm.invocation_parameters"))
    model = parameters.get("model") if isinstance(parameters, dict) else None
    return model if isinstance(model, str) else None


def span_messages(attrs: dict, events: list) -> tuple[list[dict], dict | None]:
    """The span's input messages and reply message, from the first shape that holds messages."""
    # The shapes are tried in this order; each test is made only when the one before found nothing
    # (the common current-convention span then costs no scan of its attribute names).
    current = "gen_ai.input.messages" in attrs or "gen_ai.output.messages" in attrs or "gen_ai.system_instructions" in attrs
    readers = (
        (lambda: "openinference.span.kind" in attrs or (not current and has_openinference(attrs)), openinference_messages),
        (lambda: current, current_messages),
        (lambda: has_indexed(attrs), indexed_messages),
        (lambda: True, lambda a, e: prompt_event_messages(a, e, attributes)),
        (lambda: True, lambda a, e: message_event_messages(a, e, attributes)),
    )
    reply = None
    for applies, reader in readers:
        if applies():
            messages, reply = reader(attrs, events)
            if messages:
                return messages, reply
    return [], reply


def _metadata(attrs: dict, resource: dict, reply: dict | None) -> dict:
    provider = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or attrs.get("llm.provider") or attrs.get("llm.system")
    found = {
        "provider": provider,
        "operation": attrs.get("gen_ai.operation.name") or attrs.get("openinference.span.kind") or attrs.get("llm.request.type"),
        "input_tokens": attrs.get("gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens", attrs.get("llm.token_count.prompt"))),
        "output_tokens": attrs.get("gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens", attrs.get("llm.token_count.completion"))),
        "service": resource.get("service.name"),
        "agent": attrs.get("gen_ai.agent.name") or attrs.get("agent.name"),
        # A reply that is only tool calls has their JSON as its output text; this says so.
        "output_kind": "tool_calls" if reply and reply.get("tool_calls") and not reply.get("content") else None,
    }
    return {key: value for key, value in found.items() if value is not None}


def span_key(item: dict) -> str:
    """A span's (or its log record's) trace and span id, the key that joins them."""
    return f"{item.get('traceId', '')}:{item.get('spanId', '')}"


def span_to_record(span: dict, resource: dict, scope_name: str = "", attrs: dict | None = None) -> dict | UnusableSpan:
    attrs = attributes(span.get("attributes", [])) if attrs is None else attrs
    messages, reply = span_messages(attrs, span.get("events", []))
    if not messages:
        return AwaitingContent(no_content_reason(scope_name, attrs), span, resource, scope_name, attrs)
    dropped = missing_content(messages)
    if dropped is not None:
        return UnusableSpan(dropped_content_reason(dropped))
    status = span.get("status")
    status = status if isinstance(status, dict) else {}  # a malformed status is no error status
    error_type = attrs.get("error.type")
    failed = status.get("code") in (STATUS_CODE_ERROR, "STATUS_CODE_ERROR") or error_type is not None
    return {
        "request_id": span_key(span),
        "timestamp": iso_timestamp(span.get("startTimeUnixNano")),
        "session_id": attrs.get("gen_ai.conversation.id") or attrs.get("session.id"),
        "user_id": attrs.get("user.id") or attrs.get("enduser.id"),
        "model": attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model") or attrs.get("llm.model_name") or _requested_model(attrs),
        "input": messages,
        "output": output_text(reply),
        # The span status message can quote user text: only the error type is kept.
        "status": "error" if failed else "ok",
        "error_type": (str(error_type) if error_type is not None else "span_error") if failed else None,
        "latency_ms": _latency_ms(span),
        "metadata": _metadata(attrs, resource, reply),
    }


def _agent_or_tool_name(kind: str, attrs: dict) -> str | None:
    if kind == "agent":
        name = attrs.get("gen_ai.agent.name") or attrs.get("agent.name")
    elif kind == "tool":
        name = attrs.get("gen_ai.tool.name") or attrs.get("tool.name")
    else:
        return None
    return name if isinstance(name, str) else None


def records_from_export(value: dict, view=None) -> Iterator[dict | SkippedSpan | UnusableSpan]:
    """Every GenAI span of one ExportTraceServiceRequest: inference spans as canonical-record dicts
    (or UnusableSpan), the others as SkippedSpan. Spans unrelated to GenAI are left out. With `view`
    (the sampler's `span_views.span_view`), a span it can look at cheaply comes as its view."""
    for resource_spans in value.get("resourceSpans") or []:
        resource = resource_attributes(resource_spans)
        for scope_spans in resource_spans.get("scopeSpans") or []:
            scope_name = str((scope_spans.get("scope") or {}).get("name") or "")
            for span in scope_spans.get("spans") or []:
                if view is not None and (cheap := view(span, resource, scope_name)) is not None:
                    yield cheap
                    continue
                found = span_candidate(span, resource, scope_name)
                if found is not None:
                    yield found


def resource_attributes(resource_spans: dict) -> dict:
    """The decoded resource attributes of one ResourceSpans."""
    return attributes((resource_spans.get("resource") or {}).get("attributes", []))


def span_candidate(span: dict, resource: dict, scope_name: str) -> dict | SkippedSpan | UnusableSpan | None:
    """One span the full way: an inference span's record (or why it is none), another GenAI span as
    SkippedSpan, None for a span unrelated to GenAI."""
    attrs = attributes(span.get("attributes", []))
    kind = span_kind(attrs)
    if kind == INFERENCE:
        return span_to_record(span, resource, scope_name, attrs)
    if kind is not None:
        return SkippedSpan(kind, span.get("traceId"), _agent_or_tool_name(kind, attrs))
    return None
