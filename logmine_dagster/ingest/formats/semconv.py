"""Messages as the OpenTelemetry GenAI conventions and OpenLLMetry record them, old and current.

- current (v1.37+): `gen_ai.input.messages` / `gen_ai.output.messages` JSON of `{role, parts}` and
  `gen_ai.system_instructions` (JSON parts or a plain string);
- v1.26-v1.27 span events `gen_ai.content.prompt` / `gen_ai.content.completion` (attributes
  `gen_ai.prompt` / `gen_ai.completion`: JSON of OpenAI-style messages);
- v1.28-v1.36 span events, one per message (`gen_ai.user.message`, ..., `gen_ai.choice`);
- OpenLLMetry's indexed attributes `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` (`llm.prompts.N.*` /
  `llm.completions.N.*` before it took the gen_ai names).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from logmine_dagster.ingest.formats.chat_messages import (
    as_content,
    chat_message,
    content_from_parts,
    from_openai_message,
    maybe_json,
    tool_call,
)

Messages = tuple[list[dict], "dict | None"]  # the input messages, the reply message
EVENT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.developer.message": "developer",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
_INDEXED = re.compile(r"^(?:gen_ai\.prompt|gen_ai\.completion|llm\.prompts|llm\.completions)\.(\d+)\.(.+)$")
_INDEXED_CALL = re.compile(r"^tool_calls\.(\d+)\.(id|name|arguments)$")


def _part(part: dict) -> dict:
    """A current-convention input part as an OpenAI content part."""
    kind = part.get("type")
    if kind == "text":
        return {"type": "text", "text": part.get("content")}
    if kind == "uri" and part.get("modality") == "image":
        return {"type": "image_url", "image_url": {"url": part.get("uri")}}
    return {key: value for key, value in part.items() if key != "content" or kind != "blob"}  # never inline blobs


def parts_message(message: dict) -> dict:
    """A current-convention message ({role, parts}) as a chat message."""
    content, calls = [], []
    for part in message.get("parts") or []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "tool_call":
            calls.append(tool_call(part.get("id"), part.get("name"), part.get("arguments")))
        elif kind == "tool_call_response":
            response = part.get("response")
            return chat_message("tool", response if isinstance(response, str) else json.dumps(response), tool_call_id=part.get("id"))
        elif kind not in ("reasoning", "refusal"):
            content.append(_part(part))
    return chat_message(message.get("role"), content_from_parts(content), calls)


def _instructions(value: Any) -> list[dict]:
    decoded = maybe_json(value)
    if isinstance(decoded, str) and decoded:
        return [chat_message("system", decoded)]
    if isinstance(decoded, list):
        parts = [_part(p) for p in decoded if isinstance(p, dict)]
        if parts:
            return [chat_message("system", content_from_parts(parts))]
    return []


def current_messages(attrs: dict, events: list) -> Messages:
    messages = _instructions(attrs.get("gen_ai.system_instructions"))
    for message in maybe_json(attrs.get("gen_ai.input.messages")) or []:
        if isinstance(message, dict):
            messages.append(parts_message(message))
    outputs = maybe_json(attrs.get("gen_ai.output.messages")) or []
    reply = parts_message(outputs[0]) if isinstance(outputs, list) and outputs and isinstance(outputs[0], dict) else None
    return messages, reply


def prompt_event_messages(attrs: dict, events: list, attributes: Callable[[list], dict]) -> Messages:
    """v1.26: the whole prompt and completion as JSON in two span events."""
    messages, reply = [], None
    for event in events or []:
        event_attrs = attributes(event.get("attributes", []))
        if event.get("name") == "gen_ai.content.prompt":
            found = maybe_json(event_attrs.get("gen_ai.prompt"))
            messages = [m for m in map(from_openai_message, found if isinstance(found, list) else []) if m]
        elif event.get("name") == "gen_ai.content.completion":
            found = maybe_json(event_attrs.get("gen_ai.completion"))
            first = found[0] if isinstance(found, list) and found else found
            reply = from_openai_message(first) if isinstance(first, dict) else None
            if reply is None and isinstance(found, str):
                reply = chat_message("assistant", found)
    return messages, reply


def message_event_messages(attrs: dict, events: list, attributes: Callable[[list], dict]) -> Messages:
    """v1.28-v1.36: one span event per message, the content in its attributes or body."""
    messages, reply = [], None
    for event in events or []:
        event_attrs = attributes(event.get("attributes", []))
        name = event.get("name")
        body = maybe_json(event_attrs.get("gen_ai.event.content") or event_attrs.get("body"))
        body = body if isinstance(body, dict) else {}
        content = event_attrs.get("content", body.get("content"))
        if name in EVENT_ROLES:
            calls = maybe_json(event_attrs.get("tool_calls") or body.get("tool_calls"))
            message = from_openai_message({"role": EVENT_ROLES[name], "content": content, "tool_calls": calls if isinstance(calls, list) else None})
            if name == "gen_ai.tool.message":
                message["tool_call_id"] = event_attrs.get("id") or body.get("id")
            messages.append(message)
        elif name == "gen_ai.choice":
            inner = maybe_json(event_attrs.get("message")) if event_attrs.get("message") else body.get("message")
            reply = from_openai_message(inner) if isinstance(inner, dict) else chat_message("assistant", content if isinstance(content, str) else None)
    return messages, reply


def indexed_messages(attrs: dict, events: list) -> Messages:
    """OpenLLMetry: `gen_ai.prompt.N.role|content|tool_call_id|tool_calls.M.*` and the same for completions."""
    grouped: dict[tuple[bool, int], dict] = {}
    for key, value in attrs.items():
        match = _INDEXED.match(key)
        if not match:
            continue
        is_prompt = key.startswith(("gen_ai.prompt.", "llm.prompts."))
        fields = grouped.setdefault((is_prompt, int(match.group(1))), {})
        call = _INDEXED_CALL.match(match.group(2))
        if call:
            fields.setdefault("_calls", {}).setdefault(int(call.group(1)), {})[call.group(2)] = value
        elif match.group(2).startswith("function_call."):
            fields.setdefault("_calls", {}).setdefault(0, {})[match.group(2).split(".", 1)[1]] = value
        else:
            fields[match.group(2)] = value
    prompts, completions = [], []
    for (is_prompt, _), fields in sorted(grouped.items(), key=lambda item: (not item[0][0], item[0][1])):
        calls = [tool_call(c.get("id"), c.get("name"), c.get("arguments")) for _, c in sorted((fields.get("_calls") or {}).items())]
        message = chat_message(fields.get("role"), as_content(fields.get("content")), calls, fields.get("tool_call_id"))
        (prompts if is_prompt else completions).append(message)
    return prompts, completions[0] if completions else None


def has_indexed(attrs: dict) -> bool:
    return any(_INDEXED.match(key) for key in attrs)
