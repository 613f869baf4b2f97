"""Spans written by the REAL instrumentation libraries (fixtures from scripts/make_otel_fixtures.py:
the real `openai` client against a local fake server, the real SDK exporting OTLP/HTTP to a receiver
that writes Collector-style OTLP JSON lines) become exactly one record per LLM call, holding the
messages the app sent, with tool/embedding/agent spans counted and never quarantined."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest.log_reader import BadLine, GoodLine, Skipped, read_partition
from logmine_dagster.ingest.sample_day import check_bad_fraction, sample_day
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples

FIXTURES = Path(__file__).parent / "fixtures" / "otel"
WITH_CONTENT = ["openinference", "openai-v2-span-only", "openllmetry-0.62", "openllmetry-0.47"]
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)
# What a library loses before logmine sees it (visible in the fixture), by producer and call name.
# opentelemetry-instrumentation-openai-v2 2.4b0 records list content as an empty parts list.
LOST_AT_SOURCE = {"openai-v2-span-only": {"multi_part"}}


def _expected(producer: str) -> dict:
    return json.loads((FIXTURES / f"{producer}.expected.json").read_text())


def _day_folder(root: Path, producer: str) -> str:
    day = _expected(producer)["day"]
    (root / f"dt={day}").mkdir(parents=True)
    shutil.copy(FIXTURES / f"{producer}.jsonl", root / f"dt={day}" / "spans.jsonl")
    return day


def _exact(record: dict, call: dict) -> bool:
    """The record holds what the app sent and received."""
    if record["input"] != call["messages"] or record["status"] != call["status"]:
        return False
    if call.get("output_tool_calls"):
        return json.loads(record["output"]) == call["output_tool_calls"] and record["metadata"].get("output_kind") == "tool_calls"
    return record["output"] == call["output"]


def _outcome(tmp_path: Path, producer: str) -> tuple[list, list, Counter]:
    day = _day_folder(tmp_path, producer)
    results = list(read_partition(tmp_path, day))
    good = [r.record for r in results if isinstance(r, GoodLine)]
    bad = [r for r in results if isinstance(r, BadLine)]
    skipped = Counter(r.kind for r in results if isinstance(r, Skipped))
    return good, bad, skipped


def test_fixtures_record_a_day_of_every_kind_of_call():
    for producer in WITH_CONTENT + ["openai-v2-no-content", "openinference-hidden", "openllmetry-0.62-no-content"]:
        calls = _expected(producer)["calls"]
        assert [c["name"] for c in calls] == [
            "plain", "multi_turn", "multi_part", "tool_call", "tool_result", "streaming", "error", "developer_prompt"
        ]
        assert [c["status"] for c in calls].count("error") == 1


@pytest.mark.parametrize("producer", WITH_CONTENT)
def test_each_llm_call_becomes_one_record_with_the_messages_the_app_sent(tmp_path, producer):
    expected = _expected(producer)
    good, bad, skipped = _outcome(tmp_path, producer)
    lost = LOST_AT_SOURCE.get(producer, set())
    kept_calls = [c for c in expected["calls"] if c["name"] not in lost]
    assert len(good) == len(kept_calls)
    for record, call in zip(good, kept_calls):  # spans end in call order
        assert _exact(record, call), (call["name"], record["input"], record["output"])
        assert record["model"].startswith("gpt-4o-mini")
    assert [c["status"] for c in kept_calls if c["status"] == "error"] == ["error"]
    # Content a library dropped is quarantined with a reason saying so, never mined half-empty.
    assert len(bad) == len(lost)
    assert all("content was not captured" in b.reason for b in bad)
    assert skipped == Counter(expected["skipped_spans"])


NO_CONTENT = {
    "openai-v2-no-content": "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only",
    "openinference-hidden": "OPENINFERENCE_HIDE_INPUTS=false",
    "openllmetry-0.62-no-content": "TRACELOOP_TRACE_CONTENT=true",
}


@pytest.mark.parametrize("producer", sorted(NO_CONTENT))
def test_a_library_that_captured_no_content_is_told_which_setting_to_switch_on(tmp_path, producer):
    expected = _expected(producer)
    good, bad, skipped = _outcome(tmp_path, producer)
    assert good == []
    assert len(bad) == expected["llm_calls"]
    for line in bad:
        assert line.reason.startswith("LLM span without captured messages (set ")
        assert NO_CONTENT[producer] in line.reason
        # Only this library's setting: the operator is not sent looking at the other two.
        assert sum(setting in line.reason for setting in NO_CONTENT.values()) == 1
    assert skipped == Counter(expected["skipped_spans"])


@pytest.mark.parametrize("producer", ["openinference", "openllmetry-0.62", "openllmetry-0.47"])
def test_the_sampler_keeps_one_row_per_call_and_counts_the_skipped_spans(tmp_path, db, producer):
    expected = _expected(producer)
    day = _day_folder(tmp_path, producer)
    report = sample_day(db, tmp_path, day, KEEP_ALL)
    check_bad_fraction(report, 0.05)  # the default limit: the day succeeds
    assert report.quarantined == 0 and report.scanned == len(expected["calls"])
    assert report.skipped_spans == Counter(expected["skipped_spans"])
    records = [json.loads(r["record_json"]) for r in db.fetch_all(sa.select(raw_samples.c.record_json))]
    records.sort(key=lambda r: dt.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")))
    assert len(records) == len(expected["calls"])
    assert all(_exact(record, call) for record, call in zip(records, expected["calls"]))
    assert db.fetch_all(sa.select(ingest_quarantine)) == []


@pytest.mark.parametrize("producer", ["openinference", "openllmetry-0.62"])
def test_llm_calls_inside_the_agent_trace_carry_its_agent_and_tool_names(tmp_path, db, producer):
    day = _day_folder(tmp_path, producer)
    sample_day(db, tmp_path, day, KEEP_ALL)
    metadata = [json.loads(r["record_json"])["metadata"] for r in db.fetch_all(sa.select(raw_samples.c.record_json))]
    # The tool call and the tool result ran inside `invoke_agent support` (make_otel_fixtures.py);
    # the other six calls ran outside any agent and get nothing.
    in_agent = [m for m in metadata if "agent" in m]
    assert len(metadata) == 8 and len(in_agent) == 2
    assert all(m["agent"] == "support" and m["agent_tools"] == ["get_order_status"] for m in in_agent)
