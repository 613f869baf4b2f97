"""The sampler's cheap look at OTLP spans (`formats.span_views`) against the reference path
(`read_partition`, every span built and validated), on days mixing the shapes the cheap look takes
and those it hands back: the same sample and quarantine, except that a span whose lost content shows
no mark of it (no `"parts":[]`) is checked only when the rates draw it, as a canonical line's
messages are."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest.log_reader import read_partition
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.formats.span_views import may_have_lost_content
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy, sample_reasons
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples
from logmine_dagster_tests.ingest.test_formats import DAY, START_NS, _attr

DAY_START_NS = START_NS - 10 * 3600 * 10**9  # midnight UTC of DAY
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)
# The default ceiling (a share of the day's records) binds on these days.
THINNED = SamplingPolicy(rate=0.2, signal_caps={"error": 15, "long_conversation": 10}, max_per_user_per_day=4)
NO_CEILING = SamplingPolicy(rate=0.2, signal_caps={"error": 15, "long_conversation": 10}, max_per_user_per_day=4, max_sampled_fraction=None)
DROPPED_REASON = "LLM span with a message whose content was not captured"


def _message(role: str, text: str | None) -> dict:
    return {"role": role, "parts": [] if text is None else [{"type": "text", "content": text}]}


def _conversation(rng: random.Random, turns: int, dropped: bool, unmarked_loss: bool) -> list[dict]:
    messages = [_message("user" if i % 2 == 0 else "assistant", f"turn {i} about order {rng.randrange(999)} – reçu") for i in range(turns)]
    if dropped:
        messages[0] = _message("user", None)  # as openai-v2 2.4b0 writes a multi-part message
    odd = rng.random()
    if odd < 0.03:
        messages[-1]["parts"].insert(0, "stray")  # a part that is no object: the typed decode hands it back
    elif odd < 0.06 and unmarked_loss:
        messages[0]["parts"] = [{"type": "reasoning", "content": "thinking"}]  # no content part: lost, unmarked
    elif odd < 0.08:
        messages[-1]["role"] = None  # no role: not the assistant's, so it needs a content part
    return messages


def _start(rng: random.Random, i: int) -> int:
    if i % 97 == 0:
        return DAY_START_NS + rng.randrange(2_000_000)  # within the first two milliseconds of the day
    if i % 89 == 0:
        return DAY_START_NS + 86_400 * 10**9 + 5  # the next day: outside the partition
    return DAY_START_NS + rng.randrange(86_400 * 10**9)


def _span(rng: random.Random, i: int, unmarked_loss: bool = True) -> dict:
    shape = rng.random()
    turns = rng.choice([1, 2, 3, 9, 15, 16, 24])
    attributes = [_attr("gen_ai.operation.name", "chat"), _attr("gen_ai.request.model", "gpt-4o-mini")]
    if shape < 0.04:
        attributes = [_attr("gen_ai.operation.name", "execute_tool"), _attr("gen_ai.tool.name", "lookup")]
    elif shape < 0.08:
        attributes = [_attr("openinference.span.kind", "LLM"), _attr("llm.input_messages.0.message.role", "user"),
                      _attr("llm.input_messages.0.message.content", f"question {i}")]
    elif shape < 0.11:
        attributes.append(_attr("gen_ai.input.messages", "[]"))
    else:
        # Half the producers write non-ASCII text as it is, half escape it (json.dumps' default).
        conversation = _conversation(rng, turns, rng.random() < 0.08, unmarked_loss)
        attributes.append(_attr("gen_ai.input.messages", json.dumps(conversation, ensure_ascii=i % 2 == 0)))
        attributes.append(_attr("gen_ai.output.messages", json.dumps([_message("assistant", "done")])))
    if 0.11 <= shape < 0.14:
        attributes.append(_attr("gen_ai.system_instructions", "You are Nova."))
    elif 0.14 <= shape < 0.17:
        # The agent span around the calls carries their conversation too: skipped, not a record.
        attributes[0] = _attr("gen_ai.operation.name", "invoke_agent")
    if rng.random() < 0.05:
        attributes.append(_attr("error.type", "timeout"))
    user = rng.choice([None, "user.id", "enduser.id"])
    if user:
        attributes.append(_attr(user, f"u{rng.randrange(30)}"))
    start = _start(rng, i)
    return {
        "traceId": f"{i:032x}", "spanId": f"{i:016x}", "name": "chat", "attributes": attributes,
        "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 2_000_000),
        "status": {"code": 2 if rng.random() < 0.1 else 1},
    }


def _write(root, spans: list[dict], files: int) -> None:
    folder = root / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for index in range(files):
        part = spans[index::files]
        lines = []
        for start in range(0, len(part), 16):
            scope = {"scope": {"name": "opentelemetry.util.genai.handler"}, "spans": part[start : start + 16]}
            lines.append(json.dumps({"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "s")]}, "scopeSpans": [scope]}]}))
        (folder / f"traces-{index}.json").write_text("\n".join(lines) + "\n")


def _stored(db) -> tuple[dict, list]:
    columns = (raw_samples.c.request_id, raw_samples.c.sample_reasons, raw_samples.c.inclusion_probability,
               raw_samples.c.record_json, raw_samples.c.source_file, raw_samples.c.source_line)
    samples = {r["request_id"]: tuple(r.values()) for r in db.fetch_all(sa.select(*columns))}
    bad = sorted((r["source_file"], r["source_line"], r["reason"]) for r in db.fetch_all(
        sa.select(ingest_quarantine.c.source_file, ingest_quarantine.c.source_line, ingest_quarantine.c.reason)))
    return samples, bad


def _both_paths(db, root, policy, reports: list | None = None):
    fast_report = sample_day(db, root, DAY, policy)
    fast = _stored(db)
    reference_report = sample_day(db, root, DAY, policy, lines=read_partition(root, DAY))
    if reports is not None:
        reports += [fast_report, reference_report]
    return fast, _stored(db)


def _drawn(span: dict, policy) -> bool:
    """Whether the rates draw the span, from its ids, status and number of messages."""
    attrs = {a["key"]: a["value"].get("stringValue") for a in span["attributes"]}
    messages = json.loads(attrs.get("gen_ai.input.messages") or "[]")
    failed = span["status"]["code"] == 2 or "error.type" in attrs
    record = {"request_id": f"{span['traceId']}:{span['spanId']}", "status": "error" if failed else "ok", "input": messages}
    return bool(sample_reasons(record, policy))


def test_keeping_every_span_the_cheap_look_gives_the_same_records_and_quarantine(tmp_path, db):
    rng = random.Random(5)
    _write(tmp_path / "logs", [_span(rng, i) for i in range(600)], files=2)
    (fast_samples, fast_bad), (reference_samples, reference_bad) = _both_paths(db, tmp_path / "logs", KEEP_ALL)
    assert fast_samples == reference_samples and len(fast_samples) > 400
    assert fast_bad == reference_bad
    assert any(DROPPED_REASON in reason for _, _, reason in fast_bad)
    assert any("outside its dt= partition" in reason for _, _, reason in fast_bad)


@pytest.mark.parametrize("policy", [THINNED, NO_CEILING], ids=["ceiling", "no-ceiling"])
def test_thinned_with_marked_loss_only_the_sample_and_the_quarantine_are_the_same(tmp_path, db, policy):
    rng = random.Random(11)
    _write(tmp_path / "logs", [_span(rng, i, unmarked_loss=False) for i in range(1500)], files=3)
    (fast_samples, fast_bad), (reference_samples, reference_bad) = _both_paths(db, tmp_path / "logs", policy)
    assert fast_samples == reference_samples and len(fast_samples) > 50
    # Spans written with `"parts":[]` (openai-v2's lost multi-part message) are quarantined whether
    # drawn or not: the day's bad share, its count of records and the ceiling are exact.
    assert fast_bad == reference_bad and any(DROPPED_REASON in reason for _, _, reason in fast_bad)


@pytest.mark.parametrize("policy", [THINNED, NO_CEILING], ids=["ceiling", "no-ceiling"])
def test_unmarked_lost_content_is_checked_when_drawn_as_canonical_messages_are(tmp_path, db, policy):
    rng = random.Random(11)
    spans = [_span(rng, i) for i in range(1500)]
    _write(tmp_path / "logs", spans, files=3)
    reports = []
    (fast_samples, fast_bad), (reference_samples, reference_bad) = _both_paths(db, tmp_path / "logs", policy, reports)
    fast_report, reference_report = reports
    # Every quarantine row is one the reference has; those it lacks are undrawn spans whose content
    # was lost, which count as scanned records instead.
    missing = Counter(reference_bad) - Counter(fast_bad)
    assert not Counter(fast_bad) - Counter(reference_bad) and sum(missing.values()) >= 5
    undrawn_lossy = Counter()
    for index, span in enumerate(spans):  # `_write`: span i in file i % 3, 16 spans a line
        if "reasoning" in json.dumps(span) and not _drawn(span, policy):
            undrawn_lossy[(f"dt={DAY}/traces-{index % 3}.json", index // 3 // 16 + 1)] += 1
    for (source, line, reason), count in missing.items():
        assert DROPPED_REASON in reason and undrawn_lossy[(source, line)] >= count
    missing = list(missing.elements())
    assert fast_report.scanned == reference_report.scanned + len(missing)
    # Drawn lossy spans are still quarantined: some rows of that reason remain.
    assert any(DROPPED_REASON in reason for _, _, reason in fast_bad)
    if policy.max_sampled_fraction is None:
        assert fast_samples == reference_samples and len(fast_samples) > 50
    else:
        # The ceiling is a share of a count that now includes the undrawn lossy spans: never lower,
        # so the reference's sample is kept whole (each with a ceiling factor at least as high).
        assert fast_report.ceiling >= reference_report.ceiling
        assert set(reference_samples) <= set(fast_samples)
        for request_id, row in reference_samples.items():
            assert fast_samples[request_id][:2] == row[:2] and fast_samples[request_id][3:] == row[3:]
            assert fast_samples[request_id][2] >= row[2]


def test_the_mark_of_lost_content_is_found_in_the_messages_and_in_an_export_line():
    for separators in ((",", ":"), (", ", ": ")):
        messages = json.dumps([{"role": "user", "parts": []}], separators=separators)
        assert may_have_lost_content(messages)
        assert may_have_lost_content(json.dumps({"resourceSpans": [{"v": messages}]}).encode())
    captured = json.dumps([{"role": "user", "parts": [{"type": "text", "content": "hi"}]}])
    assert not may_have_lost_content(captured) and not may_have_lost_content(json.dumps({"v": captured}).encode())


def test_otlp_sample_is_the_same_whatever_the_order_and_split_of_the_files(tmp_path, db):
    rng = random.Random(3)
    spans = [_span(rng, i) for i in range(1200)]
    _write(tmp_path / "logs", spans, files=1)
    first = sample_day(db, tmp_path / "logs", DAY, THINNED)
    by_id = {request_id: row[:3] for request_id, row in _stored(db)[0].items()}
    random.Random(1).shuffle(spans)
    _write(tmp_path / "logs", spans, files=3)
    second = sample_day(db, tmp_path / "logs", DAY, THINNED)
    assert {request_id: row[:3] for request_id, row in _stored(db)[0].items()} == by_id
    assert first.sampled == second.sampled == len(by_id) > 50 and first.by_reason == second.by_reason


def _to_event_mode(spans: list[dict]) -> list[dict]:
    """Move the messages of every other span to a log record (openai-v2's event_only); the records."""
    records = []
    for span in spans[::2]:
        content = [a for a in span["attributes"] if a["key"] in ("gen_ai.input.messages", "gen_ai.output.messages")]
        if content:
            span["attributes"] = [a for a in span["attributes"] if a not in content]
            records.append({"traceId": span["traceId"], "spanId": span["spanId"],
                            "eventName": "gen_ai.client.inference.operation.details", "attributes": content})
    return records


def test_spans_joined_to_their_log_content_are_sampled_as_building_every_record_does(tmp_path, db):
    rng = random.Random(17)
    spans = [_span(rng, i, unmarked_loss=False) for i in range(900)]
    records = _to_event_mode(spans)
    root = tmp_path / "logs"
    _write(root, spans, files=2)
    lines = [json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": records[i : i + 16]}]}]}) for i in range(0, len(records), 16)]
    (root / f"dt={DAY}" / "logs.json").write_text("\n".join(lines) + "\n")
    (fast_samples, fast_bad), (reference_samples, reference_bad) = _both_paths(db, root, THINNED)
    assert fast_samples == reference_samples and fast_bad == reference_bad and len(fast_samples) > 30
    # Keeping every span, the joined records and the quarantine are the same too.
    (fast_samples, fast_bad), (reference_samples, reference_bad) = _both_paths(db, root, KEEP_ALL)
    assert fast_samples == reference_samples and fast_bad == reference_bad and len(fast_samples) > 600


def test_the_day_window_holds_the_start_times_read_as_the_day_without_formatting():
    from logmine_dagster.ingest.formats.span_views import day_window, timestamp_for_draw

    first, last = day_window(DAY)
    assert timestamp_for_draw(first) == timestamp_for_draw(last) == f"{DAY}TZ"
    # Within a millisecond of midnight the exact timestamp is formatted: still the day, not the window.
    assert timestamp_for_draw(str(int(first) - 1)).startswith(f"{DAY}T00:00:00.00")
    assert timestamp_for_draw(str(int(last) + 1)).startswith(f"{DAY}T23:59:59.999")
    assert day_window("1999-12-31") is None  # 18 digits of nanoseconds: no string window


def test_braces_are_counted_alike_in_ascii_and_in_other_text():
    from logmine_dagster.ingest.formats.span_views import brace_count

    for text in ('[{"a": "{x}"}]', '[{"a": "reçu {"}]', '[{"a": "\ud800{"}]', "", "{" * 70):
        assert brace_count(text) == text.count("{")  # a lone surrogate too: never handed to StringZilla
