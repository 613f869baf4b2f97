"""The sampler's cheap look at an OTLP inference span: what the draw needs, the record built later.

The sampler keeps a few percent of a day. Building every span's canonical record (every message's
parts converted, the metadata, the output) cost several times the read of the file, so for the common
shape (current GenAI attributes, `gen_ai.input.messages` as JSON) a view holds only the fields
the draw reads: request id, timestamp, status, the input list (its length is the
`long_conversation` signal). `built(view)` makes the full record, with the same code as before, for
the spans that are kept. Anything the cheap look cannot certify (another shape, an odd value, no
message, a message whose content was not captured) takes the full path, so the sample and the
quarantine rows are what building every record gives (`test_span_views`).
"""

from __future__ import annotations

import orjson

from logmine_dagster.ingest.formats.otlp import STATUS_CODE_ERROR, any_value, iso_timestamp, span_key, span_to_record
from logmine_dagster.ingest.formats.span_kinds import INFERENCE, OPERATIONS

# Part types that carry no content: a non-assistant message made only of these was not captured.
# (A tuple: `in` compares, where a set would hash a value that may be a list.)
_EMPTY_PARTS = ("reasoning", "refusal")


def _certified_messages(messages) -> bool:
    """Whether every input message is one whose content was captured, as `current_messages` +
    `missing_content` would find it: a dict whose parts are a list, with a content part unless it is
    the assistant's."""
    if messages.__class__ is not list or not messages:
        return False
    for message in messages:
        if message.__class__ is not dict or message.get("parts").__class__ is not list:
            return False
        if message.get("role") != "assistant":
            for part in message["parts"]:
                if part.__class__ is dict and part.get("type") not in _EMPTY_PARTS:
                    break
            else:
                return False
    return True


def _input_messages(text) -> list | None:
    """The input messages of `gen_ai.input.messages` when every one is a message whose content was
    captured, else None: the full path decides. (Every span's are parsed: a span whose library dropped
    a message's content is quarantined whether it is drawn or not, so the day's count of records, and
    with it the ceiling, is what building every record gives.)"""
    if text.__class__ is not str or text[:1] != "[":
        return None
    try:
        messages = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return messages if _certified_messages(messages) else None


_DAY_NS = 86_400 * 10**9
_MARGIN_NS = 10**6  # a millisecond: further from midnight, the float conversion cannot change the day
_day_prefixes: dict[int, str] = {}


def _timestamp_for_draw(nanos) -> str | None:
    """A timestamp the sampler can check the day of: for a start time a millisecond or more away
    from midnight, its UTC day as `YYYY-MM-DDTZ` (no formatting of every span); otherwise the exact
    ISO timestamp. The kept spans' records carry the exact one (`built`)."""
    try:
        value = int(nanos)
    except (TypeError, ValueError):
        return iso_timestamp(nanos)
    day, into = divmod(value, _DAY_NS)
    if value < 0 or into < _MARGIN_NS or into > _DAY_NS - _MARGIN_NS:
        return iso_timestamp(nanos)
    prefix = _day_prefixes.get(day)
    if prefix is None:
        if len(_day_prefixes) > 10_000:
            _day_prefixes.clear()
        prefix = _day_prefixes[day] = iso_timestamp(day * _DAY_NS)[:11] + "Z"
    return prefix


class _ViewKey:
    """The key under which a view holds its span: not a string, so no JSON record can have it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SPAN_VIEW"


# A view is a plain dict (a literal costs half a dict subclass's construction, and every span of
# the day gets one) marked by this key, whose value is what `built` needs.
SPAN_VIEW = _ViewKey()


def span_view(span: dict, resource: dict, scope_name: str) -> dict | None:
    """The view of an inference span in the current-attribute shape: the record fields the draw
    reads (`request_id`, `timestamp`, `status`, `input`); None when the span is of another kind or
    shape, or anything about it is unusual: the caller takes the full path."""
    try:
        raw = {item["key"]: item["value"] for item in span["attributes"]}
        operation = raw["gen_ai.operation.name"]["stringValue"]
        text = raw["gen_ai.input.messages"]["stringValue"]
    except (KeyError, TypeError):
        return None
    # span_kind's order: an OpenInference kind first, then the operation name.
    if operation.__class__ is not str or OPERATIONS.get(operation) != INFERENCE:
        return None
    if "openinference.span.kind" in raw or "gen_ai.system_instructions" in raw:
        return None
    messages = _input_messages(text)
    if messages is None:
        return None
    status = span.get("status")
    status = status if isinstance(status, dict) else {}  # a malformed status is no error status
    error_type = raw.get("error.type")
    failed = status.get("code") in (STATUS_CODE_ERROR, "STATUS_CODE_ERROR") or (error_type is not None and any_value(error_type) is not None)
    return {
        "request_id": span_key(span),
        "timestamp": _timestamp_for_draw(span.get("startTimeUnixNano")),
        "status": "error" if failed else "ok",
        "input": messages,
        SPAN_VIEW: (span, resource, scope_name),
    }


def joined_view(span: dict, resource: dict, scope_name: str, attrs: dict) -> dict | None:
    """The view of a span joined to its log content (`span_join`), from its decoded attributes
    merged with the content's: as `span_view`, for the same shape; None: the full path."""
    if "openinference.span.kind" in attrs or "gen_ai.system_instructions" in attrs:
        return None
    messages = _input_messages(attrs.get("gen_ai.input.messages"))
    if messages is None:
        return None
    status = span.get("status")
    status = status if isinstance(status, dict) else {}
    failed = status.get("code") in (STATUS_CODE_ERROR, "STATUS_CODE_ERROR") or attrs.get("error.type") is not None
    return {
        "request_id": span_key(span),
        "timestamp": _timestamp_for_draw(span.get("startTimeUnixNano")),
        "status": "error" if failed else "ok",
        "input": messages,
        SPAN_VIEW: (span, resource, scope_name, attrs),
    }


def built(value):
    """The record itself: a span's view is built into its canonical record (or the `UnusableSpan`
    saying why it cannot be one), as `span_to_record` makes it; any other value is returned as it is."""
    found = value.get(SPAN_VIEW) if value.__class__ is dict else None
    return value if found is None else span_to_record(*found)
