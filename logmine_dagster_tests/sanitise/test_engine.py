"""The Presidio engine: the spaCy pipeline it runs."""

from __future__ import annotations


def test_the_parser_is_off_and_the_rest_of_the_pipeline_on():
    from logmine_dagster.sanitise.engine import get_analyzer

    pipes = get_analyzer().nlp_engine.get_nlp("en").pipe_names
    assert "parser" not in pipes and {"tagger", "lemmatizer", "ner"} <= set(pipes)


TAGGED_TEXTS = [
    "I ain't doin' nothin', y'all. We're gonna fix it, c'mon! Let's see: he gets it, she got ta go.",
    "Hi, this is Maria Lopez; my order #4471 never arrived at 12 Elm Street, Springfield.",
    "  \n\n  Something broke. Anyone? Everything that could fail did, because the   API returned 500.",
    "THE ACCOUNT IS LOCKED. Call me ASAP at (555) 013-4477 or mail ann@example.net",
    "openai.InternalServerError in service-v2; retried 3 times, then gave up.",
]


def test_the_fast_attribute_ruler_sets_what_spacys_sets():
    """Every token's tag, part of speech, morphology and lemma are those of the model's own ruler."""
    import spacy

    from logmine_dagster.sanitise.engine import SPACY_MODEL, get_analyzer

    ours = get_analyzer().nlp_engine.get_nlp("en")
    plain = spacy.load(SPACY_MODEL, disable=["parser"])

    def attributes(nlp):
        return [[(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in doc] for doc in nlp.pipe(TAGGED_TEXTS)]

    assert attributes(ours) == attributes(plain)


def test_the_lean_context_step_scores_as_presidio_does():
    """Presidio's own analyzer over the same registry gives the same results, scores and order."""
    from presidio_analyzer import AnalyzerEngine

    from logmine_dagster.sanitise.engine import get_analyzer

    lean = get_analyzer()
    plain = AnalyzerEngine(registry=lean.registry, nlp_engine=lean.nlp_engine, supported_languages=["en"])
    texts = [
        *TAGGED_TEXTS,
        "Please call my mobile 612 904 371 tomorrow; my passport number is C12345678.",
        "Ship it to 14 Harbour Road, I live there. My bank account 12345678901 and license D1234567.",
    ]

    def found(engine, text):
        return [(r.entity_type, r.start, r.end, r.score) for r in engine.analyze(text=text, language="en")]

    assert [found(lean, t) for t in texts] == [found(plain, t) for t in texts]
