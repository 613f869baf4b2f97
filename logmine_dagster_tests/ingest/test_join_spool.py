"""The span/log join past its memory bound: waiting spans and log content move to a temporary SQLite
file, and the day joins exactly as it does in memory (the real openai-v2 event-mode fixtures, both
signals in either order, and through `sample_day`)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest import span_join
from logmine_dagster.ingest.join_spool import JoinSpool
from logmine_dagster.ingest.log_reader import scan_partition
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.span_join import SpanContentJoin
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples
from logmine_dagster_tests.ingest.test_otlp_logs import KEEP_ALL, PRODUCERS, _day


class _Watched(SpanContentJoin):
    """Records the most items the join ever held in memory, and whether it went to disk."""

    peak, went_to_disk = 0, False

    def _note(self) -> None:
        self.peak = max(self.peak, self.in_memory)
        self.went_to_disk = self.went_to_disk or self.spooled

    def add(self, item) -> None:
        super().add(item)
        self._note()

    def wait(self, item, source, line) -> None:
        super().wait(item, source, line)
        self._note()


def _scan(root: Path, day: str, join: SpanContentJoin) -> tuple[list, list]:
    records, bad = [], []
    scan_partition(root, day, lambda value, raw, source, line: records.append((source, line, value)),
                   lambda source, line, reason: bad.append((source, line, reason)), join=join)
    return records, bad


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("logs_first", [False, True])
def test_a_spooled_join_gives_what_the_in_memory_join_gives(tmp_path, producer, logs_first):
    names = ["a-logs.jsonl", "b-traces.jsonl"] if logs_first else ["b-logs.jsonl", "a-traces.jsonl"]
    day = _day(tmp_path, {names[0]: f"{producer}.logs.jsonl", names[1]: f"{producer}.jsonl"})
    in_memory = _scan(tmp_path, day, SpanContentJoin())
    watched = _Watched(spool_after=3)
    assert _scan(tmp_path, day, watched) == in_memory
    assert watched.went_to_disk and watched.peak <= 3
    assert len(in_memory[0]) >= 7  # the calls were joined, not all quarantined
    assert not watched.spooled  # finish removed the temporary file


def test_sample_day_with_a_small_bound_stores_the_same_rows(tmp_path, db, monkeypatch):
    producer = "openai-v2-event-only"
    day = _day(tmp_path, {"logs.jsonl": f"{producer}.logs.jsonl", "traces.jsonl": f"{producer}.jsonl"})

    def stored():
        samples = sorted((r["request_id"], r["record_json"]) for r in db.fetch_all(sa.select(raw_samples.c.request_id, raw_samples.c.record_json)))
        return samples, sorted(r["reason"] for r in db.fetch_all(sa.select(ingest_quarantine.c.reason)))

    sample_day(db, tmp_path, day, KEEP_ALL)
    expected = stored()
    monkeypatch.setattr(span_join, "SPOOL_AFTER", 2)
    sample_day(db, tmp_path, day, KEEP_ALL)
    assert stored() == expected and len(expected[0]) >= 7


def test_the_spool_keeps_values_orjson_cannot_write_and_the_join_order():
    spool = JoinSpool()
    try:
        spool.add_content("t:s", {"big": 2**70, "nan": float("nan")}, None)
        spool.add_content("t:s", {"big": 1}, {"name": "gen_ai.choice", "attributes": []})
        for key in ("t:b", "t:a", "t:b"):
            spool.add_waiting(key, {"spanId": key}, {}, "scope", {}, "reason", "f.jsonl", len(key))
        attrs, events = spool.content("t:s")
        assert attrs["big"] == 1 and math.isnan(attrs["nan"]) and events == [{"name": "gen_ai.choice", "attributes": []}]
        assert [key for key, *_ in spool.waiting()] == ["t:b", "t:a"]  # a repeated key keeps its first place
        assert spool.content("t:none") is None
    finally:
        spool.close()
    json.dumps(2**70)  # the stdlib fallback the spool relies on
