"""Every format goes through the sampler's one-pass scanner to the same raw_samples rows as our own
JSONL (the reader-level equivalence is in test_formats)."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import zstandard

from logmine_dagster.ingest.formats.mapped import validate_mapping
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.storage.schema import raw_samples
from logmine_dagster_tests.ingest.test_formats import CALLS, DAY, KEYS, MAPPING, _canonical, _export, mapped, openinference, otlp_current, otlp_v136

KEEP_ALL = SamplingPolicy(rate=1.0, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


def _write(root, name, data: bytes):
    folder = root / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def _rows(db):
    rows = db.fetch_all(sa.select(raw_samples.c.record_json, raw_samples.c.sample_reasons, raw_samples.c.inclusion_probability))
    out = []
    for row in sorted(rows, key=lambda r: json.loads(r["record_json"])["request_id"]):
        record = json.loads(row["record_json"])
        out.append(({k: record[k] for k in KEYS}, row["sample_reasons"], row["inclusion_probability"]))
    return out


CANONICAL = b"".join(json.dumps(_canonical(c)).encode() + b"\n" for c in CALLS)


def _parquet(root):
    rows = [dict(_canonical(c), input=json.dumps(_canonical(c)["input"])) for c in CALLS]
    (root / f"dt={DAY}").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), root / f"dt={DAY}" / "part-0.parquet")


LAYOUTS = {
    "jsonl": lambda root: _write(root, "a.jsonl", CANONICAL),
    "gzip": lambda root: _write(root, "a.jsonl.gz", gzip.compress(CANONICAL)),
    "gzip-multi-member": lambda root: _write(root, "a.jsonl.gz", b"".join(gzip.compress(line + b"\n") for line in CANONICAL.splitlines())),
    "zstd": lambda root: _write(root, "a.jsonl.zst", zstandard.ZstdCompressor().compress(CANONICAL)),
    "parquet": _parquet,
    "otlp-current": lambda root: _write(root, "s.jsonl", json.dumps(_export([otlp_current(c) for c in CALLS])).encode() + b"\n"),
    "otlp-v1.36": lambda root: _write(root, "s.jsonl", json.dumps(_export([otlp_v136(c) for c in CALLS])).encode() + b"\n"),
    "openinference": lambda root: _write(root, "s.jsonl", json.dumps(_export([openinference(c) for c in CALLS])).encode() + b"\n"),
}


@pytest.fixture
def canonical_rows(tmp_path, db):
    LAYOUTS["jsonl"](tmp_path / "reference")
    sample_day(db, tmp_path / "reference", DAY, KEEP_ALL)
    rows = _rows(db)
    assert [r[1] for r in rows] == ["base_rate", "error,base_rate"]
    return rows


@pytest.mark.parametrize("layout", [k for k in LAYOUTS if k != "jsonl"])
def test_each_format_samples_to_the_same_rows(tmp_path, db, canonical_rows, layout):
    LAYOUTS[layout](tmp_path / layout)
    report = sample_day(db, tmp_path / layout, DAY, KEEP_ALL)
    assert report.quarantined == 0
    assert _rows(db) == canonical_rows


def test_mapped_json_samples_to_the_same_rows(tmp_path, db, canonical_rows):
    _write(tmp_path / "mapped", "app.jsonl", b"".join(json.dumps(mapped(c)).encode() + b"\n" for c in CALLS))
    sample_day(db, tmp_path / "mapped", DAY, KEEP_ALL, fmt="mapped", mapping=validate_mapping(MAPPING))
    assert _rows(db) == canonical_rows
