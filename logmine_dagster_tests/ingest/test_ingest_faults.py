"""Fault probes on reading a day (issue 18): a line nested past any parser's depth and a symbolic
link in a day folder are each quarantined with a reason, and the rest of the day is still read."""

from __future__ import annotations

import json

import sqlalchemy as sa

from logmine_dagster.ingest.log_reader import BadLine, GoodLine, read_partition
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples

DAY = "2026-03-02"
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


def _good(request_id: str) -> bytes:
    record = {"request_id": request_id, "timestamp": f"{DAY}T10:00:00Z", "user_id": "u1",
              "input": [{"role": "user", "content": "hello"}], "status": "ok"}
    return json.dumps(record).encode() + b"\n"


def _quarantine(db) -> dict:
    rows = db.fetch_all(sa.select(ingest_quarantine.c.source_file, ingest_quarantine.c.source_line, ingest_quarantine.c.reason))
    return {(r["source_file"], r["source_line"]): r["reason"] for r in rows}


def _sampled(db) -> set[str]:
    return {r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id))}


def _deep_lines() -> bytes:
    # Past orjson's limit (1024) and Python's recursion limit; one valid JSON, one broken inside;
    # then a record that parses but nests past what can be stored (orjson writes 255 levels at most).
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    broken = b"[" * 5000 + b"x"
    storable = _good("mid")[:-2] + b', "metadata": ' + b'{"a":' * 300 + b"1" + b"}" * 300 + b"}\n"
    return _good("before") + deep + b"\n" + broken + b"\n" + storable + _good("after")


def test_a_line_nested_too_deep_is_quarantined_and_the_later_lines_are_read(tmp_path, db):
    folder = tmp_path / "logs" / f"dt={DAY}"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(_deep_lines())

    report = sample_day(db, tmp_path / "logs", DAY, KEEP_ALL)

    assert _sampled(db) == {"before", "after"}
    quarantined = _quarantine(db)
    source = f"dt={DAY}/a.jsonl"
    assert quarantined[(source, 2)] == "JSON nested too deep (over 1024 levels)"
    assert quarantined[(source, 3)] == "JSON nested too deep (over 1024 levels)"
    assert quarantined[(source, 4)] == "invalid record: record nested deeper than 100 levels"
    assert len(quarantined) == 3 and report.quarantined == 3


def test_the_simple_reader_also_survives_a_line_nested_too_deep(tmp_path):
    folder = tmp_path / f"dt={DAY}"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(_deep_lines())
    items = list(read_partition(tmp_path, DAY))
    assert [i.record["request_id"] for i in items if isinstance(i, GoodLine)] == ["before", "after"]
    assert [(i.line, i.reason) for i in items if isinstance(i, BadLine)] == [
        (2, "JSON nested too deep (over 1024 levels)"), (3, "JSON nested too deep (over 1024 levels)"),
        (4, "invalid record: record nested deeper than 100 levels")]


def test_a_symlink_in_a_day_folder_is_never_followed(tmp_path, db):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.jsonl").write_bytes(_good("outside"))
    root = tmp_path / "logs"
    folder = root / f"dt={DAY}"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(_good("inside"))
    (folder / "b.jsonl").symlink_to(outside / "secret.jsonl")
    (folder / "c.jsonl").symlink_to(folder / "a.jsonl")  # even one pointing inside the root

    sample_day(db, root, DAY, KEEP_ALL)

    assert _sampled(db) == {"inside"}
    quarantined = _quarantine(db)
    for name in ("b.jsonl", "c.jsonl"):
        assert quarantined[(f"dt={DAY}/{name}", None)] == "symbolic link, not followed (log files must be regular files in their day folder)"
    assert len(quarantined) == 2
    assert [i.reason for i in read_partition(root, DAY) if isinstance(i, BadLine)] == [
        "symbolic link, not followed (log files must be regular files in their day folder)"] * 2


def test_a_symlinked_day_folder_is_never_followed(tmp_path, db):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.jsonl").write_bytes(_good("outside"))
    root = tmp_path / "logs"
    root.mkdir()
    (root / f"dt={DAY}").symlink_to(outside)

    report = sample_day(db, root, DAY, KEEP_ALL)

    assert _sampled(db) == set() and report.files == 0
    assert _quarantine(db) == {(f"dt={DAY}", None): "symbolic link, not followed (log files must be regular files in their day folder)"}
