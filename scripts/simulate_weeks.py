"""Simulate weeks of production: generated traffic through the real pipeline, review decisions imported
through the review import path, a release published each week, then `logmine evalset stats`.

    python scripts/simulate_weeks.py --workdir /tmp/logmine-sim --weeks 6 --per-day 60

Everything (logs, SQLite database, Dagster instance) lives in --workdir, which should be new or a
previous simulation's folder. Takes a few minutes on 2 cores at the default volumes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run this checkout, whatever is installed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="Folder for logs, database and Dagster instance.")
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--per-day", type=int, default=60, help="Generated records per day.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic-week", type=int, default=2, help="Week in which an admin imports synthetic cases (0: never).")
    args = parser.parse_args()
    if args.weeks < 1 or args.per_day < 10:
        parser.error("--weeks must be at least 1 and --per-day at least 10")

    from logmine_dagster.cli.demo import simulate_weeks

    simulate_weeks(args.workdir, weeks=args.weeks, per_day=args.per_day, seed=args.seed, synthetic_week=args.synthetic_week or None)


if __name__ == "__main__":
    main()
