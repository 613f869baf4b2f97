"""The OpenTelemetry Collector file exporter's encodings (format json|proto, compression none|zstd,
and the whole-file zstd of `exporter.file.nativeCompression`), plus `.jsonl.gz`/`.jsonl.zst`, are
detected, not configured: each gives exactly the records of the JSON-lines fixture. The encoded
fixtures come from scripts/make_otel_fixtures.py --collector-encodings (the real opentelemetry-proto
classes, the Collector's framing)."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
import zstandard

from logmine_dagster.ingest.log_reader import BadLine, GoodLine, Skipped, read_partition
from logmine_dagster.ingest.sample_day import TooManyBadLines, check_bad_fraction, sample_day
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples

FIXTURES = Path(__file__).parent / "fixtures" / "otel"
LIBRARIES = ["openinference", "openai-v2-span-only", "openllmetry-0.62", "openllmetry-0.47", "openai-v2-no-content"]
# fixture suffix -> the name the file gets in the day folder (what a Collector `path:` would be).
COLLECTOR = {
    "collector-proto.pb": "traces.pb",
    "collector-json-zstd.json": "traces.json.zst",
    "collector-proto-zstd.pb": "traces.pb",
    "collector-native-zstd.json": "traces.json",
    "collector-native-zstd-proto.pb": "traces.pb",
}
DAY = "2025-06-02"
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


def _outcome(root: Path) -> tuple[list, list, Counter]:
    results = list(read_partition(root, DAY))
    good = [r.record for r in results if isinstance(r, GoodLine)]
    bad = [r.reason for r in results if isinstance(r, BadLine)]
    return good, bad, Counter(r.kind for r in results if isinstance(r, Skipped))


def _day(root: Path, name: str, data: bytes) -> Path:
    (root / f"dt={DAY}").mkdir(parents=True)
    (root / f"dt={DAY}" / name).write_bytes(data)
    return root


def _encodings(library: str) -> dict[str, tuple[str, bytes]]:
    jsonl = (FIXTURES / f"{library}.jsonl").read_bytes()
    found = {suffix: (name, (FIXTURES / f"{library}.{suffix}").read_bytes()) for suffix, name in COLLECTOR.items()}
    found["jsonl.gz"] = ("spans.jsonl.gz", gzip.compress(jsonl))
    found["jsonl.zst"] = ("spans.jsonl.zst", zstandard.ZstdCompressor().compress(jsonl))
    return found


@pytest.mark.parametrize("library", LIBRARIES)
def test_every_encoding_gives_the_records_of_the_json_lines(tmp_path, library):
    reference = _outcome(_day(tmp_path / "json", "spans.jsonl", (FIXTURES / f"{library}.jsonl").read_bytes()))
    assert reference[0] or reference[1]  # the fixture holds calls
    for encoding, (name, data) in _encodings(library).items():
        assert _outcome(_day(tmp_path / encoding, name, data)) == reference, encoding


def test_a_proto_day_is_sampled_whole_with_no_quarantine(tmp_path, db):
    expected = json.loads((FIXTURES / "openllmetry-0.62.expected.json").read_text())
    _day(tmp_path, "traces.pb", (FIXTURES / "openllmetry-0.62.collector-proto-zstd.pb").read_bytes())
    report = sample_day(db, tmp_path, DAY, KEEP_ALL)
    check_bad_fraction(report, 0.05)
    assert report.quarantined == 0 and report.scanned == expected["llm_calls"]
    assert report.skipped_spans == Counter(expected["skipped_spans"])
    inputs = sorted(json.dumps(json.loads(r["record_json"])["input"], sort_keys=True) for r in db.fetch_all(sa.select(raw_samples.c.record_json)))
    assert inputs == sorted(json.dumps(call["messages"], sort_keys=True) for call in expected["calls"])
    assert db.fetch_all(sa.select(ingest_quarantine)) == []


def _messages(path: Path) -> list[bytes]:
    """The framed messages of a Collector file, each with its 4-byte prefix."""
    data, found = path.read_bytes(), []
    while data:
        size = int.from_bytes(data[:4], "big")
        found.append(data[: 4 + size])
        data = data[4 + size :]
    return found


def test_a_truncated_framed_file_keeps_its_whole_messages_and_says_where_it_broke(tmp_path):
    messages = _messages(FIXTURES / "openinference.collector-proto.pb")
    whole = _outcome(_day(tmp_path / "whole", "traces.pb", b"".join(messages[:-1])))
    good, bad, skipped = _outcome(_day(tmp_path / "cut", "traces.pb", b"".join(messages[:-1]) + messages[-1][:-7]))
    assert (good, skipped) == (whole[0], whole[2]) and good
    # A framed file's unit is the message, and the reasons say so (never "line").
    assert bad == whole[1] + [f"unreadable file after message {len(messages) - 1} (EOFError)"]


def test_an_oversized_or_corrupt_message_is_quarantined_and_the_rest_is_read(tmp_path):
    messages = _messages(FIXTURES / "openinference.collector-proto.pb")
    biggest = max(len(m) for m in messages)
    corrupt = (8).to_bytes(4, "big") + b"\x0a\xff\xff\xff\xff\xff\xff\xff"
    root = _day(tmp_path, "traces.pb", b"".join(messages) + corrupt)
    results = list(read_partition(root, DAY, max_line_bytes=biggest - 5))
    bad = [r for r in results if isinstance(r, BadLine)]
    assert [b.reason for b in bad][-1] == "not a valid OTLP protobuf export request"
    assert any(b.reason == f"message longer than {biggest - 5} bytes" for b in bad)
    assert not any("line" in b.reason for b in bad)
    assert any(isinstance(r, GoodLine) for r in results)  # the messages around it still count


def test_a_day_failing_on_corrupt_frames_counts_messages_not_lines(tmp_path, db):
    messages = _messages(FIXTURES / "openinference.collector-proto.pb")
    corrupt = (8).to_bytes(4, "big") + b"\x0a\xff\xff\xff\xff\xff\xff\xff"
    root = _day(tmp_path, "traces.pb", messages[0] + corrupt * 20)
    report = sample_day(db, root, DAY, KEEP_ALL)
    with pytest.raises(TooManyBadLines) as raised:
        check_bad_fraction(report, 0.05)
    text = str(raised.value)
    assert "20 of" in text and "messages of 2025-06-02 are bad" in text and "with 20 bad message(s)" in text
    assert " line" not in text


def test_collector_json_lines_named_json_are_read(tmp_path):
    shutil.copy(FIXTURES / "openllmetry-0.47.jsonl", tmp_path / "x")
    root = _day(tmp_path / "root", "traces.json", (tmp_path / "x").read_bytes())
    good, bad, _ = _outcome(root)
    assert len(good) == 8 and bad == []
