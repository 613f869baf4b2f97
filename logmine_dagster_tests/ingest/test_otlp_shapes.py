"""Span shapes no library in the fixtures emits today but logs from 2024-25 hold (GenAI v1.26 prompt
events, OpenLLMetry's pre-rename `llm.prompts.N.*`, a plain-string system instruction, OpenInference
images), and agent traces whose agent span carries a copy of the conversation."""

from __future__ import annotations

import json
from collections import Counter

from logmine_dagster.ingest.formats import SkippedSpan, UnusableSpan, records_from_line
from logmine_dagster.ingest.log_reader import read_partition
from logmine_dagster.ingest.sample_day import check_bad_fraction, sample_day
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster_tests.ingest.test_formats import DAY, START_NS, _attr, _export

KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)
ASKED = [{"role": "system", "content": "You are Nova."}, {"role": "user", "content": "Where is my order?"}]


def _span(span_id: str, attributes: list, events: list = (), name: str = "chat") -> dict:
    return {
        "traceId": "t1",
        "spanId": span_id,
        "name": name,
        "startTimeUnixNano": str(START_NS),
        "endTimeUnixNano": str(START_NS + 1_000_000),
        "attributes": attributes,
        "events": list(events),
    }


def _only(spans: list, scope: str = "") -> list:
    line = _export(spans)
    line["resourceSpans"][0]["scopeSpans"][0]["scope"] = {"name": scope}
    return records_from_line(line)


def test_v126_prompt_and_completion_events():
    events = [
        {"name": "gen_ai.content.prompt", "attributes": [_attr("gen_ai.prompt", json.dumps(ASKED))]},
        {"name": "gen_ai.content.completion", "attributes": [_attr("gen_ai.completion", json.dumps([{"role": "assistant", "content": "It ships today."}]))]},
    ]
    [record] = _only([_span("01", [_attr("gen_ai.system", "openai"), _attr("gen_ai.request.model", "gpt-4")], events)])
    assert record["input"] == ASKED and record["output"] == "It ships today."


def test_openllmetry_pre_rename_indexed_attributes():
    attributes = [
        _attr("llm.request.type", "chat"),
        _attr("llm.prompts.0.role", "system"), _attr("llm.prompts.0.content", "You are Nova."),
        _attr("llm.prompts.1.role", "user"), _attr("llm.prompts.1.content", "Where is my order?"),
        _attr("llm.completions.0.role", "assistant"), _attr("llm.completions.0.content", "It ships today."),
    ]
    [record] = _only([_span("01", attributes)])
    assert record["input"] == ASKED and record["output"] == "It ships today."


def test_a_plain_string_system_instruction_is_kept():
    attributes = [
        _attr("gen_ai.operation.name", "chat"),
        _attr("gen_ai.system_instructions", "You are Nova."),
        _attr("gen_ai.input.messages", json.dumps([{"role": "user", "parts": [{"type": "text", "content": "Where is my order?"}]}])),
    ]
    [record] = _only([_span("01", attributes)])
    assert record["input"] == ASKED


def test_openinference_image_parts_and_tool_call_only_reply():
    prefix = "llm.input_messages.0.message."
    attributes = [
        _attr("openinference.span.kind", "LLM"),
        _attr(prefix + "role", "user"),
        _attr(prefix + "contents.0.message_content.type", "text"),
        _attr(prefix + "contents.0.message_content.text", "What is on this photo?"),
        _attr(prefix + "contents.1.message_content.type", "image"),
        _attr(prefix + "contents.1.message_content.image.image.url", "https://example.com/a.png"),
        _attr("llm.output_messages.0.message.role", "assistant"),
        _attr("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_1"),
        _attr("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "describe"),
        _attr("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", '{"detail": "high"}'),
    ]
    [record] = _only([_span("01", attributes)])
    assert record["input"] == [{"role": "user", "content": [
        {"type": "text", "text": "What is on this photo?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
    ]}]
    assert json.loads(record["output"]) == [{"id": "call_1", "type": "function", "function": {"name": "describe", "arguments": '{"detail": "high"}'}}]
    assert record["metadata"]["output_kind"] == "tool_calls"


def test_an_unknown_producer_without_content_gets_every_setting():
    [bad] = _only([_span("01", [_attr("gen_ai.operation.name", "chat"), _attr("gen_ai.request.model", "m")])], scope="my.app")
    assert isinstance(bad, UnusableSpan)
    for setting in ("OPENINFERENCE_HIDE_INPUTS=false", "TRACELOOP_TRACE_CONTENT=true", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only"):
        assert setting in bad.reason
    assert len(bad.reason) <= 300  # the quarantine row keeps 300 characters


def _agent_day() -> bytes:
    conversation = json.dumps([{"role": "user", "parts": [{"type": "text", "content": "Where is my order?"}]}])
    agent = [_attr("gen_ai.operation.name", "invoke_agent"), _attr("gen_ai.agent.name", "support"), _attr("gen_ai.input.messages", conversation)]
    chat = [_attr("gen_ai.operation.name", "chat"), _attr("gen_ai.system_instructions", "You are Nova."), _attr("gen_ai.input.messages", conversation)]
    others = [
        _span("03", [_attr("gen_ai.operation.name", "execute_tool"), _attr("gen_ai.tool.name", "orders")]),
        _span("04", [_attr("gen_ai.operation.name", "embeddings"), _attr("gen_ai.request.model", "e")]),
        _span("05", [_attr("openinference.span.kind", "RETRIEVER")]),
        _span("06", [_attr("openinference.span.kind", "CHAIN")]),
        _span("07", [_attr("http.method", "GET")]),  # not GenAI: not counted either
    ]
    return json.dumps(_export([_span("01", agent), _span("02", chat)] + others)).encode() + b"\n"


def test_an_agent_trace_is_mined_once_and_its_other_spans_are_counted(tmp_path, db):
    items = records_from_line(json.loads(_agent_day()))
    assert [i["input"] for i in items if isinstance(i, dict)] == [ASKED]
    assert Counter(i.kind for i in items if isinstance(i, SkippedSpan)) == Counter(
        {"agent": 1, "tool": 1, "embedding": 1, "retrieval": 1, "chain": 1}
    )
    (tmp_path / f"dt={DAY}").mkdir()
    (tmp_path / f"dt={DAY}" / "spans.jsonl").write_bytes(_agent_day())
    # The sampler's one-pass scanner, and the reader's validated lines handed to it, count alike.
    for lines in (None, read_partition(tmp_path, DAY)):
        report = sample_day(db, tmp_path, DAY, KEEP_ALL, lines)
        check_bad_fraction(report, 0.05)
        assert (report.scanned, report.sampled, report.quarantined) == (1, 1, 0)
        assert report.skipped_spans == Counter({"agent": 1, "tool": 1, "embedding": 1, "retrieval": 1, "chain": 1})
