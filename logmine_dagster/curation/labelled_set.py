"""A labelled, conversation-style set built from the synthetic traffic generator.

How the labels are made (independent of the categoriser): the generator knows what it planted in
every request (`Request.adversarial`, `.drift`, `.error`, `.low_confidence`, `.escalated`,
`.feedback`), and this module injects two more kinds of drift itself; the label is that ground
truth with the categoriser's precedence: adversarial > drift > edge_case > happy_path.

Days: the first `days // 2` days are the past. They give the drift baseline (models, tools,
intents and products seen) and the novelty reference (their user texts). Cases are drawn from the
later days, stratified per label, in traffic order, so the same arguments always give the same set.

Drift, three kinds (`LabelledCase.kind`), so drift is measured on more than metadata:
- `topic`: a generator drift session (the new product "Nimbus 5G Home Router" or the new intent
  "eSIM transfer", which exist only from the middle day on). Their metadata is **masked** to values
  the past already holds (`MASKED_PRODUCT`, `MASKED_INTENT`: what an upstream classifier that
  does not know the new topic would say), so only the text can tell: this measures text novelty.
- `model`: sessions of the later days whose session id hashes into a 1-in-`INJECT_EVERY` bucket are
  served by a model the past never saw (`INJECTED_MODEL`).
- `tool`: in another bucket, every tool call of a later-day request is renamed to a tool the past
  never saw (`INJECTED_TOOL`).
At most half of the drift cases are topics and a quarter each models and tools.

PII: every value the generator planted is replaced with its entity placeholder (`<PERSON>`, ...),
as a perfect sanitiser would, so texts look like the pipeline's sanitised samples (real names
would otherwise look novel).

Limits: the generator's adversarial prompts are a handful of fixed texts, its users write
English, its vocabulary is small (far fewer rare words than production: novelty separates topics
more cleanly here than it will on real traffic), and its edge cases come from metadata (status,
confidence, feedback), so edge_case and happy_path measure the rules' wiring more than text
understanding; the adversarial detector's text quality is measured on adv_dev.jsonl and the
hand-written attack kinds in the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from logmine_dagster.generator import vocab
from logmine_dagster.generator.runner import drift_starts_at
from logmine_dagster.generator.traffic import day_requests
from logmine_dagster.ingest.records import user_text

LABELS = ("adversarial", "drift", "edge_case", "happy_path")
DRIFT_KINDS = ("topic", "model", "tool")
MASKED_PRODUCT = "HomeHub 3 Router"
MASKED_INTENT = "sim_activation"
INJECTED_MODEL = "northwind-assist-2026-03"
INJECTED_TOOL = "check_5g_coverage"
INJECT_EVERY = 40


@dataclass(frozen=True)
class LabelledCase:
    record: dict
    label: str
    day: str
    kind: str = ""  # for drift: topic, model or tool


@dataclass
class LabelledSet:
    cases: list[LabelledCase]
    baseline: dict[str, set[str]]  # model, tool, intent, product values of the past days
    reference_texts: list[str] = field(default_factory=list)  # distinct user texts of the past days
    reference_records: list[dict] = field(default_factory=list)  # the first record of each of those texts


def truth(request) -> str:
    if request.adversarial:
        return "adversarial"
    if request.drift:
        return "drift"
    if request.error or request.low_confidence or request.escalated or request.feedback == "down":
        return "edge_case"
    return "happy_path"


def _bucket(session_id: str) -> int:
    return int.from_bytes(hashlib.sha256(session_id.encode()).digest()[:4], "big") % INJECT_EVERY


def _mask_pii(value, planted: list[tuple[str, str]]):
    if isinstance(value, str):
        for kind, text in planted:
            if text:
                value = value.replace(text, f"<{kind}>")
        return value
    if isinstance(value, dict):
        return {k: _mask_pii(v, planted) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_pii(v, planted) for v in value]
    return value


def mask_pii(record: dict, planted: list[tuple[str, str]]) -> dict:
    """The record with every planted value replaced by `<TYPE>` (longest values first)."""
    return _mask_pii(record, sorted(planted, key=lambda p: -len(p[1])))


def _rename_tools(record: dict) -> bool:
    renamed = False
    for message in record["input"]:
        for call in message.get("tool_calls") or []:
            call["function"]["name"] = INJECTED_TOOL
            renamed = True
    return renamed


def tool_names_of(record: dict) -> set[str]:
    return {call["function"]["name"] for m in record["input"] for call in m.get("tool_calls") or []}


def build_set(
    seed: int = 11, start: dt.date = dt.date(2026, 3, 2), days: int = 8, per_day: int = 3000, per_label: int = 100
) -> LabelledSet:
    """At most `per_label` cases per label, the earliest in traffic order."""
    baseline: dict[str, set[str]] = {"model": set(), "tool": set(), "intent": set(), "product": set()}
    reference: dict[str, dict] = {}
    first_drift = drift_starts_at(days)
    picked: dict[str, list[LabelledCase]] = {label: [] for label in LABELS}
    drift_room = {"topic": per_label // 2, "model": per_label // 4, "tool": per_label - per_label // 2 - per_label // 4}
    for index in range(days):
        day = start + dt.timedelta(days=index)
        for request in day_requests(seed, day, per_day, drift_active=index >= first_drift):
            record = mask_pii(json.loads(request.line), request.planted)
            if index < first_drift:
                baseline["model"].add(record["model"])
                baseline["tool"].update(tool_names_of(record))
                for key in ("intent", "product"):
                    baseline[key].add(record["metadata"][key])
                reference.setdefault(user_text(record), record)
                continue
            label, kind = truth(request), ""
            if label == "drift":
                kind = "topic"
                metadata = dict(record["metadata"])
                if metadata["product"] == vocab.DRIFT_PRODUCT:
                    metadata["product"] = MASKED_PRODUCT
                if metadata["intent"] == vocab.DRIFT_INTENT:
                    metadata["intent"] = MASKED_INTENT
                record["metadata"] = metadata
            elif label != "adversarial":
                bucket = _bucket(record["session_id"])
                if bucket == 0:
                    record["model"], label, kind = INJECTED_MODEL, "drift", "model"
                elif bucket == 1 and _rename_tools(record):
                    label, kind = "drift", "tool"
            if label == "drift":
                if drift_room[kind] <= 0:
                    continue
                drift_room[kind] -= 1
            if len(picked[label]) < per_label:
                picked[label].append(LabelledCase(record, label, day.isoformat(), kind))
    cases = [case for label in LABELS for case in picked[label]]
    return LabelledSet(cases, baseline, list(reference), list(reference.values()))


def build(
    seed: int = 11, start: dt.date = dt.date(2026, 3, 2), days: int = 8, per_day: int = 3000, per_label: int = 100
) -> tuple[list[LabelledCase], dict[str, set[str]]]:
    """(cases, drift baseline): `build_set` without the novelty reference."""
    built = build_set(seed, start, days, per_day, per_label)
    return built.cases, built.baseline


def as_candidate(record: dict, low_confidence: float = 0.5) -> dict:
    """A raw record in the shape categorise() expects from a sanitised sample."""
    confidence = record.get("confidence")
    return dict(record, sample_reasons="low_confidence" if confidence is not None and confidence < low_confidence else "base_rate")
