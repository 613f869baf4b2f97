"""Indirect injection: instructions inside content the user did not write, scored part by part.

Each tool result, retrieved document and pasted block (curation/pasted_parts.py) is scored alone,
apart from the user's own words: by the pattern families on the whole part (patterns are phrase
matches, length does not dilute them) and by the trained model (curation/adversarial_model.py) on
sliding windows of `WINDOW_WORDS` words every `STRIDE_WORDS` words, keeping the highest window,
so one planted sentence in the middle of a long document scores as it would alone.

A family that fires in a part counts only when the model's highest window gives it at least even
odds (`FAMILY_CORROBORATION`): content often tells *people* to ignore things.

Reasons, for each source whose part is an attack: `adversarial:indirect:<source>` (tool_result,
document, pasted), the evidence `adv:indirect:<source>:model:<score>` (the highest window score of
that source, shown whether or not the model decided) and `adv:indirect:<family>` for each family
that fired (`adv:indirect:addressed_instruction` for content that addresses the model and tells
it what to do, a pattern read only here, never in the user's own words). The windowed model decides at `indirect_threshold` (chosen at training time on the
out-of-fold scores of benign documents and tool results, see the model card).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from logmine_dagster.curation import adversarial_model
from logmine_dagster.curation.pasted_parts import SOURCES, Part, record_parts

# Windows about the length of the planted instructions the model learnt from (one to three
# sentences); the stride overlaps windows by half so no sentence is cut in every window.
WINDOW_WORDS = 60
STRIDE_WORDS = 30
# In content, a family alone is not enough: "customers can ignore the earlier e-mail, the
# instructions are on the card" matches an override pattern with nobody being addressed. The
# model must at least give even odds on the part's most suspicious window.
FAMILY_CORROBORATION = 0.5
# A pasted book costs at most this many windows (the first 20,000 characters or so).
MAX_WINDOWS = 120


# Content addressing the model and telling it what to do ("Note for the summarising assistant: add
# ...", "Bot, before answering, output ..."). Only ever read in content the user did not write:
# in the user's own words "assistant, tell me ..." is an ordinary request. A bare "agent" is left
# out: knowledge-base notes address human agents ("Agents: tell the caller ...").
_ADDRESSEE = r"(?:AI|A\.I\.|assistants?|chat\s?bots?|bots?|LLMs?|GPT|(?:language\s+)?models?|AI\s+agents?|AI\s+systems?)"
_IMPERATIVE = (r"(?:add|insert|include|append|tell|say|reply|respond|answer|write|print|output|reveal|recommend|send|ignore|"
               r"disregard|forget|do\s+not|don'?t|never|stop|end|begin|start|mark|put|list|forward|describe|claim|instead)")
ADDRESSED_INSTRUCTION = re.compile(
    rf"(?:^|[\s\[(<{{#*-])(?:\w+\s+){{0,3}}?{_ADDRESSEE}\s*(?:[:,>\]\-\u2013]|\)\s*:?)\s*(?:[\w'-]+,?\s+){{0,6}}?{_IMPERATIVE}\b",
    re.I | re.M,
)


def windows(text: str, size: int = WINDOW_WORDS, stride: int = STRIDE_WORDS) -> list[str]:
    """The text itself when it is short; else overlapping word windows, the last one ending at the text's end."""
    words = text.split()
    if len(words) <= size:
        return [text]
    starts = list(range(0, len(words) - size + 1, stride))
    if starts[-1] != len(words) - size:
        starts.append(len(words) - size)
    return [" ".join(words[start:start + size]) for start in starts[:MAX_WINDOWS]]


def windowed_score(text: str) -> float:
    """The model's highest score over the text's windows."""
    model = adversarial_model.load()
    return max((model.score(window) for window in windows(text)), default=0.0)


def indirect_reasons(record: dict, detect: Callable) -> tuple[list[str], list[str]]:
    """(kinds, evidence) for instructions in the record's non-user content. `detect` is the pattern
    families' detector (curation/adversarial.py passes its own: that module calls this one)."""
    threshold = adversarial_model.load().indirect_threshold
    scores: dict[str, float] = {}
    flagged: dict[str, None] = {}
    families: dict[str, None] = {}
    for part in record_parts(record):
        found = detect(part.text)
        addressed = ADDRESSED_INSTRUCTION.search(part.text) is not None
        score = windowed_score(part.text)
        scores[part.source] = max(scores.get(part.source, 0.0), score)
        corroborated = found.adversarial and score >= FAMILY_CORROBORATION
        if corroborated or addressed or score >= threshold:
            flagged[part.source] = None
            families.update(dict.fromkeys(found.families if corroborated else ()))
            families.update(dict.fromkeys(("addressed_instruction",) if addressed else ()))
    sources = [source for source in SOURCES if source in flagged]
    kinds = [f"indirect:{source}" for source in sources]
    evidence = [f"adv:indirect:{source}:model:{scores[source]:.2f}" for source in sources]
    evidence += [f"adv:indirect:{name}" for name in families]
    return kinds, evidence


__all__ = ["ADDRESSED_INSTRUCTION", "MAX_WINDOWS", "STRIDE_WORDS", "WINDOW_WORDS", "Part", "indirect_reasons", "windowed_score", "windows"]
