"""Names in text written all in lower case: spaCy's small model leans on capitals and finds almost
no lower-case names ("ask dagrun about it"), so such a text is read a second time with its
name-like words capitalised (same length, so the offsets hold) and the names found there kept."""

from __future__ import annotations

import re

from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.spans import NAME_TYPES
from logmine_dagster.sanitise.word_lists import NAME_WORD, WordLists

_LETTERS = re.compile(r"[^\W\d_]")
_MIN_LETTERS = 12  # "ok", "thanks!": too short to hold a sentence with a name
_MIN_UNKNOWN_LETTERS = 4


def _name_like(word: str, words: WordLists) -> bool:
    """A word that could be a name: a given name, or a word the lexicon does not know. Stop words
    and allowed terms never are."""
    lowered = word.lower()
    if len(lowered) < 2 or lowered in words.stop_words or words.allows(word):
        return False
    parts = re.split(r"['’-]", lowered)
    if len(parts) > 1:  # "well-known" is two known words, "okafor-smith" is a name
        return any(_name_like(part, words) for part in parts if len(part) > 1)
    if lowered in words.given_names:
        return True
    # an unknown word this short is mostly an acronym written small ("sim", "esn", "pdu")
    return len(lowered) >= _MIN_UNKNOWN_LETTERS and not english_word(lowered, words.known_words)


def capitalised_copy(text: str, words: WordLists) -> str | None:
    """For a text without one capital letter, a copy with each name-like word capitalised ("dagrun"
    -> "Dagrun", "okafor" -> "Okafor"); None for any other text, or when no word changed.

    Only name-like words change: Title Case on every word makes the model call whole sentences
    names ("Please Reset My Password"), and ordinary words left lower case keep it honest."""
    if any(c.isupper() for c in text) or len(_LETTERS.findall(text)) < _MIN_LETTERS:
        return None
    chars = list(text)
    changed = False
    for word in NAME_WORD.finditer(text):
        if not _name_like(word.group(0), words):
            continue
        for part in re.finditer(r"[^\W\d_]+", word.group(0)):  # "okafor-smith" -> "Okafor-Smith"
            upper = chars[word.start() + part.start()].upper()
            if len(upper) == 1:
                chars[word.start() + part.start()] = upper
                changed = True
    return "".join(chars) if changed else None


def names_in_capitalised(copy: str, results, words: WordLists) -> list:
    """Name-type results of the capitalised copy that hold a capitalised name-like word: the model's
    reading of "ask Dagrun Okafor" yes. A given name that is also an English word counts
    only when no determiner comes before it: "call Grace now" yes, "my Bill went up" no."""
    kept = []
    for result in results:
        if result.entity_type not in NAME_TYPES:
            continue
        found = [w for w in NAME_WORD.findall(copy, result.start, result.end) if w[:1].isupper() and _name_like(w, words)]
        if any(not _english(w, words) for w in found) or (found and not _after_determiner(copy, result.start)):
            kept.append(result)
    return kept


# "my bill", "the song", "a frank talk": a word after one of these is a thing, not a name.
_DETERMINERS = frozenset(
    "a an the my your his her its our their this that these those some any no every each another".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\W{1,3}$")


def _after_determiner(text: str, start: int) -> bool:
    before = _WORD_BEFORE.search(text, max(0, start - 20), start)
    return before is not None and before.group(1).lower() in _DETERMINERS


def _english(word: str, words: WordLists) -> bool:
    parts = [part for part in re.split(r"['’-]", word) if len(part) > 1]
    return all(english_word(part, words.known_words) for part in parts)
