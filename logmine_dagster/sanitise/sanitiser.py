"""Replace PII in log records with typed placeholders (`<PERSON>`, `<EMAIL_ADDRESS>`, ...).

    s = get_sanitiser()
    s.sanitise_texts(["..."])     -> sanitised texts
    r = s.sanitise_record(record)  # record as returned by records.parse_record
    r.record, r.entity_counts, r.found_values
    s.sanitise_record(record, pseudonym_key=key)  # consistent surrogates: `<PERSON_3f9a>`

With `pseudonym_key`, each value becomes a surrogate that is the same for the same value within
one conversation and different across conversations (see `surrogates`); nothing is stored.

Texts are analysed by Presidio (spaCy NER plus the recognizers in `recognizers`), all texts of a
record in one batch. Values under PII-named JSON keys are masked whatever the NER says, and once a
value is found anywhere in a record, every other mention of it is masked too.

This module batches, caches and resolves; the rules it applies live beside it: `allow_list`
(words that stay), `name_widening` (names over lists, titles, speaker labels), `shouted_text`
(names in upper-case runs), `known_values` (a found value masked everywhere), `text_results`
(rendering placeholders, long texts in pieces).

Nothing here logs or raises with record text: errors name what failed and where in the code.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import re
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from logmine_dagster.sanitise import engine
from logmine_dagster.sanitise.allow_list import AllowList
from logmine_dagster.sanitise.day_terms import is_common_term, is_common_value
from logmine_dagster.sanitise.field_words import field_word_spans, is_code, route_codes, sibling_codes
from logmine_dagster.sanitise.code_identifiers import code_identifier_spans, inside_code_identifier
from logmine_dagster.sanitise.gazetteer import first_names
from logmine_dagster.sanitise.keyed_text import keyed_text
from logmine_dagster.sanitise.known_values import KnownValues, known_spans, spreading
from logmine_dagster.sanitise.lexicon import MODERN_WORDS, known_english_words
from logmine_dagster.sanitise.lower_case_text import capitalised_copy, names_in_capitalised
from logmine_dagster.sanitise.licence_numbers import LICENCE_TYPE, licence_or_id
from logmine_dagster.sanitise.model_misreads import names_a_thing, names_premises, outside_the_models_script
from logmine_dagster.sanitise.name_widening import widen_names
from logmine_dagster.sanitise.person_links import linked_people
from logmine_dagster.sanitise.prompt_terms import is_prompt_term, is_prompt_value, prompt_terms
from logmine_dagster.sanitise.record_fields import RecordFields
from logmine_dagster.sanitise.shouted_text import names_in_title_cased, title_cased_runs
from logmine_dagster.sanitise.spans import NAME_TYPES, Span, date_core, inside_placeholder, merge_overlapping
from logmine_dagster.sanitise.surrogates import conversation_of, keyed_placeholder, plain_placeholder
from logmine_dagster.sanitise.text_results import TextResult, join_pieces, render, split_long_text
from logmine_dagster.sanitise.word_lists import WordLists
from logmine_dagster.core.errors import LogmineError

_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
_NAME_ENTITIES = sorted(NAME_TYPES)
_TERM_TYPES = frozenset({"PERSON", "ORGANIZATION", "LOCATION"})  # the types a product or a misread greeting gets


class SanitiseError(LogmineError, RuntimeError):
    """Sanitising failed. The message never holds record text."""


@dataclass
class SanitisedRecord:
    record: dict
    entity_counts: dict[str, int] = field(default_factory=dict)
    found_values: set[str] = field(default_factory=set)  # raw PII: memory only, never persist or log


class Sanitiser:
    def __init__(
        self,
        analyzer,
        anonymizer=None,
        allow_terms: Iterable[str] = (),
        cache_size: int = 4096,
        batch_size: int = 32,
    ) -> None:
        # `anonymizer` is accepted for compatibility and unused: placeholders are written by
        # `render` from the resolved spans, so one cached analysis serves every conversation.
        self._analyzer = analyzer
        nlp = analyzer.nlp_engine.get_nlp(engine.LANGUAGE)
        self._words = WordLists(
            known_words=known_english_words(nlp),
            given_names=first_names(),
            stop_words=nlp.Defaults.stop_words,
            allow_list=AllowList(allow_terms),
        )
        self._batch_size = batch_size
        # The same system prompt opens every record: each distinct text is analysed once.
        self._cache: collections.OrderedDict[str, TextResult] = collections.OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # spaCy and the cache are not safe to share between threads

    # -- public API ---------------------------------------------------------------------------

    def sanitise_texts(self, texts: list[str]) -> list[str]:
        """Sanitise independent texts in one batch; a value found in a text is masked throughout it."""
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise SanitiseError(f"texts[{index}] is not a string")
        return _safely("texts", lambda: [result.render(plain_placeholder) for result in self._analyse(texts)])

    def sanitise_record(
        self, record: dict, *, pseudonym_key: bytes | None = None, common_terms: frozenset[str] = frozenset()
    ) -> SanitisedRecord:
        """Sanitise every text field of a record returned by `records.parse_record`.

        Without `pseudonym_key` every value becomes its type (`<PERSON>`). With it, a keyed
        surrogate (`<PERSON_3f9a>`): the same value gets the same surrogate in every field and
        every record of the conversation (`session_id`), and another one in other conversations.
        `common_terms`: the day's words that many users write (`day_terms`), kept unless a person.
        """
        if not isinstance(record, dict):
            raise SanitiseError("record is not an object")
        if pseudonym_key is not None and (not isinstance(pseudonym_key, (bytes, bytearray)) or not pseudonym_key):
            raise SanitiseError("pseudonym_key must be non-empty bytes")
        return _safely("record", lambda: self._sanitise_record(record, pseudonym_key, frozenset(common_terms)))

    # -- records ------------------------------------------------------------------------------

    def _sanitise_record(self, record: dict, pseudonym_key: bytes | None, common: frozenset[str]) -> SanitisedRecord:
        placeholder = (
            plain_placeholder if pseudonym_key is None else linked_people(keyed_placeholder(pseudonym_key, conversation_of(record)))
        )
        fields = RecordFields(record, placeholder)
        results = self._analyse(fields.texts())
        known = self._spreading(fields.key_values, from_keys=True)
        counts = collections.Counter(entity_type for entity_type, _ in fields.key_values)
        terms, given = prompt_terms(record), self._words.given_names  # the prompt's words are no names
        words = self._words.known_words

        # "MIA" routed beside "SFO" in prose is an airport in every text of the record (`field_words`)
        codes = sibling_codes(fields.record, self._words).union(*(route_codes(result.text, self._words) for result in results))

        def application_word(entity_type: str, value: str) -> bool:  # the prompt's or the day's vocabulary
            return is_prompt_value(entity_type, value, terms, given) or is_common_value(entity_type, value, common, given, words) \
                or (entity_type in NAME_TYPES and value in codes)

        for result in results:
            known.update(self._spreading(v for v in result.values if not application_word(*v)))
        texts = []
        for result in results:
            kept = [
                span for span in result.spans
                if not is_prompt_term(result.text, span, terms, given) and not is_common_term(result.text, span, common, given, words)
                and not (span.entity_type in NAME_TYPES and result.text[span.start : span.end] in codes)
            ]
            spans = [known.linked(result.text, known.retyped(result.text, span)) for span in kept]
            spans.extend(known_spans(result.text, spans, known))
            counts.update(span.entity_type for span in spans)
            texts.append(render(result.text, sorted(spans, key=lambda s: s.start), placeholder))
        found = {
            raw for _, raw in (*fields.key_values, *(v for r in results for v in r.values))
            if known.holds(raw)
        }
        return SanitisedRecord(fields.write_back(texts), dict(counts), found)

    # -- texts --------------------------------------------------------------------------------

    def _analyse(self, texts: list[str]) -> list[TextResult]:
        """Each text's result; a long text is analysed in pieces, each piece cached like a text
        (a long tool output that repeats its lines costs one analysis per distinct piece)."""
        pieces_per_text = [split_long_text(text) for text in texts]
        results = iter(self._analyse_pieces([piece.text for pieces in pieces_per_text for piece in pieces]))
        return [
            self._joined(text, pieces, [next(results) for _ in pieces])
            for text, pieces in zip(texts, pieces_per_text)
        ]

    def _analyse_pieces(self, texts: list[str]) -> list[TextResult]:
        with self._lock:
            results = {text: self._cache[text] for text in texts if text in self._cache}
            for text in results:
                self._cache.move_to_end(text)
            missing = [text for text in dict.fromkeys(texts) if text not in results]
            for text, result in zip(missing, self._analyse_uncached(missing)):
                results[text] = result
                self._cache[text] = result
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return [results[text] for text in texts]

    def _analyse_uncached(self, pieces: list[str]) -> list[TextResult]:
        return [self._mask_piece(piece, spans) for piece, spans in zip(pieces, self._detect(pieces))]

    def _joined(self, text: str, pieces, results: list[TextResult]) -> TextResult:
        """A long text's pieces as one result; a value found in one piece is masked in all."""
        joined = join_pieces(text, pieces, results)
        if len(pieces) == 1:
            return joined
        extra = known_spans(text, joined.spans, self._spreading(joined.values))
        return TextResult(text, tuple(sorted((*joined.spans, *extra), key=lambda s: s.start)), joined.values)

    def _detect(self, texts: list[str]) -> list[list[Span]]:
        """Presidio over a batch: spaCy runs once over all texts with `nlp.pipe`."""
        if not texts:
            return []
        # A text holding JSON is read with its glue blanked (same offsets), its values under PII
        # keys typed by the key, and the model's names cut to the strings they overlap (`keyed_text`).
        keyed = [keyed_text(text) for text in texts]
        read = [text if found is None else found.copy for text, found in zip(texts, keyed)]
        results = [results for _, results in self._presidio(read)]
        # spaCy finds no names in SHOUTED TEXT nor in text all in lower case: runs of upper-case
        # words are read a second time in Title Case, lower-case texts with their name-like words
        # capitalised (same length, so the offsets hold), and the names found there added.
        words = self._words
        self._read_again(read, results, lambda text: title_cased_runs(text),
                         lambda text, copy, found: names_in_title_cased(text, copy, found, words))
        self._read_again(read, results, lambda text: capitalised_copy(text, words),
                         lambda text, copy, found: names_in_capitalised(text, copy, found, words))
        for index, found in enumerate(keyed):
            if found is not None:
                results[index] = found.results(results[index], NAME_TYPES)
        return [self._resolve(text, text_results) for text, text_results in zip(texts, results)]

    def _read_again(self, texts: list[str], results: list[list], copy_of, names_in) -> None:
        """Add to `results` the names that `names_in` keeps from a second read of each text's copy."""
        copies = {index: copy_of(text) for index, text in enumerate(texts)}
        copies = {index: copy for index, copy in copies.items() if copy is not None}
        if not copies:
            return
        # Only name results of the copies are kept, so only name recognizers run on them.
        for index, (copy, copy_results) in zip(copies, self._presidio(list(copies.values()), entities=_NAME_ENTITIES)):
            results[index] = [*results[index], *names_in(texts[index], copy, copy_results)]

    def _presidio(self, texts: list[str], entities: list[str] | None = None) -> list[tuple[str, list]]:
        return [
            (text, self._analyzer.analyze(text=text, language=engine.LANGUAGE, entities=entities, nlp_artifacts=artifacts))
            for batch in _batches(texts, self._batch_size)
            for text, artifacts in self._analyzer.nlp_engine.process_batch(
                batch, language=engine.LANGUAGE, batch_size=self._batch_size
            )
        ]

    def _resolve(self, text: str, results) -> list[Span]:
        """Presidio results to non-overlapping spans: dates cut to their core, allowed words
        trimmed off, hits inside code identifiers dropped, names extended over lists, overlaps merged."""
        spans = []
        code = code_identifier_spans(text) + field_word_spans(text, self._words)
        routed = route_codes(text, self._words)
        for result in results:
            if inside_code_identifier(code, result.start, result.end):
                continue  # "openai.Int" in "openai.InternalServerError", "v2" in "service-v2", "user_id"
            if result.entity_type == "DATE_TIME":
                bounds = date_core(text, result.start, result.end)
            else:
                bounds = self._words.allow_list.trim(text, result.start, result.end)
            if bounds is None or inside_placeholder(text, *bounds):
                continue
            if result.entity_type in NAME_TYPES and not _HAS_WORD.search(text, *bounds):
                continue  # what is left of "Trailhead 2P" once the product name is allowed
            by_model = (result.recognition_metadata or {}).get("recognizer_name") == "SpacyRecognizer"
            if by_model and result.entity_type in NAME_TYPES and text[slice(*bounds)].lower() in MODERN_WORDS:
                continue  # "Voicemail is full": the small model's PERSON for a word of the trade
            if by_model and result.entity_type in NAME_TYPES and (is_code(text[slice(*bounds)], self._words) or text[slice(*bounds)] in routed):
                continue  # "DFW", "HAT151", "MIA" in "SFO to MIA": an airport or flight code (`field_words`)
            if result.entity_type in _TERM_TYPES:
                bounds = self._unless_misread(text, bounds, result.entity_type, by_model)
                if bounds is None:
                    continue  # "Grafana keeps crashing", "नमस्ते मुझे ...": see `model_misreads`
            entity_type = result.entity_type
            if entity_type == LICENCE_TYPE:
                entity_type = licence_or_id(text, *bounds)  # "code is 482913": an id, no licence
            spans.append(Span(*bounds, entity_type, result.score, by_model))
        merged = merge_overlapping(text, widen_names(text, spans, self._words))
        return [cut for cut in (_past_greeting(text, span) for span in merged) if cut is not None]

    def _unless_misread(self, text: str, bounds: tuple[int, int], entity_type: str, by_model: bool) -> tuple[int, int] | None:
        """The bounds of a name span, none for a thing, and past its greeting for the English model's
        reading of a script without capitals (Presidio has merged the cue recognizer's span into it)."""
        if names_a_thing(text, *bounds, self._words.given_names):
            return None
        if entity_type != "ORGANIZATION" and names_premises(text, *bounds, self._words.given_names):
            return None  # "our Pune office"
        # Imported here: the recognizers package loads Presidio, which importing the sanitiser must not.
        from logmine_dagster.sanitise.recognizers.multilingual_names import name_after_cues

        if not by_model or entity_type == "LOCATION" or not outside_the_models_script(text[slice(*bounds)]):
            return bounds
        inside = name_after_cues(text[slice(*bounds)])
        return None if inside is None else (bounds[0] + inside[0], bounds[0] + inside[1])

    def _mask_piece(self, text: str, spans: list[Span]) -> TextResult:
        values = tuple((span.entity_type, text[span.start : span.end]) for span in spans)
        extra = known_spans(text, spans, self._spreading(values))
        return TextResult(text, tuple(sorted((*spans, *extra), key=lambda s: s.start)), values)

    # -- values masked wherever they occur ------------------------------------------------------

    def _spreading(self, values: Iterable[tuple[str, str]], from_keys: bool = False) -> KnownValues:
        """The found values to mask wherever else they occur in the text or record."""
        return spreading(values, self._words, from_keys)


def _past_greeting(text: str, span: Span) -> Span | None:
    """A name span without the greetings that open it ("Привет Иван" -> "Иван"); none when it is
    only greetings ("Здравствуйте"), which the model and the list widening read as names."""
    if span.entity_type not in NAME_TYPES:
        return span
    from logmine_dagster.sanitise.recognizers.multilingual_names import past_cues

    cut = past_cues(text[span.start : span.end])
    if cut is None:
        return None
    return span if cut == 0 else dataclasses.replace(span, start=span.start + cut)


# spaCy's memory grows with the characters of a batch (about 140 MB per 32k): 32 pieces of a long
# text in one batch took 450 MB, so a batch also stops at this many characters.
_BATCH_CHARS = 16_000


def _batches(texts: list[str], size: int) -> Iterable[list[str]]:
    batch: list[str] = []
    chars = 0
    for text in texts:
        if batch and (len(batch) >= size or chars + len(text) > _BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield batch


# -- errors and construction --------------------------------------------------------------------


def _safely(what: str, work: Callable[[], Any]):
    """Run `work`; on failure raise SanitiseError naming the error type and code location only.

    Raised outside the `except` block so that the original exception, whose message may quote
    record text, is neither chained nor kept as context.
    """
    try:
        return work()
    except SanitiseError as error:
        failure = str(error)
    except Exception as error:  # noqa: BLE001 - report any failure, never its message
        frame = traceback.extract_tb(error.__traceback__)[-1]
        failure = f"sanitising the {what} failed: {type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
    raise SanitiseError(failure)


@functools.lru_cache(maxsize=8)
def get_sanitiser(allow_terms: tuple[str, ...] = ()) -> Sanitiser:
    """The process-wide sanitiser for an allow-list; builds the engines on first call.

    `allow_terms`: company, product and bot names that must stay readable ("Northwind").
    """
    return Sanitiser(engine.get_analyzer(), allow_terms=allow_terms)
