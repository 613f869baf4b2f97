"""A protobuf OTLP export request (the Collector's `format: proto`) as the OTLP JSON dict the JSON
path reads, so both encodings go through one span reader.

Uses the `opentelemetry-proto` classes (install `logmine[otlp]`), imported only when a proto file is met.
"""

from __future__ import annotations

from logmine_dagster.ingest.formats.detect import FormatError

ID_KEYS = ("traceId", "spanId", "parentSpanId")


def _classes():
    try:
        from google.protobuf import json_format
        from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    except ImportError as error:
        raise FormatError("OTLP protobuf file, but opentelemetry-proto is not installed (pip install 'logmine[otlp]')") from error
    return json_format, ExportTraceServiceRequest, ExportLogsServiceRequest


def _hex_ids(value):
    """OTLP JSON writes trace and span ids as hex; protobuf's JSON mapping writes bytes as base64."""
    import base64

    if isinstance(value, dict):
        return {key: (base64.b64decode(item).hex() if key in ID_KEYS and isinstance(item, str) else _hex_ids(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_hex_ids(item) for item in value]
    return value


def _is_traces(request) -> bool:
    # Both requests are `repeated message = 1` down to the span/log record, so a logs request parses
    # as a traces one without error; its "spans" then lack the 16-byte trace id every real span has.
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                return len(span.trace_id) == 16 and bool(span.start_time_unix_nano)
    return False


def _parsed(message_class, data: bytes):
    from google.protobuf.message import DecodeError

    try:
        return message_class.FromString(data)
    except (DecodeError, ValueError):
        return None


def decode_export(data: bytes) -> dict:
    """The OTLP JSON dict of one ExportTraceServiceRequest or ExportLogsServiceRequest: traces when
    it parses as traces with real spans, else logs (a logs request may even fail to parse as traces:
    a log body lands on the span's UTF-8 checked name)."""
    json_format, traces_class, logs_class = _classes()
    request = _parsed(traces_class, data)
    if request is None or not _is_traces(request):
        logs = _parsed(logs_class, data)
        if logs is not None and (logs.resource_logs or request is None):
            request = logs
    if request is None:
        raise FormatError("not a valid OTLP protobuf export request")
    return _hex_ids(json_format.MessageToDict(request, use_integers_for_enums=True))
