"""The synthetic traffic generator: format, determinism, planted PII, rates, drift, memory."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import tracemalloc
from collections import defaultdict
from pathlib import Path

import pytest

from logmine_dagster.generator import GenerateSummary, generate
from logmine_dagster.generator import pii, vocab
from logmine_dagster.ingest.records import parse_record

START = dt.date(2025, 3, 1)
PII_TYPES = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "CREDIT_CARD", "IBAN_CODE",
             "IP_ADDRESS", "DATE_OF_BIRTH", "ACCOUNT_ID"}


def _read_lines(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def _records(summary: GenerateSummary) -> list[dict]:
    return [json.loads(line) for path in summary.files for line in _read_lines(path)]


def _manifest(summary: GenerateSummary) -> list[dict]:
    return [json.loads(line) for line in _read_lines(summary.manifest)]


def _strings(value) -> list[str]:
    """Every string inside a record, with JSON held in strings (tool arguments and results) decoded too."""
    if isinstance(value, str):
        found = [value]
        if value[:1] in "{[":
            try:
                found += _strings(json.loads(value))
            except ValueError:
                pass
        return found
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _is_drift(record: dict) -> bool:
    return record["metadata"]["product"] == vocab.DRIFT_PRODUCT or record["metadata"]["intent"] == vocab.DRIFT_INTENT


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> GenerateSummary:
    out = tmp_path_factory.mktemp("small") / "logs"
    return generate(out, START, days=2, per_day=1500, seed=7)


@pytest.fixture(scope="module")
def rates_run(tmp_path_factory) -> GenerateSummary:
    out = tmp_path_factory.mktemp("rates") / "logs"
    return generate(out, START, days=1, per_day=5000, seed=11)


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# --- format ------------------------------------------------------------------------------------------

def test_layout_and_summary(small_run: GenerateSummary, tmp_path: Path):
    root = small_run.files[0].parent.parent
    assert [p.relative_to(root).as_posix() for p in small_run.files] == [
        "dt=2025-03-01/part-00000.jsonl", "dt=2025-03-02/part-00000.jsonl"]
    assert small_run.days == 2 and small_run.records == 3000
    assert small_run.manifest == root.parent / "logs-pii-manifest.jsonl"
    assert not list(root.rglob(".*"))  # no temporary files left behind


def test_every_line_is_a_canonical_record(small_run: GenerateSummary):
    records = _records(small_run)
    assert len(records) == 3000
    for record in records:
        parse_record(record)
    assert len({r["request_id"] for r in records}) == len(records)
    assert all(re.fullmatch(r"req_[0-9a-f]{20}", r["request_id"]) for r in records)


def test_timestamps_increase_within_their_day(small_run: GenerateSummary):
    for path in small_run.files:
        day = path.parent.name.removeprefix("dt=")
        stamps = [json.loads(line)["timestamp"] for line in _read_lines(path)]
        assert all(s.startswith(day + "T") and s.endswith("Z") for s in stamps)
        assert stamps == sorted(stamps)
        assert len(set(stamps)) == len(stamps)


def test_system_prompt_is_long_and_fixed_per_model(small_run: GenerateSummary):
    prompts = defaultdict(set)
    for record in _records(small_run):
        assert record["input"][0]["role"] == "system"
        prompts[record["model"]].add(record["input"][0]["content"])
    assert set(prompts) == {model for model, _ in vocab.MODELS}
    for texts in prompts.values():
        assert len(texts) == 1
        assert 1300 <= len(next(iter(texts))) <= 2000


def test_ids_are_opaque(small_run: GenerateSummary):
    for record in _records(small_run):
        assert re.fullmatch(r"u_[0-9a-f]{12}", record["user_id"])
        assert re.fullmatch(r"sess_[0-9a-f]{16}", record["session_id"])


def test_sessions_repeat_earlier_turns(small_run: GenerateSummary):
    records = _records(small_run)
    by_session = defaultdict(list)
    for record in records:
        by_session[record["session_id"]].append(record)
    follow_ups = 0
    for session in by_session.values():
        for earlier, later in zip(session, session[1:]):
            assert later["timestamp"] > earlier["timestamp"]
            if earlier["status"] == "ok" or earlier["error_type"] == "tool_error":
                # The earlier request and its answer are replayed before the new user turn.
                size = len(earlier["input"])
                assert later["input"][:size] == earlier["input"]
                assert later["input"][size] == {"role": "assistant", "content": earlier["output"]}
                follow_ups += 1
    assert follow_ups > 300
    assert max(sum(m["role"] == "user" for m in r["input"]) for r in records) == 4


def test_tool_calls_are_followed_by_tool_results(small_run: GenerateSummary):
    with_tools = 0
    for record in _records(small_run):
        messages = record["input"]
        for index, message in enumerate(messages):
            if message.get("tool_calls"):
                with_tools += 1
                call = message["tool_calls"][0]
                assert call["type"] == "function" and call["function"]["name"]
                json.loads(call["function"]["arguments"])
                result = messages[index + 1]
                assert result["role"] == "tool" and result["tool_call_id"] == call["id"]
                json.loads(result["content"])
    assert with_tools > 100


# --- determinism -------------------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_same_arguments_give_identical_bytes(tmp_path: Path, compress: bool):
    first = generate(tmp_path / "a" / "logs", START, 2, 200, seed=3, gzip=compress, records_per_file=150)
    second = generate(tmp_path / "b" / "logs", START, 2, 200, seed=3, gzip=compress, records_per_file=150)
    assert _tree_bytes(tmp_path / "a") == _tree_bytes(tmp_path / "b")
    assert len(first.files) == len(second.files) == 4
    other = generate(tmp_path / "c" / "logs", START, 2, 200, seed=4, gzip=compress, records_per_file=150)
    assert _tree_bytes(tmp_path / "c") != _tree_bytes(tmp_path / "a")
    assert other.records == first.records


def test_a_day_can_be_generated_alone(tmp_path: Path):
    # Day 2 of a 4-day range has drift, as does a 1-day range: the same day gives the same bytes.
    whole = generate(tmp_path / "whole" / "logs", START, 4, 150, seed=5)
    alone = generate(tmp_path / "alone" / "logs", START + dt.timedelta(days=2), 1, 150, seed=5)
    assert whole.files[2].read_bytes() == alone.files[0].read_bytes()


# --- planted PII -------------------------------------------------------------------------------------

def test_manifest_values_appear_verbatim_in_their_record(small_run: GenerateSummary):
    lines = {json.loads(line)["request_id"]: line for path in small_run.files for line in _read_lines(path)}
    manifest = _manifest(small_run)
    assert len(manifest) > 2000
    for entry in manifest:
        assert set(entry) == {"day", "request_id", "type", "value"}
        assert entry["type"] in PII_TYPES
        line = lines[entry["request_id"]]
        assert entry["day"] == json.loads(line)["timestamp"][:10]
        assert entry["value"] in line
        assert any(entry["value"] in text for text in _strings(json.loads(line)))
    assert {entry["type"] for entry in manifest} == PII_TYPES


def test_manifest_covers_tool_results(small_run: GenerateSummary):
    planted = defaultdict(set)
    for entry in _manifest(small_run):
        planted[entry["request_id"]].add(entry["value"])
    checked = 0
    for record in _records(small_run):
        for message in record["input"]:
            if message["role"] != "tool":
                continue
            result = json.loads(message["content"])
            for key in ("name", "email", "phone", "service_address", "date_of_birth", "account_id"):
                if key in result:
                    assert result[key] in planted[record["request_id"]]
                    checked += 1
            payment = result.get("payment_method", {})
            for key in ("iban", "number"):
                if key in payment:
                    assert payment[key] in planted[record["request_id"]]
    assert checked > 100


def test_first_names_in_the_text_are_listed(small_run: GenerateSummary):
    planted = defaultdict(list)
    for entry in _manifest(small_run):
        planted[entry["request_id"]].append(entry["value"])
    first_names = set(vocab.FIRST_NAMES)
    for record in _records(small_run):
        texts = [m["content"] for m in record["input"] if m["role"] in ("user", "assistant") and m.get("content")]
        words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)?", " ".join(texts + [record["output"] or ""]))
        names = first_names.intersection(words)
        listed = " ".join(planted[record["request_id"]])
        assert all(name in listed for name in names), record["request_id"]


def test_planted_values_are_well_formed(small_run: GenerateSummary):
    by_type = defaultdict(set)
    for entry in _manifest(small_run):
        by_type[entry["type"]].add(entry["value"])
    assert all(pii.luhn_valid(card) for card in by_type["CREDIT_CARD"])
    assert all(pii.iban_valid(iban) for iban in by_type["IBAN_CODE"])
    assert all(re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}", ip) for ip in by_type["IP_ADDRESS"])
    assert all(re.fullmatch(r"(ACC|ORD)-[A-Z0-9-]+", value) for value in by_type["ACCOUNT_ID"])
    assert all("@" in email for email in by_type["EMAIL_ADDRESS"])
    values = set().union(*by_type.values())
    assert not [v for v in values if '"' in v or "\\" in v or any(ord(c) < 32 for c in v)]
    assert any(v != v.encode("ascii", "ignore").decode() for v in by_type["PERSON"])  # accents survive
    assert any(v.islower() for v in by_type["PERSON"])  # and some people type in lower case


def test_checksum_helpers():
    assert pii.luhn_valid("4111 1111 1111 1111") and not pii.luhn_valid("4111 1111 1111 1112")
    assert pii.iban_valid("DE89 3704 0044 0532 0130 00") and pii.iban_valid("GB82WEST12345698765432")
    assert not pii.iban_valid("DE88 3704 0044 0532 0130 00")


# --- rates and drift ---------------------------------------------------------------------------------

def test_rates_are_roughly_as_configured(rates_run: GenerateSummary):
    records = _records(rates_run)
    planted_ids = {entry["request_id"] for entry in _manifest(rates_run)}
    n = len(records)
    measured = {
        "errors": sum(r["status"] == "error" for r in records),
        "low_confidence": sum(r.get("confidence") is not None and r["confidence"] < 0.5 for r in records),
        "escalated": sum(r["escalated"] for r in records),
        "feedback_down": sum(r["feedback"] == "down" for r in records),
        "feedback_up": sum(r["feedback"] == "up" for r in records),
        "with_pii": sum(r["request_id"] in planted_ids for r in records),
        "drift": sum(_is_drift(r) for r in records),
    }
    for name, value in measured.items():
        assert rates_run.counts[name] == value, name
    share = {name: value / n for name, value in rates_run.counts.items()}
    assert 0.02 <= share["errors"] <= 0.045
    assert 0.03 <= share["low_confidence"] <= 0.075
    assert 0.01 <= share["escalated"] <= 0.035
    assert 0.025 <= share["feedback_down"] <= 0.06
    assert 0.06 <= share["feedback_up"] <= 0.11
    assert 0.001 <= share["adversarial"] <= 0.012
    assert 0.52 <= share["with_pii"] <= 0.70
    assert 0.08 <= share["drift"] <= 0.18  # a 1-day range: the only day is in the drifted half
    assert 0.02 <= sum(r.get("confidence") is None and r["status"] == "ok" for r in records) / n <= 0.15
    assert {r["error_type"] for r in records if r["status"] == "error"} == {
        "timeout", "rate_limit", "context_length_exceeded", "tool_error", "content_filter"}
    assert any(r["output"] is None for r in records if r["status"] == "error")
    assert {r["metadata"]["channel"] for r in records} == {"web", "mobile", "email"}
    assert all(r["metadata"]["app"] == "support-assistant" for r in records)


def test_adversarial_prompts_are_planted(rates_run: GenerateSummary):
    attacks = [r for r in _records(rates_run) if any(
        m["role"] == "user" and m["content"] in vocab.ADVERSARIAL_PROMPTS for m in r["input"])]
    assert len(attacks) == rates_run.counts["adversarial"] > 0


def test_drift_appears_only_from_the_middle_day(tmp_path: Path):
    summary = generate(tmp_path / "logs", START, days=4, per_day=600, seed=9)
    for index, path in enumerate(summary.files):
        text = path.read_text(encoding="utf-8")
        records = [json.loads(line) for line in text.splitlines()]
        share = sum(_is_drift(r) for r in records) / len(records)
        if index < 2:
            assert share == 0
            assert "Nimbus" not in text and "eSIM" not in text
        else:
            assert 0.07 <= share <= 0.2
            assert any(r["metadata"]["intent"] == vocab.DRIFT_INTENT for r in records)
            assert any(r["metadata"]["product"] == vocab.DRIFT_PRODUCT for r in records)


# --- output options and errors -----------------------------------------------------------------------

def test_gzip_output_is_readable(tmp_path: Path):
    summary = generate(tmp_path / "logs", START, 1, 300, seed=1, gzip=True)
    assert summary.files == [tmp_path / "logs" / "dt=2025-03-01" / "part-00000.jsonl.gz"]
    lines = _read_lines(summary.files[0])
    assert len(lines) == 300
    for line in lines:
        parse_record(json.loads(line))


def test_shards_rotate_and_stale_shards_are_removed(tmp_path: Path):
    out = tmp_path / "logs"
    many = generate(out, START, 1, 250, seed=1, records_per_file=100)
    assert [p.name for p in many.files] == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    sharded = [_read_lines(p) for p in many.files]
    assert [len(lines) for lines in sharded] == [100, 100, 50]
    one = generate(out, START, 1, 250, seed=1)
    assert sorted(p.name for p in (out / "dt=2025-03-01").iterdir()) == ["part-00000.jsonl"]
    assert _read_lines(one.files[0]) == [line for lines in sharded for line in lines]


def test_progress_reports_every_record_in_chunks(tmp_path: Path):
    calls: list[int] = []
    generate(tmp_path / "logs", START, 2, 2500, seed=1, progress=calls.append, write_manifest=False)
    assert sum(calls) == 5000
    assert max(calls) <= 1000


def test_manifest_options(tmp_path: Path):
    custom = tmp_path / "secret" / "manifest.jsonl"
    summary = generate(tmp_path / "logs", START, 1, 50, seed=1, manifest=custom)
    assert summary.manifest == custom and custom.exists()
    skipped = generate(tmp_path / "logs2", START, 1, 50, seed=1, write_manifest=False)
    assert skipped.manifest is None
    assert not (tmp_path / "logs2-pii-manifest.jsonl").exists()


@pytest.mark.parametrize("manifest_name", ["manifest.jsonl", "dt=2025-03-01/manifest.jsonl", "."])
def test_manifest_inside_the_log_root_is_refused(tmp_path: Path, manifest_name: str):
    out = tmp_path / "logs"
    with pytest.raises(ValueError, match="outside"):
        generate(out, START, 1, 10, seed=1, manifest=out / manifest_name)
    assert not out.exists()


@pytest.mark.parametrize("days, per_day, message", [(0, 10, "days"), (1, 0, "per_day"), (-1, 10, "days")])
def test_bad_sizes_are_refused(tmp_path: Path, days: int, per_day: int, message: str):
    with pytest.raises(ValueError, match=message):
        generate(tmp_path / "logs", START, days, per_day, seed=1)


# --- memory ------------------------------------------------------------------------------------------

def test_memory_stays_bounded(tmp_path: Path):
    tracemalloc.start()
    try:
        summary = generate(tmp_path / "logs", START, 1, 50_000, seed=2, records_per_file=20_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.records == 50_000 and len(summary.files) == 3
    assert peak < 6 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB"
