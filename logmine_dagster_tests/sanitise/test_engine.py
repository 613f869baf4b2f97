"""The Presidio engine: the spaCy pipeline it runs."""

from __future__ import annotations


def test_the_parser_is_off_and_the_rest_of_the_pipeline_on():
    from logmine_dagster.sanitise.engine import get_analyzer

    pipes = get_analyzer().nlp_engine.get_nlp("en").pipe_names
    assert "parser" not in pipes and {"tagger", "lemmatizer", "ner"} <= set(pipes)
