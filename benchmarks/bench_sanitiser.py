"""Measure the sanitiser on the shared labelled PII corpus.

Usage (from the repository root): python benchmarks/bench_sanitiser.py [--batch N]

Sanitises every text of ../shared/pii-bench/synth_dev.jsonl, scores the output with the corpus's
own scorer, and prints one JSON line: residual_direct, residual_quasi, docs_leaking_direct,
overmask (all from the scorer) and texts_per_s (sanitising only, engine load excluded).
The sanitised texts go to a temporary file that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # measure this checkout, whatever the environment has installed
BENCH_DIR = REPO_ROOT.parent / "shared" / "pii-bench"
GOLD = BENCH_DIR / "synth_dev.jsonl"
SCORER = BENCH_DIR / "score.py"
REPORTED = ("residual_direct", "residual_quasi", "docs_leaking_direct", "overmask")


def load_gold(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sanitise_all(rows: list[dict], batch: int) -> tuple[list[str], float]:
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    sanitiser = get_sanitiser()
    sanitiser.sanitise_texts(["warm-up so that lazy loading is not timed"])
    texts = [row["text"] for row in rows]
    started = time.perf_counter()
    outputs = []
    for offset in range(0, len(texts), batch):
        outputs.extend(sanitiser.sanitise_texts(texts[offset : offset + batch]))
    return outputs, time.perf_counter() - started


def score(outputs_path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(outputs_path), "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(completed.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64, help="texts per sanitise_texts call")
    args = parser.parse_args()
    if not GOLD.exists() or not SCORER.exists():
        print(f"pii-bench not found at {BENCH_DIR}: this benchmark needs the team's ../shared folder", file=sys.stderr)
        return 2
    rows = load_gold(GOLD)
    outputs, seconds = sanitise_all(rows, args.batch)
    with tempfile.TemporaryDirectory() as tmp:
        outputs_path = Path(tmp) / "sanitised.jsonl"
        with outputs_path.open("w", encoding="utf-8") as handle:
            for row, text in zip(rows, outputs):
                handle.write(json.dumps({"id": row["id"], "text": text}, ensure_ascii=False) + "\n")
        result = score(outputs_path)
    summary = {name: result[name] for name in REPORTED}
    summary["texts_per_s"] = round(len(rows) / seconds, 1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
