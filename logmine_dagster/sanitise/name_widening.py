"""Names widened past what a recognizer found: the rest of a list ("Morrison, Rogers and Torres"),
the whole word and the unknown capitalised words beside a name, a title before it, and the other
speaker labels of a transcript."""

from __future__ import annotations

import dataclasses
import re

from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.spans import NAME_TYPES, Span, list_neighbours, pair_neighbour
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
# The lower-case particles of a surname ("Lieke van der Berg", "Omar bin Said"): part of the name
# when a name-like word stands on their other side.
_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das", "le", "la",
    "ter", "ten", "zu", "bin", "ibn", "bint", "ben", "al", "el",
})
_PARTICLE_WORD = re.compile(r"[^\W\d_]+")
_PARTICLE_PREFIX = re.compile(r"(?:al|el|ad|as|ash|ar|d|l|o)['’-](?=[^\W\d_])", re.IGNORECASE)  # al-Rashid, d'Arcy
# Labels of a role, never of a person: "Agent: ..." in a transcript beside "Maria: ...".
_ROLE_LABELS = frozenset({
    "agent", "customer", "user", "assistant", "system", "bot", "support", "operator", "caller", "client",
    "host", "guest", "interviewer", "moderator", "speaker", "rep", "representative", "advisor", "tool",
    "human", "ai", "me", "you", "q", "a",
})


def widen_names(text: str, spans: list[Span], words: WordLists) -> list[Span]:
    """The spans with names widened over lists, words and titles, and speaker labels added."""
    spans = [piece for span in spans for piece in _cut_at_line_breaks(text, span, words)]
    return _speaker_labels(text, _extend_names(text, _extend_name_lists(text, spans, words), words), words)


def _cut_at_line_breaks(text: str, span: Span, words: WordLists) -> list[Span]:
    """A name does not go on past a line break: the model's "van Dijk\nAccount manager" on a
    signature is cut to its lines that hold a name-like word, which are then widened on their own
    line. A span with no such line is kept whole."""
    if span.entity_type != "PERSON" or "\n" not in text[span.start : span.end]:
        return [span]
    pieces = []
    for line in re.finditer(r"[^\n]+", text[span.start : span.end]):
        start, end = span.start + line.start(), span.start + line.end()
        if any(_unknown_or_given(w, words) and w.lower() not in words.stop_words and w not in _PARTICLES
               for w in _PARTICLE_WORD.findall(text, start, end)):
            pieces.append(dataclasses.replace(span, start=start, end=end))
    return pieces or [span]


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
        if span.entity_type != "PERSON" or not text[_past_particles(text, span)].isupper():
            out.append(span)  # a lower-case name gives no case to compare its neighbours with
            continue
        start, end = span.start, span.end
        # back over letters, and over a hyphen or apostrophe inside a word ("O'Brien"), not a quote
        while start > 0 and (text[start - 1].isalpha() or (text[start - 1] in "-'’" and start > 1 and text[start - 2].isalpha())):
            start -= 1
        while end < len(text) and (text[end].isalpha() or (text[end] in "-’'" and end + 1 < len(text) and text[end + 1].isalpha())):
            if text[end] in "’'" and text[end + 1 : end + 2] == "s" and not text[end + 2 : end + 3].isalpha():
                break  # a possessive: "Berezina's"
            end += 1
        while True:
            before = _WORD_BEFORE.search(text, max(0, start - 40), start)
            if before and _name_like(before.group(1), text, before.end(1), words):
                start = before.start(1)
                continue
            particles = _particles_before(text, start, words)
            if particles is None:
                break
            start = particles
        honorific = _HONORIFIC_BEFORE.search(text, max(0, start - 12), start)
        if honorific:
            start = honorific.start(1)
        while True:
            after = _WORD_AFTER.match(text, end)
            if after and _name_like(after.group(1), text, after.end(), words):
                end = after.end(1)
                continue
            particles = _particles_after(text, end, words)
            if particles is None:
                break
            end = particles
        out.append(dataclasses.replace(span, start=start, end=end) if (start, end) != (span.start, span.end) else span)
    return out

def _past_particles(text: str, span: Span) -> int:
    """Where a name span's first word that is not a particle starts ("Dijk" in "van Dijk")."""
    for word in _PARTICLE_WORD.finditer(text, span.start, span.end):
        if word.group(0) not in _PARTICLES:
            return word.start()
    return span.start


def _particles_before(text: str, start: int, words: WordLists) -> int | None:
    """The start of "van der Berg" when the span starts at "Berg": the particles before a name and
    the name-like word before them ("Lieke van der"), or None when there is no such word."""
    position = start
    while True:
        before = _WORD_BEFORE.search(text, max(0, position - 12), position)
        if before is None or before.group(1) not in _PARTICLES:
            break
        position = before.start(1)
    if position == start:
        return None
    name = _WORD_BEFORE.search(text, max(0, position - 40), position)
    if name is None or not _name_like(name.group(1), text, name.end(1), words):
        return None
    return name.start(1)


def _particles_after(text: str, end: int, words: WordLists) -> int | None:
    """The end of "Lieke van der Berg" when the span ends at "Lieke", or None (see `_particles_before`)."""
    position = end
    while True:
        after = _WORD_AFTER.match(text, position)
        if after is None or after.group(1) not in _PARTICLES:
            break
        position = after.end(1)
    after = _WORD_AFTER.match(text, position)
    if position == end or after is None or not _name_like(after.group(1), text, after.end(), words):
        return None
    return after.end(1)


def _name_like(word: str, text: str, end: int, words: WordLists) -> bool:
    if _INITIAL.fullmatch(word):  # "Ryan P Costa", "J. R. Holloway"; not "a Smith"
        following = _WORD_AFTER.match(text, end)
        return word[0].isupper() and following is not None and following.group(1)[:1].isupper()
    prefix = _PARTICLE_PREFIX.match(word)
    if prefix and len(word) - prefix.end() >= 3:
        word = word[prefix.end():]  # "al-Rashid" is as name-like as "Rashid"
    return (
        word[:1].isupper() and not word[1:].isupper() and len(word) >= 3 and not _CONTRACTION.search(word)
        and not english_word(word, words.known_words) and word.lower() not in words.stop_words
        and not words.allows(word)
    )

def _unknown_or_given(word: str, words: WordLists) -> bool:
    return word.lower() in words.given_names or not english_word(word, words.known_words)


def _speaker_labels(text: str, spans: list[Span], words: WordLists) -> list[Span]:
    """In a transcript ("Ella: ...\nDestiny: ..."), when one speaker label is a detected name,
    the other one-word labels are names too; a label read as a name elsewhere in the text is one.
    Role labels ("Agent:", "Customer:") never are."""
    labels = [
        m for m in _SPEAKER_LABEL.finditer(text)
        if not words.allows(m.group(1)) and m.group(1).lower() not in _ROLE_LABELS
    ]
    if not labels:
        return spans
    # A label whose word is read as a name elsewhere in the text is that speaker's name
    # ("Tamsin: ..." then "Tamsin walked out"), with or without other labels.
    named_words = {text[s.start : s.end] for s in spans if s.entity_type in NAME_TYPES}
    named = {(s.start, s.end) for s in spans if s.entity_type == "PERSON"}
    if not (len(labels) >= 2 and any(m.span(1) in named for m in labels)):
        labels = [
            m for m in labels
            if m.group(1) in named_words and m.span(1) not in named and _unknown_or_given(m.group(1), words)
        ]
    covered = [(s.start, s.end) for s in spans]
    extra = [
        Span(*m.span(1), "PERSON", 0.5) for m in labels
        if m.group(1).lower() not in words.stop_words
        and not any(a <= m.start(1) < b for a, b in covered)
    ]
    return [*spans, *extra]
