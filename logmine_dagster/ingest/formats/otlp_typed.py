"""The sampler's compiled read of an OTLP trace export line: msgspec decodes it straight into typed
structs, so the common inference span costs a few attribute reads instead of a dict of every value.

Only lines whose every field is a known OTLP field of the expected JSON type are taken this way
(`forbid_unknown_fields`, integers in orjson's exact range): for those, `to_builtins` of a struct is
the dict orjson would give (key order aside), so any span the typed look cannot settle goes through
the dict path (`span_views.span_view`, `otlp.span_candidate`) exactly as before. Any other line
(None) is parsed by orjson and read the usual way: the result never depends on which path read it
(`test_otlp_typed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from logmine_dagster.ingest.formats.otlp import STATUS_CODE_ERROR, any_value, resource_attributes, span_candidate, span_to_record
from logmine_dagster.ingest.formats.results import AwaitingContent
from logmine_dagster.ingest.formats.span_kinds import INFERENCE, OPERATIONS
from logmine_dagster.ingest.formats.span_views import SPAN_VIEW, brace_count, input_for_draw, span_view, timestamp_for_draw

if TYPE_CHECKING:  # the sampler's counter: a type only, formats do not import the sampler
    from logmine_dagster.ingest.undrawn_spans import UndrawnCounter

# orjson reads integers in [-2**63, 2**64) as int, others as float; msgspec bounds only fit int64:
# a line with an integer outside [-2**63, 2**63) takes the orjson path.
Int = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]
_Unset = UnsetType


class _Otlp(Struct, forbid_unknown_fields=True, gc=False):
    """An OTLP JSON message: every field known, none required (absent stays UNSET, as a missing key)."""


_STRUCT = {"forbid_unknown_fields": True, "gc": False}
# Attribute values nest (arrays, key-value lists): this many levels are typed and a deeper one makes
# the line go the orjson way, so a line nested past orjson's 1024 levels is never read here
# (msgspec's own limit moves with Python's recursion limit).
MAX_VALUE_NESTING = 8


def _value_types(depth: int) -> tuple[type, type]:
    """(AnyValue, KeyValue) whose arrays and key-value lists nest at most `depth` levels."""
    if depth == 0:
        array = kvlist = _Unset  # present at all: not this line
    else:
        inner_value, inner_pair = _value_types(depth - 1)
        array = Union[msgspec.defstruct("ArrayValue", [("values", Union[list[inner_value], _Unset], UNSET)], **_STRUCT), _Unset]
        kvlist = Union[msgspec.defstruct("KeyValueList", [("values", Union[list[inner_pair], _Unset], UNSET)], **_STRUCT), _Unset]
    value = msgspec.defstruct("AnyValue", [
        ("stringValue", Union[str, _Unset], UNSET),
        ("boolValue", Union[bool, _Unset], UNSET),
        ("intValue", Union[Int, str, _Unset], UNSET),
        ("doubleValue", Union[Int, float, _Unset], UNSET),
        ("arrayValue", array, UNSET),
        ("kvlistValue", kvlist, UNSET),
        ("bytesValue", Union[str, _Unset], UNSET),
    ], **_STRUCT)
    return value, msgspec.defstruct("KeyValue", [("key", str), ("value", value)], **_STRUCT)


AnyValue, KeyValue = _value_types(MAX_VALUE_NESTING)


class Status(_Otlp):
    code: Union[Int, str, _Unset] = UNSET
    message: Union[str, _Unset] = UNSET


class Event(_Otlp):
    timeUnixNano: Union[Int, str, _Unset] = UNSET
    name: Union[str, _Unset] = UNSET
    attributes: Union[list[KeyValue], _Unset] = UNSET
    droppedAttributesCount: Union[Int, _Unset] = UNSET


class Link(_Otlp):
    traceId: Union[str, _Unset] = UNSET
    spanId: Union[str, _Unset] = UNSET
    traceState: Union[str, _Unset] = UNSET
    attributes: Union[list[KeyValue], _Unset] = UNSET
    droppedAttributesCount: Union[Int, _Unset] = UNSET
    flags: Union[Int, _Unset] = UNSET


class Span(_Otlp):
    traceId: Union[str, _Unset] = UNSET
    spanId: Union[str, _Unset] = UNSET
    traceState: Union[str, _Unset] = UNSET
    parentSpanId: Union[str, _Unset] = UNSET
    flags: Union[Int, _Unset] = UNSET
    name: Union[str, _Unset] = UNSET
    kind: Union[Int, str, _Unset] = UNSET
    startTimeUnixNano: Union[Int, str, _Unset] = UNSET
    endTimeUnixNano: Union[Int, str, _Unset] = UNSET
    attributes: Union[list[KeyValue], _Unset] = UNSET
    droppedAttributesCount: Union[Int, _Unset] = UNSET
    events: Union[list[Event], _Unset] = UNSET
    droppedEventsCount: Union[Int, _Unset] = UNSET
    links: Union[list[Link], _Unset] = UNSET
    droppedLinksCount: Union[Int, _Unset] = UNSET
    status: Union[Status, _Unset] = UNSET

    def as_dict(self) -> dict:
        """The span as orjson reads it (what the full path takes)."""
        return msgspec.to_builtins(self)

    def input_text(self):
        """`gen_ai.input.messages` as `to_record` reads it (the last of that key), or None."""
        text = None
        for item in self.attributes:
            if item.key == "gen_ai.input.messages":
                text = _attribute_value(item.value)
        return text

    def user_id(self):
        """The `user_id` `to_record` gives the span's record."""
        attrs = {item.key: _attribute_value(item.value) for item in self.attributes if item.key in _USER_KEYS}
        return attrs.get("user.id") or attrs.get("enduser.id")

    def to_record(self, resource: dict, scope_name: str):
        """`span_to_record` of `as_dict()` (what `span_views.built` makes of a drawn span), with its
        attributes read from the structs and only the fields the record reads made dicts: a drawn
        span's record cost a fifth less. A span it finds no message in is done the full way (its
        AwaitingContent holds the whole span)."""
        attrs = {item.key: _attribute_value(item.value) for item in self.attributes}
        fields = {"traceId": self.traceId, "spanId": self.spanId, "startTimeUnixNano": self.startTimeUnixNano,
                  "endTimeUnixNano": self.endTimeUnixNano, "status": self.status, "events": self.events}
        span = msgspec.to_builtins({key: value for key, value in fields.items() if value is not UNSET})
        record = span_to_record(span, resource, scope_name, attrs)
        return span_to_record(self.as_dict(), resource, scope_name, attrs) if isinstance(record, AwaitingContent) else record


# Where `span_to_record` reads `user_id` from.
_USER_KEYS = ("user.id", "enduser.id")


class Scope(_Otlp):
    name: Union[str, _Unset] = UNSET
    version: Union[str, _Unset] = UNSET
    attributes: Union[list[KeyValue], _Unset] = UNSET
    droppedAttributesCount: Union[Int, _Unset] = UNSET


class Resource(_Otlp):
    attributes: Union[list[KeyValue], _Unset] = UNSET
    droppedAttributesCount: Union[Int, _Unset] = UNSET


class ScopeSpans(_Otlp):
    scope: Union[Scope, _Unset] = UNSET
    spans: Union[list[Span], _Unset] = UNSET
    schemaUrl: Union[str, _Unset] = UNSET


class ResourceSpans(_Otlp):
    resource: Union[Resource, _Unset] = UNSET
    scopeSpans: Union[list[ScopeSpans], _Unset] = UNSET
    schemaUrl: Union[str, _Unset] = UNSET


class TraceExport(Struct, forbid_unknown_fields=True, gc=False):
    resourceSpans: list[ResourceSpans]


def _attribute_value(value):
    """`otlp.any_value` of an AnyValue struct: a string as it is, any other through its dict."""
    text = value.stringValue
    return text if text is not UNSET else any_value(msgspec.to_builtins(value))


_decode = msgspec.json.Decoder(TraceExport).decode
# The prefix every line the typed path can take starts with (its only field); others skip the try.
TRACE_LINE_PREFIX = b'{"resourceSpans"'
_ERROR_CODES = (STATUS_CODE_ERROR, "STATUS_CODE_ERROR")


def is_trace_line(raw) -> bool:
    """Whether a line (bytes, or a memoryview of them) starts as every line the typed path takes."""
    return raw[: len(TRACE_LINE_PREFIX)] == TRACE_LINE_PREFIX


# What `_view` returns for a span `undrawn` took: nothing more to hand on.
_COUNTED = object()
_INFERENCE_OPERATIONS = frozenset(name for name, kind in OPERATIONS.items() if kind == INFERENCE)


def typed_candidates(raw: bytes, long_at: int, undrawn: UndrawnCounter | None = None) -> list | None:
    """What `records_from_line(orjson.loads(raw), views=long_at)` gives for an OTLP trace export
    line, without building a dict per span; None when the line is not one the typed path takes.
    With `undrawn` (the sampler's), the common span its rates do not draw is only counted (most of a
    day: its view is never built), so the list holds the rest."""
    try:
        export = _decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    found = []
    inline = undrawn is not None and undrawn.window is not None and min(long_at, undrawn.long_at) > 1
    for resource_spans in export.resourceSpans:
        resource_struct = resource_spans.resource
        resource = resource_attributes({} if resource_struct is UNSET else {"resource": msgspec.to_builtins(resource_struct)})
        scopes = resource_spans.scopeSpans
        for scope_spans in () if scopes is UNSET else scopes:
            scope = scope_spans.scope
            scope_name = "" if scope is UNSET or not scope.name else scope.name
            spans = scope_spans.spans
            if spans is UNSET:
                continue
            if inline:
                spans = _uncounted(spans, long_at, undrawn)
            for span in spans:
                view = _view(span, resource, scope_name, long_at, undrawn)
                if view is _COUNTED:
                    continue
                if view is None:  # the dict path, as orjson's reader takes every span
                    as_dict = span.as_dict()
                    view = span_view(long_at, as_dict, resource, scope_name)
                    if view is None:
                        view = span_candidate(as_dict, resource, scope_name)
                        if view is None:
                            continue
                found.append(view)
    return found


def _uncounted(spans: list, long_at: int, undrawn: UndrawnCounter) -> list:
    """The spans `undrawn` would not count, the others counted. The common span is settled here, in
    one loop (the sampler's hottest: most of a day ends in it): an inference span in the current
    shape with no error, fewer `{` in its input than `long_at` (so `input_for_draw` gives SHORT),
    started well inside the day (`undrawn.window`: no timestamp formatted) and whose base hash is
    not under the rate. Any doubt hands the span on to `_view`, which decides it the long way."""
    first, last = undrawn.window
    base_copy, threshold = undrawn.base_copy, undrawn.threshold
    inference, error_codes = _INFERENCE_OPERATIONS, _ERROR_CODES
    rest = []
    counted = 0
    for span in spans:
        items = span.attributes
        if items is UNSET:
            rest.append(span)
            continue
        operation = text = None
        plain = True
        for item in items:
            key = item.key
            if key == "gen_ai.input.messages":
                text = item.value.stringValue
            elif key == "gen_ai.operation.name":
                operation = item.value.stringValue
            elif key == "error.type" or key == "openinference.span.kind" or key == "gen_ai.system_instructions":
                plain = False
        status, start, trace_id, span_id = span.status, span.startTimeUnixNano, span.traceId, span.spanId
        if (
            plain and operation in inference and text.__class__ is str and text[:2] == "[{"
            and brace_count(text) < long_at and (status is UNSET or status.code not in error_codes)
            and start.__class__ is str and len(start) == 19 and first <= start <= last
            and start.isascii() and start.isdigit()
            and trace_id.__class__ is str and span_id.__class__ is str
        ):
            hasher = base_copy()
            hasher.update(f"{trace_id}:{span_id}".encode("utf-8"))
            if hasher.digest() >= threshold:
                counted += 1
                continue
        rest.append(span)
    undrawn.add(counted)
    return rest


def _view(span: Span, resource: dict, scope_name: str, long_at: int, undrawn: UndrawnCounter | None):
    """`span_views.span_view` of the common inference span read from the struct (`_COUNTED` when
    `undrawn` counted it); None for anything else (no message, another shape or kind), which the dict
    path then settles."""
    items = span.attributes
    if items is UNSET:
        return None
    raw = {item.key: item.value for item in items}
    operation = raw.get("gen_ai.operation.name")
    text = raw.get("gen_ai.input.messages")
    if operation is None or text is None or OPERATIONS.get(operation.stringValue) != INFERENCE:
        return None
    text = text.stringValue
    if text is UNSET or "openinference.span.kind" in raw or "gen_ai.system_instructions" in raw:
        return None
    messages = input_for_draw(text, long_at)
    if messages is None:
        return None
    status = span.status
    error_type = raw.get("error.type")
    failed = (status is not UNSET and status.code in _ERROR_CODES) or (
        error_type is not None and any_value(msgspec.to_builtins(error_type)) is not None
    )
    trace_id, span_id, start = span.traceId, span.spanId, span.startTimeUnixNano
    request_id = f"{'' if trace_id is UNSET else trace_id}:{'' if span_id is UNSET else span_id}"
    timestamp = timestamp_for_draw(None if start is UNSET else start)
    status = "error" if failed else "ok"
    if undrawn is not None and undrawn(request_id, timestamp, status, messages):
        return _COUNTED
    return {"request_id": request_id, "timestamp": timestamp, "status": status, "input": messages, SPAN_VIEW: (span, resource, scope_name)}
