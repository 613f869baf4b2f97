"""Every supported log format yields the same canonical records for the same LLM calls."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from logmine_dagster.ingest.formats.mapped import MappingError, validate_mapping
from logmine_dagster.ingest.log_reader import BadLine, GoodLine, read_partition

DAY = "2026-03-02"
START_NS = 1772445600_000_000_000  # 2026-03-02T10:00:00Z
CALLS = [
    {"trace": "a1", "span": "01", "user": "Where is my order?", "system": "You are Nova.", "output": "It ships today.", "error": None},
    {"trace": "a2", "span": "02", "user": "Cancel my plan", "system": "You are Nova.", "output": None, "error": "timeout"},
]


def _canonical(call):
    return {
        "request_id": f"{call['trace']}:{call['span']}",
        "timestamp": "2026-03-02T10:00:00.000Z",
        "session_id": "conv-1",
        "user_id": None,
        "model": "gpt-4o-mini",
        "input": [{"role": "system", "content": call["system"]}, {"role": "user", "content": call["user"]}],
        "output": call["output"],
        "status": "error" if call["error"] else "ok",
        "error_type": call["error"],
        "latency_ms": 1500.0,
    }


def _attr(key, value):
    kind = "intValue" if isinstance(value, int) else "stringValue"
    return {"key": key, "value": {kind: str(value) if kind == "intValue" else value}}


def _span(call, attributes, events=()):
    return {
        "traceId": call["trace"],
        "spanId": call["span"],
        "name": "chat gpt-4o-mini",
        "startTimeUnixNano": str(START_NS),
        "endTimeUnixNano": str(START_NS + 1_500_000_000),
        "attributes": attributes,
        "events": list(events),
        "status": {"code": 2} if call["error"] else {"code": 1},
    }


def _export(spans):
    return {"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "support")]}, "scopeSpans": [{"spans": spans}]}]}


def otlp_current(call):
    attributes = [
        _attr("gen_ai.operation.name", "chat"),
        _attr("gen_ai.provider.name", "openai"),
        _attr("gen_ai.request.model", "gpt-4o-mini"),
        _attr("gen_ai.conversation.id", "conv-1"),
        _attr("gen_ai.usage.input_tokens", 12),
        _attr("gen_ai.system_instructions", json.dumps([{"type": "text", "content": call["system"]}])),
        _attr("gen_ai.input.messages", json.dumps([{"role": "user", "parts": [{"type": "text", "content": call["user"]}]}])),
    ]
    if call["output"]:
        attributes.append(_attr("gen_ai.output.messages", json.dumps([{"role": "assistant", "parts": [{"type": "text", "content": call["output"]}], "finish_reason": "stop"}])))
    if call["error"]:
        attributes.append(_attr("error.type", call["error"]))
    return _span(call, attributes)


def otlp_v136(call):
    attributes = [
        _attr("gen_ai.system", "openai"),
        _attr("gen_ai.request.model", "gpt-4o-mini"),
        _attr("gen_ai.conversation.id", "conv-1"),
        _attr("gen_ai.usage.prompt_tokens", 12),
    ]
    if call["error"]:
        attributes.append(_attr("error.type", call["error"]))
    events = [
        {"name": "gen_ai.system.message", "attributes": [_attr("content", call["system"])]},
        {"name": "gen_ai.user.message", "attributes": [_attr("content", call["user"])]},
    ]
    if call["output"]:
        events.append({"name": "gen_ai.choice", "attributes": [_attr("message", json.dumps({"role": "assistant", "content": call["output"]}))]})
    return _span(call, attributes, events)


def openinference(call):
    attributes = [
        _attr("openinference.span.kind", "LLM"),
        _attr("llm.model_name", "gpt-4o-mini"),
        _attr("session.id", "conv-1"),
        _attr("llm.input_messages.0.message.role", "system"),
        _attr("llm.input_messages.0.message.content", call["system"]),
        _attr("llm.input_messages.1.message.role", "user"),
        _attr("llm.input_messages.1.message.content", call["user"]),
    ]
    if call["output"]:
        attributes += [_attr("llm.output_messages.0.message.role", "assistant"), _attr("llm.output_messages.0.message.content", call["output"])]
    if call["error"]:
        attributes.append(_attr("error.type", call["error"]))
    return _span(call, attributes)


MAPPING = {
    "request_id": "id",
    "timestamp": "ts",
    "session_id": "conversation.id",
    "model": "llm.model",
    "input": "request.messages",
    "output": "response.text",
    "status": {"path": "outcome", "map": {"success": "ok", "failure": "error"}},
    "error_type": "failure_kind",
    "latency_ms": "timing.ms",
}


def mapped(call):
    return {
        "id": f"{call['trace']}:{call['span']}",
        "ts": "2026-03-02T10:00:00.000Z",
        "conversation": {"id": "conv-1"},
        "llm": {"model": "gpt-4o-mini"},
        "request": {"messages": [{"role": "system", "content": call["system"]}, {"role": "user", "content": call["user"]}]},
        "response": {"text": call["output"]},
        "outcome": "failure" if call["error"] else "success",
        "failure_kind": call["error"],
        "timing": {"ms": 1500.0},
    }


KEYS = ("request_id", "timestamp", "session_id", "model", "input", "output", "status", "error_type", "latency_ms")


def _read(root, **kwargs):
    results = list(read_partition(root, DAY, **kwargs))
    assert all(isinstance(r, GoodLine) for r in results), [r for r in results if isinstance(r, BadLine)]
    return [{k: r.record[k] for k in KEYS} for r in results]


def _write(root, name, data: bytes):
    folder = root / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


EXPECTED = [{k: _canonical(c)[k] for k in KEYS} | {"timestamp": "2026-03-02T10:00:00Z"} for c in CALLS]


@pytest.mark.parametrize("build", [otlp_current, otlp_v136, openinference], ids=["otlp-current", "otlp-v1.36", "openinference"])
def test_otlp_exports_map_to_the_canonical_record(tmp_path, build):
    line = json.dumps(_export([build(c) for c in CALLS]))
    _write(tmp_path, "spans.jsonl", line.encode() + b"\n")
    assert _read(tmp_path) == EXPECTED


def test_spans_that_are_not_llm_calls_are_skipped(tmp_path):
    other = {"traceId": "b", "spanId": "9", "attributes": [_attr("http.method", "GET")], "startTimeUnixNano": str(START_NS)}
    _write(tmp_path, "spans.jsonl", json.dumps(_export([otlp_current(CALLS[0]), other])).encode() + b"\n")
    assert _read(tmp_path) == EXPECTED[:1]


def test_a_declared_field_mapping_reads_other_json_logs(tmp_path):
    _write(tmp_path, "app.jsonl", b"".join(json.dumps(mapped(c)).encode() + b"\n" for c in CALLS))
    assert _read(tmp_path, fmt="mapped", mapping=validate_mapping(MAPPING)) == EXPECTED


def test_gzip_zstd_and_parquet_hold_the_same_records(tmp_path):
    lines = b"".join(json.dumps(_canonical(c)).encode() + b"\n" for c in CALLS)
    for name, data in (("a.jsonl.gz", gzip.compress(lines)), ("b.jsonl.zst", zstandard.ZstdCompressor().compress(lines))):
        root = tmp_path / name
        _write(root, name, data)
        assert _read(root) == EXPECTED
    rows = [dict(_canonical(c), input=json.dumps(_canonical(c)["input"])) for c in CALLS]
    root = tmp_path / "parquet"
    (root / f"dt={DAY}").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), root / f"dt={DAY}" / "part-0.parquet")
    assert _read(root) == EXPECTED


def test_unknown_formats_and_damaged_files_are_quarantined_with_reasons(tmp_path):
    good = json.dumps(_canonical(CALLS[0])).encode() + b"\n"
    _write(tmp_path, "a.jsonl", good + b'{"some": "other log"}\n')
    _write(tmp_path, "b.jsonl.zst", zstandard.ZstdCompressor().compress(good * 50)[:40])
    results = list(read_partition(tmp_path, DAY))
    bad = [r for r in results if isinstance(r, BadLine)]
    assert [r.reason.split(" (")[0] for r in bad] == ["unknown log format", "unreadable file after line 0"]
    assert sum(isinstance(r, GoodLine) for r in results) == 1


def test_a_mapping_must_name_the_required_fields():
    with pytest.raises(MappingError, match="where input is"):
        validate_mapping({"request_id": "id", "timestamp": "ts", "status": "s"})
    with pytest.raises(MappingError, match="unknown canonical field"):
        validate_mapping(dict(MAPPING, colour="x"))
