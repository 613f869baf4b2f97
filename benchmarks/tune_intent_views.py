"""Grid of the `actions` and `replies` thresholds of curation/intent_views.py on the TUNING part
of benchmarks/data/support_set.jsonl only (the held-out third is never read here).

    python benchmarks/tune_intent_views.py

Prints, per pair of thresholds, the share of reworded repeats and of new topics flagged, and the
pairs that keep new topics >= 0.90 with the fewest repeats flagged. THRESHOLDS were set to the
middle of that region (actions 0.65..0.95 -> 0.8, replies 0..0.25 -> 0.15 on 2026-12-03).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from logmine_dagster.curation.intent_views import THRESHOLDS, IntentIndex, combine, views_of

SUPPORT_SET = Path(__file__).resolve().parent / "data" / "support_set.jsonl"
GRID = [round(0.05 * step, 2) for step in range(20)]


def main() -> None:
    rows = [json.loads(line) for line in open(SUPPORT_SET, encoding="utf-8") if line.strip()]
    index = IntentIndex([views_of(row["record"]) for row in rows if row["role"] == "reference"])
    cases = [row for row in rows if row["role"] == "case" and row["split"] == "tuning"]
    queries = [views_of(row["record"]) for row in cases]
    by_view = index.view_scores(queries)
    allowed = index.may_overrule(queries)
    kinds = {kind: [i for i, row in enumerate(cases) if row["drift_kind"] == kind] for kind in ("paraphrase", "new_topic")}
    results = []
    for actions, replies in itertools.product(GRID, GRID):
        scores = combine(by_view, dict(THRESHOLDS, actions=actions, replies=replies), allowed)
        flagged = {kind: round(sum(scores[i].novel for i in ids) / len(ids), 4) for kind, ids in kinds.items()}
        results.append({"actions": actions, "replies": replies, **flagged})
    feasible = [r for r in results if r["new_topic"] >= 0.9]
    best = min((r["paraphrase"] for r in feasible), default=None)
    print(json.dumps({"tuning_cases": len(cases), "current": THRESHOLDS, "best_paraphrase_flagged": best,
                      "best": [(r["actions"], r["replies"]) for r in feasible if r["paraphrase"] == best]}))


if __name__ == "__main__":
    main()
