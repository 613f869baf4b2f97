"""Choosing the week's review batch from the categorised candidates.

Reviewers label 10-30 cases a week, so every slot counts:

- Quotas. Each category gets a share of the cap (`DEFAULT_QUOTAS`), and adversarial and drift keep
  at least one slot whenever they have candidates (`MIN_SLOTS`). Slots a category cannot fill go to
  the others, so the batch is always as full as the pool allows.
- Order. Categories take turns (adversarial and drift first); within a category the case with the
  highest priority comes first. Priority adds severity (how serious the reasons are), frequency
  (how often production saw the cluster this week, log-scaled) and novelty (the candidate's
  novelty score against the eval set and the weeks before, see curation/novelty.py; without a
  score: new unless it repeats an earlier week's case).
- Never twice. Candidates in `exclude` (decided or queued in another week) are skipped, and so are
  candidates the curate stage found to repeat an eval case or a decided or queued case
  (`near_dup:eval_case|decided|queued` reasons). A cluster (one `dedup_key`) is chosen at most once
  a week, whichever day it appeared on.
- Coverage. A candidate in a production failure cluster no eval case covers (`uncovered_cluster`, set
  by curation/coverage_feed.py from the eval_coverage asset's last measure) gains `UNCOVERED_WEIGHT`:
  what the eval set cannot catch yet is what reviewers should label next.

`plan_batch` returns the chosen cases with a `why` each and the quota table; `select_batch` keeps
the original interface and returns just the chosen cases.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from logmine_dagster.curation.categorise import CATEGORIES

DEFAULT_QUOTAS = {"adversarial": 0.2, "drift": 0.2, "edge_case": 0.4, "happy_path": 0.2}
MIN_SLOTS = {"adversarial": 1, "drift": 1}
NOVELTY_WEIGHT = 1.0  # a novel case gains as much as one doubling of its frequency
UNCOVERED_WEIGHT = 3.0  # as much as the most severe reason: an uncovered failure goes to the front of its category
COVERED_REASONS = frozenset({"near_dup:eval_case", "near_dup:decided", "near_dup:queued"})

# Severity of reason codes (prefix match, the first matching prefix wins); unknown codes weigh 0.
SEVERITY = (
    ("adversarial:data_exfiltration", 3.0),
    ("adversarial:indirect_injection", 3.0),
    ("adversarial:system_prompt_extraction", 2.5),
    ("adversarial:prompt_injection", 2.5),
    ("adversarial:abuse", 2.5),
    ("adversarial:jailbreak", 2.0),
    ("adversarial:model", 2.0),  # the trained detector alone: as severe as the least severe named family
    ("adversarial:pressure", 1.5),  # talking the agent out of a policy: no attack on the model itself
    ("drift:new_model", 2.0),
    ("drift:new_", 1.5),
    ("edge:error:content_filter", 1.5),
    ("edge:error:", 1.0),
    ("edge:tool_failure", 1.0),
    ("edge:escalated", 1.5),
    ("edge:handoff", 1.5),  # the conversation says it was handed over, as edge:escalated records
    ("edge:policy_refusal", 1.0),
    ("edge:unresolved", 1.0),
    ("edge:asks_", 1.0),
    ("edge:repeated_request", 1.0),
    ("edge:negative_feedback", 1.5),
    ("edge:low_confidence", 1.0),
    ("edge:non_english", 1.0),
    ("edge:structure", 0.5),
    ("edge:very_", 0.5),
)


def candidate_novelty(candidate: dict, reasons: list[str]) -> float:
    """The stored novelty score (0..1); rows without one (no history yet, or written before the
    score existed) count as new unless they repeat an earlier week's case."""
    value = candidate.get("novelty")
    if value is not None:
        return min(max(float(value), 0.0), 1.0)
    return 0.0 if "near_dup:earlier" in reasons else 1.0


def severity(reasons: str | list[str]) -> float:
    codes = reasons.split(",") if isinstance(reasons, str) else reasons
    total = 0.0
    for code in codes:
        for prefix, weight in SEVERITY:
            if code.startswith(prefix):
                total += weight
                break
    return total


@dataclass
class BatchPlan:
    chosen: list[dict]
    quota_table: list[dict] = field(default_factory=list)  # per category: share, available, slots, chosen
    skipped_covered: int = 0
    skipped_repeat: int = 0


def _quota_slots(available: dict[str, int], cap: int, quotas: dict[str, float], min_slots: dict[str, int]) -> dict[str, int]:
    """Slots per category: the share of the cap (at least the minimum) capped by what is available,
    then leftover slots handed out in category order to categories with candidates left."""
    total_share = sum(quotas.get(c, 0.0) for c in CATEGORIES) or 1.0
    slots = {}
    for category in CATEGORIES:
        want = math.floor(cap * quotas.get(category, 0.0) / total_share)
        if available.get(category, 0):
            want = max(want, min_slots.get(category, 0))
        slots[category] = min(want, available.get(category, 0))
    # Minimums may overshoot a tiny cap: trim from the categories without a minimum, last first.
    for category in reversed(CATEGORIES):
        while sum(slots.values()) > cap and slots[category] > 0 and not min_slots.get(category):
            slots[category] -= 1
    for category in reversed(CATEGORIES):
        while sum(slots.values()) > cap and slots[category] > 0:
            slots[category] -= 1
    leftover = cap - sum(slots.values())
    while leftover > 0:
        progressed = False
        for category in CATEGORIES:
            if leftover and slots[category] < available.get(category, 0):
                slots[category] += 1
                leftover -= 1
                progressed = True
        if not progressed:
            break
    return slots


def plan_batch(
    candidates: list[dict],
    *,
    cap: int,
    exclude: set[str] = frozenset(),
    quotas: dict[str, float] | None = None,
    min_slots: dict[str, int] | None = None,
) -> BatchPlan:
    """`candidates`: dicts with case_id, category, duplicate_count, dedup_key, and optionally reasons and day."""
    quotas = DEFAULT_QUOTAS if quotas is None else quotas
    min_slots = MIN_SLOTS if min_slots is None else min_slots
    plan = BatchPlan(chosen=[])
    week_count: dict[str, int] = defaultdict(int)
    for candidate in candidates:
        week_count[candidate.get("dedup_key") or candidate["case_id"]] += int(candidate.get("duplicate_count") or 1)

    by_category: dict[str, list[dict]] = defaultdict(list)
    for candidate in candidates:
        if candidate["case_id"] in exclude:
            continue
        reasons = [r for r in (candidate.get("reasons") or "").split(",") if r]
        if COVERED_REASONS.intersection(reasons):
            plan.skipped_covered += 1
            continue
        key = candidate.get("dedup_key") or candidate["case_id"]
        frequency = week_count[key]
        novelty = candidate_novelty(candidate, reasons)
        score = severity(reasons) + math.log2(1 + frequency) + NOVELTY_WEIGHT * novelty
        if candidate.get("uncovered_cluster"):
            score += UNCOVERED_WEIGHT
        by_category[candidate["category"]].append(
            dict(candidate, _score=score, _frequency=frequency, _novelty=novelty, _severity=severity(reasons))
        )
    # One per cluster: keep the best-scoring member of each dedup_key within its category queue.
    available: dict[str, int] = {}
    for category, queue in by_category.items():
        queue.sort(key=lambda c: (-c["_score"], -int(c.get("duplicate_count") or 1), c.get("day", ""), c["case_id"]))
        available[category] = len({c.get("dedup_key") or c["case_id"] for c in queue})
    slots = _quota_slots(available, cap, quotas, min_slots)

    chosen: list[dict] = []
    chosen_keys: set[str] = set()
    taken: dict[str, int] = defaultdict(int)
    while len(chosen) < cap:
        progressed = False
        for category in CATEGORIES:
            queue = by_category.get(category)
            if not queue or taken[category] >= slots.get(category, 0) or len(chosen) >= cap:
                continue
            while queue:
                candidate = queue.pop(0)
                key = candidate.get("dedup_key")
                if key is not None and key in chosen_keys:
                    plan.skipped_repeat += 1
                    continue
                chosen_keys.add(key)
                taken[category] += 1
                chosen.append(candidate)
                progressed = True
                break
        if not progressed:
            break

    total_share = sum(quotas.get(c, 0.0) for c in CATEGORIES) or 1.0
    for category in CATEGORIES:
        plan.quota_table.append(
            {
                "category": category,
                "share": round(quotas.get(category, 0.0) / total_share, 3),
                "min_slots": min_slots.get(category, 0),
                "available": available.get(category, 0),
                "slots": slots.get(category, 0),
                "chosen": taken[category],
            }
        )
    for index, c in enumerate(chosen):
        why = explain(c, sum(1 for d in chosen[: index + 1] if d["category"] == c["category"]), slots[c["category"]])
        row = {k: v for k, v in c.items() if not k.startswith("_")}
        row.update(priority=round(1.0 - index / max(cap, 1), 4), score=round(c["_score"], 3), why=why)
        plan.chosen.append(row)
    return plan


def explain(c: dict, slot: int, slots: int) -> str:
    """One line a reviewer reads: the slot, what drove the priority, and the strongest reasons."""
    reasons = [r for r in (c.get("reasons") or "").split(",") if r]
    headline = [r for r in reasons if r.startswith(("adversarial:", "drift:", "edge:"))][:3]
    if c.get("novelty") is not None:
        novelty = f"novelty {c['_novelty']:.2f}"
    else:
        novelty = "new" if c["_novelty"] else "repeat of an earlier week"
    if "near_dup:earlier" in reasons:
        novelty += ", repeats an earlier candidate"
    parts = [
        f"{c['category']} slot {slot}/{slots}",
        f"severity {c['_severity']:g}",
        f"seen {c['_frequency']}x this week",
        novelty,
    ]
    if c.get("uncovered_cluster"):
        parts.append(f"uncovered failure cluster {c['uncovered_cluster']}")
    if headline:
        parts.append("signals " + " ".join(headline))
    return "; ".join(parts)


def select_batch(
    candidates: list[dict],
    *,
    cap: int,
    exclude: set[str] = frozenset(),
    quotas: dict[str, float] | None = None,
    min_slots: dict[str, int] | None = None,
) -> list[dict]:
    """The chosen candidates in batch order, each with `priority` (1.0 for the first pick, falling),
    `score` and `why`. See `plan_batch` for the quota table."""
    return plan_batch(candidates, cap=cap, exclude=exclude, quotas=quotas, min_slots=min_slots).chosen


def quota_markdown(plan: BatchPlan) -> str:
    """The quota table as markdown, for the review_batch asset's metadata."""
    lines = ["| category | share | min | available | slots | chosen |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [
        f"| {q['category']} | {q['share']:.0%} | {q['min_slots']} | {q['available']} | {q['slots']} | {q['chosen']} |"
        for q in plan.quota_table
    ]
    return "\n".join(lines)
