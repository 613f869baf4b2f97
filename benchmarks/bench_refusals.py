"""The residual gate's refusal rate on one generated day of support traffic, by conversation outcome.

    python benchmarks/bench_refusals.py [--records 400] [--seed 7]
    python benchmarks/bench_refusals.py --corpus support [--records 300] [--seed 11]

Generates one day with logmine's generator (support conversations with customer-profile lookups, order
and outage tools, errors, thumbs-down and escalations), stores every record of it as a raw sample (no
sampling: every record is sanitised), runs `sanitise_day` with the real sanitiser and prints one JSON
line: the same `refusals_by_outcome` summary the `sanitised_samples` asset puts in its metadata, plus
the refusal reasons (kinds and fields, never text). Issue 13's target: refused_share <= 0.02, and no
more on failed conversations than on successful ones.

`--corpus support` runs `profile_traffic` instead: tau-bench-shaped airline and retail conversations
with customer-profile lookups, written apart from the sanitiser and split by id hash into a tuning and
a held-out part. Its line adds, per split, the refused share by outcome, planted personal values left
readable in any non-raw table (`residual_values`, by kind) and the share of non-personal values
masked (`overmask`; see `profile_score`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--corpus", choices=("generator", "support"), default="generator")
    args = parser.parse_args()
    if args.corpus == "support":
        sys.path.insert(0, str(REPO / "benchmarks"))
        from profile_score import profile_score

        started = time.process_time()
        result = profile_score(args.records if args.records != 400 else 300, 11 if args.seed is None else args.seed)
        print(json.dumps({"corpus": "support", **result, "cpu_s": round(time.process_time() - started, 1)}))
        return 0
    args.seed = 7 if args.seed is None else args.seed

    import sqlalchemy as sa

    from logmine_dagster.generator import generate
    from logmine_dagster.sanitise.refusals import refusal_summary
    from logmine_dagster.sanitise.sanitise_day import sanitise_day
    from logmine_dagster.sanitise.sanitiser import get_sanitiser
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import raw_samples, sanitiser_quarantine

    day = dt.date(2026, 11, 16)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        generate(folder / "logs", day, days=1, per_day=args.records, seed=args.seed, write_manifest=False)
        db = Database(f"sqlite:///{folder / 'logmine.db'}")
        now = dt.datetime.now(dt.timezone.utc)
        rows = []
        for path in sorted((folder / "logs").rglob("*.jsonl")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                if line.strip():
                    record = json.loads(line)
                    rows.append({"day": day.isoformat(), "request_id": record["request_id"], "sample_reasons": "random",
                                 "record_json": line, "source_file": path.name, "source_line": number, "sampled_at": now})
        with db.transaction() as conn:
            conn.execute(raw_samples.insert(), rows)
        started = time.process_time()
        report = sanitise_day(db, get_sanitiser(), b"bench-refusals-key", day.isoformat())
        cpu_s = time.process_time() - started
        reasons = sorted(r["reason"] for r in db.fetch_all(sa.select(sanitiser_quarantine.c.reason)))
        db.dispose()
    summary = refusal_summary(report.read_by_outcome, report.refused_by_outcome)
    print(json.dumps({"records": report.read, "refusals_by_outcome": summary, "reasons": reasons, "cpu_s": round(cpu_s, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
