"""Content in the OTLP logs signal: opentelemetry-instrumentation-openai-v2 with
`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=event_only` (current, one
`gen_ai.client.inference.operation.details` record per call) and its legacy event mode (2.1b0, one
record per message) leaves the spans without messages and writes them as log records. The fixtures
come from the real library (scripts/make_otel_fixtures.py); the day's log files are joined to its span
files by trace and span id, whatever their names, order or Collector encoding."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest.log_reader import BadLine, GoodLine, Skipped, read_file, read_partition
from logmine_dagster.ingest.sample_day import check_bad_fraction, sample_day
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples

FIXTURES = Path(__file__).parent / "fixtures" / "otel"
PRODUCERS = ["openai-v2-event-only", "openai-v2-legacy-events"]
# openai-v2 2.4b0 (util-genai) writes list content as an empty parts list, in events as on spans.
LOST_AT_SOURCE = {"openai-v2-event-only": {"multi_part"}}
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


def _expected(producer: str) -> dict:
    return json.loads((FIXTURES / f"{producer}.expected.json").read_text())


def _day(root: Path, files: dict[str, str]) -> str:
    day = "2025-06-02"
    (root / f"dt={day}").mkdir(parents=True)
    for name, fixture in files.items():
        shutil.copy(FIXTURES / fixture, root / f"dt={day}" / name)
    return day


def _exact(record: dict, call: dict) -> bool:
    if record["input"] != call["messages"] or record["status"] != call["status"]:
        return False
    if call.get("output_tool_calls"):
        return json.loads(record["output"]) == call["output_tool_calls"] and record["metadata"].get("output_kind") == "tool_calls"
    return record["output"] == call["output"]


def _by_call(records: list, calls: list) -> list[tuple[dict, dict]]:
    """Each call with the record holding its messages (joined records come in span order, and
    calls a millisecond apart share a timestamp; every call of the day sends different messages)."""
    found = {json.dumps(r["input"], sort_keys=True): r for r in records}
    assert len(found) == len(records) == len(calls)
    return [(found[json.dumps(c["messages"], sort_keys=True)], c) for c in calls]


def _check_day(results: list, producer: str) -> None:
    expected = _expected(producer)
    good = [r.record for r in results if isinstance(r, GoodLine)]
    bad = [r.reason for r in results if isinstance(r, BadLine)]
    lost = LOST_AT_SOURCE.get(producer, set())
    kept = [c for c in expected["calls"] if c["name"] not in lost]
    for record, call in _by_call(good, kept):
        assert _exact(record, call), (call["name"], record["input"], record["output"])
    assert len(bad) == len(lost) and all("content was not captured" in reason for reason in bad)
    assert Counter(r.kind for r in results if isinstance(r, Skipped)) == Counter(expected["skipped_spans"])


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("logs_first", [False, True])
def test_the_spans_get_their_messages_from_the_log_records(tmp_path, producer, logs_first):
    names = ("a-logs.jsonl", "b-traces.jsonl") if logs_first else ("traces.jsonl", "z-logs.jsonl")
    day = _day(tmp_path, {names[0 if logs_first else 1]: f"{producer}.logs.jsonl", names[1 if logs_first else 0]: f"{producer}.jsonl"})
    _check_day(list(read_partition(tmp_path, day)), producer)


@pytest.mark.parametrize("producer", PRODUCERS)
def test_logs_and_spans_in_collector_proto_zstd_files_join_too(tmp_path, producer):
    day = _day(tmp_path, {"traces.pb": f"{producer}.collector-proto-zstd.pb", "logs.pb": f"{producer}.logs.collector-proto.pb"})
    _check_day(list(read_partition(tmp_path, day)), producer)


def test_without_the_log_files_the_reason_says_where_the_content_went(tmp_path):
    day = _day(tmp_path, {"traces.jsonl": "openai-v2-event-only.jsonl"})
    bad = [r.reason for r in read_partition(tmp_path, day) if isinstance(r, BadLine)]
    assert len(bad) == _expected("openai-v2-event-only")["llm_calls"]
    assert all("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only" in r and "OTLP logs in the same day folder" in r for r in bad)


def test_a_log_file_read_alone_gives_no_records_and_no_bad_lines(tmp_path):
    day = _day(tmp_path, {"logs.jsonl": "openai-v2-legacy-events.logs.jsonl"})
    path = tmp_path / f"dt={day}" / "logs.jsonl"
    assert list(read_file(path, "logs.jsonl")) == []
    assert list(read_partition(tmp_path, day)) == []


def test_the_sampler_joins_the_day_and_quarantines_nothing(tmp_path, db):
    producer = "openai-v2-legacy-events"
    expected = _expected(producer)
    day = _day(tmp_path, {"logs.jsonl": f"{producer}.logs.jsonl", "traces.jsonl": f"{producer}.jsonl"})
    report = sample_day(db, tmp_path, day, KEEP_ALL)
    check_bad_fraction(report, 0.05)
    assert report.quarantined == 0 and report.scanned == expected["llm_calls"]
    assert report.skipped_spans == Counter(expected["skipped_spans"])
    records = [json.loads(r["record_json"]) for r in db.fetch_all(sa.select(raw_samples.c.record_json))]
    assert all(_exact(record, call) for record, call in _by_call(records, expected["calls"]))
    assert db.fetch_all(sa.select(ingest_quarantine)) == []


def test_a_day_failing_on_spans_counts_spans_not_lines(tmp_path, db):
    from logmine_dagster.ingest.sample_day import TooManyBadLines

    day = _day(tmp_path, {"traces.jsonl": "openai-v2-event-only.jsonl"})  # its log records are missing
    report = sample_day(db, tmp_path, day, KEEP_ALL)
    with pytest.raises(TooManyBadLines) as raised:
        check_bad_fraction(report, 0.05)
    calls = _expected("openai-v2-event-only")["llm_calls"]
    assert f"{calls} of {calls} spans of {day} are bad" in str(raised.value)
    assert f"with {calls} bad span(s) and 0 good record(s)" in str(raised.value)
