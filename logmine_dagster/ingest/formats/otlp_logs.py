"""GenAI content in the OTLP logs signal (one ExportLogsServiceRequest per line or message).

With content captured as events, opentelemetry-instrumentation-openai-v2 leaves its spans without
messages and writes them in log records carrying the span's trace and span id:
- `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=event_only` (with
  `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`): one
  `gen_ai.client.inference.operation.details` record per call, the current-convention
  `gen_ai.input.messages` / `gen_ai.output.messages` / `gen_ai.system_instructions` as attributes;
- the legacy event mode (`...CAPTURE_MESSAGE_CONTENT=true`, v1.28-v1.36 conventions): one record per
  message (`gen_ai.user.message`, ..., `gen_ai.choice`), the event name in `eventName` or in the
  `event.name` attribute, the content in the body.
Each becomes a `SpanContent` that the reader joins to its span (`log_reader`).
"""

from __future__ import annotations

from typing import Iterator

from logmine_dagster.ingest.formats.otlp import attributes, span_key
from logmine_dagster.ingest.formats.results import SpanContent
from logmine_dagster.ingest.formats.semconv import EVENT_ROLES

CONTENT_KEYS = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions")
MESSAGE_EVENTS = frozenset(EVENT_ROLES) | {"gen_ai.choice"}


def content_from_logs(value: dict) -> Iterator[SpanContent]:
    """The GenAI content of every log record of one ExportLogsServiceRequest that names its span;
    other log records (application logs) are left out."""
    for resource_logs in value.get("resourceLogs") or []:
        for scope_logs in resource_logs.get("scopeLogs") or []:
            for record in scope_logs.get("logRecords") or []:
                if not isinstance(record, dict) or not record.get("traceId") or not record.get("spanId"):
                    continue
                items = record.get("attributes") or []
                attrs = attributes(items)
                content = {key: attrs[key] for key in CONTENT_KEYS if key in attrs}
                if content:
                    yield SpanContent(span_key(record), content)
                    continue
                name = record.get("eventName") or attrs.get("event.name")
                if name in MESSAGE_EVENTS:
                    # As a span event of the same name, the body among its attributes: semconv reads both.
                    body = [{"key": "body", "value": record["body"]}] if record.get("body") else []
                    yield SpanContent(span_key(record), {}, {"name": name, "attributes": list(items) + body})
