"""Words of the system prompt are the application's vocabulary, not its users' names.

The NER reads a product, plan or bot name it does not know ("Trailhead", "Fibrelink Max") as a PERSON,
in the system prompt and in every message that repeats it, and the surrogate then reads to a reviewer
like a customer. A capitalised word the record's own system or developer prompt uses is a term of the
application: a PERSON (or ORGANIZATION) span made only of such words is kept readable, unless the
name lexicon says otherwise (its first word is a gazetteer given name: "You are helping Amelia Davis"
still masks, "Velmora Max" does not). The NER alone is no strong evidence here: it is what misreads.

    terms = prompt_terms(record)
    spans = [span for span in spans if not is_prompt_term(text, span, terms, given_names)]

Only those two types: an email, a phone number, an address or a place in a prompt is masked as ever.
"""

from __future__ import annotations

import re
from typing import Iterable

from logmine_dagster.sanitise.spans import Span

PROMPT_ROLES = ("system", "developer")
# What the NER makes of product, plan, bot and company names; places and nationalities are left alone.
TERM_TYPES = frozenset({"PERSON", "ORGANIZATION"})
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")


def _texts(content) -> Iterable[str]:
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield part["text"]


def prompt_terms(record: dict) -> frozenset[str]:
    """Capitalised words of the record's system and developer messages, lower-cased."""
    terms: set[str] = set()
    for message in record.get("input") or []:
        if isinstance(message, dict) and message.get("role") in PROMPT_ROLES:
            for text in _texts(message.get("content")):
                terms.update(word.lower() for word in _CAPITALISED.findall(text))
    return frozenset(terms)


def is_prompt_term(text: str, span: Span, terms: frozenset[str], given_names: frozenset[str]) -> bool:
    """A PERSON or ORGANIZATION span whose every word is a prompt term and whose first word is no
    given name ("Velmora Max" is a plan, "Amelia Davis" a person)."""
    if span.entity_type not in TERM_TYPES or not terms:
        return False
    # Lower-case words inside the span ("the European Union") are the sentence's, not the name's.
    words = [word.lower() for word in _CAPITALISED.findall(text[span.start : span.end])]
    return bool(words) and words[0] not in given_names and all(word in terms for word in words)


def is_prompt_value(entity_type: str, value: str, terms: frozenset[str], given_names: frozenset[str]) -> bool:
    """The same test for a found (type, value) pair, before it is masked wherever else it occurs."""
    return is_prompt_term(value, Span(0, len(value), entity_type, 0.0), terms, given_names)
