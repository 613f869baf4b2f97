"""Choosing the week's review batch from the categorised candidates.

Reviewers label 10-30 cases a week, so every slot counts: categories take turns (adversarial and
drift first, so they are never crowded out by edge cases), and within a category the cases that
production sees most often come first.
"""

from __future__ import annotations

from collections import defaultdict

from logmine_dagster.categorise import CATEGORIES


def select_batch(candidates: list[dict], *, cap: int, exclude: set[str] = frozenset()) -> list[dict]:
    """`candidates`: dicts with case_id, category, duplicate_count and dedup_key. Returns the chosen
    ones, in order, each with a `priority` (1.0 for the first pick, falling). Candidates that repeat
    an already chosen text (same dedup_key, e.g. from another day of the week) are skipped."""
    by_category: dict[str, list[dict]] = defaultdict(list)
    for candidate in candidates:
        if candidate["case_id"] not in exclude:
            by_category[candidate["category"]].append(candidate)
    for queue in by_category.values():
        queue.sort(key=lambda c: (-int(c.get("duplicate_count") or 1), c.get("day", ""), c["case_id"]))
    chosen: list[dict] = []
    chosen_keys: set[str] = set()
    while len(chosen) < cap and any(by_category.values()):
        for category in CATEGORIES:
            queue = by_category.get(category)
            while queue and len(chosen) < cap:
                candidate = queue.pop(0)
                key = candidate.get("dedup_key")
                if key is not None and key in chosen_keys:
                    continue
                chosen_keys.add(key)
                chosen.append(candidate)
                break
    return [dict(c, priority=round(1.0 - index / max(cap, 1), 4)) for index, c in enumerate(chosen)]
