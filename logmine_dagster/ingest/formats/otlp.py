"""OpenTelemetry spans exported as OTLP JSON (one ExportTraceServiceRequest per line).

Understands the GenAI semantic conventions, current (`gen_ai.provider.name`, `gen_ai.input.messages`,
`gen_ai.output.messages`, `gen_ai.usage.input_tokens`, `error.type`) and older (`gen_ai.system`,
`gen_ai.usage.prompt_tokens`, messages as span events `gen_ai.user.message`, `gen_ai.choice`, ...),
and OpenInference attributes (`llm.input_messages.{i}.message.*`, `input.value`, `session.id`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Iterator

STATUS_CODE_ERROR = 2
_INDEXED = re.compile(r"^llm\.(input|output)_messages\.(\d+)\.message\.(.+)$")
_TOOL_CALL = re.compile(r"^tool_calls\.(\d+)\.tool_call\.(.+)$")
EVENT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}


def _any_value(value: dict) -> Any:
    """OTLP AnyValue -> Python value."""
    if not isinstance(value, dict):
        return None
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])
    if "arrayValue" in value:
        return [_any_value(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return attributes(value["kvlistValue"].get("values", []))
    return None


def attributes(items: list) -> dict[str, Any]:
    return {item["key"]: _any_value(item.get("value", {})) for item in items or [] if isinstance(item, dict) and "key" in item}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _timestamp(nanos: Any) -> str | None:
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


def _parts_message(message: dict) -> dict:
    """A current-convention message ({role, parts: [...]}) as a chat message."""
    texts, tool_calls, tool_response = [], [], None
    for part in message.get("parts") or []:
        kind = part.get("type")
        if kind == "text":
            texts.append(str(part.get("content", "")))
        elif kind == "tool_call":
            arguments = part.get("arguments")
            tool_calls.append(
                {
                    "id": part.get("id"),
                    "type": "function",
                    "function": {
                        "name": part.get("name"),
                        "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                    },
                }
            )
        elif kind == "tool_call_response":
            response = part.get("response")
            tool_response = (part.get("id"), response if isinstance(response, str) else json.dumps(response))
    role = message.get("role") or "user"
    if tool_response is not None:
        return {"role": "tool", "tool_call_id": tool_response[0], "content": tool_response[1]}
    chat = {"role": role, "content": "\n".join(texts) if texts else None}
    if tool_calls:
        chat["tool_calls"] = tool_calls
    return chat


def _current_messages(attrs: dict) -> tuple[list[dict], str | None]:
    messages = []
    instructions = _maybe_json(attrs.get("gen_ai.system_instructions"))
    if isinstance(instructions, list):
        text = "\n".join(str(p.get("content", "")) for p in instructions if isinstance(p, dict))
        messages.append({"role": "system", "content": text})
    for message in _maybe_json(attrs.get("gen_ai.input.messages")) or []:
        if isinstance(message, dict):
            messages.append(_parts_message(message))
    output = None
    outputs = _maybe_json(attrs.get("gen_ai.output.messages")) or []
    if outputs and isinstance(outputs[0], dict):
        output = _parts_message(outputs[0]).get("content")
    return messages, output


def _event_messages(events: list) -> tuple[list[dict], str | None]:
    """Older conventions: one span event per message, the content in its attributes or body."""
    messages, output = [], None
    for event in events or []:
        attrs = attributes(event.get("attributes", []))
        name = event.get("name")
        body = _maybe_json(attrs.get("gen_ai.event.content") or attrs.get("body"))
        content = attrs.get("content")
        if content is None and isinstance(body, dict):
            content = body.get("content")
        if name in EVENT_ROLES:
            message = {"role": EVENT_ROLES[name], "content": content if isinstance(content, str) else None}
            tool_calls = attrs.get("tool_calls") or (body.get("tool_calls") if isinstance(body, dict) else None)
            if tool_calls:
                message["tool_calls"] = _maybe_json(tool_calls)
            if name == "gen_ai.tool.message":
                message["tool_call_id"] = attrs.get("id") or (body.get("id") if isinstance(body, dict) else None)
            messages.append(message)
        elif name == "gen_ai.choice":
            inner = _maybe_json(attrs.get("message")) if attrs.get("message") else (body.get("message") if isinstance(body, dict) else None)
            if isinstance(inner, dict):
                output = inner.get("content")
            elif isinstance(content, str):
                output = content
    return messages, output


def _openinference_messages(attrs: dict) -> tuple[list[dict], str | None]:
    grouped: dict[tuple[str, int], dict] = {}
    for key, value in attrs.items():
        match = _INDEXED.match(key)
        if not match:
            continue
        direction, index, field = match.group(1), int(match.group(2)), match.group(3)
        message = grouped.setdefault((direction, index), {})
        call = _TOOL_CALL.match(field)
        if call:
            calls = message.setdefault("_calls", {})
            entry = calls.setdefault(int(call.group(1)), {"type": "function", "function": {}})
            leaf = call.group(2)
            if leaf == "id":
                entry["id"] = value
            elif leaf.startswith("function."):
                entry["function"][leaf.split(".", 1)[1]] = value
        else:
            message[field] = value
    inputs, outputs = [], []
    for (direction, index), message in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        chat = {"role": message.get("role") or "user", "content": message.get("content")}
        if message.get("tool_call_id"):
            chat["tool_call_id"] = message["tool_call_id"]
        if "_calls" in message:
            chat["tool_calls"] = [message["_calls"][i] for i in sorted(message["_calls"])]
        (inputs if direction == "input" else outputs).append(chat)
    if not inputs and isinstance(attrs.get("input.value"), str):
        inputs = [{"role": "user", "content": attrs["input.value"]}]
    output = outputs[0].get("content") if outputs else attrs.get("output.value")
    return inputs, output if isinstance(output, str) else None


def is_llm_span(attrs: dict) -> bool:
    return any(key.startswith(("gen_ai.", "llm.")) for key in attrs) or attrs.get("openinference.span.kind") == "LLM"


def span_to_record(span: dict, resource: dict) -> dict:
    attrs = attributes(span.get("attributes", []))
    if any(key.startswith("llm.") for key in attrs) or "openinference.span.kind" in attrs:
        messages, output = _openinference_messages(attrs)
    elif "gen_ai.input.messages" in attrs or "gen_ai.output.messages" in attrs:
        messages, output = _current_messages(attrs)
    else:
        messages, output = _event_messages(span.get("events", []))
    status = span.get("status") or {}
    error_type = attrs.get("error.type")
    failed = status.get("code") in (STATUS_CODE_ERROR, "STATUS_CODE_ERROR") or error_type is not None
    provider = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or attrs.get("llm.provider") or attrs.get("llm.system")
    return {
        "request_id": f"{span.get('traceId', '')}:{span.get('spanId', '')}",
        "timestamp": _timestamp(span.get("startTimeUnixNano")),
        "session_id": attrs.get("gen_ai.conversation.id") or attrs.get("session.id"),
        "user_id": attrs.get("user.id") or attrs.get("enduser.id"),
        "model": attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model") or attrs.get("llm.model_name"),
        "input": messages,
        "output": output,
        # The span status message can quote user text: only the error type is kept.
        "status": "error" if failed else "ok",
        "error_type": (error_type or "span_error") if failed else None,
        "latency_ms": _latency_ms(span),
        "metadata": {
            key: value
            for key, value in {
                "provider": provider,
                "operation": attrs.get("gen_ai.operation.name") or attrs.get("openinference.span.kind"),
                "input_tokens": attrs.get("gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens", attrs.get("llm.token_count.prompt"))),
                "output_tokens": attrs.get("gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens", attrs.get("llm.token_count.completion"))),
                "service": resource.get("service.name"),
            }.items()
            if value is not None
        },
    }


def records_from_export(value: dict) -> Iterator[dict]:
    """Every LLM span of one ExportTraceServiceRequest, as canonical-record dicts."""
    for resource_spans in value.get("resourceSpans") or []:
        resource = attributes((resource_spans.get("resource") or {}).get("attributes", []))
        for scope_spans in resource_spans.get("scopeSpans") or []:
            for span in scope_spans.get("spans") or []:
                if is_llm_span(attributes(span.get("attributes", []))):
                    yield span_to_record(span, resource)
