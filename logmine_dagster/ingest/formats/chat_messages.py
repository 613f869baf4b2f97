"""Canonical chat messages (OpenAI chat shape) built from what the instrumentation libraries record.

Content is normalised one way for every source, so that a record holds what the app sent: a single
text part is a string, several parts are a list of `{"type": "text", "text": ...}` (and other part
kinds), tool calls are `{"id", "type": "function", "function": {"name", "arguments"}}` with the
arguments as a JSON string.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return orjson.loads(value)  # every span's messages pass here: the fast parser first
        except orjson.JSONDecodeError:
            pass
        try:
            return json.loads(value)  # what orjson refuses but JSON producers write (NaN, huge ints)
        except ValueError:
            return value
    return value


def content_from_parts(parts: list[dict]) -> str | list | None:
    """Canonical content from OpenAI-style content parts."""
    if not parts:
        return None
    if len(parts) == 1 and parts[0].get("type") == "text" and isinstance(parts[0].get("text"), str):
        return parts[0]["text"]
    return parts


def as_content(value: Any) -> str | list | None:
    """A content value as recorded: a string stays one, unless it is the JSON of a list of content
    parts (OpenLLMetry serialises list content that way)."""
    decoded = maybe_json(value)
    if isinstance(decoded, list) and decoded and all(isinstance(p, dict) and "type" in p for p in decoded):
        return content_from_parts(decoded)
    return value if isinstance(value, (str, list)) or value is None else str(value)


def tool_call(call_id: Any, name: Any, arguments: Any) -> dict:
    call = {"type": "function", "function": {"name": name, "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)}}
    if call_id is not None:
        call["id"] = call_id
    return call


def chat_message(role: Any, content: Any = None, tool_calls: list | None = None, tool_call_id: Any = None) -> dict:
    message = {"role": role or "user", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if tool_call_id is not None:
        message["tool_call_id"] = tool_call_id
    return message


def from_openai_message(message: Any) -> dict | None:
    """A message already in the OpenAI chat shape (v1.26 span events carry JSON of those)."""
    if not isinstance(message, dict):
        return None
    calls = [
        tool_call(call.get("id"), (call.get("function") or {}).get("name"), (call.get("function") or {}).get("arguments"))
        for call in message.get("tool_calls") or []
        if isinstance(call, dict)
    ]
    return chat_message(message.get("role"), as_content(message.get("content")), calls, message.get("tool_call_id"))


def output_text(message: dict | None) -> str | None:
    """The record's `output` (a string) from the reply message: its text, or, for a reply that is only
    tool calls, the JSON of those calls (so the case keeps what the model did)."""
    if not message:
        return None
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
        if texts:
            return "\n".join(texts)
    if message.get("tool_calls"):
        return json.dumps(message["tool_calls"])
    return None


def missing_content(messages: list[dict]) -> int | None:
    """Index of the first message whose text was not captured (a user/system/tool turn with no
    content): the instrumentation dropped it, and a record without it would mislead."""
    for index, message in enumerate(messages):
        if message.get("role") != "assistant" and message.get("content") in (None, []) and not message.get("tool_calls"):
            return index
    return None
