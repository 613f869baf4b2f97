"""Regenerate the OTLP fixtures of the ingest tests from the REAL instrumentation libraries.

    python scripts/make_otel_fixtures.py [--only NAME ...] [--python-for openllmetry-0.47=/path/to/venv/bin/python]

Each producer runs in its own subprocess (the libraries all patch the same `openai` client, so they
cannot share a process). In that subprocess:

- a fake OpenAI-compatible server on 127.0.0.1 answers chat completions (text, a tool call, streaming
  SSE, a 500 error) and embeddings;
- the real `openai` client makes a day of calls (plain, multi-turn, tool call, tool result, multi-part
  content, streaming, an error, an embedding) inside an agent span with a tool span, as an app would;
- the real OpenTelemetry SDK exports the spans (and log records) over OTLP/HTTP (protobuf) to a
  receiver on 127.0.0.1, which writes each ExportTraceServiceRequest (ExportLogsServiceRequest) as one
  OTLP JSON line, as the Collector's file exporter (`format: json`) does: `<producer>.jsonl` and, for
  a producer that puts content in the logs signal, `<producer>.logs.jsonl`.

Timestamps are shifted so the day starts at FIXTURE_DAY 09:00 UTC (the tests need a known day).
Beside each `<producer>.jsonl` goes `<producer>.expected.json`: what the app sent and received per call.

`--collector-encodings` then re-encodes each committed `<producer>.jsonl` as the Collector's file
exporter writes its other encodings (COLLECTOR_ENCODINGS), with the real `opentelemetry-proto` classes.
The framing follows opentelemetry-collector-contrib `exporter/fileexporter`: `file_writer.go`
(`exportMessageAsBuffer`: every message preceded by its length as a 4-byte big-endian unsigned int,
used for `format: proto` and for any compressed output), `codec.go` (`zstdCompress`: each message is
one zstd frame, compressed before it is framed) and, since v0.154 behind the
`exporter.file.nativeCompression` gate, `compression_writer.go` (the whole file one zstd stream).

The old OpenLLMetry (<= 0.47, indexed `gen_ai.prompt.N.*` attributes) needs an older `openai` and
cannot share an environment with the current one: give it its own interpreter with --python-for. So
does openai-v2's legacy event mode (`openai-v2-legacy-events`: current releases always take the
util-genai path), e.g. `python -m venv /tmp/v2legacy && /tmp/v2legacy/bin/pip install
"opentelemetry-instrumentation-openai-v2==2.1b0" "openai<2" "opentelemetry-sdk==1.30.0"
"opentelemetry-exporter-otlp-proto-http==1.30.0"`. For OpenLLMetry 0.47, e.g.
    python -m venv /tmp/oll047 && /tmp/oll047/bin/pip install --pre "opentelemetry-instrumentation-openai==0.47.5" \
        "openai<2" "opentelemetry-sdk<1.37" "opentelemetry-exporter-otlp-proto-http<1.37" \
        "opentelemetry-instrumentation<0.58b0" "opentelemetry-semantic-conventions<0.58b0"
(0.47 imports opentelemetry._events, which later SDKs removed.)
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "logmine_dagster_tests" / "ingest" / "fixtures" / "otel"
FIXTURE_DAY = "2025-06-02"
MODEL = "gpt-4o-mini"
RESPONSE_MODEL = "gpt-4o-mini-2024-07-18"

# name -> (instrumentation package(s) to report, environment for the producer's process)
PRODUCERS = {
    "openinference": (["openinference-instrumentation-openai"], {}),
    "openai-v2-span-only": (
        ["opentelemetry-instrumentation-openai-v2"],
        {
            "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
        },
    ),
    # Content in the logs signal (issue 14): the spans carry none, OTLP log records hold it.
    "openai-v2-event-only": (
        ["opentelemetry-instrumentation-openai-v2"],
        {
            "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "event_only",
        },
    ),
    "openai-v2-legacy-events": (["opentelemetry-instrumentation-openai-v2"], {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"}),
    # The default set-up: no content captured. logmine must say which setting to switch on.
    "openai-v2-no-content": (["opentelemetry-instrumentation-openai-v2"], {}),
    "openinference-hidden": (["openinference-instrumentation-openai"], {"OPENINFERENCE_HIDE_INPUTS": "true", "OPENINFERENCE_HIDE_OUTPUTS": "true"}),
    "openllmetry-0.62": (["opentelemetry-instrumentation-openai"], {"TRACELOOP_TRACE_CONTENT": "true"}),
    "openllmetry-0.62-no-content": (["opentelemetry-instrumentation-openai"], {"TRACELOOP_TRACE_CONTENT": "false"}),
    "openllmetry-0.47": (["opentelemetry-instrumentation-openai"], {"TRACELOOP_TRACE_CONTENT": "true"}),
}
# Producers whose library release cannot share this environment (module docstring).
OWN_PYTHON = {
    "openllmetry-0.47": "opentelemetry-instrumentation-openai<=0.47",
    "openai-v2-legacy-events": "opentelemetry-instrumentation-openai-v2==2.1b0",
}
NO_CONTENT = ("openai-v2-no-content", "openinference-hidden", "openllmetry-0.62-no-content")

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_order_status",
            "description": "Look up an order",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
        },
    }
]
TOOL_CALL = {
    "id": "call_order_1",
    "type": "function",
    "function": {"name": "get_order_status", "arguments": json.dumps({"order_id": "A-1042"})},
}
SYSTEM = "You are the support assistant of Acme Telecom. Answer briefly."


# ---------------------------------------------------------------- fake OpenAI-compatible server


class FakeOpenAI(BaseHTTPRequestHandler):
    counter = 0
    lock = threading.Lock()

    def log_message(self, *args):  # quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 - http.server's name
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        with FakeOpenAI.lock:
            FakeOpenAI.counter += 1
            number = FakeOpenAI.counter
        if self.path.endswith("/embeddings"):
            return self._json(200, {
                "object": "list", "model": "text-embedding-3-small",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, -0.2, 0.3]}],
                "usage": {"prompt_tokens": 5, "total_tokens": 5},
            })
        messages = request.get("messages") or []
        last = messages[-1] if messages else {}
        last_text = last.get("content") if isinstance(last.get("content"), str) else ""
        if "[fail]" in last_text:
            return self._json(500, {"error": {"message": "upstream overloaded", "type": "server_error", "code": None}})
        usage = {"prompt_tokens": 20 + number, "completion_tokens": 7, "total_tokens": 27 + number}
        if request.get("tools") and last.get("role") != "tool":
            message = {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL], "refusal": None}
            finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": f"Reply {number}: happy to help with that.", "refusal": None}
            finish = "stop"
        if request.get("stream"):
            return self._stream(number, message["content"], usage, request)
        self._json(200, {
            "id": f"chatcmpl-{number}", "object": "chat.completion", "created": 1748854800, "model": RESPONSE_MODEL,
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": usage,
        })

    def _stream(self, number: int, text: str, usage: dict, request: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {"id": f"chatcmpl-{number}", "object": "chat.completion.chunk", "created": 1748854800, "model": RESPONSE_MODEL}
        pieces = [text[i : i + 6] for i in range(0, len(text), 6)]
        chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        chunks += [{**base, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces]
        chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (request.get("stream_options") or {}).get("include_usage"):
            chunks.append({**base, "choices": [], "usage": usage})
        for chunk in chunks:
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


# ---------------------------------------------------------------- OTLP/HTTP receiver -> Collector-style JSON lines


def _hex_ids(value):
    """json_format writes bytes as base64; OTLP JSON (and the Collector) writes trace/span ids as hex."""
    if isinstance(value, dict):
        return {
            key: (base64.b64decode(item).hex() if key in ("traceId", "spanId", "parentSpanId") and isinstance(item, str) else _hex_ids(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_hex_ids(item) for item in value]
    return value


class Receiver(BaseHTTPRequestHandler):
    lines: list = []
    log_lines: list = []  # ExportLogsServiceRequest, as a Collector logs pipeline's file exporter writes them

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        from google.protobuf import json_format
        from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        logs = self.path.endswith("/v1/logs")
        request = ExportLogsServiceRequest() if logs else ExportTraceServiceRequest()
        request.ParseFromString(body)
        (Receiver.log_lines if logs else Receiver.lines).append(_hex_ids(json_format.MessageToDict(request, use_integers_for_enums=True)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()


def _serve(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _shift_times(value, delta: int):
    if isinstance(value, dict):
        return {
            key: (str(int(item) + delta) if key.endswith("UnixNano") and item not in (None, "0") else _shift_times(item, delta))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_shift_times(item, delta) for item in value]
    return value


SKIPPED_KINDS = {
    "AGENT": "agent", "invoke_agent": "agent", "TOOL": "tool", "execute_tool": "tool",
    "EMBEDDING": "embedding", "embeddings": "embedding", "embedding": "embedding",
}


def _skipped_spans(lines: list) -> dict:
    """The agent, tool and embedding spans the library and the app exported (an older library may not
    trace embeddings at all), by the kind each names itself."""
    counts: dict = {}
    for line in lines:
        for rs in line.get("resourceSpans", []):
            for ss in rs.get("scopeSpans", []):
                for span in ss.get("spans", []):
                    attrs = {a["key"]: a.get("value", {}).get("stringValue") for a in span.get("attributes", [])}
                    named = attrs.get("openinference.span.kind") or attrs.get("gen_ai.operation.name") or attrs.get("llm.request.type")
                    if named in SKIPPED_KINDS:
                        counts[SKIPPED_KINDS[named]] = counts.get(SKIPPED_KINDS[named], 0) + 1
    return counts


def _first_start(lines: list) -> int:
    starts = [
        int(span["startTimeUnixNano"])
        for line in lines
        for rs in line.get("resourceSpans", [])
        for ss in rs.get("scopeSpans", [])
        for span in ss.get("spans", [])
    ]
    return min(starts)


# ---------------------------------------------------------------- the app (runs in the producer's process)


def _instrument(name: str, provider, logger_provider) -> None:
    if name.startswith("openinference"):
        from openinference.instrumentation.openai import OpenAIInstrumentor
    elif name.startswith("openai-v2"):
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    else:
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    extra = {}
    try:  # releases before the Logs API took events (openai-v2 <= 2.1b0) emit through an EventLogger
        from opentelemetry.sdk._events import EventLoggerProvider

        extra["event_logger_provider"] = EventLoggerProvider(logger_provider)
    except ImportError:
        pass
    OpenAIInstrumentor().instrument(tracer_provider=provider, logger_provider=logger_provider, **extra)


def _agent_span_attributes(name: str, kind: str, label: str) -> dict:
    """Agent and tool spans as the app's own code would write them, in its library's convention."""
    if name.startswith("openinference"):
        return {"openinference.span.kind": kind.upper(), ("agent.name" if kind == "agent" else "tool.name"): label}
    operation = {"agent": "invoke_agent", "tool": "execute_tool"}[kind]
    return {"gen_ai.operation.name": operation, ("gen_ai.agent.name" if kind == "agent" else "gen_ai.tool.name"): label}


def run_producer(name: str, out: Path) -> None:
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    import openai

    fake, receiver = _serve(FakeOpenAI), _serve(Receiver)
    resource = Resource.create({"service.name": "support-bot"})
    provider = TracerProvider(resource=resource)
    exporter = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{receiver.server_port}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=60_000))
    logger_provider = LoggerProvider(resource=resource)
    log_exporter = OTLPLogExporter(endpoint=f"http://127.0.0.1:{receiver.server_port}/v1/logs")
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(log_exporter, schedule_delay_millis=60_000))
    _instrument(name, provider, logger_provider)
    tracer = provider.get_tracer("support-bot")
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{fake.server_port}/v1", api_key="sk-test", max_retries=0)
    calls: list[dict] = []

    def chat(label: str, messages: list, **kwargs) -> dict:
        entry = {"name": label, "messages": json.loads(json.dumps(messages)), "status": "ok", "output": None}
        try:
            if kwargs.get("stream"):
                text = "".join(
                    chunk.choices[0].delta.content or ""
                    for chunk in client.chat.completions.create(model=MODEL, messages=messages, **kwargs)
                    if chunk.choices
                )
                entry["output"] = text
            else:
                reply = client.chat.completions.create(model=MODEL, messages=messages, **kwargs).choices[0].message
                entry["output"] = reply.content
                if reply.tool_calls:
                    entry["output_tool_calls"] = [call.model_dump(exclude_none=True) for call in reply.tool_calls]
        except openai.APIStatusError as error:
            entry.update(status="error", error_status=error.status_code)
        calls.append(entry)
        return entry

    system = {"role": "system", "content": SYSTEM}
    chat("plain", [system, {"role": "user", "content": "What is the refund policy for a cancelled order?"}])
    provider.force_flush()
    chat("multi_turn", [
        system,
        {"role": "user", "content": "My router keeps dropping the connection."},
        {"role": "assistant", "content": "Have you tried restarting it?"},
        {"role": "user", "content": "Yes, twice, it still drops every hour."},
    ])
    chat("multi_part", [system, {"role": "user", "content": [
        {"type": "text", "text": "Here is my question in two parts."},
        {"type": "text", "text": "Why was I billed twice this month?"},
    ]}])
    provider.force_flush()
    with tracer.start_as_current_span("invoke_agent support", attributes=_agent_span_attributes(name, "agent", "support")):
        question = [system, {"role": "user", "content": "Where is my order A-1042?"}]
        chat("tool_call", question, tools=TOOLS)
        with tracer.start_as_current_span("execute_tool get_order_status", attributes=_agent_span_attributes(name, "tool", "get_order_status")):
            result = json.dumps({"order_id": "A-1042", "status": "shipped"})
        chat("tool_result", question + [
            {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
            {"role": "tool", "tool_call_id": TOOL_CALL["id"], "content": result},
        ], tools=TOOLS)
    client.embeddings.create(model="text-embedding-3-small", input="order A-1042")
    provider.force_flush()
    chat("streaming", [system, {"role": "user", "content": "Write a short thank-you note."}], stream=True)
    chat("error", [system, {"role": "user", "content": "Please escalate this [fail]"}])
    chat("developer_prompt", [
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": "What time does support open?"},
    ])
    provider.force_flush()
    provider.shutdown()
    logger_provider.force_flush()
    logger_provider.shutdown()
    fake.shutdown()
    receiver.shutdown()

    start = int(dt.datetime.fromisoformat(f"{FIXTURE_DAY}T09:00:00+00:00").timestamp() * 1e9)
    delta = start - _first_start(Receiver.lines)
    (out / f"{name}.jsonl").write_text("".join(json.dumps(_shift_times(line, delta), sort_keys=True) + "\n" for line in Receiver.lines))
    if Receiver.log_lines:
        logs = "".join(json.dumps(_shift_times(line, delta), sort_keys=True) + "\n" for line in Receiver.log_lines)
        (out / f"{name}.logs.jsonl").write_text(logs)
    packages = {}
    from importlib.metadata import version

    for package in ["openai", "opentelemetry-sdk"] + PRODUCERS[name][0]:
        packages[package] = version(package)
    expected = {
        "producer": name,
        "day": FIXTURE_DAY,
        "packages": packages,
        "environment": PRODUCERS[name][1],
        "content_captured": name not in NO_CONTENT,
        "llm_calls": len(calls),
        "skipped_spans": _skipped_spans(Receiver.lines),
        "calls": calls,
    }
    (out / f"{name}.expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


# name suffix -> (format, per-message zstd, whole-file zstd), as fileexporter writes them.
COLLECTOR_ENCODINGS = {
    "collector-proto.pb": ("proto", False, False),
    "collector-json-zstd.json": ("json", True, False),
    "collector-proto-zstd.pb": ("proto", True, False),
    "collector-native-zstd.json": ("json", False, True),
    "collector-native-zstd-proto.pb": ("proto", False, True),
}


def _base64_ids(value):
    """The inverse of _hex_ids, for protobuf's JSON parser."""
    if isinstance(value, dict):
        return {
            key: (base64.b64encode(bytes.fromhex(item)).decode() if key in ("traceId", "spanId", "parentSpanId") and isinstance(item, str) else _base64_ids(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_base64_ids(item) for item in value]
    return value


def _export_bytes(line: dict, fmt: str) -> bytes:
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    if fmt == "json":
        return json.dumps(line, sort_keys=True).encode()
    request = ExportLogsServiceRequest() if "resourceLogs" in line else ExportTraceServiceRequest()
    return json_format.ParseDict(_base64_ids(line), request).SerializeToString()


def collector_encodings(name: str, out: Path) -> None:
    """`<name>.<suffix>` for every COLLECTOR_ENCODINGS entry, from the committed `<name>.jsonl` (and
    `<name>.logs.<suffix>` from `<name>.logs.jsonl` when the producer wrote logs)."""
    import zstandard

    if (out / f"{name}.logs.jsonl").exists():
        collector_encodings(f"{name}.logs", out)
    lines = [json.loads(text) for text in (out / f"{name}.jsonl").read_text().splitlines() if text.strip()]
    for suffix, (fmt, per_message, whole_file) in COLLECTOR_ENCODINGS.items():
        chunks = []
        for line in lines:
            message = _export_bytes(line, fmt)
            if per_message:
                message = zstandard.ZstdCompressor().compress(message)
            framed = fmt == "proto" or per_message  # buildExportFunc: only plain JSON is written as lines
            chunks.append(len(message).to_bytes(4, "big") + message if framed else message + b"\n")
        data = b"".join(chunks)
        if whole_file:
            data = zstandard.ZstdCompressor().compress(data)
        (out / f"{name}.{suffix}").write_bytes(data)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(PRODUCERS))
    parser.add_argument("--python-for", action="append", default=[], metavar="PRODUCER=PYTHON")
    parser.add_argument("--out", type=Path, default=FIXTURES)
    parser.add_argument("--producer", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--collector-encodings", action="store_true", help="only re-encode the committed JSON fixtures")
    args = parser.parse_args(argv)
    if args.collector_encodings:
        for name in args.only or [p for p in PRODUCERS if (args.out / f"{p}.jsonl").exists()]:
            collector_encodings(name, args.out)
            print(f"{name}: {', '.join(COLLECTOR_ENCODINGS)}")
        return 0
    if args.producer:
        run_producer(args.producer, args.out)
        return 0
    pythons = dict(item.split("=", 1) for item in args.python_for)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.only or list(PRODUCERS):
        if name in OWN_PYTHON and name not in pythons:
            print(f"skip {name}: needs --python-for {name}=<python with {OWN_PYTHON[name]}> (see the docstring)")
            continue
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "TRACELOOP_", "OPENINFERENCE_"))}
        env.update(PRODUCERS[name][1])
        python = pythons.get(name, sys.executable)
        done = subprocess.run([python, __file__, "--producer", name, "--out", str(args.out)], env=env)
        print(f"{name}: {'ok' if done.returncode == 0 else 'FAILED'}")
        if done.returncode:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
