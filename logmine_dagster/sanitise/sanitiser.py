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
from logmine_dagster.sanitise.lexicon import MODERN_WORDS, english_word
from logmine_dagster.sanitise.record_fields import RecordFields
from logmine_dagster.sanitise.spans import (
    VAGUE_TYPES,
    Span,
    date_core,
    inside_placeholder,
    list_neighbours,
    merge_overlapping,
    pair_neighbour,
)
from logmine_dagster.sanitise.surrogates import (
    Placeholder,
    conversation_of,
    keyed_placeholder,
    plain_placeholder,
)
from logmine_dagster.core.errors import LogmineError

# Words that are never PII in these logs: roles, model families, and the field labels and
# acronyms that spaCy likes to call a PERSON or ORG ("Email", "DOB", "IBAN"). Company and product
# names come from configuration.
DEFAULT_ALLOW_TERMS = (
    "system", "user", "assistant", "tool", "developer", "function", "bot", "agent", "customer",
    "human", "AI", "LLM", "GPT", "ChatGPT", "OpenAI", "Anthropic", "Claude", "Gemini", "Llama",
    "Mistral", "Email", "E-mail", "Phone", "Mobile", "Tel", "Address", "Website", "DOB", "IBAN",
    "SSN", "PIN", "OTP", "API", "URL", "ID", "Bearer", "JSON", "SMS", "FAQ", "PDF", "CSV", "VPN",
    "2FA", "OK", "N/A", "ASAP", "ATM", "FYI", "ETA", "TBD",
)
# A model family alone ("Claude") or with a version after a separator or digit ("gpt-4o",
# "llama3", "o1-mini"), never a longer word that starts like one: "Philippe" is not "phi".
MODEL_NAME = re.compile(
    r"(?i)(?:gpt|o\d|claude|gemini|llama|mistral|mixtral|command|phi|qwen|deepseek|text-embedding)"
    r"(?:[-.:_]?\d[\w.]*|[-.:_][\w.]+)?(?:[-.:_][\w.]+)*"
)

# Quasi-identifiers are masked where detected but not hunted for elsewhere: the small model's
# false ORG/LOCATION hits ("Refund", "Billing") would otherwise spread through a whole record.
_NOT_PROPAGATED = frozenset(VAGUE_TYPES)
_MIN_PROPAGATED_LENGTH = 3
_NAME_TYPES = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})
_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # Anne-Marie, O'Brien, Šárka
_POSSESSIVE = re.compile(r"['’]s$")
_CONTRACTION = re.compile(r"['’][^\W\d_]{0,2}$")  # It's, I'm, We'll, Don't; not O'Brien
_INITIAL = re.compile(r"[^\W\d_]\.?")
# The word right before a span (same line, one space) and right after it.
_WORD_BEFORE = re.compile(r"(?<![\w'’.-])([^\W\d_][\w'’-]*\.?)[ \t]$")
_WORD_AFTER = re.compile(r"[ \t]([^\W\d_][\w'’-]*?)(?=$|[\s,;:!?)\]\"]|\.(?:\s|$))", re.MULTILINE)
# A title before a name is part of it: "Dr. Jennifer Holst", "Mrs Patel".
_HONORIFIC_BEFORE = re.compile(
    r"(?<![\w.])((?:Mr|Mrs|Ms|Mx|Miss|Mstr|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Fr|Sr|Sra|Srta|Herr|Frau|Mme|Mlle|Mag|Ing)\.?)[ \t]+$"
)
# "Destiny: Remember me" at the start of a line: a one-word speaker label.
_SPEAKER_LABEL = re.compile(r"^[ \t]*([^\W\d_][\w'’-]+):", re.MULTILINE)
# spaCy caps a text at 1M characters and needs about 1 GB per 100k; longer texts go in pieces.
_MAX_PIECE_CHARS = 20_000


class SanitiseError(LogmineError, RuntimeError):
    """Sanitising failed. The message never holds record text."""


@dataclass
class SanitisedRecord:
    record: dict
    entity_counts: dict[str, int] = field(default_factory=dict)
    found_values: set[str] = field(default_factory=set)  # raw PII: memory only, never persist or log


@dataclass(frozen=True)
class _TextResult:
    """A text and what to mask in it: rendered per call, so that one cached analysis serves plain
    placeholders and every conversation's surrogates alike."""

    text: str  # the original text
    spans: tuple[Span, ...]  # sorted, non-overlapping: detections and other mentions of their values
    values: tuple[tuple[str, str], ...]  # (entity type, raw value) of every detected span

    def render(self, placeholder: Placeholder, extra: Iterable[Span] = ()) -> str:
        return render(self.text, sorted((*self.spans, *extra), key=lambda s: s.start), placeholder)


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
        self._allowed_words = frozenset(word.casefold() for term in (*DEFAULT_ALLOW_TERMS, *allow_terms) for word in term.split())
        nlp = analyzer.nlp_engine.get_nlp(engine.LANGUAGE)
        self._stop_words = nlp.Defaults.stop_words
        self._known_words = _known_words(nlp)
        self._given_names = _given_names()
        self._batch_size = batch_size
        # The same system prompt opens every record: each distinct text is analysed once.
        self._cache: collections.OrderedDict[str, _TextResult] = collections.OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # spaCy and the cache are not safe to share between threads

    # -- public API ---------------------------------------------------------------------------

    def sanitise_texts(self, texts: list[str]) -> list[str]:
        """Sanitise independent texts in one batch; a value found in a text is masked throughout it."""
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise SanitiseError(f"texts[{index}] is not a string")
        return _safely("texts", lambda: [result.render(plain_placeholder) for result in self._analyse(texts)])

    def sanitise_record(self, record: dict, *, pseudonym_key: bytes | None = None) -> SanitisedRecord:
        """Sanitise every text field of a record returned by `records.parse_record`.

        Without `pseudonym_key` every value becomes its type (`<PERSON>`). With it, a keyed
        surrogate (`<PERSON_3f9a>`): the same value gets the same surrogate in every field and
        every record of the conversation (`session_id`), and another one in other conversations.
        """
        if not isinstance(record, dict):
            raise SanitiseError("record is not an object")
        if pseudonym_key is not None and (not isinstance(pseudonym_key, (bytes, bytearray)) or not pseudonym_key):
            raise SanitiseError("pseudonym_key must be non-empty bytes")
        return _safely("record", lambda: self._sanitise_record(record, pseudonym_key))

    # -- records ------------------------------------------------------------------------------

    def _sanitise_record(self, record: dict, pseudonym_key: bytes | None) -> SanitisedRecord:
        placeholder = (
            plain_placeholder if pseudonym_key is None else keyed_placeholder(pseudonym_key, conversation_of(record))
        )
        fields = RecordFields(record, placeholder)
        results = self._analyse(fields.texts())
        known = self._spreading(fields.key_values, from_keys=True)
        counts = collections.Counter(entity_type for entity_type, _ in fields.key_values)
        for result in results:
            known.update(self._spreading(result.values))
        texts = []
        for result in results:
            spans = [known.retyped(result.text, span) for span in result.spans]
            spans.extend(known_spans(result.text, spans, known))
            counts.update(span.entity_type for span in spans)
            texts.append(render(result.text, sorted(spans, key=lambda s: s.start), placeholder))
        found = {
            raw for _, raw in (*fields.key_values, *(v for r in results for v in r.values))
            if known.holds(raw)
        }
        return SanitisedRecord(fields.write_back(texts), dict(counts), found)

    # -- texts --------------------------------------------------------------------------------

    def _analyse(self, texts: list[str]) -> list[_TextResult]:
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

    def _analyse_uncached(self, texts: list[str]) -> list[_TextResult]:
        pieces_per_text = [_pieces(text) for text in texts]
        spans = iter(self._detect([piece for pieces in pieces_per_text for piece in pieces]))
        return [
            _joined([self._mask_piece(piece, next(spans)) for piece in pieces])
            for pieces in pieces_per_text
        ]

    def _detect(self, texts: list[str]) -> list[list[Span]]:
        """Presidio over a batch: spaCy runs once over all texts with `nlp.pipe`."""
        if not texts:
            return []
        results = [results for _, results in self._presidio(texts)]
        # spaCy finds no names in SHOUTED TEXT: runs of upper-case words are read a second time
        # in Title Case (same length, so the offsets hold) and their names added.
        shouted = {index: title_cased_runs(text) for index, text in enumerate(texts)}
        shouted = {index: copy for index, copy in shouted.items() if copy is not None}
        if shouted:
            for index, (copy, copy_results) in zip(shouted, self._presidio(list(shouted.values()))):
                results[index] = [*results[index], *self._names_in_title_cased(texts[index], copy, copy_results)]
        return [self._resolve(text, text_results) for text, text_results in zip(texts, results)]

    def _presidio(self, texts: list[str]) -> list[tuple[str, list]]:
        analysed = self._analyzer.nlp_engine.process_batch(texts, language=engine.LANGUAGE, batch_size=self._batch_size)
        return [
            (text, self._analyzer.analyze(text=text, language=engine.LANGUAGE, nlp_artifacts=artifacts))
            for text, artifacts in analysed
        ]

    def _names_in_title_cased(self, text: str, copy: str, results) -> list:
        """Name-type results of the Title Case copy that lie in a re-cased run and hold a given name
        or a word the lexicon does not know: "JOHN SMITH" yes, "PRESS NEXT" no."""
        runs = [m.span() for m in _SHOUTED_RUN.finditer(text)]
        kept = []
        for result in results:
            if result.entity_type not in _NAME_TYPES:
                continue
            # Only the re-cased part: "UPTON SCUDAMORE Country Club" gives "UPTON SCUDAMORE".
            overlap = [(max(a, result.start), min(b, result.end)) for a, b in runs if a < result.end and result.start < b]
            if not overlap:
                continue
            start, end = overlap[0][0], overlap[-1][1]
            words = [w for w in _NAME_WORD.findall(copy, start, end) if len(w) > 1]
            if any(
                w.lower() in self._given_names or not (w.lower() in self._stop_words or english_word(w, self._known_words))
                for w in words
            ):
                result.start, result.end = start, end
                kept.append(result)
        return kept

    def _resolve(self, text: str, results) -> list[Span]:
        """Presidio results to non-overlapping spans: dates cut to their core, allowed words
        trimmed off, names extended over lists, overlaps merged."""
        spans = []
        for result in results:
            if result.entity_type == "DATE_TIME":
                bounds = date_core(text, result.start, result.end)
            else:
                bounds = self._trim_allowed(text, result.start, result.end)
            if bounds is None or inside_placeholder(text, *bounds):
                continue
            if result.entity_type in _NAME_TYPES and not _HAS_WORD.search(text, *bounds):
                continue  # what is left of "Trailhead 2P" once the product name is allowed
            by_model = (result.recognition_metadata or {}).get("recognizer_name") == "SpacyRecognizer"
            if by_model and result.entity_type in _NAME_TYPES and text[slice(*bounds)].lower() in MODERN_WORDS:
                continue  # "Voicemail is full": the small model's PERSON for a word of the trade
            spans.append(Span(*bounds, result.entity_type, result.score, by_model))
        spans = self._extend_names(text, self._extend_name_lists(text, spans))
        return merge_overlapping(text, self._speaker_labels(text, spans))

    def _trim_allowed(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Drop allow-listed words from both ends of a span; None when nothing else is left."""
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
        while words and self._is_allowed(text[slice(*words[0])]):
            words.pop(0)
        while words and self._is_allowed(text[slice(*words[-1])]):
            words.pop()
        return (words[0][0], words[-1][1]) if words else None

    def _is_allowed(self, word: str) -> bool:
        bare = word.strip(".,;:!?'\"()[]{}")
        return bare.casefold() in self._allowed_words or MODEL_NAME.fullmatch(bare) is not None

    def _extend_name_lists(self, text: str, spans: list[Span]) -> list[Span]:
        """In "Morrison, Rogers and Torres", a word listed beside a name is a name too.

        spaCy often finds one or two names of a list and misses the rest: list items written like
        their neighbour (same case, not a stop word) are added until none is new.
        """
        seen = {(s.start, s.end) for s in spans}
        queue = [s for s in spans if s.entity_type == "PERSON"]
        while queue:
            anchor = queue.pop()
            neighbours = list_neighbours(text, anchor)
            pair = pair_neighbour(text, anchor)
            if pair is not None and not english_word(text[slice(*pair)], self._known_words):
                neighbours.append(pair)  # "Nekolná and Pearson were": only a word the lexicon does not know
            for start, end in neighbours:
                word = text[start:end]
                if (start, end) in seen or word.lower() in self._stop_words or self._is_allowed(word):
                    continue
                seen.add((start, end))
                neighbour = Span(start, end, "PERSON", anchor.score)
                spans.append(neighbour)
                queue.append(neighbour)
        return spans

    def _extend_names(self, text: str, spans: list[Span]) -> list[Span]:
        """A name span cut inside a word takes the whole word ("Hauta-aho"), and takes capitalised
        words beside it on its line that the lexicon does not know ("Producer Mashuu Samurakami"
        where spaCy found only the surname), and initials between them ("Ryan P Costa")."""
        out = []
        for span in spans:
            if span.entity_type != "PERSON" or not text[span.start].isupper():
                out.append(span)  # a lower-case name gives no case to compare its neighbours with
                continue
            start, end = span.start, span.end
            while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "-'’") and start - 1 >= 0:
                start -= 1
            while end < len(text) and (text[end].isalpha() or (text[end] in "-’'" and end + 1 < len(text) and text[end + 1].isalpha())):
                if text[end] in "’'" and text[end + 1 : end + 2] == "s" and not text[end + 2 : end + 3].isalpha():
                    break  # a possessive: "Samoylova's"
                end += 1
            while True:
                before = _WORD_BEFORE.search(text, max(0, start - 40), start)
                if before and self._name_like(before.group(1), text, before.end()):
                    start = before.start(1)
                    continue
                break
            honorific = _HONORIFIC_BEFORE.search(text, max(0, start - 12), start)
            if honorific:
                start = honorific.start(1)
            while True:
                after = _WORD_AFTER.match(text, end)
                if after and self._name_like(after.group(1), text, after.end()):
                    end = after.end(1)
                    continue
                break
            out.append(dataclasses.replace(span, start=start, end=end) if (start, end) != (span.start, span.end) else span)
        return out

    def _name_like(self, word: str, text: str, end: int) -> bool:
        if _INITIAL.fullmatch(word):
            following = _WORD_AFTER.match(text, end)
            return following is not None and following.group(1)[:1].isupper()
        return (
            word[:1].isupper() and not word[1:].isupper() and len(word) >= 3 and not _CONTRACTION.search(word)
            and not english_word(word, self._known_words) and word.lower() not in self._stop_words
            and not self._is_allowed(word)
        )

    def _speaker_labels(self, text: str, spans: list[Span]) -> list[Span]:
        """In a transcript ("Ella: ...\nDestiny: ..."), when one speaker label is a detected name,
        the other one-word labels are names too."""
        labels = [m for m in _SPEAKER_LABEL.finditer(text) if not self._is_allowed(m.group(1))]
        if len(labels) < 2:
            return spans
        named = {(s.start, s.end) for s in spans if s.entity_type == "PERSON"}
        if not any(m.span(1) in named for m in labels):
            return spans
        covered = [(s.start, s.end) for s in spans]
        extra = [
            Span(*m.span(1), "PERSON", 0.5) for m in labels
            if m.group(1).lower() not in self._stop_words
            and not any(a <= m.start(1) < b for a, b in covered)
        ]
        return [*spans, *extra]

    def _mask_piece(self, text: str, spans: list[Span]) -> _TextResult:
        values = tuple((span.entity_type, text[span.start : span.end]) for span in spans)
        extra = known_spans(text, spans, self._spreading(values))
        return _TextResult(text, tuple(sorted((*spans, *extra), key=lambda s: s.start)), values)

    # -- values masked wherever they occur ------------------------------------------------------

    def _spreading(self, values: Iterable[tuple[str, str]], from_keys: bool = False) -> KnownValues:
        """The found values to mask wherever else they occur in the text or record.

        Whole values match in any case. The parts of a multi-word name ("Smith" from "John Smith")
        match only as written, so that "Rose" does not take "rose" with it. NER hits that are stop
        words or allowed ("Will") do not spread; values under PII keys always do.
        """
        known = KnownValues()
        for entity_type, raw in values:
            value = " ".join(raw.split())
            if entity_type in _NOT_PROPAGATED or len(value) < _MIN_PROPAGATED_LENGTH:
                continue
            if not from_keys and (value.lower() in self._stop_words or self._is_allowed(value)):
                continue
            if not from_keys and " " not in value and english_word(value, self._known_words) \
                    and value.lower() not in self._given_names:
                # "Salesperson" that spaCy calls a PERSON: other mentions as written, not "salesperson"
                known.add_name_part(value, entity_type, value)
                continue
            known.add(value, entity_type)
            if entity_type == "PERSON":
                for part in self._name_parts(value):
                    known.add_name_part(part, entity_type, value)
        return known

    def _name_parts(self, name: str) -> list[str]:
        """Parts of a name made of name-like words, without stop words or allowed words: a
        mislabelled "Order ORD-77120" gives no "Order"."""
        parts = [_POSSESSIVE.sub("", part.strip(".,")) for part in name.split()]
        if len(parts) < 2 or not all(_NAME_WORD.fullmatch(part) for part in parts if len(part) > 1):
            return []
        return [
            part for part in parts
            if len(part) >= _MIN_PROPAGATED_LENGTH and part.lower() not in self._stop_words and not self._is_allowed(part)
        ]


@dataclass
class KnownValues:
    """Values to mask wherever they occur: whole values in any case, name parts as written.

    Each maps to (entity type, the value whose surrogate it takes): a name part takes its full
    name's, so "Smith" and "John Smith" read as the same person.
    """

    whole: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower-cased value -> (type, value)
    name_parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # part as written -> (type, name)

    def add(self, value: str, entity_type: str) -> None:
        self.whole.setdefault(_folded(value), (entity_type, value))

    def add_name_part(self, part: str, entity_type: str, name: str) -> None:
        self.name_parts.setdefault(part, (entity_type, name))

    def holds(self, value: str) -> bool:
        return _folded(value) in self.whole

    def update(self, other: KnownValues) -> None:
        for folded, entry in other.whole.items():
            self.whole.setdefault(folded, entry)
        for part, entry in other.name_parts.items():
            self.name_parts.setdefault(part, entry)

    def retyped(self, text: str, span: Span) -> Span:
        """A vague detection (spaCy's LOCATION for "Quennell") of a value known as something more
        specific in the record takes that type and surrogate: one person, one surrogate."""
        if span.entity_type not in _NOT_PROPAGATED:
            return span
        value = text[span.start : span.end]
        entry = self.whole.get(_folded(value)) or self.name_parts.get(value)
        if entry is None or entry[0] in _NOT_PROPAGATED:
            return span
        return dataclasses.replace(span, entity_type=entry[0], value=entry[1])

    def passes(self):
        """(pattern, (type, value) of a match) for each masking pass, whole values first."""
        if self.whole:
            yield _values_pattern(tuple(self.whole), re.IGNORECASE), lambda m: self.whole.get(_folded(m))
        if self.name_parts:
            yield _values_pattern(tuple(self.name_parts), 0), lambda m: self.name_parts.get(m)


def known_spans(text: str, spans: Iterable[Span], known: KnownValues) -> list[Span]:
    """Spans for every mention of a known value outside the given spans, longest value first.

    Each gap between spans is searched on its own, as if the spans were already placeholders:
    a mention that would straddle a span is not a mention.
    """
    taken = sorted(spans, key=lambda s: s.start)
    found: list[Span] = []
    for pattern, entry_of in known.passes():
        new = []
        position = 0
        for span in [*taken, Span(len(text), len(text), "", 0.0)]:
            gap = text[position : span.start]
            for match in pattern.finditer(gap):
                entity_type, value = entry_of(match.group(0)) or ("PII", match.group(0))
                new.append(Span(position + match.start(), position + match.end(), entity_type, 1.0, value=value))
            position = max(position, span.end)
        found.extend(new)
        taken = sorted((*taken, *new), key=lambda s: s.start)
    return found


def render(text: str, spans: Iterable[Span], placeholder: Placeholder) -> str:
    """The text with each span (sorted, non-overlapping) replaced by its placeholder."""
    out = []
    position = 0
    for span in spans:
        out.append(text[position : span.start])
        out.append(placeholder(span.entity_type, span.value if span.value is not None else text[span.start : span.end]))
        position = span.end
    out.append(text[position:])
    return "".join(out)


def _folded(value: str) -> str:
    # lower(), not casefold(): the pattern is built from these keys and must still match "Straße"
    return " ".join(value.split()).lower()


@functools.lru_cache(maxsize=1024)
def _values_pattern(values: tuple[str, ...], flags: int) -> re.Pattern:
    alternatives = (r"\s+".join(map(re.escape, v.split())) for v in sorted(values, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", flags)


# -- long texts ---------------------------------------------------------------------------------


def _pieces(text: str) -> list[str]:
    """Split a long text at line ends (else spaces) into pieces spaCy handles; most texts are one."""
    pieces = []
    while len(text) > _MAX_PIECE_CHARS:
        cut = text.rfind("\n", 0, _MAX_PIECE_CHARS)
        if cut <= 0:
            cut = text.rfind(" ", 0, _MAX_PIECE_CHARS)
        cut = cut + 1 if cut > 0 else _MAX_PIECE_CHARS
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def _joined(results: list[_TextResult]) -> _TextResult:
    if len(results) == 1:
        return results[0]
    spans = []
    offset = 0
    for result in results:
        spans.extend(dataclasses.replace(s, start=s.start + offset, end=s.end + offset) for s in result.spans)
        offset += len(result.text)
    values = tuple(value for result in results for value in result.values)
    return _TextResult("".join(r.text for r in results), tuple(spans), values)


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


def _given_names() -> frozenset[str]:
    from logmine_dagster.sanitise.recognizers import first_names

    return first_names()


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


def _known_words(nlp) -> frozenset[str]:
    from logmine_dagster.sanitise.recognizers import known_english_words

    return known_english_words(nlp)


@functools.lru_cache(maxsize=8)
def get_sanitiser(allow_terms: tuple[str, ...] = ()) -> Sanitiser:
    """The process-wide sanitiser for an allow-list; builds the engines on first call.

    `allow_terms`: company, product and bot names that must stay readable ("Northwind").
    """
    return Sanitiser(engine.get_analyzer(), allow_terms=allow_terms)
