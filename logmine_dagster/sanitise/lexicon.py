"""Is a word English? The lexicon is the WordNet index that spaCy's English model ships for its
lemmatizer; this module only undoes regular endings. No spaCy or Presidio import here."""

from __future__ import annotations

# Regular inflections, undone to find the lexicon's form: "Hobbits", "Pleasures", "talked".
_INFLECTIONS = (
    ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
    ("ly", ""), ("er", ""), ("er", "e"), ("est", ""), ("’s", ""), ("'s", ""),
)
_MIN_STEM = 3


def english_word(word: str, known_words: frozenset[str], lemma: str | None = None) -> bool:
    """Whether a word, its lemma, or the word with a regular ending taken off is in the lexicon."""
    lowered = word.lower()
    if lowered in known_words or (lemma is not None and lemma.lower() in known_words):
        return True
    return any(
        lowered.endswith(ending) and len(lowered) - len(ending) >= _MIN_STEM
        and lowered[: len(lowered) - len(ending)] + stem in known_words
        for ending, stem in _INFLECTIONS
    )
