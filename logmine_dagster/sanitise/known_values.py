"""Values masked wherever they occur: once a value is found anywhere in a text or record, every
other mention of it is masked too, with the same surrogate."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from typing import Iterable

from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.spans import VAGUE_TYPES, Span
from logmine_dagster.sanitise.word_lists import NAME_WORD, WordLists

# Quasi-identifiers are masked where detected but not hunted for elsewhere: the small model's
# false ORG/LOCATION hits ("Refund", "Billing") would otherwise spread through a whole record.
_NOT_PROPAGATED = frozenset(VAGUE_TYPES)
_MIN_PROPAGATED_LENGTH = 3
_POSSESSIVE = re.compile(r"['’]s$")
_TITLE = re.compile(r"^(?:mr|mrs|ms|mx|miss|dr|prof|sir|madam)\.?\s+", re.IGNORECASE)


def spreading(values: Iterable[tuple[str, str]], words: WordLists, from_keys: bool = False) -> KnownValues:
    """The found values to mask wherever else they occur in the text or record.

    Whole values match in any case. The parts of a multi-word name ("Smith" from "John Smith")
    match only as written, so that "Rose" does not take "rose" with it. NER hits that are stop
    words or allowed ("Will") do not spread; values under PII keys always do.
    """
    known = KnownValues()
    for entity_type, raw in values:
        value = " ".join(raw.split())
        if entity_type in _NOT_PROPAGATED or len(value) < _MIN_PROPAGATED_LENGTH:
            continue
        if not from_keys and (value.lower() in words.stop_words or words.allows(value)):
            continue
        if not from_keys and " " not in value and english_word(value, words.known_words) \
                and value.lower() not in words.given_names:
            # "Salesperson" that spaCy calls a PERSON: other mentions as written, not "salesperson"
            known.add_name_part(value, entity_type, value)
            continue
        known.add(value, entity_type)
        if entity_type == "PERSON":
            for part in _name_parts(value, words):
                known.add_name_part(part, entity_type, value)
    return known

def _name_parts(name: str, words: WordLists) -> list[str]:
    """Parts of a name made of name-like words, without stop words or allowed words: a
    mislabelled "Order ORD-77120" gives no "Order"."""
    parts = [_POSSESSIVE.sub("", part.strip(".,")) for part in name.split()]
    if len(parts) < 2 or not all(NAME_WORD.fullmatch(part) for part in parts if len(part) > 1):
        return []
    return [
        part for part in parts
        if len(part) >= _MIN_PROPAGATED_LENGTH and part.lower() not in words.stop_words and not words.allows(part)
    ]


@dataclass
class KnownValues:
    """Values to mask wherever they occur: whole values in any case, name parts as written.

    Each maps to (entity type, the value whose surrogate it takes): a name part takes its full
    name's, so "Smith" and "John Smith" read as the same person.
    """

    whole: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower-cased value -> (type, value)
    name_parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # part as written -> (type, name)
    # Lookups derived from the two above, built once per change: a long text has thousands of
    # values and thousands of spans, and rebuilding them per span made its cost quadratic.
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def add(self, value: str, entity_type: str) -> None:
        self.whole.setdefault(_folded(value), (entity_type, value))
        self._derived.clear()

    def add_name_part(self, part: str, entity_type: str, name: str) -> None:
        self.name_parts.setdefault(part, (entity_type, name))
        self._derived.clear()

    def holds(self, value: str) -> bool:
        return _folded(value) in self.whole

    def update(self, other: KnownValues) -> None:
        for folded, entry in other.whole.items():
            self.whole.setdefault(folded, entry)
        for part, entry in other.name_parts.items():
            self.name_parts.setdefault(part, entry)
        self._derived.clear()

    def retyped(self, text: str, span: Span) -> Span:
        """A detection of a value the record already knows under another specific type takes that
        type and surrogate: one value, one placeholder. A vague detection (spaCy's LOCATION for
        "Quennell") takes a known name part's too; a specific one (a USERNAME after "user_id:" in
        prose) takes the whole value's type, which is its JSON key's when it has one, since key
        values are known first (an ACCOUNT_ID under "user_id")."""
        value = text[span.start : span.end]
        if span.entity_type in _NOT_PROPAGATED:
            entry = self.whole.get(_folded(value)) or self.name_parts.get(value)
        else:
            entry = self.whole.get(_folded(value))
        if entry is None or entry[0] in _NOT_PROPAGATED or entry[0] == span.entity_type:
            return span
        return dataclasses.replace(span, entity_type=entry[0], value=entry[1])

    def linked(self, text: str, span: Span) -> Span:
        """A detected part of a known full name takes the full name's surrogate: "Hi Amelia" in a
        greeting, "Ms. Davis" or "DAVIS" beside "Amelia Davis" in a tool result read as one person.
        Only detections are linked (the span is already a name), so case does not matter here;
        mentions that were not detected are `known_spans`' (as written)."""
        if span.entity_type == "EMAIL_ADDRESS" and span.value is None:
            return self._email_of_person(text, span)
        if span.entity_type != "PERSON" or span.value is not None:
            return span
        written = _POSSESSIVE.sub("", _TITLE.sub("", text[span.start : span.end]).strip(".,;:!?"))
        if not written:
            return span
        entry = self._parts_folded().get(_folded(written))
        if entry is None or entry[0] != "PERSON" or _folded(entry[1]) == _folded(written):
            return span
        return dataclasses.replace(span, value=entry[1])

    def _email_of_person(self, text: str, span: Span) -> Span:
        """An address whose local part spells a known person's name ("amelia.davis", "adavis84",
        "a_davis") shares that person's surrogate tag, under its own type."""
        local = re.sub(r"[^a-z]", "", text[span.start : span.end].split("@", 1)[0].lower())
        for name, first, last in self._people():
            if last in local and (first in local or local.startswith(first[0])):
                return dataclasses.replace(span, value=name, tag_type="PERSON")
        return span

    def _people(self) -> list[tuple[str, str, str]]:
        """(full name, first part, last part) of each known person with a usable name, letters only."""
        if "people" not in self._derived:
            people = []
            for entity_type, name in self.whole.values():
                parts = [re.sub(r"[^a-z]", "", part) for part in name.lower().split()]
                if entity_type == "PERSON" and len(parts) >= 2 and len(parts[-1]) >= 3 and parts[0]:
                    people.append((name, parts[0], parts[-1]))
            self._derived["people"] = people
        return self._derived["people"]

    def _parts_folded(self) -> dict[str, tuple[str, str]]:
        if "parts_folded" not in self._derived:
            self._derived["parts_folded"] = {_folded(p): entry for p, entry in reversed(self.name_parts.items())}
        return self._derived["parts_folded"]

    def passes(self):
        """(pattern, (type, value) of a match) for each masking pass, whole values first."""
        if self.whole:
            yield values_matcher(tuple(self.whole), re.IGNORECASE), lambda m: self.whole.get(_folded(m))
        if self.name_parts:
            yield values_matcher(tuple(self.name_parts), 0), lambda m: self.name_parts.get(m)


def known_spans(text: str, spans: Iterable[Span], known: KnownValues) -> list[Span]:
    """Spans for every mention of a known value outside the given spans, longest value first.

    Each gap between spans is searched on its own, as if the spans were already placeholders:
    a mention that would straddle a span is not a mention.
    """
    taken = sorted(spans, key=lambda s: s.start)
    found: list[Span] = []
    for pattern, entry_of in known.passes():
        new = []
        position = 0
        for span in [*taken, Span(len(text), len(text), "", 0.0)]:
            gap = text[position : span.start]
            for match in pattern.finditer(gap):
                entity_type, value = entry_of(match.group(0)) or ("PII", match.group(0))
                new.append(Span(position + match.start(), position + match.end(), entity_type, 1.0, value=value))
            position = max(position, span.end)
        found.extend(new)
        taken = sorted((*taken, *new), key=lambda s: s.start)
    return found


def _folded(value: str) -> str:
    # lower(), not casefold(): the pattern is built from these keys and must still match "Straße"
    return " ".join(value.split()).lower()


# Above this many values one alternation costs (text length x values): a long text goes by index.
_ALTERNATION_MAX_VALUES = 64
_CANDIDATE_START = re.compile(r"\w+|[^\w\s]")


def values_matcher(values: tuple[str, ...], flags: int):
    """Something with `finditer(text)` giving the matches of `_values_pattern(values, flags)`."""
    if len(values) <= _ALTERNATION_MAX_VALUES:
        return _values_pattern(values, flags)
    return _IndexedValues(values, flags)


class _IndexedValues:
    """The same matches as one alternation of many values, in time linear in the text.

    A match starts where `(?<!\w)` allows: at the start of a run of word characters, or at a
    non-space symbol. A value can only match where that run (or symbol) equals the value's own
    first run, so each candidate start tries only the few values that begin with it, longest first,
    as the alternation would.
    """

    def __init__(self, values: tuple[str, ...], flags: int) -> None:
        self._fold = bool(flags & re.IGNORECASE)
        groups: dict[str, list[str]] = {}
        for value in values:
            groups.setdefault(self._key(_CANDIDATE_START.match(value).group(0)), []).append(value)
        self._patterns = {key: _values_pattern(tuple(group), flags) for key, group in groups.items()}

    def _key(self, run: str) -> str:
        return run.lower() if self._fold else run

    def finditer(self, text: str):
        end = 0
        for candidate in _CANDIDATE_START.finditer(text):
            if candidate.start() < end:
                continue
            pattern = self._patterns.get(self._key(candidate.group(0)))
            match = pattern.match(text, candidate.start()) if pattern is not None else None
            if match is not None:
                end = match.end()
                yield match


@functools.lru_cache(maxsize=1024)
def _values_pattern(values: tuple[str, ...], flags: int) -> re.Pattern:
    alternatives = (r"\s+".join(map(re.escape, v.split())) for v in sorted(values, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", flags)
