"""What logmine's sanitiser still leaves readable on the shared PII corpus, by entity type.

Usage (from the repository root):
    python benchmarks/leaks_sanitise.py            # leaked characters and documents per type
    python benchmarks/leaks_sanitise.py --show     # also each leaked value with its context, on stdout

A diagnostic for improving recall: it runs the sanitiser over the tuning part of
../shared/pii-bench/synth_dev.jsonl (`bench_sanitise.part_of`; the held-out part is for judging, not
for reading: `--part held_out` exists to count, use it without `--show`) and applies the corpus's own rule (score.py): a labelled token has leaked when the output holds it more
often than the input holds it outside labelled spans. `--show` prints corpus text (synthetic, from
presidio-research) to the terminal only: never paste its output into commits, issues or logs.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import logging
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sanitise import BENCH_DIR, GOLD, PARTS, part_of  # noqa: E402

CONTEXT = 50


def load_scorer():
    spec = importlib.util.spec_from_file_location("pii_bench_score", BENCH_DIR / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each leaked value with its context")
    parser.add_argument("--part", choices=PARTS, default="tuning", help="which part of the corpus")
    parser.add_argument("--all-types", action="store_true", help="quasi-identifiers too, not only direct ones")
    args = parser.parse_args()
    if not GOLD.exists():
        print(f"pii-bench not found at {BENCH_DIR}", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)
    scorer = load_scorer()
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    rows = [json.loads(line) for line in GOLD.open(encoding="utf-8") if line.strip()]
    rows = [row for row in rows if part_of(row["id"]) == args.part]
    if args.show and args.part != "tuning":
        print("--show reads only the tuning part: the held-out part is for judging", file=sys.stderr)
        return 2
    sanitiser = get_sanitiser()
    outputs = []
    for offset in range(0, len(rows), 64):
        outputs.extend(sanitiser.sanitise_texts([row["text"] for row in rows[offset : offset + 64]]))

    total = collections.Counter()
    leaked = collections.Counter()
    documents = collections.defaultdict(set)
    shown = collections.defaultdict(list)
    for row, output in zip(rows, outputs):
        background = scorer.outside_spans(row["text"], row["spans"])
        for span in row["spans"]:
            if not args.all_types and span["type"] not in scorer.DIRECT:
                continue
            value = row["text"][span["start"] : span["end"]]
            tokens = scorer.tokens(value)
            lost = [t for t in tokens if scorer.count_word(t, output) > scorer.count_word(t, background)]
            total[span["type"]] += sum(map(len, tokens))
            if lost:
                leaked[span["type"]] += sum(map(len, lost))
                documents[span["type"]].add(row["id"])
                if args.show:
                    before = row["text"][max(0, span["start"] - CONTEXT) : span["start"]]
                    shown[span["type"]].append((row["id"], before, value, lost))
    for entity_type in sorted(total, key=lambda t: -leaked[t]):
        share = leaked[entity_type] / total[entity_type] if total[entity_type] else 0.0
        print(f"{entity_type:20} leaked {leaked[entity_type]:5} of {total[entity_type]:6} chars ({share:.4f}) in {len(documents[entity_type])} docs")
        for doc_id, before, value, lost in shown[entity_type]:
            print(f"    {doc_id}: ...{before!r} [{value!r}] leaked {lost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
