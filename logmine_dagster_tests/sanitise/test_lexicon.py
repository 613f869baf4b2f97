"""Is a word English? The lexicon undoes regular endings."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("word", "known"),
    [("Hobbits", True), ("talked", True), ("Pleasures", True), ("children", True), ("Vlasbloem", False), ("Irenka", False)],
)
def test_english_word_undoes_regular_endings(word, known):
    from logmine_dagster.sanitise.engine import get_analyzer
    from logmine_dagster.sanitise.lexicon import english_word, known_english_words

    assert english_word(word, known_english_words(get_analyzer().nlp_engine.get_nlp("en"))) is known
