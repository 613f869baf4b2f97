"""Throughput and memory of the synthetic traffic generator.

Usage: python benchmarks/bench_generator.py [--records 200000] [--days 2] [--gzip] [--tracemalloc]

Prints one JSON line. Peak RSS covers the whole process (interpreter and imports included); the
tracemalloc peak (opt-in, it slows the run about 3x) is what the generator itself allocates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from logmine_dagster.generator import generate


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def _directory_mb(root: Path) -> float:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    per_day = max(1, args.records // args.days)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "logs"
        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        summary = generate(out, dt.date(2025, 1, 1), args.days, per_day, seed=42, gzip=args.gzip)
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] / 1e6 if args.tracemalloc else None
        result = {
            "records": summary.records,
            "seconds": round(seconds, 2),
            "records_per_s": round(summary.records / seconds),
            "gzip": args.gzip,
            "output_mb": round(_directory_mb(out), 1),
            "manifest_mb": round(summary.manifest.stat().st_size / 1e6, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "tracemalloc_peak_mb": None if traced_peak is None else round(traced_peak, 2),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
