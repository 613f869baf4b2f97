"""The closing table of issue 14: library x encoding -> LLM calls / records / exact / quarantined.

Every fixture day written by the real instrumentation libraries (scripts/make_otel_fixtures.py) is
laid out in each encoding the Collector's file exporter (or a compressing shipper) writes, and sampled
by `sample_day` with every record kept, into a throw-away SQLite database: the production path, span
views included. "exact" counts the calls whose record holds the messages the app sent and what it got
back (the same check as the fixture tests).

    PYTHONPATH=$PWD python scripts/otel_fixture_table.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
import zstandard

from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples

FIXTURES = Path(__file__).resolve().parents[1] / "logmine_dagster_tests" / "ingest" / "fixtures" / "otel"
LIBRARIES = {
    "openinference": "OpenInference",
    "openllmetry-0.62": "OpenLLMetry 0.62",
    "openllmetry-0.47": "OpenLLMetry 0.47",
    "openai-v2-span-only": "openai-v2 span_only",
    "openai-v2-event-only": "openai-v2 event_only (spans + logs)",
    "openai-v2-legacy-events": "openai-v2 legacy events (spans + logs)",
    "openai-v2-no-content": "openai-v2, content capture off",
}
# encoding -> (fixture suffix or how the JSON lines are packed, the file's name in the day folder)
ENCODINGS = {
    "json lines": ("jsonl", "{signal}.jsonl"),
    "json lines .gz": ("gz", "{signal}.jsonl.gz"),
    "json lines .zst": ("zst", "{signal}.jsonl.zst"),
    "collector json + zstd": ("collector-json-zstd.json", "{signal}.json.zst"),
    "collector proto": ("collector-proto.pb", "{signal}.pb"),
    "collector proto + zstd": ("collector-proto-zstd.pb", "{signal}.pb"),
    "collector json, native zstd": ("collector-native-zstd.json", "{signal}.json"),
    "collector proto, native zstd": ("collector-native-zstd-proto.pb", "{signal}.pb"),
}
KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


def _bytes(stem: str, how: str) -> bytes | None:
    if how in ("jsonl", "gz", "zst"):
        lines = (FIXTURES / f"{stem}.jsonl").read_bytes()
        return {"jsonl": lines, "gz": gzip.compress(lines), "zst": zstandard.ZstdCompressor().compress(lines)}[how]
    path = FIXTURES / f"{stem}.{how}"
    return path.read_bytes() if path.exists() else None


def _exact(record: dict, call: dict) -> bool:
    if record["input"] != call["messages"] or record["status"] != call["status"]:
        return False
    if call.get("output_tool_calls"):
        return json.loads(record["output"]) == call["output_tool_calls"] and record["metadata"].get("output_kind") == "tool_calls"
    return record["output"] == call["output"]


def measure(library: str, encoding: str, tmp: Path) -> dict | None:
    expected = json.loads((FIXTURES / f"{library}.expected.json").read_text())
    how, name = ENCODINGS[encoding]
    folder = tmp / library / encoding.replace(" ", "_").replace(",", "").replace("+", "") / "logs" / f"dt={expected['day']}"
    folder.mkdir(parents=True)
    traces = _bytes(library, how)
    if traces is None:
        return None
    (folder / name.format(signal="traces")).write_bytes(traces)
    if (FIXTURES / f"{library}.logs.jsonl").exists():
        (folder / name.format(signal="logs")).write_bytes(_bytes(f"{library}.logs", how))
    db = Database(f"sqlite:///{folder.parent.parent}/table.db")
    try:
        report = sample_day(db, folder.parent, expected["day"], KEEP_ALL)
        records = [json.loads(r["record_json"]) for r in db.fetch_all(sa.select(raw_samples.c.record_json))]
    finally:
        db.dispose()
    calls = expected["calls"]
    exact = sum(any(_exact(record, call) for record in records) for call in calls)
    return {"library": LIBRARIES[library], "encoding": encoding, "calls": len(calls), "records": len(records),
            "exact": exact, "quarantined": report.quarantined}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true", help="one JSON object a row instead of a Markdown table")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for library in LIBRARIES:
            for encoding in ENCODINGS:
                row = measure(library, encoding, Path(tmp))
                if row is not None:
                    rows.append(row)
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print("| library | encoding | calls | records | exact | quarantined |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['library']} | {row['encoding']} | {row['calls']} | {row['records']} | {row['exact']} | {row['quarantined']} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
