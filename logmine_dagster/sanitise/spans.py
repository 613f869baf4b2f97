"""Detected spans: resolving overlaps into clean placeholders, and small span heuristics.

Pure functions over a text and its spans; no Presidio or spaCy here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN

PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)

# When detections overlap, the merged span takes the most specific type: a street address that
# spaCy also calls an ORG is an address. Types not listed rank between these two groups.
SPECIFIC_TYPES = (
    "SECRET", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "EMAIL_ADDRESS", "IP_ADDRESS", "DATE_OF_BIRTH",
    "ACCOUNT_ID", "RECORD_ID", "USERNAME", "PHONE_NUMBER", "STREET_ADDRESS", "PERSON",
)
VAGUE_TYPES = ("URL", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME")
# Types that name someone or something: the ones a name heuristic may widen or re-read.
NAME_TYPES = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity_type: str
    score: float
    by_model: bool = False  # found by spaCy's NER rather than by a pattern
    # The value whose surrogate replaces the span, when not the span's own text: a surname found
    # alone takes the surrogate of the full name it came from.
    value: str | None = None
    # The type whose surrogate tag the span shares, when not its own: an email address whose local
    # part is a known person's name is written `<EMAIL_ADDRESS_3f9a>` beside `<PERSON_3f9a>`.
    tag_type: str | None = None


def merge_overlapping(text: str, spans: list[Span]) -> list[Span]:
    """Overlapping detections become one span covering all of them.

    Taking the union never leaves part of a value readable, and one placeholder per span keeps
    the text clean. Same-type spans separated only by spaces merge too ("<PERSON> <PERSON>").
    """
    groups: list[list[Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if groups and _joins(text, groups[-1], span):
            groups[-1].append(span)
        else:
            groups.append([span])
    return [_union(group) for group in groups]


def _joins(text: str, group: list[Span], span: Span) -> bool:
    end = max(s.end for s in group)
    if span.start < end:
        return True
    gap = text[end : span.start]
    return _union(group).entity_type == span.entity_type and gap.strip(" \t") == ""


def _union(group: list[Span]) -> Span:
    # A specific type beats a vague one and a pattern beats the NER model ("Order ORD-77120" that
    # spaCy calls a PERSON is an id); then the detection covering most of the union names it
    # (a phone-like run of digits inside a street address is part of the address).
    best = min(
        group,
        key=lambda s: (s.entity_type in VAGUE_TYPES, s.by_model, s.start - s.end, _type_rank(s.entity_type), -s.score),
    )
    return Span(min(s.start for s in group), max(s.end for s in group), best.entity_type, best.score, best.by_model)


def _type_rank(entity_type: str) -> int:
    if entity_type in SPECIFIC_TYPES:
        return SPECIFIC_TYPES.index(entity_type)
    if entity_type in VAGUE_TYPES:
        return len(SPECIFIC_TYPES) + 1 + VAGUE_TYPES.index(entity_type)
    return len(SPECIFIC_TYPES)


def inside_placeholder(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies within a placeholder already in the text (`<PERSON>`)."""
    nearby = PLACEHOLDER.finditer(text, max(0, start - 40), min(len(text), end + 40))
    return any(m.start() <= start and end <= m.end() for m in nearby)


# -- dates ---------------------------------------------------------------------------------------------

_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# A calendar date identifies; a duration ("30 days", "5 to 7 business days") or a clock time does
# not, and masking those would garble system prompts and answers that the eval case needs.
_CALENDAR_DATE = re.compile(
    rf"\b(?:1[89]|20)\d\d\b|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|{_MONTH},?\s+\d|\d(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
)
_DATE_WORD = re.compile(rf"\S*\d\S*|{_MONTH},?")


def date_core(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The identifying part of a calendar date (its numbers and month names), or None for
    durations, clock times and relative dates ("tomorrow", "next week")."""
    if not _CALENDAR_DATE.search(text, start, end):
        return None
    words = [m for m in re.finditer(r"\S+", text[start:end]) if _DATE_WORD.fullmatch(m.group(0))]
    return start + words[0].start(), start + words[-1].end()


# -- lists of names ----------------------------------------------------------------------------------

_LIST_SEPARATOR = r"(?:\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&|or)\s+)"
_WORD = r"[^\W\d_][\w'’-]*"
_NEXT_IN_LIST = re.compile(_LIST_SEPARATOR + "(" + _WORD + r")(?=\s*(?:[,.;:!?)]|and\b|or\b|&|$))")
_PREVIOUS_IN_LIST = re.compile(r"(?:^|(?<=[\s(:]))(" + _WORD + ")" + _LIST_SEPARATOR + "$")


# "Vrbická and Turner were ...": the last item of a pair that a sentence goes on after.
_NEXT_BEFORE_WORDS = re.compile(r"\s+(?:and|&)\s+(" + _WORD + r")(?=[ \t]+[^\W\d_A-Z])")


def pair_neighbour(text: str, anchor: Span) -> tuple[int, int] | None:
    """The capitalised word after "and" that follows a capitalised span, when the sentence goes on
    after it in lower case; the caller decides whether that word could be a name."""
    if not text[anchor.start].isupper():
        return None
    match = _NEXT_BEFORE_WORDS.match(text, anchor.end)
    if match is None or not text[match.start(1)].isupper():
        return None
    return match.span(1)


def list_neighbours(text: str, anchor: Span) -> list[tuple[int, int]]:
    """The one-word list items right before and after a span ("Morrison, Rogers and Torres"),
    when written in the same case as the span."""
    capitalised = text[anchor.start].isupper()
    neighbours = []
    after = _NEXT_IN_LIST.match(text, anchor.end)
    if after:
        neighbours.append(after.span(1))
    before = _PREVIOUS_IN_LIST.search(text, max(0, anchor.start - 60), anchor.start)
    if before:
        neighbours.append(before.span(1))
    return [(start, end) for start, end in neighbours if text[start].isupper() == capitalised]
