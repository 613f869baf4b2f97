"""Names in text whose writer does not capitalise names: spaCy's small model leans on capitals and
finds almost no lower-case names ("Please ask dagrun about it"), so a text with no capital letter
inside a sentence (only at sentence starts and in "I") is read a second time with its lower-case
name-like words capitalised (same length, so the offsets hold) and the names found there kept."""

from __future__ import annotations

import re

from logmine_dagster.sanitise.gazetteer import common_surnames
from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.spans import NAME_TYPES
from logmine_dagster.sanitise.word_lists import NAME_WORD, WordLists

_LETTERS = re.compile(r"[^\W\d_]")
_MIN_LETTERS = 12  # "ok", "thanks!": too short to hold a sentence with a name
_MIN_UNKNOWN_LETTERS = 4
_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:re|ve|ll|d|m))$")  # didn't, they're: no name
_POSSESSIVE = re.compile(r"['’]s$")
# A word on its own: not part of a file name, handle, path or address ("olivia_q3.xlsx", "@ana").
_STANDALONE_WORD = re.compile(r"(?<![\w@./\\-])[^\W\d_]+(?:['’-][^\W\d_]+)*(?![\w@/\\]|\.\w|-\w)")
# A capital that says nothing about the writer's habits: a sentence's first letter, the pronoun I.
_EXPECTED_CAPITAL = re.compile(r"(?:^|(?<=[.!?:;\n])\s*|(?<=[.!?]['\")]))\s*[\"'(]*[^\W\d_]|(?<![^\W\d_])I(?![^\W\d_]|['’][^\W\d_]{2})")


def _name_like(word: str, words: WordLists) -> bool:
    """A word that could be a name: a given name, or a word the lexicon does not know. Stop words
    and allowed terms never are."""
    lowered = word.lower()
    if len(lowered) < 2 or lowered in words.stop_words or words.allows(word) or _CONTRACTION.search(lowered):
        return False
    lowered = _POSSESSIVE.sub("", lowered)  # "okafor's" is as name-like as "okafor"
    parts = re.split(r"['’-]", lowered)
    if len(parts) > 1:  # "well-known" is two known words, "okafor-smith" is a name
        return any(_name_like(part, words) for part in parts if len(part) > 1)
    if lowered in words.given_names:
        return True
    # an unknown word this short is mostly an acronym written small ("sim", "esn", "pdu")
    return len(lowered) >= _MIN_UNKNOWN_LETTERS and not english_word(lowered, words.known_words)


def _surname_after_name(word: str, words: WordLists) -> bool:
    """A common surname that is also an English word, right after a given name ("anneliese schmidt",
    "bob brown"): capitalised in the copy so that the model reads the pair, and decides, as a full
    name. Surnames outside the English lexicon are name-like anyway; stop words never are."""
    lowered = word.lower()
    return lowered in common_surnames() and lowered not in words.stop_words and not words.allows(word)


def _mostly_unknown(text: str, words: WordLists) -> bool:
    """Another language (or code): when two words in three are unknown to the English lexicon, an
    unknown word says nothing of a name ("Hola, necesito ayuda")."""
    found = [w for w in NAME_WORD.findall(text) if len(w) >= 3 and w.lower() not in words.stop_words]
    unknown = sum(1 for w in found if not english_word(w, words.known_words))
    return unknown * 3 > len(found) * 2


def writes_names_in_lower_case(text: str) -> bool:
    """Whether every capital letter of the text is a sentence's first letter or the pronoun I."""
    expected = {match.end() - 1 for match in _EXPECTED_CAPITAL.finditer(text)}
    return all(index in expected for index, char in enumerate(text) if char.isupper())


def capitalised_copy(text: str, words: WordLists) -> str | None:
    """For a text that capitalises no name (`writes_names_in_lower_case`), a copy with each
    lower-case name-like word capitalised ("dagrun" -> "Dagrun", "okafor" -> "Okafor"); None for any
    other text, or when no word changed.

    Only name-like words change: Title Case on every word makes the model call whole sentences
    names ("Please Reset My Password"), and ordinary words left lower case keep it honest."""
    if len(_LETTERS.findall(text)) < _MIN_LETTERS or not writes_names_in_lower_case(text) or _mostly_unknown(text, words):
        return None
    chars = list(text)
    changed = False
    after_given_name = False
    for word in _STANDALONE_WORD.finditer(text):
        follows = after_given_name and text[word.start() - 1] == " "
        after_given_name = word.group(0).lower() in words.given_names
        if not word.group(0).islower() or not (_name_like(word.group(0), words) or (follows and _surname_after_name(word.group(0), words))):
            continue
        for part in re.finditer(r"[^\W\d_]+", word.group(0)):  # "okafor-smith" -> "Okafor-Smith"
            upper = chars[word.start() + part.start()].upper()
            if len(upper) == 1:
                chars[word.start() + part.start()] = upper
                changed = True
    return "".join(chars) if changed else None


def names_in_capitalised(text: str, copy: str, results, words: WordLists) -> list:
    """Name-type results of the capitalised copy that hold a word the copy capitalised: the model's
    reading of "ask Dagrun Okafor" yes, of the "Hello" that opens the text no. A given name that is
    also an English word counts only in a text all in lower case and with no determiner before it:
    "call Grace now" yes, "my Bill went up" and "It will appear on your next Bill" no."""
    kept = []
    for result in results:
        if result.entity_type not in NAME_TYPES:
            continue
        found = [
            w.group(0) for w in NAME_WORD.finditer(copy, result.start, result.end)
            if text[w.start()] != copy[w.start()] and _name_like(w.group(0), words)
        ]
        if any(not _english(w, words) for w in found) or (
            found and not _after_determiner(copy, result.start) and not any(c.isupper() for c in text)
        ):
            kept.append(result)
    return kept


# "my bill", "the song", "a frank talk": a word after one of these is a thing, not a name.
_DETERMINERS = frozenset(
    "a an the my your his her its our their this that these those some any no every each another next last"
    " first new same other".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\W{1,3}$")


def _after_determiner(text: str, start: int) -> bool:
    before = _WORD_BEFORE.search(text, max(0, start - 20), start)
    return before is not None and before.group(1).lower() in _DETERMINERS


def _english(word: str, words: WordLists) -> bool:
    parts = [part for part in re.split(r"['’-]", word) if len(part) > 1]
    return all(english_word(part, words.known_words) for part in parts)
