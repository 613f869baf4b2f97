"""Adversarial-input detection: maintained pattern families, each with a weight and a reason code.

A text is adversarial when the weights of the families that fire add up to at least `THRESHOLD`
(1.0). Strong families (an explicit instruction override, a fake role delimiter, asking for the
system prompt, sending data to an outside address) weigh 1.0 and decide alone; weak ones (a
"from now on you are" persona switch, "unfiltered", "two responses") weigh 0.5 and need a second
signal, which keeps benign texts that merely contain a trigger word ("explain what a jailbreak
is", "an unfiltered list of rock songs") out.

Nothing here looks at length: every signal is a phrase pattern, so a short attack scores as high
as a long one, and a long benign text scores zero unless it says something an attack says.

Limits (documented so reviewers know what the category does and does not promise):
- English-first. A small set of German/French/Spanish override phrases is included because the
  deployment serves the EU; other languages are mostly missed. Disguises (Unicode lookalikes and
  invisible characters, spaced letters, leetspeak, base64, ROT13) are undone first by
  curation/obfuscation.py (one layer); text split across turns is not reassembled.
- Pure role-play without rule-breaking language ("you are Thor, talk about thunder") is benign by
  design; role-play used as a wrapper for a harmful goal is only caught if the goal matches a family.
- Political or offensive content requests without an injection element ("write an essay on why X
  is best") are not adversarial here: they are a content-policy question, not an attack on the app.
- Patterns are maintained in curation/adversarial_families.py, with their sources.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from logmine_dagster.curation import adversarial_model
from logmine_dagster.curation.adversarial_families import FAMILIES, FAMILY_BY_NAME, GATES, Family
from logmine_dagster.curation.indirect import indirect_reasons
from logmine_dagster.curation.obfuscation import variants
from logmine_dagster.curation.pasted_parts import split_message

THRESHOLD = 1.0

__all__ = ["FAMILIES", "FAMILY_BY_NAME", "GATES", "THRESHOLD", "Detection", "Family", "adversarial_reasons",
           "detect", "detect_messages", "is_adversarial", "model_score", "user_messages"]

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
# One alternation per gate: a single C-level scan instead of a Python loop over the tokens.
_GATE_RE = {name: re.compile("|".join(re.escape(token) for token in tokens)) for name, tokens in GATES.items()}

@dataclass(frozen=True)
class Detection:
    score: float
    families: tuple[str, ...]  # names of the families that fired, in FAMILIES order
    obfuscation: tuple[str, ...] = ()  # how the text was disguised (curation/obfuscation.py), if it was

    @property
    def adversarial(self) -> bool:
        return self.score >= THRESHOLD

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(FAMILY_BY_NAME[name].kind for name in self.families))


def _gate_open(family: Family, lowered: str) -> bool:
    gate = _GATE_RE.get(family.name)
    return gate is None or gate.search(lowered) is not None


def detect(text: str, *, gates: bool = True) -> Detection:
    """Score one text against every family; no length features, no model."""
    return _detect_cached(text) if gates else _detect(text, gates=False)


def _families(text: str, gates: bool) -> Detection:
    text = text.translate(_QUOTES)
    lowered = " ".join(text.lower().split())
    fired = tuple(
        family.name
        for family in FAMILIES
        if (not gates or _gate_open(family, lowered)) and any(p.search(text) for p in family.patterns)
    )
    return Detection(round(sum(FAMILY_BY_NAME[name].weight for name in fired), 3), fired)


def _detect(text: str, *, gates: bool = True) -> Detection:
    """The text as written; if that is not an attack, each de-obfuscated variant of it."""
    if not text:
        return Detection(0.0, ())
    detection = _families(text, gates)
    if detection.adversarial:
        return detection
    for how, plain in variants(text):
        found = _families(plain, gates)
        if found.adversarial:
            return Detection(found.score, found.families, (how,))
    return detection


# Production repeats texts verbatim ("thanks", the same follow-up); a detection depends on the text alone.
_detect_cached = functools.lru_cache(maxsize=1 << 16)(_detect)


def is_adversarial(text: str) -> bool:
    return detect(text).adversarial


def detect_messages(text: str, record: dict | None = None) -> Detection:
    """`detect` on the user text; when it is the record's user messages joined, message by message.

    Every later request of a conversation repeats the earlier user messages, so per message the
    cache answers most of them. The families that fire in any message count once, which is what the
    joined text gives unless a pattern spans two messages (patterns stop at line ends)."""
    messages = _user_messages(record) if record is not None else None
    if not messages or len(messages) < 2 or "\n".join(messages) != text:
        return detect(text)
    found = [detect(message) for message in messages]
    if not any(d.families for d in found):
        return Detection(0.0, ())
    fired = {name for d in found for name in d.families}
    families = tuple(f.name for f in FAMILIES if f.name in fired)
    obfuscation = tuple(dict.fromkeys(how for d in found for how in d.obfuscation))
    return Detection(round(sum(FAMILY_BY_NAME[name].weight for name in families), 3), families, obfuscation)


def user_messages(record: dict) -> list[str]:
    """The record's user messages, each on its own, in order (user_text joins them with newlines)."""
    return _user_messages(record)


def _user_messages(record: dict) -> list[str] | None:
    messages = []
    for message in record.get("input") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                messages.append(content)
            elif isinstance(content, list):
                messages.extend(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return messages


def model_score(text: str, record: dict | None = None) -> float:
    """The trained model's score for the user's words: the highest over their messages (each
    message is scored alone, so a long conversation is not one diluted text and repeats hit the cache)."""
    messages = _user_messages(record) if record is not None else None
    if not messages or "\n".join(messages) != text:
        messages = [text]
    return max((adversarial_model.model_score(message) for message in messages if message), default=0.0)


def _model_evidence(score: float, prefix: str = "adv") -> str:
    return f"{prefix}:model:{score:.2f}"


def _own_words(text: str, record: dict | None) -> tuple[str, dict | None]:
    """The user's text and record without what they pasted (curation/pasted_parts.py): pasted
    e-mails and documents are judged as content by curation/indirect.py, not as the user's words."""
    messages = _user_messages(record) if record is not None else None
    if not messages or "\n".join(messages) != text:
        return text, record
    own = [split_message(message)[0] for message in messages]
    if own == messages:
        return text, record
    return "\n".join(own), {"input": [{"role": "user", "content": message} for message in own]}


def adversarial_reasons(text: str, record: dict | None = None, *, model: bool = True) -> list[str]:
    """Reason codes: `adversarial:<kind>` for each attack kind found in the user's own words (what
    they pasted is left to the indirect scorer), then
    `adv:<family>` for each family that fired (the evidence), after `adv:obfuscated:<how>` when
    the attack was disguised. The trained model (curation/adversarial_model.py) adds
    `adv:model:<score>` when its score passes its threshold, and `adversarial:model` when no
    family explains the text. Instructions planted in the record's tool results, retrieved
    documents or pasted blocks, each scored alone (curation/indirect.py), add
    `adversarial:indirect_injection`, `adversarial:indirect:<source>` and their evidence."""
    kinds: dict[str, None] = {}
    evidence: list[str] = []
    own_text, own_record = _own_words(text, record)
    detection = detect_messages(own_text, own_record)
    if detection.adversarial:
        kinds.update(dict.fromkeys(detection.kinds))
        evidence.extend(f"adv:obfuscated:{how}" for how in detection.obfuscation)
        evidence.extend(f"adv:{name}" for name in detection.families)
    if model and own_text:
        score = model_score(own_text, own_record)
        if score >= adversarial_model.load().threshold:
            if not kinds:
                kinds["model"] = None
            evidence.append(_model_evidence(score))
    if record is not None:
        indirect_kinds, indirect_evidence = indirect_reasons(record, detect)
        if indirect_kinds:
            kinds["indirect_injection"] = None
            kinds.update(dict.fromkeys(indirect_kinds))
            evidence.extend(indirect_evidence)
    return [f"adversarial:{kind}" for kind in kinds] + evidence
