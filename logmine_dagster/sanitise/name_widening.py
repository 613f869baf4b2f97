"""Names widened past what a recognizer found: the rest of a list ("Morrison, Rogers and Torres"),
the whole word and the unknown capitalised words beside a name, a title before it, and the other
speaker labels of a transcript."""

from __future__ import annotations

import dataclasses
import re

from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.spans import Span, list_neighbours, pair_neighbour
from logmine_dagster.sanitise.word_lists import WordLists

_CONTRACTION = re.compile(r"['’][^\W\d_]{0,2}$")  # It's, I'm, We'll, Don't; not O'Brien
_INITIAL = re.compile(r"[^\W\d_]\.?")
# The word right before a span (same line, one space) and right after it.
_WORD_BEFORE = re.compile(r"(?<![\w'’.-])([^\W\d_][\w'’-]*\.?)[ \t]$")
_WORD_AFTER = re.compile(r"[ \t]([^\W\d_][\w'’-]*?)(?=$|[\s,;:!?)\]\"]|\.(?:\s|$))", re.MULTILINE)
# A title before a name is part of it: "Dr. Maren Olufsen", "Mrs Patel".
_HONORIFIC_BEFORE = re.compile(
    r"(?<![\w.])((?:Mr|Mrs|Ms|Mx|Miss|Mstr|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Fr|Sr|Sra|Srta|Herr|Frau|Mme|Mlle|Mag|Ing)\.?)[ \t]+$"
)
# "Destiny: Remember me" at the start of a line: a one-word speaker label.
_SPEAKER_LABEL = re.compile(r"^[ \t]*([^\W\d_][\w'’-]+):", re.MULTILINE)


def widen_names(text: str, spans: list[Span], words: WordLists) -> list[Span]:
    """The spans with names widened over lists, words and titles, and speaker labels added."""
    return _speaker_labels(text, _extend_names(text, _extend_name_lists(text, spans, words), words), words)


def _extend_name_lists(text: str, spans: list[Span], words: WordLists) -> list[Span]:
    """In "Morrison, Rogers and Torres", a word listed beside a name is a name too.

    spaCy often finds one or two names of a list and misses the rest: list items written like
    their neighbour (same case, not a stop word) are added until none is new.
    """
    seen = {(s.start, s.end) for s in spans}
    queue = [s for s in spans if s.entity_type == "PERSON"]
    while queue:
        anchor = queue.pop()
        neighbours = list_neighbours(text, anchor)
        pair = pair_neighbour(text, anchor)
        if pair is not None and not english_word(text[slice(*pair)], words.known_words):
            neighbours.append(pair)  # "Vrbická and Turner were": only a word the lexicon does not know
        for start, end in neighbours:
            word = text[start:end]
            if (start, end) in seen or word.lower() in words.stop_words or words.allows(word):
                continue
            seen.add((start, end))
            neighbour = Span(start, end, "PERSON", anchor.score)
            spans.append(neighbour)
            queue.append(neighbour)
    return spans

def _extend_names(text: str, spans: list[Span], words: WordLists) -> list[Span]:
    """A name span cut inside a word takes the whole word ("Lehto-oja"), and takes capitalised
    words beside it on its line that the lexicon does not know ("Producer Ikuro Tanahashi"
    where spaCy found only the surname), and initials between them ("Ryan P Costa")."""
    out = []
    for span in spans:
        if span.entity_type != "PERSON" or not text[span.start].isupper():
            out.append(span)  # a lower-case name gives no case to compare its neighbours with
            continue
        start, end = span.start, span.end
        while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "-'’") and start - 1 >= 0:
            start -= 1
        while end < len(text) and (text[end].isalpha() or (text[end] in "-’'" and end + 1 < len(text) and text[end + 1].isalpha())):
            if text[end] in "’'" and text[end + 1 : end + 2] == "s" and not text[end + 2 : end + 3].isalpha():
                break  # a possessive: "Berezina's"
            end += 1
        while True:
            before = _WORD_BEFORE.search(text, max(0, start - 40), start)
            if before and _name_like(before.group(1), text, before.end(), words):
                start = before.start(1)
                continue
            break
        honorific = _HONORIFIC_BEFORE.search(text, max(0, start - 12), start)
        if honorific:
            start = honorific.start(1)
        while True:
            after = _WORD_AFTER.match(text, end)
            if after and _name_like(after.group(1), text, after.end(), words):
                end = after.end(1)
                continue
            break
        out.append(dataclasses.replace(span, start=start, end=end) if (start, end) != (span.start, span.end) else span)
    return out

def _name_like(word: str, text: str, end: int, words: WordLists) -> bool:
    if _INITIAL.fullmatch(word):
        following = _WORD_AFTER.match(text, end)
        return following is not None and following.group(1)[:1].isupper()
    return (
        word[:1].isupper() and not word[1:].isupper() and len(word) >= 3 and not _CONTRACTION.search(word)
        and not english_word(word, words.known_words) and word.lower() not in words.stop_words
        and not words.allows(word)
    )

def _speaker_labels(text: str, spans: list[Span], words: WordLists) -> list[Span]:
    """In a transcript ("Ella: ...\nDestiny: ..."), when one speaker label is a detected name,
    the other one-word labels are names too."""
    labels = [m for m in _SPEAKER_LABEL.finditer(text) if not words.allows(m.group(1))]
    if len(labels) < 2:
        return spans
    named = {(s.start, s.end) for s in spans if s.entity_type == "PERSON"}
    if not any(m.span(1) in named for m in labels):
        return spans
    covered = [(s.start, s.end) for s in spans]
    extra = [
        Span(*m.span(1), "PERSON", 0.5) for m in labels
        if m.group(1).lower() not in words.stop_words
        and not any(a <= m.start(1) < b for a, b in covered)
    ]
    return [*spans, *extra]
