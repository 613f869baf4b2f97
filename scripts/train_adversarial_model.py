"""Train the shipped adversarial model: one command, fixed seeds, byte-for-byte reproducible.

    python scripts/train_adversarial_model.py [--data-dir ../shared/adversarial] [--search] [--check]

Training rows: `adv_train.jsonl` (in --data-dir), `scripts/adversarial_data/benign_written.jsonl`
(general-assistant prompts written for logmine: adv_train holds few benign rows) and benign
messages of one generated day, `scripts/adversarial_data/indirect_written.jsonl` (planted
instructions in tool results and documents, and benign look-alikes: make_indirect_written.py)
and the generated day's tool results (curation/adversarial_training.py), and the "train" half of
`adv_dev.jsonl` (a fixed split by a hash of the row id, `adversarial_training.dev_half`): its
"holdout" half is never trained or tuned on, and is where benchmarks/bench_curation.py reports.

--search: pick C and the n-gram ranges by 5-fold cross-validation on the training rows (average
precision of the out-of-fold scores), print the grid, and train with the best. Without it, the
parameters recorded in curation/adversarial_training.py (the last search's winner) are used.
--check: rebuild and compare with the shipped file instead of writing it (exit 1 if different).
Prints JSON lines: the grid (with --search), then the out-of-fold numbers and the file's hash.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import average_precision_score  # noqa: E402

from logmine_dagster.curation import adversarial_training as training  # noqa: E402
from logmine_dagster.curation.adversarial_model import MODEL_PATH  # noqa: E402

WRITTEN_BENIGN = ROOT / "scripts" / "adversarial_data" / "benign_written.jsonl"
# Planted instructions in tool results / documents and benign look-alikes (make_indirect_written.py).
WRITTEN_INDIRECT = ROOT / "scripts" / "adversarial_data" / "indirect_written.jsonl"
GRID_C = (1.0, 4.0, 16.0)
GRID_CHAR = ([2, 4], [3, 5])


def default_data_dir() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "adversarial" / "adv_train.jsonl").exists():
            return base / "shared" / "adversarial"
    return ROOT.parent / "shared" / "adversarial"


def training_files(data_dir: Path) -> list[Path]:
    return [data_dir / "adv_train.jsonl", WRITTEN_BENIGN, WRITTEN_INDIRECT]


def search(files: list[Path], dev: Path | None) -> dict:
    rows = training.training_rows(files, dev=dev)
    labels = [row["label"] for row in rows]
    best, best_ap = None, -1.0
    for c in GRID_C:
        for char in GRID_CHAR:
            params = copy.deepcopy(training.DEFAULT_PARAMS)
            params["C"] = c
            params["blocks"][1]["ngram_range"] = char
            ap = average_precision_score(labels, training.out_of_fold_scores(rows, params))
            print(json.dumps({"grid": {"C": c, "char_ngram_range": char}, "oof_average_precision": round(ap, 4)}), flush=True)
            if ap > best_ap + 1e-9:
                best, best_ap = params, ap
    return best


def out_of_fold_report(info: dict) -> dict:
    rows, oof, threshold = info["train_rows"], info["oof"], info["threshold"]
    by_group: dict[str, list[int]] = {}
    for row, score in zip(rows, oof):
        by_group.setdefault(row["group"], []).append(int(score >= threshold))
    tp = sum(1 for r, s in zip(rows, oof) if r["label"] and s >= threshold)
    fp = sum(1 for r, s in zip(rows, oof) if not r["label"] and s >= threshold)
    positives = sum(r["label"] for r in rows)
    return {"rows": info["rows"], "threshold": threshold, "indirect_threshold": info["indirect_threshold"],
            "oof_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0, "oof_recall": round(tp / positives, 4),
            "oof_flagged_rate_by_group": {g: round(sum(v) / len(v), 4) for g, v in sorted(by_group.items())}}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--search", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    files = training_files(args.data_dir)
    dev = args.data_dir / "adv_dev.jsonl"
    params = search(files, dev) if args.search else training.DEFAULT_PARAMS
    data, info = training.train(files, params, dev=dev)
    summary = {"params": params, **out_of_fold_report(info), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if args.check:
        same = args.out.exists() and args.out.read_bytes() == data
        print(json.dumps({**summary, "matches_shipped_file": same}))
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
