"""Bad input through the sampler's one-pass scanner: every kind is quarantined with file, line and
reason, the good records survive, and a day with too many bad lines fails only after both are written."""

from __future__ import annotations

import gzip
import json

import dagster as dg
import pytest
import sqlalchemy as sa
import zstandard

from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.ingest.sample_day import TooManyBadLines, check_bad_fraction, sample_day
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples

DAY = "2026-03-02"
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


def _good(request_id: str, **fields) -> dict:
    return {"request_id": request_id, "timestamp": f"{DAY}T10:00:00Z", "user_id": "u1",
            "input": [{"role": "user", "content": "my email is jane.doe@example.com"}], "status": "ok", **fields}


def _line(record) -> bytes:
    return json.dumps(record).encode() + b"\n"


def _write(root, name, data: bytes):
    folder = root / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def _quarantine(db):
    rows = db.fetch_all(sa.select(ingest_quarantine.c.source_file, ingest_quarantine.c.source_line, ingest_quarantine.c.reason))
    return sorted((r["source_file"], r["source_line"], r["reason"]) for r in rows)


def _sampled_ids(db):
    return sorted(r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id)))


def test_every_bad_input_kind_is_quarantined_and_the_good_records_survive(tmp_path, db):
    root = tmp_path / "logs"
    _write(root, "a.jsonl", b"".join([
        _line(_good("a1")),                                            # 1
        b"{not json\n",                                                # 2 malformed
        b'{"request_id": "x", "note": "\xff\xfe"}\n',                  # 3 invalid UTF-8
        _line(_good("big", output="y" * 5000)),                        # 4 oversized
        _line({k: v for k, v in _good("a5").items() if k != "status"}),  # 5 missing field
        _line({"some": "other log"}),                                  # 6 unknown format
        _line(_good("a7", timestamp="2026-03-03T01:00:00Z")),          # 7 another day
        _line(_good("a1")),                                            # 8 duplicate request id
        b"\n",                                                         # 9 blank: skipped, not bad
        _line(_good("a10", confidence=0.2, timestamp="2026-03-02T12:00:00+01:00")),  # 10 good (offset)
        _line(_good("a11", input=[{"role": "wizard", "content": "hi"}])),  # 11 bad message (checked when sampled)
        b"[1, 2]\n",                                                   # 12 not an object
    ]))
    gz_payload = gzip.compress(b"".join(_line(_good(f"g{i}")) for i in range(300)))
    _write(root, "b.jsonl.gz", gz_payload[: len(gz_payload) // 2])
    zst_payload = zstandard.ZstdCompressor().compress(b"".join(_line(_good(f"z{i}")) for i in range(300)))
    _write(root, "c.jsonl.zst", zst_payload[: len(zst_payload) // 2])
    # A 3 MB line with no newline at all: skipped in bounded memory, the next line still read.
    _write(root, "d.jsonl", b"{" + b"x" * 3_000_000 + b"\n" + _line(_good("d2")))

    report = sample_day(db, root, DAY, KEEP_ALL, max_line_bytes=4000)

    quarantined = _quarantine(db)
    by_place = {(f, line): reason for f, line, reason in quarantined}
    a = "dt=2026-03-02/a.jsonl"
    assert by_place[(a, 2)].startswith("malformed JSON")
    assert by_place[(a, 3)] == "not valid UTF-8"
    assert by_place[(a, 4)] == "line longer than 4000 bytes"
    assert by_place[(a, 5)] == "invalid record: missing required field(s): status"
    assert by_place[(a, 6)].startswith("unknown log format")
    assert by_place[(a, 7)] == "timestamp outside its dt= partition"
    assert by_place[(a, 8)] == "duplicate request_id in partition"
    assert by_place[(a, 11)] == "invalid record: input[0].role is missing or unknown"
    assert by_place[(a, 12)].startswith("unknown log format")
    assert (a, 9) not in by_place
    assert by_place[("dt=2026-03-02/d.jsonl", 1)] == "line longer than 4000 bytes"
    gz_break = [(line, r) for f, line, r in quarantined if f.endswith(".gz")]
    zst_break = [(line, r) for f, line, r in quarantined if f.endswith(".zst")]
    assert len(gz_break) == 1 and gz_break[0][1].startswith("unreadable file after line")
    assert len(zst_break) == 1 and zst_break[0][1].startswith("unreadable file after line")
    # Everything read before the break survives, numbered so the break's line is the next one.
    gz_good = [i for i in _sampled_ids(db) if i.startswith("g")]
    assert gz_good and gz_break[0][0] == len(gz_good) + 1
    assert {"a1", "a10", "d2"} <= set(_sampled_ids(db))
    assert report.quarantined == len(quarantined)
    assert all("jane.doe" not in reason for _, _, reason in quarantined)


def test_a_partition_over_the_bad_fraction_fails_naming_the_worst_file_after_writing(tmp_path, db):
    root = tmp_path / "logs"
    _write(root, "good.jsonl", b"".join(_line(_good(f"r{i}")) for i in range(90)))
    _write(root, "mostly-bad.jsonl", b"{broken\n" * 8 + _line(_good("m1")))
    _write(root, "bit-bad.jsonl", b"{broken\n" * 2 + _line(_good("b1")))
    report = sample_day(db, root, DAY, KEEP_ALL)
    check_bad_fraction(report, 0.2)  # 10 bad of 102 lines: under 20%
    with pytest.raises(TooManyBadLines) as error:
        check_bad_fraction(report, 0.05)
    message = str(error.value)
    assert "10 of 102 lines of 2026-03-02 are bad (9.8%, more than the 5.0% allowed)" in message
    assert "the worst file is dt=2026-03-02/mostly-bad.jsonl with 8 bad line(s) and 1 good record(s)" in message
    # Nothing lost: the good records and every quarantine row were committed before the check.
    assert len(_sampled_ids(db)) == 92 and len(_quarantine(db)) == 10


def test_the_asset_fails_the_partition_but_keeps_the_rows(tmp_path, database_url):
    import datetime as dt

    from logmine_dagster.defs.ingest.assets import ingest_assets
    from logmine_dagster.defs.partitions import daily_partitions
    from logmine_dagster.defs.resources import LogmineDatabase, LogSource, MiningPolicy
    from logmine_dagster.storage import Database

    _raw_logs, sampled_logs = ingest_assets(daily_partitions(dt.date(2026, 1, 1)))
    root = tmp_path / "logs"
    _write(root, "part-0.jsonl", b"".join(_line(_good(f"r{i}", status="error")) for i in range(20)) + b"{broken\n" * 5)
    resources = {
        "database": LogmineDatabase(url=database_url),
        "log_source": LogSource(root=str(root)),
        "policy": MiningPolicy(max_bad_fraction=0.1, max_sampled_fraction=1.0),
    }
    with dg.instance_for_test() as instance:
        result = dg.materialize([sampled_logs], partition_key=DAY, resources=resources, instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        text = str(failure.event_specific_data.error.message)
        assert "5 of 25 lines of 2026-03-02 are bad" in text and "dt=2026-03-02/part-0.jsonl" in text
    db = Database(database_url)
    assert len(_sampled_ids(db)) == 20 and len(_quarantine(db)) == 5

    # Under the threshold the same day materialises, with the counts in its metadata.
    resources["policy"] = MiningPolicy(max_bad_fraction=0.5, max_sampled_fraction=1.0)
    with dg.instance_for_test() as instance:
        result = dg.materialize([sampled_logs], partition_key=DAY, resources=resources, instance=instance)
        metadata = result.asset_materializations_for_node("sampled_logs")[0].metadata
    assert metadata["records_scanned"].value == 20 and metadata["lines_quarantined"].value == 5
    counts, settings = metadata["counts"].value, metadata["settings"].value
    assert counts["sampled"]["error"] == 20 and counts["seen"]["error"] == 20
    assert settings["max_bad_fraction"] == 0.5 and counts["excluded"]["ceiling"] == 0 and metadata["records_excluded"].value == 0
    assert settings["max_sampled_fraction"] == 1.0 and settings["max_sampled_records"] == 20


def test_the_record_size_limit_comes_from_the_log_source_or_the_environment(monkeypatch):
    from logmine_dagster.core.config import ConfigError
    from logmine_dagster.defs.resources import LogSource

    assert LogSource().record_limit() == 4 * 1024 * 1024
    monkeypatch.setenv("LOGMINE_MAX_RECORD_BYTES", "65536")
    assert LogSource().record_limit() == 65536
    assert LogSource(max_record_bytes=1000).record_limit() == 1000
    with pytest.raises(ConfigError, match="max_record_bytes must be a whole number greater than 0"):
        LogSource(max_record_bytes=0).record_limit()
