"""Every text of a canonical log record (see `records.parse_record`), walked by the declared schema.

`RecordFields(record)` keeps only the fields `schema.RECORD` declares (`dropped` counts the rest),
replaces values under PII-named JSON keys with typed placeholders, and keeps a handle on every
other text so that the sanitiser can rewrite them all after one batched analysis. What is a text
is the schema's business: message content (a string, text parts, an object), tool-call arguments,
tool results, `output`, `error_type`, `model`, URLs, file names and every key and value of free
JSON (metadata, tool arguments and results). Strings that hold JSON are walked as JSON and
serialised again afterwards. Ids, timestamps, numbers and closed vocabularies hold no text.
"""

from __future__ import annotations

import json
from typing import Any

from logmine_dagster.sanitise import schema
from logmine_dagster.sanitise.pii_keys import is_data_key, pii_type_for_key
from logmine_dagster.sanitise.schema import DATA_ROLES, Kind, identifier_shaped
from logmine_dagster.sanitise.surrogates import Placeholder, plain_placeholder

__all__ = ["DATA_ROLES", "RecordFields", "json_leaves", "parse_json_container"]

# A number this long in free JSON may be a phone or account number: it is read as text too.
_MIN_TEXT_NUMBER_DIGITS = 7


class RecordFields:
    def __init__(self, record: dict, placeholder: Placeholder = plain_placeholder) -> None:
        """`placeholder(entity type, raw value)` is what replaces a value under a PII key."""
        self.record, self.dropped = schema.prune(record)  # dropped: Counter of field labels
        self._placeholder = placeholder
        self.key_values: list[tuple[str, str]] = []  # (entity type, raw value) masked by key
        self.key_value_fields: list[str] = []  # the declared field of each, e.g. "input[1].name"
        self._slots: list[tuple[Any, Any]] = []  # (container, key) of each text value
        self._numbers: list[tuple[Any, Any]] = []  # (container, key) of long numbers read as text
        self._keys: list[tuple[dict, str]] = []  # (object, key) of each JSON key read as text
        self._fields: tuple[list[str], list[str], list[str]] = ([], [], [])  # the same three, by field
        self._json_strings: list[tuple[Any, Any, Any]] = []  # (container, key, parsed JSON)
        self._where = ""  # the declared field being walked: free JSON reports its texts under it
        self._walk(schema.RECORD, None, None, self.record, "")

    def texts(self) -> list[str]:
        return [
            *(container[key] for container, key in self._slots),
            *(str(container[key]) for container, key in self._numbers),
            *(key for _, key in self._keys),
        ]

    def fields(self) -> list[str]:
        """The declared field of each text (same order as `texts()`): "input[2].content",
        "metadata". Paths hold schema names and indexes only, never a key of free JSON."""
        return [field for fields in self._fields for field in fields]

    def write_back(self, texts: list[str]) -> dict:
        """Put the sanitised texts in place (same order as `texts()`) and return the record."""
        if len(texts) != len(self._slots) + len(self._numbers) + len(self._keys):
            raise ValueError("write_back needs one text per text of the record")
        values = iter(texts)
        for container, key in self._slots:
            container[key] = next(values)
        for container, key in self._numbers:
            text = next(values)
            if text != str(container[key]):
                container[key] = text  # a masked number becomes its placeholder string
        _rename_keys(self._keys, list(values))
        for container, key, parsed in reversed(self._json_strings):
            container[key] = json.dumps(parsed, ensure_ascii=False)
        return self.record

    # -- walking the record by its schema --------------------------------------------------------

    def _walk(self, spec: schema.Spec, container, key, value, path: str) -> None:
        if value is None:
            return
        if isinstance(spec, (Kind, schema.Content)):
            self._where = path
        if isinstance(spec, Kind):
            self._field(spec, container, key, value)
        elif isinstance(spec, schema.Obj):
            for name, item in value.items():
                self._walk(spec.fields[name], value, name, item, f"{path}.{name}" if path else name)
        elif isinstance(spec, schema.ListOf):
            for index, item in enumerate(value):
                self._walk(spec.item, value, index, item, f"{path}[{index}]")
        elif isinstance(spec, schema.ByRole):
            self._walk(spec.data if value.get("role") in DATA_ROLES else spec.chat, container, key, value, path)
        elif isinstance(spec, schema.Content):
            self._content(spec, container, key, value, path)

    def _text(self, container, key) -> None:
        self._slots.append((container, key))
        self._fields[0].append(self._where)

    def _field(self, kind: Kind, container, key, value) -> None:
        if kind in (Kind.TEXT, Kind.URL):
            self._text(container, key)
        elif kind is Kind.TEXT_OR_JSON:
            self._text_or_json(container, key) if isinstance(value, str) else self._json(value)
        elif kind is Kind.JSON:
            self._json_value(container, key, value, None)
        elif kind is Kind.IDENTIFIER:
            if not identifier_shaped(value):
                self._text(container, key)
        elif kind is Kind.PERSON:
            self._mask_by_key(container, key, "PERSON")
        # ID, TIMESTAMP, NUMBER, BOOL: no text (ids are pseudonymised when stored)

    def _content(self, spec: schema.Content, container, key, value, path: str) -> None:
        if isinstance(value, str):
            self._field(spec.text, container, key, value)
        elif isinstance(value, dict):
            self._json(value)
        else:
            for index, part in enumerate(value):
                if isinstance(part, str):
                    self._where = f"{path}[{index}]"
                    self._text(value, index)
                else:
                    self._walk(spec.parts[part.get("type", "text")], value, index, part, f"{path}[{index}]")

    def _text_or_json(self, container, key) -> None:
        """A string holding a JSON object or array is walked as JSON, anything else is text."""
        parsed = parse_json_container(container[key])
        if parsed is None:
            self._text(container, key)
        else:
            self._json_strings.append((container, key, parsed))
            self._json(parsed)

    def _json(self, node, parent: str | None = None) -> None:
        """Values under PII-named keys are masked whole; every other key and string is a text."""
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            data_key = isinstance(node, dict) and isinstance(key, str) and is_data_key(key)
            if data_key:
                # An id used as a key: masked as a found value, so its mentions elsewhere
                # (`"id": ...`, the reply that names it) take the same placeholder.
                self.key_values.append(("ACCOUNT_ID", key))
                self.key_value_fields.append(self._where)
            if isinstance(node, dict) and (data_key or not identifier_shaped(key)):
                self._keys.append((node, key))
                self._fields[2].append(self._where)
            entity_type = pii_type_for_key(key, parent) if isinstance(node, dict) else None
            if entity_type and _holds_value(value):
                self._mask_by_key(node, key, entity_type)
            else:
                self._json_value(node, key, value, key if isinstance(node, dict) else parent)

    def _json_value(self, container, key, value, parent: str | None) -> None:
        if isinstance(value, str):
            self._text(container, key)
        elif isinstance(value, (dict, list)):
            self._json(value, parent)
        elif _long_number(value):
            self._numbers.append((container, key))
            self._fields[1].append(self._where)

    def _mask_by_key(self, container, key, entity_type: str) -> None:
        leaves = json_leaves(container[key])
        self.key_values.extend((entity_type, leaf) for leaf in leaves)
        self.key_value_fields.extend(self._where for _ in leaves)
        # One placeholder for the whole value, even an object or list ("address": {...}).
        container[key] = self._placeholder(entity_type, " ".join(leaves))


def _rename_keys(keys: list[tuple[dict, str]], texts: list[str]) -> None:
    """Rename sanitised keys in place, keeping each object's key order. Two keys masked to the same
    placeholder both stay: the later one takes a " #2" suffix."""
    renames: dict[int, tuple[dict, dict[str, str]]] = {}
    for (node, key), text in zip(keys, texts, strict=True):
        if text != key:
            renames.setdefault(id(node), (node, {}))[1][key] = text
    for node, names in renames.values():
        items = list(node.items())
        node.clear()
        for key, value in items:
            new = names.get(key, key)
            suffix = 2
            while new in node:
                new = f"{names.get(key, key)} #{suffix}"
                suffix += 1
            node[new] = value


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


def _long_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= _MIN_TEXT_NUMBER_DIGITS
