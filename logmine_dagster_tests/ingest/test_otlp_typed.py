"""The typed read of OTLP trace lines (`formats.otlp_typed`, msgspec) against the orjson read it
replaces for the sampler: the same candidates line by line, and the same sample and quarantine on
generated benchmark days."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import orjson
import pytest

from logmine_dagster.generator import generate
from logmine_dagster.ingest import log_reader
from logmine_dagster.ingest.formats import AwaitingContent, records_from_line
from logmine_dagster.ingest.formats.otlp_typed import typed_candidates
from logmine_dagster.ingest.formats.span_views import SPAN_VIEW, built
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.formats.results import UnusableSpan
from logmine_dagster.ingest.sampling import DaySampler, SamplingPolicy
from logmine_dagster_tests.ingest.test_formats import DAY, _attr
from logmine_dagster_tests.ingest.test_span_views import DAY_START_NS, _span, _stored

LONG_AT = SamplingPolicy().long_conversation_messages


def _bench_module():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_ingest.py"
    spec = importlib.util.spec_from_file_location("bench_ingest_for_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _comparable(candidate):
    """A candidate as the sampler sees it: a view's fields and the record `built` makes of it."""
    if candidate.__class__ is dict and SPAN_VIEW in candidate:
        return {k: v for k, v in candidate.items() if k is not SPAN_VIEW}, built(candidate)
    return candidate


def _both(raw: bytes, long_at: int = LONG_AT):
    typed = typed_candidates(raw, long_at)
    reference = records_from_line(orjson.loads(raw), None, None, views=long_at)
    return None if typed is None else [_comparable(c) for c in typed], [_comparable(c) for c in reference]


def _line(spans: list[dict], resource: dict | None = None, scope: dict | None = None, **extra) -> bytes:
    scope_spans = {"scope": scope if scope is not None else {"name": "opentelemetry.util.genai.handler"}, "spans": spans}
    resource_spans = {"resource": resource if resource is not None else {"attributes": [_attr("service.name", "s")]}, "scopeSpans": [scope_spans]}
    return json.dumps({"resourceSpans": [resource_spans], **extra}, separators=(",", ":")).encode()


def test_typed_candidates_equal_the_orjson_reading_on_every_shape_of_span():
    rng = random.Random(7)
    spans = [_span(rng, i) for i in range(800)]
    taken = 0
    for start in range(0, len(spans), 16):
        for long_at in (LONG_AT, 0):
            typed, reference = _both(_line(spans[start : start + 16]), long_at)
            assert typed == reference
            taken += 1
    assert taken == 100


def _odd_spans() -> dict[str, tuple[list[dict], dict]]:
    rng = random.Random(3)
    plain = _span(rng, 1)
    while "gen_ai.input.messages" not in json.dumps(plain):
        plain = _span(rng, 1)
    def changed(**fields):
        return [{**plain, **fields}]
    events = [{"name": "gen_ai.content.prompt", "timeUnixNano": "1", "attributes": [_attr("gen_ai.prompt", "[]")]}]
    return {
        # taken by the typed path (every field known and of its JSON type)
        "events and links": (changed(events=events, links=[{"traceId": "a", "spanId": "b"}]), {}),
        "no attributes": (changed(attributes=[]), {}),
        "numeric start time": (changed(startTimeUnixNano=1772445600000000000), {}),
        "status code as a name": (changed(status={"code": "STATUS_CODE_ERROR", "message": "x"}), {}),
        "a number as a string value": (changed(attributes=plain["attributes"] + [{"key": "n", "value": {"intValue": 5}}]), {}),
        "an array value": (changed(attributes=plain["attributes"] + [{"key": "a", "value": {"arrayValue": {"values": [{"doubleValue": 1}]}}}]), {}),
        "error type": (changed(attributes=plain["attributes"] + [_attr("error.type", "timeout")]), {}),
        "non-ASCII text": (changed(name="chat – ünïcode"), {}),
        "no resource or scope": ([plain], {"resource": {}, "scope": {}}),
        # handed to the orjson path (None)
        "unknown span field": (changed(extra=1), {"fallback": True}),
        "null attributes": (changed(attributes=None), {"fallback": True}),
        "integer past int64": (changed(startTimeUnixNano=2**64 - 1), {"fallback": True}),
        "attribute without value": (changed(attributes=[{"key": "gen_ai.operation.name"}]), {"fallback": True}),
        "null string value": (changed(attributes=[{"key": "k", "value": {"stringValue": None}}]), {"fallback": True}),
        "a boolean status code": (changed(status={"code": True}), {"fallback": True}),
    }


@pytest.mark.parametrize("case", list(_odd_spans()))
def test_an_odd_line_is_read_the_same_or_handed_to_the_orjson_path(case):
    spans, options = _odd_spans()[case]
    raw = _line(spans, options.get("resource"), options.get("scope"))
    typed, reference = _both(raw)
    if options.get("fallback"):
        assert typed is None
    else:
        assert typed is not None and typed == reference


def test_lines_that_are_no_trace_export_are_left_to_the_orjson_path():
    rng = random.Random(4)
    span = _span(rng, 2)
    assert typed_candidates(_line([span], request_id="r", input=[]), LONG_AT) is None  # also a canonical record
    assert typed_candidates(json.dumps({"resourceSpans": [], "resourceLogs": []}).encode(), LONG_AT) is None
    assert typed_candidates(_line([span]) + b" x", LONG_AT) is None  # malformed JSON: orjson says why
    assert typed_candidates(_line([span]).replace(b'"chat"', b'"ch\xffat"'), LONG_AT) is None  # not UTF-8


@pytest.mark.parametrize("levels", [8, 9, 400])
def test_attribute_values_nested_deeper_than_typed_go_the_orjson_way(levels):
    # 400 levels of arrays are past orjson's 1024 levels of JSON: never read by the typed path.
    value = '{"arrayValue":{"values":[' * levels + '{"stringValue":"x"}' + ']}}' * levels
    raw = ('{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":' + value + '}]}}]}').encode()
    typed = typed_candidates(raw, LONG_AT)
    assert (typed == []) if levels <= 8 else (typed is None)


PLAIN_CHAT = {"gen_ai.operation.name", "gen_ai.request.model", "gen_ai.input.messages", "gen_ai.output.messages"}


def _input(span: dict) -> str:
    return next(a["value"]["stringValue"] for a in span["attributes"] if a["key"] == "gen_ai.input.messages")


def _lossy_with_instructions(rng: random.Random, i: int) -> dict:
    """A short chat span with system instructions whose user turn lost its content, unmarked."""
    span = _span(rng, i)
    while "gen_ai.input.messages" not in json.dumps(span):
        span = _span(rng, i)
    messages = [{"role": "user", "parts": [{"type": "reasoning", "content": "thinking"}]}]
    span["attributes"] = [a for a in span["attributes"] if a["key"] not in ("gen_ai.input.messages", "error.type")] + [
        _attr("gen_ai.input.messages", json.dumps(messages)), _attr("gen_ai.system_instructions", "You are Nova.")]
    span["status"] = {"code": 1}
    return span


@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_the_spans_counted_inline_are_those_the_counter_counts_the_long_way(rate):
    # `_uncounted` settles the common span without its view; a counter without the day's window
    # settles every span through `_view`: the same spans handed on, the same count.
    rng = random.Random(31)
    spans = [_span(rng, i) for i in range(640)] + [_lossy_with_instructions(rng, 900 + i) for i in range(16)]
    spans[5]["startTimeUnixNano"] = int(spans[5]["startTimeUnixNano"])  # a number, not the usual string
    spans[6]["status"] = {"code": "STATUS_CODE_ERROR"}
    plain = [span for span in spans[:640] if span["status"]["code"] == 1 and {a["key"] for a in span["attributes"]} == PLAIN_CHAT
             and _input(span).count("{") < LONG_AT]  # a short input
    plain[0]["startTimeUnixNano"] = str(DAY_START_NS + 86_400 * 10**9 + 5)  # the next day
    plain[1]["startTimeUnixNano"] = str(DAY_START_NS - 5)  # the day before
    results = []
    for inline in (True, False):
        sampler = DaySampler(DAY, SamplingPolicy(rate=rate))
        counter = sampler.undrawn_counter("f")
        if not inline:
            counter.window = None
        found = [typed_candidates(_line(spans[start : start + 16]), LONG_AT, counter) for start in range(0, len(spans), 16)]
        results.append(([[_comparable(c) for c in line] for line in found], sampler.counts.scanned))
    assert results[0] == results[1]
    handed_on = sum(len(line) for line in results[0][0])
    assert results[0][1] > 120 and handed_on > 100
    assert sum(isinstance(c, UnusableSpan) for line in results[0][0] for c in line) >= 16  # the lossy ones, drawn or not


@pytest.mark.parametrize("fmt", ["otlp", "otlp-events"])
def test_a_generated_benchmark_day_gives_the_same_sample_and_quarantine_as_the_orjson_read(tmp_path, db, monkeypatch, fmt):
    bench = _bench_module()
    root = tmp_path / "logs"
    generate(root, bench.DAY, 1, 3000, 1, write_manifest=False, gzip=True)
    bench.to_otlp(root, events=fmt == "otlp-events")
    day = bench.DAY.isoformat()
    policy = SamplingPolicy()
    taken = []
    with monkeypatch.context() as patch:
        patch.setattr(log_reader, "typed_candidates", lambda raw, long_at, undrawn: taken.append(typed_candidates(raw, long_at, undrawn)) or taken[-1])
        typed_report = sample_day(db, root, day, policy)
    assert taken and all(found is not None for found in taken)  # every span line was read typed
    if fmt == "otlp":  # most spans were only counted (no rate drew them): no view was handed on
        assert sum(len(found) for found in taken) < typed_report.scanned / 4
    typed = _stored(db)
    with monkeypatch.context() as patch:
        patch.setattr(log_reader, "typed_candidates", lambda raw, long_at, undrawn: None)  # the orjson read, as before
        reference_report = sample_day(db, root, day, policy)
    reference = _stored(db)
    assert typed == reference and len(typed[0]) > 50
    for field in ("scanned", "quarantined", "by_reason", "signal_seen", "excluded_signal_cap", "excluded_ceiling", "skipped_spans"):
        assert getattr(typed_report, field) == getattr(reference_report, field), field


def test_a_drawn_typed_span_awaiting_its_log_content_is_the_same_span(tmp_path):
    rng = random.Random(9)
    span = _span(rng, 3)
    span["attributes"] = [a for a in span["attributes"] if a["key"] not in ("gen_ai.input.messages", "gen_ai.output.messages")]
    typed = typed_candidates(_line([span]), LONG_AT)
    assert len(typed) == 1 and isinstance(typed[0], AwaitingContent) and typed[0].span == span


@pytest.mark.parametrize("rate", [0.05, 1.0])
def test_spans_only_counted_give_the_same_counts_per_file_as_offering_their_views(tmp_path, db, monkeypatch, rate):
    # Three files of mixed spans (other kinds, errors, long inputs, the next day's, lines marked with
    # lost content): the undrawn ones only counted (typed read) against every view offered (orjson read).
    from logmine_dagster_tests.ingest.test_span_views import _write

    rng = random.Random(23)
    root = tmp_path / "logs"
    _write(root, [_span(rng, i, unmarked_loss=False) for i in range(900)], files=3)
    policy = SamplingPolicy(rate=rate)
    counted = sample_day(db, root, DAY, policy)
    stored = _stored(db)
    with monkeypatch.context() as patch:
        patch.setattr(log_reader, "typed_candidates", lambda raw, long_at, undrawn: None)
        offered = sample_day(db, root, DAY, policy)
    assert stored == _stored(db) and len(stored[0]) > 20 and stored[1]
    for field in ("scanned", "quarantined", "scanned_by_file", "bad_by_file", "signal_seen", "by_reason", "excluded_ceiling", "skipped_spans"):
        assert getattr(counted, field) == getattr(offered, field), field
    assert len(counted.scanned_by_file) == 3
