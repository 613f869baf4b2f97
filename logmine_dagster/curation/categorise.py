"""Rule-based categories for sanitised candidates: adversarial, drift, edge case or happy path.

One primary category per case, chosen by precedence (adversarial > drift > edge_case > happy_path),
and every reason that fired, so a reviewer sees all the signals. Reason codes:

- `adversarial:<kind>` with `adv:<family>` evidence, `adv:indirect:<family>`: see curation/adversarial.py (families,
  weights, sources, limits); `adversarial:model` / `adv:model:<score>`: the trained model
  (curation/adversarial_model.py, model card in curation/models/README.md); `adversarial:pressure` /
  `adv:pressure:<threat|flattery|false_claim|repeated_demand>`: talking the agent into breaking
  policy (curation/pressure.py).
- `drift:new_<model|tool|intent|product>`: a value unseen in the trailing window (no window, no
  such drift). `drift:novel_text`: the text is unlike the eval set and the trailing weeks of
  production (novelty score, see curation/novelty.py).
- `edge:error:<type>`, `edge:low_confidence`, `edge:escalated`, `edge:negative_feedback`,
  `edge:very_short_input`, `edge:very_long_input`, `edge:non_english:<lang>`,
  `edge:structure:<code|json|markup|many_lines|symbols|repetition>`: see curation/edge_signals.py
  (per user message, not on the joined turns).
- `edge:policy_refusal`, `edge:asks_exception`, `edge:asks_human`, `edge:tool_failure`,
  `edge:unresolved`, `edge:handoff`, `edge:repeated_request`: read from the conversation's messages, see
  curation/conversation_signals.py.
- `happy:ok`: none of the above.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN
from logmine_dagster.curation import adversarial as _adversarial
from logmine_dagster.curation.adversarial import FAMILIES
from logmine_dagster.curation.conversation_signals import conversation_reasons
from logmine_dagster.curation.edge_signals import non_english_reasons, structure_reasons
from logmine_dagster.curation.novelty import Novelty
from logmine_dagster.curation.pressure import pressure_reasons

CATEGORIES = ("adversarial", "drift", "edge_case", "happy_path")

# Adversarial pattern families (sources, weights and limits) live in curation/adversarial.py.
ADVERSARIAL_FAMILIES = tuple(family.name for family in FAMILIES)

SHORT_INPUT_CHARS = 8
LONG_INPUT_CHARS = 4000
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Categorisation:
    category: str
    reasons: list[str] = field(default_factory=list)


def adversarial_reasons(text: str, record: dict | None = None) -> list[str]:
    """`adversarial:<family>` for the user text; `adversarial:indirect:<family>` for instructions
    planted in the record's tool results (when `record` has an `input`)."""
    return _adversarial.adversarial_reasons(text, record if record and record.get("input") else None)


def tool_names(record: dict) -> list[str]:
    """Names of the tools a record's input calls (OpenAI-style `tool_calls`, or a tool message's `name`)."""
    names: dict[str, None] = {}
    for message in record.get("input") or []:
        if not isinstance(message, dict):
            continue
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            name = function.get("name") if isinstance(function, dict) else None
            if isinstance(name, str) and name:
                names[name] = None
        if message.get("role") in ("tool", "function") and isinstance(message.get("name"), str) and message["name"]:
            names[message["name"]] = None
    return list(names)


def drift_reasons(candidate: dict, baseline: dict[str, set[str]] | None, novelty: Novelty | None = None) -> list[str]:
    """Values never seen in the trailing window (a new model, tool, intent or product), and text
    unlike anything the eval set and the trailing weeks hold. No baseline, no value drift; no
    novelty score, no text drift."""
    reasons = []
    if baseline:
        metadata = candidate.get("metadata") or {}
        observed = {"model": candidate.get("model"), "intent": metadata.get("intent"), "product": metadata.get("product")}
        for key, value in observed.items():
            if isinstance(value, str) and value and value not in baseline.get(key, set()):
                reasons.append(f"drift:new_{key}")
        if "tool" in baseline and any(name not in baseline["tool"] for name in tool_names(candidate)):
            reasons.append("drift:new_tool")
    if novelty is not None and novelty.novel:
        reasons.append("drift:novel_text")
    return reasons


def edge_case_reasons(candidate: dict, user_text: str) -> list[str]:
    reasons = []
    if candidate.get("status") == "error":
        reasons.append(f"edge:error:{candidate.get('error_type') or 'unknown'}")
    if "low_confidence" in candidate.get("sample_reasons", ""):
        reasons.append("edge:low_confidence")
    if candidate.get("escalated"):
        reasons.append("edge:escalated")
    if candidate.get("feedback") == "down":
        reasons.append("edge:negative_feedback")
    reasons.extend(conversation_reasons(candidate))
    stripped = user_text.strip()
    if len(stripped) < SHORT_INPUT_CHARS:
        reasons.append("edge:very_short_input")
    elif len(stripped) > LONG_INPUT_CHARS:
        reasons.append("edge:very_long_input")
    reasons.extend(non_english_reasons(stripped))
    reasons.extend(_structure_per_message(candidate, user_text))
    return reasons


def _structure_per_message(candidate: dict, user_text: str) -> list[str]:
    """Structure signals of each user message on its own: joined, every long conversation would
    have `many_lines` (turns are joined with newlines). The joined text when the record has no
    messages that make it up."""
    messages = _adversarial.user_messages(candidate) if candidate.get("input") else []
    if len(messages) < 2 or "\n".join(messages) != user_text:
        return structure_reasons(user_text.strip())
    return list(dict.fromkeys(reason for message in messages for reason in structure_reasons(message.strip())))


def categorise(
    candidate: dict, user_text: str, baseline: dict[str, set[str]] | None = None, novelty: Novelty | None = None
) -> Categorisation:
    """`candidate` is a sanitised sample (status, error_type, escalated, feedback, model, metadata, sample_reasons,
    and optionally `input`, whose tool results are checked for indirect injection and tool failures).
    `baseline`: values seen in the trailing window (`model`, `intent`, `product`, optionally `tool`);
    `novelty`: the text's novelty against the eval set and trailing production (curation/novelty.py)."""
    adversarial = adversarial_reasons(user_text, candidate)
    pressure = pressure_reasons(candidate)
    if pressure:  # kinds first, then the evidence, as adversarial_reasons orders them
        kinds = [r for r in adversarial if r.startswith("adversarial:")]
        adversarial = kinds + pressure[:1] + [r for r in adversarial if r not in kinds] + pressure[1:]
    drift = drift_reasons(candidate, baseline, novelty)
    edge = edge_case_reasons(candidate, user_text)
    reasons = adversarial + drift + edge
    if adversarial:
        return Categorisation("adversarial", reasons)
    if drift:
        return Categorisation("drift", reasons)
    if edge:
        return Categorisation("edge_case", reasons)
    return Categorisation("happy_path", ["happy:ok"])


def dedup_key(user_text: str) -> str:
    """Same key for texts that differ only in case, spacing, numbers or placeholders."""
    normalised = _PLACEHOLDER.sub("<>", user_text).lower()
    normalised = _DIGITS.sub("0", normalised)
    normalised = _SPACE.sub(" ", normalised).strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]
