"""Where the free text of a canonical log record lives (see `records.parse_record`).

`RecordFields(record)` deep-copies the record, replaces values under PII-named JSON keys with
typed placeholders, and keeps a handle on every other text so that the sanitiser can rewrite them
all after one batched analysis. Text fields: `input[*].content` (string, parts with `text`, or an
object), tool-call and function-call arguments, `output`, `error_type`, every string in `metadata`.
Strings that hold JSON (tool arguments, tool results, a JSON `output`) are walked as JSON and
serialised again afterwards. Ids, timestamp, model and status are left as they are.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from logmine_dagster.sanitise.pii_keys import pii_type_for_key
from logmine_dagster.sanitise.surrogates import Placeholder, plain_placeholder

# Roles whose message content is data returned by a tool, usually JSON.
DATA_ROLES = ("tool", "function")


class RecordFields:
    def __init__(self, record: dict, placeholder: Placeholder = plain_placeholder) -> None:
        """`placeholder(entity type, raw value)` is what replaces a value under a PII key."""
        self.record = copy.deepcopy(record)
        self._placeholder = placeholder
        self.key_values: list[tuple[str, str]] = []  # (entity type, raw value) masked by key
        self._slots: list[tuple[Any, Any]] = []  # (container, key) of each text
        self._json_strings: list[tuple[Any, Any, Any]] = []  # (container, key, parsed JSON)
        self._collect()

    def texts(self) -> list[str]:
        return [container[key] for container, key in self._slots]

    def write_back(self, texts: list[str]) -> dict:
        """Put the sanitised texts in place (same order as `texts()`) and return the record."""
        for (container, key), text in zip(self._slots, texts, strict=True):
            container[key] = text
        for container, key, parsed in reversed(self._json_strings):
            container[key] = json.dumps(parsed, ensure_ascii=False)
        return self.record

    # -- walking the record ---------------------------------------------------------------------

    def _collect(self) -> None:
        for message in self.record.get("input") or []:
            if isinstance(message, dict):
                self._message(message)
        for name in ("output", "error_type"):
            if isinstance(self.record.get(name), str):
                self._text_or_json(self.record, name)
        if isinstance(self.record.get("metadata"), dict):
            self._json(self.record["metadata"])

    def _message(self, message: dict) -> None:
        holds_data = message.get("role") in DATA_ROLES
        content = message.get("content")
        if isinstance(content, str):
            self._text_or_json(message, "content") if holds_data else self._slots.append((message, "content"))
        elif isinstance(content, list):
            self._parts(content, holds_data)
        elif isinstance(content, dict):
            self._json(content)
        if not holds_data and isinstance(message.get("name"), str):
            self._mask_by_key(message, "name", "PERSON")  # a participant's name, not a function's
        for call in message.get("tool_calls") or []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                self._arguments(call["function"])
        if isinstance(message.get("function_call"), dict):
            self._arguments(message["function_call"])

    def _parts(self, parts: list, holds_data: bool) -> None:
        for index, part in enumerate(parts):
            if isinstance(part, str):
                self._slots.append((parts, index))
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                self._text_or_json(part, "text") if holds_data else self._slots.append((part, "text"))

    def _arguments(self, function: dict) -> None:
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            self._text_or_json(function, "arguments")
        elif isinstance(arguments, (dict, list)):
            self._json(arguments)

    def _text_or_json(self, container, key) -> None:
        """A string holding a JSON object or array is walked as JSON, anything else is text."""
        parsed = parse_json_container(container[key])
        if parsed is None:
            self._slots.append((container, key))
        else:
            self._json_strings.append((container, key, parsed))
            self._json(parsed)

    def _json(self, node, parent: str | None = None) -> None:
        """Values under PII-named keys are masked whole; every other string is a text to sanitise."""
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            entity_type = pii_type_for_key(key, parent) if isinstance(key, str) else None
            if entity_type and _holds_value(value):
                self._mask_by_key(node, key, entity_type)
            elif isinstance(value, str):
                self._slots.append((node, key))
            elif isinstance(value, (dict, list)):
                self._json(value, key if isinstance(key, str) else parent)

    def _mask_by_key(self, container, key, entity_type: str) -> None:
        leaves = json_leaves(container[key])
        self.key_values.extend((entity_type, leaf) for leaf in leaves)
        # One placeholder for the whole value, even an object or list ("address": {...}).
        container[key] = self._placeholder(entity_type, " ".join(leaves))


def parse_json_container(text: str):
    """The parsed value when `text` holds a JSON object or array, else None."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


def json_leaves(value) -> list[str]:
    """The scalar values inside a JSON value, as strings (booleans and nulls hold no PII)."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in json_leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in json_leaves(item)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


def _holds_value(value) -> bool:
    return not isinstance(value, bool) and value not in (None, "", [], {})
