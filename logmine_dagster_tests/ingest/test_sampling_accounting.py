"""A record the rates drew but that turns out unusable is a bad line, never a scanned record: the
day's counts (and so its inclusion probabilities' denominators) hold only records that could be kept.

Written for mutants of ingest/sampling.py that survived scripts/mutation_score.py."""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.sampling import SamplingPolicy
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples
from logmine_dagster_tests.ingest.test_ingest_sampling import DAY, UNCAPPED, _records, _write_day


def test_a_drawn_record_with_a_non_string_user_is_a_bad_line_not_a_scanned_record(tmp_path, db):
    records = _records(6)
    records[2]["user_id"] = 4242  # line 3 of the only file
    _write_day(tmp_path / "logs", records)
    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=None)
    report = sample_day(db, tmp_path / "logs", DAY, policy)

    stored = {r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id))}
    assert stored == {r["request_id"] for r in records} - {records[2]["request_id"]}
    [bad] = db.fetch_all(sa.select(ingest_quarantine))
    assert (bad["source_line"], bad["reason"]) == (3, "invalid record: user_id is not a string")
    assert bad["source_file"].endswith("part-0.jsonl")
    assert report.scanned == 5 and report.sampled == 5 and report.quarantined == 1
    assert sum(report.scanned_by_file.values()) == 5 and sum(report.bad_by_file.values()) == 1


def test_a_drawn_mapped_record_that_cannot_be_stored_as_json_is_a_bad_line_with_its_reason(tmp_path, db):
    from logmine_dagster.ingest.log_reader import GoodLine

    records = _records(4)
    deep: list = []
    for _ in range(300):  # orjson stores at most 255 levels
        deep = [deep]
    records[1]["metadata"] = {"trace": deep}
    records[2]["metadata"] = {"sent_at": {1, 2}}  # a mapper's set: not JSON
    lines = [GoodLine("mapped.jsonl", index + 1, record) for index, record in enumerate(records)]
    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=None)
    sample_day(db, tmp_path / "logs", DAY, policy, lines=lines)

    bad = sorted((r["source_file"], r["source_line"], r["reason"]) for r in db.fetch_all(sa.select(ingest_quarantine)))
    assert bad == [("mapped.jsonl", 2, "invalid record: nested too deep to store"),
                   ("mapped.jsonl", 3, "invalid record: holds values that are not JSON")]
    stored = {r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id))}
    assert stored == {records[0]["request_id"], records[3]["request_id"]}


def test_a_selected_record_failing_full_validation_leaves_its_files_scanned_count(tmp_path, db):
    records = _records(6)
    records[1]["input"] = [{"role": "wizard", "content": "hi"}]  # checked only once selected
    records[4]["request_id"] = records[3]["request_id"]  # the duplicate is found when selected too
    _write_day(tmp_path / "logs", records)
    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=None)
    report = sample_day(db, tmp_path / "logs", DAY, policy)

    assert report.sampled == 4 and report.scanned == 4 and report.quarantined == 2
    assert dict(report.scanned_by_file) == {f"dt={DAY}/part-0.jsonl": 4}


def _otlp_day(root, spans: list[dict]) -> None:
    """One export file, one span per line (so a bad span's line number names it)."""
    import json

    from logmine_dagster_tests.ingest.test_formats import DAY as OTLP_DAY, _attr

    folder = root / f"dt={OTLP_DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "s")]},
                                            "scopeSpans": [{"scope": {"name": "opentelemetry.util.genai.handler"}, "spans": [span]}]}]})
             for span in spans]
    (folder / "traces-0.json").write_text("\n".join(lines) + "\n")


def _chat_span(index: int, lost: bool, failed: bool) -> dict:
    import json

    from logmine_dagster_tests.ingest.test_formats import START_NS, _attr

    # Lost content without the mark the cheap look parses for (`"parts":[]`): only a drawn span is checked.
    parts = [{"type": "reasoning", "content": "thinking"}] if lost else [{"type": "text", "content": f"where is order {index}?"}]
    attributes = [_attr("gen_ai.operation.name", "chat"), _attr("gen_ai.request.model", "gpt-4o-mini"),
                  _attr("gen_ai.input.messages", json.dumps([{"role": "user", "parts": parts}])),
                  _attr("gen_ai.output.messages", json.dumps([{"role": "assistant", "parts": [{"type": "text", "content": "done"}]}]))]
    if failed:
        attributes.append(_attr("error.type", "timeout"))
    start = START_NS + index * 10**9
    return {"traceId": f"{index:032x}", "spanId": f"{index:016x}", "name": "chat", "attributes": attributes,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 2_000_000), "status": {"code": 1}}


def test_a_drawn_span_whose_messages_were_not_all_captured_is_a_bad_line_and_gives_back_its_counts(tmp_path, db):
    from logmine_dagster_tests.ingest.test_formats import DAY as OTLP_DAY

    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=None)
    # Line 2 lost a message's content; it is the day's only failed call, or one of two.
    for other_failed, errors_left in ((False, None), (True, 1)):
        root = tmp_path / f"logs-{other_failed}"
        _otlp_day(root, [_chat_span(1, lost=False, failed=other_failed), _chat_span(2, lost=True, failed=True)])
        report = sample_day(db, root, OTLP_DAY, policy)

        [bad] = db.fetch_all(sa.select(ingest_quarantine))
        assert bad["source_file"].endswith("traces-0.json")
        assert (bad["source_line"], bad["reason"]) == (2, "LLM span with a message whose content was not captured (input[0]; the instrumentation dropped it)")
        stored = [r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id))]
        assert stored == [f"{1:032x}:{1:016x}"]
        assert report.scanned == 1 and report.sampled == 1 and report.quarantined == 1
        assert list(report.scanned_by_file.values()) == [1] and list(report.bad_by_file.values()) == [1]
        # The bad span's signals are no longer seen; a signal it alone showed is gone, not left at 0.
        assert dict(report.signal_seen).get("error") == errors_left


def test_a_lost_span_gives_back_one_scanned_record_not_the_files_count(tmp_path, db):
    from logmine_dagster_tests.ingest.test_formats import DAY as OTLP_DAY

    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=None)
    _otlp_day(tmp_path / "logs", [_chat_span(1, lost=False, failed=False), _chat_span(2, lost=False, failed=False),
                                  _chat_span(3, lost=True, failed=True)])
    report = sample_day(db, tmp_path / "logs", OTLP_DAY, policy)
    assert (report.scanned, report.sampled, report.quarantined) == (2, 2, 1)
    assert list(report.scanned_by_file.values()) == [2]
