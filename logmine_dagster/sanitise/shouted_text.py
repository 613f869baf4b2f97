"""Names in SHOUTED TEXT: spaCy finds none there, so runs of upper-case words are read a second
time in Title Case (same length, so the offsets hold) and the names found in them kept."""

from __future__ import annotations

import re

from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.spans import NAME_TYPES
from logmine_dagster.sanitise.word_lists import NAME_WORD, WordLists

# Two or more upper-case words in a row ("JOHN SMITH", "PLEASE CALL ME"); single ones are mostly
# acronyms ("SIM", "IBAN").
_SHOUTED_RUN = re.compile(r"\b[^\W\d_a-z]{2,}(?:[ \t,.'’-]+[^\W\d_a-z]{2,})+\b")


def title_cased_runs(text: str) -> str | None:
    """The text with each run of upper-case words in Title Case, character for character (the
    offsets stay the same); None when it has no such run."""
    runs = [m for m in _SHOUTED_RUN.finditer(text) if any(c.isupper() for c in m.group(0))]
    if not runs:
        return None
    chars = list(text)
    for run in runs:
        for word in re.finditer(r"[^\W\d_]+", run.group(0)):
            for offset in range(run.start() + word.start() + 1, run.start() + word.end()):
                lowered = chars[offset].lower()
                if len(lowered) == 1:
                    chars[offset] = lowered
    return "".join(chars)


def names_in_title_cased(text: str, copy: str, results, words: WordLists) -> list:
    """Name-type results of the Title Case copy that lie in a re-cased run and hold a given name
    or a word the lexicon does not know: "JOHN SMITH" yes, "PRESS NEXT" no."""
    runs = [m.span() for m in _SHOUTED_RUN.finditer(text)]
    kept = []
    for result in results:
        if result.entity_type not in NAME_TYPES:
            continue
        # Only the re-cased part: "LITTLE WOLDINGHAM Country Club" gives "LITTLE WOLDINGHAM".
        overlap = [(max(a, result.start), min(b, result.end)) for a, b in runs if a < result.end and result.start < b]
        if not overlap:
            continue
        start, end = overlap[0][0], overlap[-1][1]
        found = [w for w in NAME_WORD.findall(copy, start, end) if len(w) > 1]
        if any(
            w.lower() in words.given_names or not (w.lower() in words.stop_words or english_word(w, words.known_words))
            for w in found
        ):
            result.start, result.end = start, end
            kept.append(result)
    return kept
