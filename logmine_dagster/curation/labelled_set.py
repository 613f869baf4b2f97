"""A labelled, conversation-style set built from the synthetic traffic generator.

How the labels are made (independent of the categoriser): the generator knows what it planted in
every request (`Request.adversarial`, `.drift`, `.error`, `.low_confidence`, `.escalated`,
`.feedback`), so the label is that ground truth with the categoriser's precedence:
adversarial (an attack session) > drift (a session about the new product or the new intent, which
only exist from the middle day on) > edge_case (an error, low confidence, escalation or a thumbs-down)
> happy_path. The first `days // 2` days contain no drift and form the drift baseline (models,
intents and products seen); cases are drawn from the later days, stratified per label, in a fixed
order, so the same arguments always give the same set.

Limits: the generator's adversarial prompts are a handful of fixed texts, its users write English,
and its edge cases come from metadata (status, confidence, feedback), so this set measures the
rules' wiring more than text understanding; the adversarial detector's text quality is measured on
adv_dev.jsonl and the hand-written attack kinds in the tests.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from logmine_dagster.generator.runner import drift_starts_at
from logmine_dagster.generator.traffic import day_requests

LABELS = ("adversarial", "drift", "edge_case", "happy_path")


@dataclass(frozen=True)
class LabelledCase:
    record: dict
    label: str
    day: str


def truth(request) -> str:
    if request.adversarial:
        return "adversarial"
    if request.drift:
        return "drift"
    if request.error or request.low_confidence or request.escalated or request.feedback == "down":
        return "edge_case"
    return "happy_path"


def build(
    seed: int = 11, start: dt.date = dt.date(2026, 3, 2), days: int = 8, per_day: int = 3000, per_label: int = 100
) -> tuple[list[LabelledCase], dict[str, set[str]]]:
    """(cases, drift baseline). At most `per_label` cases per label, the earliest in traffic order."""
    baseline: dict[str, set[str]] = {"model": set(), "intent": set(), "product": set()}
    first_drift = drift_starts_at(days)
    picked: dict[str, list[LabelledCase]] = {label: [] for label in LABELS}
    for index in range(days):
        day = start + dt.timedelta(days=index)
        for request in day_requests(seed, day, per_day, drift_active=index >= first_drift):
            record = json.loads(request.line)
            if index < first_drift:
                baseline["model"].add(record["model"])
                for key in ("intent", "product"):
                    baseline[key].add(record["metadata"][key])
                continue
            label = truth(request)
            if len(picked[label]) < per_label:
                picked[label].append(LabelledCase(record, label, day.isoformat()))
    return [case for label in LABELS for case in picked[label]], baseline


def as_candidate(record: dict, low_confidence: float = 0.5) -> dict:
    """A raw record in the shape categorise() expects from a sanitised sample."""
    confidence = record.get("confidence")
    return dict(record, sample_reasons="low_confidence" if confidence is not None and confidence < low_confidence else "base_rate")
