"""Throughput of the daily stages on synthetic traffic; prints one JSON line.

    python benchmarks/bench_pipeline.py [--per-day 20000] [--rate 0.005]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path

from logmine_dagster.generator import generate
from logmine_dagster.sampling import SamplingPolicy
from logmine_dagster.stages.curate import categorise_day
from logmine_dagster.stages.sample import sample_day
from logmine_dagster.stages.sanitise import sanitise_day
from logmine_dagster.storage import Database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-day", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=0.005)
    args = parser.parse_args()
    day = dt.date(2026, 3, 2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "logs"
        started = time.perf_counter()
        generate(root, day, 1, args.per_day, 1, write_manifest=False)
        generated = time.perf_counter()
        db = Database(f"sqlite:///{tmp}/bench.db")
        sample = sample_day(db, root, day.isoformat(), SamplingPolicy(rate=args.rate))
        sampled = time.perf_counter()
        from logmine_dagster.sanitise.sanitiser import get_sanitiser

        sanitiser = get_sanitiser()
        sanitiser.sanitise_texts(["warm up the model"])
        loaded = time.perf_counter()
        sanitised = sanitise_day(db, sanitiser, b"benchmark-key-0123456789", day.isoformat())
        done_sanitise = time.perf_counter()
        curated = categorise_day(db, day.isoformat())
        done = time.perf_counter()
    print(
        json.dumps(
            {
                "records": args.per_day,
                "generate_records_per_s": round(args.per_day / (generated - started)),
                "sample_records_per_s": round(sample.scanned / (sampled - generated)),
                "sampled": sample.sampled,
                "sanitise_records_per_s": round(sanitised.read / (done_sanitise - loaded), 1),
                "sanitised": sanitised.written,
                "refused_by_gate": sanitised.quarantined,
                "categorise_records_per_s": round(curated.read / max(done - done_sanitise, 1e-9)),
                "candidates": curated.kept,
                "model_load_s": round(loaded - sampled, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
