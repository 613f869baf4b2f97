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
