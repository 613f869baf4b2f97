"""The analyzer's context step gives Presidio's results: the bisecting token lookup takes the token
Presidio's walk takes, at every offset of a text with runs of spaces and line ends."""

from __future__ import annotations

import pytest
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from logmine_dagster.sanitise.lean_analyzer import IndexedLemmaEnhancer

TEXT = "  \n\nCall Amelia on +1 415 555 0199,  mail amelia@example.com\n\n\tor write to 12 Harbour Road.  x "


@pytest.fixture(scope="module")
def analyzer():
    from logmine_dagster.sanitise.engine import get_analyzer

    return get_analyzer()


def _walk(start, doc, indices):
    try:
        return LemmaContextAwareEnhancer._find_index_of_match_token("w", start, doc, indices)
    except ValueError:
        return None


def _bisect(enhancer, start, doc, indices):
    try:
        return enhancer._find_index_of_match_token("w", start, doc, indices)
    except ValueError:
        return None


def test_the_match_token_is_presidios_at_every_offset(analyzer):
    doc = analyzer.nlp_engine.get_nlp("en")(TEXT)
    indices = [token.idx for token in doc]
    enhancer = IndexedLemmaEnhancer()
    assert [_bisect(enhancer, s, doc, indices) for s in range(len(TEXT) + 2)] == [
        _walk(s, doc, indices) for s in range(len(TEXT) + 2)
    ]


def test_the_analyzer_scores_as_with_presidios_enhancer(analyzer):
    assert isinstance(analyzer.context_aware_enhancer, IndexedLemmaEnhancer)
    lean = analyzer.analyze(text=TEXT, language="en")
    analyzer.context_aware_enhancer = LemmaContextAwareEnhancer()
    try:
        plain = analyzer.analyze(text=TEXT, language="en")
    finally:
        analyzer.context_aware_enhancer = IndexedLemmaEnhancer()
    assert sorted(map(str, lean)) == sorted(map(str, plain))
    assert any(r.entity_type == "PHONE_NUMBER" for r in lean)
