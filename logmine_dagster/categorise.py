"""Rule-based categories for sanitised candidates: adversarial, drift, edge case or happy path.

One primary category per case, chosen by precedence (adversarial > drift > edge_case > happy_path),
and every reason that fired, so a reviewer sees all the signals.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

CATEGORIES = ("adversarial", "drift", "edge_case", "happy_path")

# Phrases typical of prompt injection, jailbreaks and system-prompt extraction. A starting set: a
# maintained pattern library and measured precision and recall come with the curation work.
ADVERSARIAL_PATTERNS = {
    "prompt_injection": re.compile(
        r"\b(ignore|disregard|forget)\b.{0,40}\b(previous|prior|above|earlier|all)\b.{0,40}\b(instructions?|rules|prompts?|directions)\b",
        re.I | re.S,
    ),
    "jailbreak": re.compile(
        r"\b(DAN|do anything now|developer mode|jailbr(?:ea|o)k|no (?:restrictions|filters|rules)|pretend (?:you are|to be) .{0,30}(?:unfiltered|evil|without))\b",
        re.I,
    ),
    "system_prompt_extraction": re.compile(
        r"\b(reveal|show|print|repeat|output|tell me)\b.{0,40}\b(system prompt|hidden prompt|initial instructions|your instructions|prompt above)\b",
        re.I | re.S,
    ),
}

SHORT_INPUT_CHARS = 8
LONG_INPUT_CHARS = 4000
_PLACEHOLDER = re.compile(r"<[A-Z_]+(?:_\d+)?>")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Categorisation:
    category: str
    reasons: list[str] = field(default_factory=list)


def adversarial_reasons(text: str) -> list[str]:
    return [f"adversarial:{name}" for name, pattern in ADVERSARIAL_PATTERNS.items() if pattern.search(text)]


def drift_reasons(candidate: dict, baseline: dict[str, set[str]] | None) -> list[str]:
    """Values never seen in the trailing days (a new model, intent or product). No baseline, no drift."""
    if not baseline:
        return []
    reasons = []
    metadata = candidate.get("metadata") or {}
    observed = {"model": candidate.get("model"), "intent": metadata.get("intent"), "product": metadata.get("product")}
    for key, value in observed.items():
        if isinstance(value, str) and value and value not in baseline.get(key, set()):
            reasons.append(f"drift:new_{key}")
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
    stripped = user_text.strip()
    if len(stripped) < SHORT_INPUT_CHARS:
        reasons.append("edge:very_short_input")
    elif len(stripped) > LONG_INPUT_CHARS:
        reasons.append("edge:very_long_input")
    return reasons


def categorise(candidate: dict, user_text: str, baseline: dict[str, set[str]] | None = None) -> Categorisation:
    """`candidate` is a sanitised sample (status, error_type, escalated, feedback, model, metadata, sample_reasons)."""
    adversarial = adversarial_reasons(user_text)
    drift = drift_reasons(candidate, baseline)
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
