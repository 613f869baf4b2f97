"""The declared shape of a record in the PII-free tier: deny by default.

Every field a record may carry into `sanitised_samples` is declared here, at every depth, with how
it is made safe (`Kind`). `prune(record)` keeps the declared fields and drops everything else,
counting what it dropped under labels that never hold record text ("message.<other key>",
"content_part.<other type>"). `record_fields.RecordFields` then sanitises every field that is left,
so no string reaches the tier unless it was either declared and sanitised, or dropped and counted.

Free JSON (tool arguments, tool results, metadata, an object `content`, a JSON `output`) has no
fixed shape: there every key and every value is sanitised, at every depth.
"""

from __future__ import annotations

import copy
import enum
import re
from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Union

from logmine_dagster.ingest.records import FEEDBACK_VALUES, ROLES, STATUSES

# Roles whose message content is data returned by a tool, usually JSON.
DATA_ROLES = ("tool", "function")


class Kind(enum.Enum):
    TEXT = "free text, sanitised"
    TEXT_OR_JSON = "free text, or a string holding JSON that is walked as free JSON"
    JSON = "free JSON: every key and every value sanitised, at every depth"
    IDENTIFIER = "a code identifier (function name): kept when shaped like one, else sanitised"
    PERSON = "a participant's name, masked whole"
    URL = "an http(s) URL, sanitised; inline data (data: URLs) is dropped"
    ID = "an opaque id, replaced by a keyed pseudonym when stored"
    TIMESTAMP = "an ISO timestamp"
    NUMBER = "a number"
    BOOL = "true or false"


@dataclass(frozen=True)
class OneOf:
    """A closed vocabulary: any other value is dropped (a name typed into `tool_calls[].type`)."""

    values: frozenset


@dataclass(frozen=True)
class Obj:
    label: str  # names the object in dropped-field counts
    fields: Mapping[str, "Spec"]


@dataclass(frozen=True)
class ListOf:
    label: str
    item: "Spec"


@dataclass(frozen=True)
class Content:
    """A message's content: a string, a list of typed parts, or an object (free JSON)."""

    text: Kind  # how its text is read: TEXT, or TEXT_OR_JSON for tool results
    parts: Mapping[str, Obj]  # part type -> declared part


@dataclass(frozen=True)
class ByRole:
    """A message, declared differently for tool results and for chat turns."""

    chat: Obj
    data: Obj


Spec = Union[Kind, OneOf, Obj, ListOf, Content, ByRole]


def _parts(text: Kind) -> dict[str, Obj]:
    """Content parts by `type` (OpenAI chat and responses shapes). A part without a type but with a
    `text` is read as a text part."""
    text_part = {"type": OneOf(frozenset({"text", "input_text", "output_text"})), "text": text}
    return {
        "text": Obj("text_part", text_part),
        "input_text": Obj("text_part", text_part),
        "output_text": Obj("text_part", text_part),
        "refusal": Obj("refusal_part", {"type": OneOf(frozenset({"refusal"})), "refusal": Kind.TEXT}),
        "image_url": Obj("image_part", {
            "type": OneOf(frozenset({"image_url"})),
            "image_url": Obj("image_url", {"url": Kind.URL, "detail": OneOf(frozenset({"auto", "low", "high"}))}),
        }),
        "input_audio": Obj("audio_part", {
            "type": OneOf(frozenset({"input_audio"})),
            # The audio itself (`data`) is not declared: a voice cannot be sanitised.
            "input_audio": Obj("input_audio", {"format": OneOf(frozenset({"wav", "mp3"}))}),
        }),
        "file": Obj("file_part", {
            "type": OneOf(frozenset({"file"})),
            # Neither the file (`file_data`) nor its name: "Marisol Etxeberria CV.pdf" reads as a
            # file name, not as a sentence, and NER misses half of it.
            "file": Obj("file", {"file_id": Kind.TEXT}),
        }),
    }


FUNCTION = Obj("function", {"name": Kind.IDENTIFIER, "arguments": Kind.TEXT_OR_JSON})
TOOL_CALL = Obj("tool_call", {"id": Kind.ID, "type": OneOf(frozenset({"function"})), "function": FUNCTION})

_MESSAGE_COMMON = {
    "role": OneOf(frozenset(ROLES)),
    "tool_calls": ListOf("tool_calls", TOOL_CALL),
    "tool_call_id": Kind.ID,
    "function_call": FUNCTION,
    "refusal": Kind.TEXT,
}
MESSAGE = ByRole(
    chat=Obj("message", {**_MESSAGE_COMMON, "content": Content(Kind.TEXT, _parts(Kind.TEXT)), "name": Kind.PERSON}),
    # A tool result's `name` is the tool's, its content usually JSON.
    data=Obj("message", {
        **_MESSAGE_COMMON,
        "content": Content(Kind.TEXT_OR_JSON, _parts(Kind.TEXT_OR_JSON)),
        "name": Kind.IDENTIFIER,
    }),
)

# The canonical record (`records.parse_record`), field by field.
RECORD = Obj("record", {
    "request_id": Kind.ID,
    "session_id": Kind.ID,
    "user_id": Kind.ID,
    "timestamp": Kind.TIMESTAMP,
    "status": OneOf(frozenset(STATUSES)),
    "feedback": OneOf(frozenset(v for v in FEEDBACK_VALUES if v)),
    "latency_ms": Kind.NUMBER,
    "confidence": Kind.NUMBER,
    "escalated": Kind.BOOL,
    "model": Kind.TEXT,
    "error_type": Kind.TEXT,
    "output": Kind.TEXT_OR_JSON,
    "metadata": Kind.JSON,
    "input": ListOf("input", MESSAGE),
})

# A field or function name as code writes one: snake/kebab case ("customer_email", "gpt-4o-mini"),
# camelCase ("lookupOrder"), PascalCase of two words or more ("OrderStatus", "IPAddress"),
# UPPER_SNAKE ("HTTP_STATUS") or a short acronym ("SKU"), HTTP header case ("Content-Type").
# NER reads such words badly out of context ("sku" as a PERSON, "Content-Type" as an
# ORGANIZATION), so they are left to the residual gate; anything else (spaces, "@", "+", one
# capitalised word such as a surname) is sanitised. A name glued into one
# ("MarisolEtxeberria", "amelia_davis") is therefore not read here: that is a shape of its own...
_HUMP = r"(?:[A-Z][a-z0-9]+|[A-Z]{2,}[0-9]*(?![a-z]))"
_IDENTIFIER = re.compile(
    r"[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)*"
    rf"|[a-z]+[0-9]*{_HUMP}+"
    rf"|(?=[A-Z0-9]*[a-z]){_HUMP}{_HUMP}+"  # not all capitals: "JOHN" is no PascalCase
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{1,3}"
    r"|[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+"
)


# ...except a handle: name-like parts and a run of digits ("leocadia_vanterpool_7731", "j.smith84").
# Those are sanitised as text, where the username recognizer tells them from "retry_count_10".
_HANDLE = re.compile(r"[a-z]{3,}(?:[_.-][a-z]{3,})+[_.-]?[0-9]{2,}|[a-z][_.][a-z]{3,}[0-9]{2,4}")


def identifier_shaped(text: str) -> bool:
    return len(text) <= 64 and _IDENTIFIER.fullmatch(text) is not None and _HANDLE.fullmatch(text) is None


# -- pruning --------------------------------------------------------------------------------------


def prune(record: dict) -> tuple[dict, Counter]:
    """A deep copy of `record` holding only declared fields, and what was dropped, by label."""
    dropped: Counter = Counter()
    kept = _prune_obj(RECORD, copy.deepcopy(record), dropped)
    return kept, dropped


def _prune_obj(spec: Obj, value: dict, dropped: Counter) -> dict:
    out = {}
    for key, item in value.items():
        field = spec.fields.get(key) if isinstance(key, str) else None
        if field is None:
            dropped[f"{spec.label}.<other key>"] += 1
            continue
        pruned = _prune(field, item, dropped)
        if pruned is _DROP:
            dropped[f"{spec.label}.{key}"] += 1
        else:
            out[key] = pruned
    return out


_DROP = object()


def _prune(spec: Spec, value, dropped: Counter):
    """The value as declared by `spec`, or `_DROP`. A null holds nothing and is always kept."""
    if value is None:
        return None
    if isinstance(spec, Kind):
        return value if _fits(spec, value) else _DROP
    if isinstance(spec, OneOf):
        return value if isinstance(value, str) and value in spec.values else _DROP
    if isinstance(spec, Obj):
        return _prune_obj(spec, value, dropped) if isinstance(value, dict) else _DROP
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            return _DROP
        items = [_prune(spec.item, item, dropped) for item in value]
        if any(item is _DROP for item in items):
            dropped[f"{spec.label}[]"] += sum(item is _DROP for item in items)
        return [item for item in items if item is not _DROP]
    if isinstance(spec, ByRole):
        if not isinstance(value, dict):
            return _DROP
        return _prune_obj(spec.data if value.get("role") in DATA_ROLES else spec.chat, value, dropped)
    return _prune_content(spec, value, dropped)


def _prune_content(spec: Content, value, dropped: Counter):
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value  # free JSON
    if not isinstance(value, list):
        return _DROP
    parts = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
            continue
        if not isinstance(part, dict):
            dropped["content_part.<not an object>"] += 1
            continue
        kind = part.get("type", "text" if "text" in part else None)
        declared = spec.parts.get(kind) if isinstance(kind, str) else None
        if declared is None:
            dropped["content_part.<other type>"] += 1
            continue
        parts.append(_prune_obj(declared, part, dropped))
    return parts


def _fits(kind: Kind, value) -> bool:
    if kind in (Kind.TEXT, Kind.IDENTIFIER, Kind.ID, Kind.TIMESTAMP):
        return isinstance(value, str)
    if kind is Kind.URL:
        # Inline data (an image, a file) cannot be sanitised as text.
        return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))
    if kind is Kind.TEXT_OR_JSON:
        return isinstance(value, (str, dict, list))
    if kind is Kind.NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is Kind.BOOL:
        return isinstance(value, bool)
    return True  # JSON, PERSON: anything, sanitised or masked whole
