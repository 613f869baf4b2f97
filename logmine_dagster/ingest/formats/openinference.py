"""Messages as OpenInference records them: `llm.input_messages.N.message.*` and `llm.output_messages.N.message.*`,
with multi-part content under `message.contents.M.message_content.{type,text,image.image.url}` and tool
calls under `message.tool_calls.K.tool_call.{id,function.name,function.arguments}`."""

from __future__ import annotations

import re

from logmine_dagster.ingest.formats.chat_messages import chat_message, content_from_parts, tool_call

REDACTED = "__REDACTED__"  # what OpenInference writes for content its OPENINFERENCE_HIDE_* settings hide
_INDEXED = re.compile(r"^llm\.(input|output)_messages\.(\d+)\.message\.(.+)$")
_TOOL_CALL = re.compile(r"^tool_calls\.(\d+)\.tool_call\.(.+)$")
_CONTENT = re.compile(r"^contents\.(\d+)\.message_content\.(.+)$")


def _content_part(fields: dict) -> dict:
    if fields.get("type") == "image" or "image.image.url" in fields:
        return {"type": "image_url", "image_url": {"url": fields.get("image.image.url")}}
    return {"type": fields.get("type") or "text", "text": fields.get("text")}


def _message(fields: dict) -> dict:
    content = fields.get("content")
    if content is None and fields.get("_contents"):
        content = content_from_parts([_content_part(fields["_contents"][i]) for i in sorted(fields["_contents"])])
    calls = [
        tool_call(call.get("id"), call.get("function.name"), call.get("function.arguments"))
        for _, call in sorted((fields.get("_calls") or {}).items())
    ]
    return chat_message(fields.get("role"), content, calls, fields.get("tool_call_id"))


def _texts(fields: dict):
    yield fields.get("content")
    for part in (fields.get("_contents") or {}).values():
        yield part.get("text")


def openinference_messages(attrs: dict, events: list) -> tuple[list[dict], dict | None]:
    """The input messages and the reply message."""
    grouped: dict[tuple[str, int], dict] = {}
    for key, value in attrs.items():
        match = _INDEXED.match(key)
        if not match:
            continue
        fields = grouped.setdefault((match.group(1), int(match.group(2))), {})
        leaf = match.group(3)
        if call := _TOOL_CALL.match(leaf):
            fields.setdefault("_calls", {}).setdefault(int(call.group(1)), {})[call.group(2)] = value
        elif part := _CONTENT.match(leaf):
            fields.setdefault("_contents", {}).setdefault(int(part.group(1)), {})[part.group(2)] = value
        else:
            fields[leaf] = value
    if any(value == REDACTED for (direction, _), fields in grouped.items() if direction == "input" for value in _texts(fields)):
        return [], None  # hidden, not lost: the caller's reason names the settings
    inputs = [_message(fields) for (direction, _), fields in sorted(grouped.items()) if direction == "input"]
    outputs = [_message(fields) for (direction, _), fields in sorted(grouped.items()) if direction == "output"]
    if not inputs and isinstance(attrs.get("input.value"), str) and attrs.get("input.mime_type") != "application/json" and attrs["input.value"] != REDACTED:
        inputs = [chat_message("user", attrs["input.value"])]
    reply = outputs[0] if outputs else None
    if reply is None and isinstance(attrs.get("output.value"), str) and attrs.get("output.mime_type") != "application/json" and attrs["output.value"] != REDACTED:
        reply = chat_message("assistant", attrs["output.value"])
    return inputs, reply


def has_openinference(attrs: dict) -> bool:
    return "openinference.span.kind" in attrs or any(_INDEXED.match(key) for key in attrs)
