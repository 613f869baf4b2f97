"""The sampler's cheap look at an OTLP inference span: what the draw needs, the record built later.

The sampler keeps a few percent of a day. Building every span's canonical record (every message's
parts converted, the metadata, the output) cost several times the read of the file, so for the common
shape (current GenAI attributes, `gen_ai.input.messages` as JSON) a view holds only the fields
the draw reads: request id, timestamp, status, and the input list, whose length is the
`long_conversation` signal. `built(view)` makes the full record, with the same code as before, for
the spans that are drawn. Anything the cheap look cannot read (another shape, an odd value, no
message) takes the full path.

The messages are JSON inside a JSON string. Like a canonical line's, they are checked message by
message only when the span is drawn: a drawn span whose library lost a message's content is
quarantined; an undrawn one counts as a scanned record (so a day's bad share and its count of
records, and with it the ceiling, can differ from building every record's). Their length needs no
parse either while the span cannot be a long conversation: the record holds one message per JSON
object of the list, so there are no more messages than `{`, nor than `,{` plus one. Input that is
parsed is checked too, and its span quarantined whether drawn or not: that of a span that may be
long (for its exact length), and that of every span of an export line showing the one mark of lost
content seen in a real producer (openai-v2 writes a multi-part message as `"parts":[]`), so those
days keep their exact quarantine and bad share (`test_span_views`).
"""

from __future__ import annotations

import datetime as dt
import re

import orjson
import stringzilla

from logmine_dagster.ingest.formats.otlp import STATUS_CODE_ERROR, any_value, attributes, iso_timestamp, span_key, span_to_record
from logmine_dagster.ingest.formats.results import AwaitingContent
from logmine_dagster.ingest.formats.span_kinds import INFERENCE, OPERATIONS, no_content_reason

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


# The input of a span that cannot be a long conversation, not parsed: the draw reads only its truth
# and its length (1, under any threshold this is returned for).
SHORT = [None]
# A message after the first starts after a comma; `{` not after one is nested (or inside a string).
_NEXT_OBJECT = re.compile(r",\s*\{")
# What content loss looks like in a real producer's messages (openai-v2 writes a multi-part message
# as `"parts":[]`), in the messages' JSON and in an export line, where they are a JSON string and
# their quotes are escaped. (Reasoning- or refusal-only turns are not looked for: searching every
# line for them cost a fifth of its parse.)
LOSS_MARKS = ('"parts":[]', '"parts": []')
LINE_LOSS_MARKS = (b'parts\\":[]', b'parts\\": []')


def may_have_lost_content(text) -> bool:
    """Whether messages' JSON (str), or an export line (bytes or a memoryview of them), shows the
    mark of content loss. A line is searched by StringZilla's SIMD search: the marks cost a quarter of
    one regex pass over each 100 kB line."""
    if text.__class__ is not str:
        return stringzilla.find(text, LINE_LOSS_MARKS[0]) >= 0 or stringzilla.find(text, LINE_LOSS_MARKS[1]) >= 0
    return LOSS_MARKS[0] in text or LOSS_MARKS[1] in text


def brace_count(text: str) -> int:
    """`text.count("{")`: StringZilla's SIMD count (a third of the time) when the text is ASCII, the
    only str whose buffer is the UTF-8 it reads (it crashes on a lone surrogate)."""
    return stringzilla.count(text, "{") if text.isascii() else text.count("{")


def input_for_draw(text, long_at: int) -> list | None:
    """What the draw needs of `gen_ai.input.messages` (see the module's docstring): `SHORT` while
    the objects of the list, an upper bound of the record's messages, are fewer than `long_at`, else
    the parsed messages if every one was captured. `long_at` 0: always parsed and checked. None: the
    full path decides (not a JSON list of objects, or a message it must quarantine)."""
    if text.__class__ is not str or text[:2] != "[{":
        return None  # "[]", or another layout: the full path gives the reason
    # Two bounds, the cheap one first: every object has a `{`; every message but the first a `,{`.
    if brace_count(text) < long_at or len(_NEXT_OBJECT.findall(text)) + 1 < long_at:
        return SHORT
    try:
        messages = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return messages if _certified_messages(messages) else None


_DAY_NS = 86_400 * 10**9
_MARGIN_NS = 10**6  # a millisecond: further from midnight, the float conversion cannot change the day
_day_prefixes: dict[int, str] = {}
# The last day's window (first, last nanosecond as 19-digit strings) and prefix: OTLP writes times
# as decimal strings, and strings of equal length and only digits compare like their numbers.
_window = ["", "", ""]


def timestamp_for_draw(nanos) -> str | None:
    """A timestamp the sampler can check the day of: for a start time a millisecond or more away
    from midnight, its UTC day as `YYYY-MM-DDTZ` (no formatting of every span); otherwise the exact
    ISO timestamp. The kept spans' records carry the exact one (`built`)."""
    window = _window
    if nanos.__class__ is str and len(nanos) == 19 and window[0] <= nanos <= window[1] and nanos.isascii() and nanos.isdigit():
        return window[2]
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
    first, last = str(day * _DAY_NS + _MARGIN_NS), str(day * _DAY_NS + _DAY_NS - _MARGIN_NS)
    if len(first) == len(last) == 19:
        _window[:] = first, last, prefix
    return prefix


def day_window(day: str) -> tuple[str, str] | None:
    """The first and last start times (19-digit nanosecond strings) that `timestamp_for_draw` reads
    as `day` (YYYY-MM-DD) without formatting them: a string of 19 ASCII digits between the two,
    compared as strings, starts in the day. None when the day's nanoseconds are not 19 digits."""
    start = (dt.date.fromisoformat(day) - dt.date(1970, 1, 1)).days * _DAY_NS
    first, last = str(start + _MARGIN_NS), str(start + _DAY_NS - _MARGIN_NS)
    return (first, last) if len(first) == len(last) == 19 else None


class _ViewKey:
    """The key under which a view holds its span: not a string, so no JSON record can have it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SPAN_VIEW"


# A view is a plain dict (a literal costs half a dict subclass's construction, and every span of
# the day gets one) marked by this key, whose value is what `built` needs.
SPAN_VIEW = _ViewKey()


def span_view(long_at: int, span: dict, resource: dict, scope_name: str) -> dict | AwaitingContent | None:
    """The view of an inference span in the current-attribute shape: the record fields the draw
    reads (`request_id`, `timestamp`, `status`, `input`); a span with no message anywhere as the
    `AwaitingContent` the full path makes; None when the span is of another kind or shape, or
    anything about it is unusual: the caller takes the full path. `long_at`: the sampler's
    long-conversation threshold."""
    try:
        raw = {item["key"]: item["value"] for item in span["attributes"]}
        operation = raw["gen_ai.operation.name"]["stringValue"]
        text = raw.get("gen_ai.input.messages")
        # span_kind's order: an OpenInference kind first, then the operation name.
        if operation.__class__ is not str or OPERATIONS.get(operation) != INFERENCE:
            return None
        if text is None:
            return _awaiting(span, resource, scope_name, raw)
        text = text["stringValue"]
    except (KeyError, TypeError, AttributeError):
        return None
    if "openinference.span.kind" in raw or "gen_ai.system_instructions" in raw:
        return None
    messages = input_for_draw(text, long_at)
    if messages is None:
        return None
    status = span.get("status")
    status = status if isinstance(status, dict) else {}  # a malformed status is no error status
    error_type = raw.get("error.type")
    failed = status.get("code") in (STATUS_CODE_ERROR, "STATUS_CODE_ERROR") or (error_type is not None and any_value(error_type) is not None)
    return {
        "request_id": f"{span.get('traceId', '')}:{span.get('spanId', '')}",  # span_key, inlined
        "timestamp": timestamp_for_draw(span.get("startTimeUnixNano")),
        "status": "error" if failed else "ok",
        "input": messages,
        SPAN_VIEW: (span, resource, scope_name),
    }


# Attributes of a current-convention inference span that hold no message, in any shape a reader of
# `otlp.span_messages` looks for (OpenInference's and OpenLLMetry's indexed keys, span events).
_PLAIN_KEYS = frozenset((
    "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model",
    "gen_ai.response.model", "gen_ai.response.id", "gen_ai.response.finish_reasons", "gen_ai.output.type",
    "gen_ai.request.temperature", "gen_ai.request.max_tokens", "gen_ai.request.top_p", "gen_ai.request.seed",
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.conversation.id",
    "gen_ai.openai.request.service_tier", "gen_ai.openai.response.service_tier",
    "server.address", "server.port", "error.type", "user.id", "enduser.id", "session.id",
))


def _awaiting(span: dict, resource: dict, scope_name: str, raw: dict) -> AwaitingContent | None:
    """A span that carries no messages at all (its content went to the logs signal), as the full path
    makes it, without trying every shape's reader: only when none could find a message in it."""
    if span.get("events") or not raw.keys() <= _PLAIN_KEYS:
        return None
    attrs = attributes(span["attributes"])
    return AwaitingContent(no_content_reason(scope_name, attrs), span, resource, scope_name, attrs)


def joined_view(long_at: int, span: dict, resource: dict, scope_name: str, attrs: dict) -> dict | None:
    """The view of a span joined to its log content (`span_join`), from its decoded attributes
    merged with the content's: as `span_view`, for the same shape; None: the full path."""
    if "openinference.span.kind" in attrs or "gen_ai.system_instructions" in attrs:
        return None
    text = attrs.get("gen_ai.input.messages")
    messages = input_for_draw(text, 0 if text.__class__ is not str or may_have_lost_content(text) else long_at)
    if messages is None:
        return None
    status = span.get("status")
    status = status if isinstance(status, dict) else {}
    failed = status.get("code") in (STATUS_CODE_ERROR, "STATUS_CODE_ERROR") or attrs.get("error.type") is not None
    return {
        "request_id": span_key(span),
        "timestamp": timestamp_for_draw(span.get("startTimeUnixNano")),
        "status": "error" if failed else "ok",
        "input": messages,
        SPAN_VIEW: (span, resource, scope_name, attrs),
    }


def usable_user(view: dict) -> tuple[bool, object]:
    """For a drawn typed span's view: (True, its record's `user_id`) when the record is certainly
    usable, every input message captured (`_certified_messages`: `built` then gives a record, never
    an UnusableSpan), found without building it; (False, None) when only building it tells. The
    sampler then puts the span through its caps first and builds only what they keep."""
    found = view[SPAN_VIEW]
    if found[0].__class__ is dict:
        return False, None
    messages = view["input"]
    if messages is SHORT:  # not parsed for the draw (a long input was, and certified)
        text = found[0].input_text()
        try:
            messages = orjson.loads(text) if text.__class__ is str else None
        except orjson.JSONDecodeError:
            return False, None
        if not _certified_messages(messages):
            return False, None
    return True, found[0].user_id()


def built(value):
    """The record itself: a span's view is built into its canonical record (or the `UnusableSpan`
    saying why it cannot be one), as `span_to_record` makes it; any other value is returned as it is."""
    found = value.get(SPAN_VIEW) if value.__class__ is dict else None
    if found is None:
        return value
    if found[0].__class__ is not dict:  # a typed span (`otlp_typed`): the same record, read from its structs
        return found[0].to_record(*found[1:])
    return span_to_record(*found)
