"""An analysed text and what to mask in it; long texts analysed in pieces and joined again."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

from logmine_dagster.sanitise.spans import Span, merge_overlapping
from logmine_dagster.sanitise.surrogates import Placeholder

# spaCy caps a text at 1M characters and needs about 1 GB per 100k; and Presidio's context
# enhancer costs (hits x tokens) per text. Longer texts go in pieces of about this size.
_PIECE_CHARS = 4_000
_SPLIT_ABOVE_CHARS = 6_000
# Each piece reads this far into its neighbours: address cues look 120 characters back.
_OVERLAP_CHARS = 300


@dataclass(frozen=True)
class TextResult:
    """A text and what to mask in it: rendered per call, so that one cached analysis serves plain
    placeholders and every conversation's surrogates alike."""

    text: str  # the original text
    spans: tuple[Span, ...]  # sorted, non-overlapping: detections and other mentions of their values
    values: tuple[tuple[str, str], ...]  # (entity type, raw value) of every detected span

    def render(self, placeholder: Placeholder, extra: Iterable[Span] = ()) -> str:
        return render(self.text, sorted((*self.spans, *extra), key=lambda s: s.start), placeholder)


def render(text: str, spans: Iterable[Span], placeholder: Placeholder) -> str:
    """The text with each span (sorted, non-overlapping) replaced by its placeholder."""
    out = []
    position = 0
    for span in spans:
        if span.end <= position:
            continue  # inside what is already masked: going back would write the text between again
        out.append(text[position : span.start])
        out.append(_placeholder(text, span, placeholder))
        position = span.end
    out.append(text[position:])
    return "".join(out)


def _placeholder(text: str, span: Span, placeholder: Placeholder) -> str:
    value = span.value if span.value is not None else text[span.start : span.end]
    if span.tag_type is None or span.tag_type == span.entity_type:
        return placeholder(span.entity_type, value)
    # the linked type's surrogate under the span's own type: `<PERSON_3f9a>` -> `<EMAIL_ADDRESS_3f9a>`
    return placeholder(span.tag_type, value).replace(f"<{span.tag_type}", f"<{span.entity_type}", 1)


@dataclass(frozen=True)
class Piece:
    """A window of a long text: `text` starts at `offset` in the whole text and owns the detections
    that start in `text[own_start:own_end]`; the rest is overlap with its neighbours, there so that
    a value or a cue that straddles a cut is still read whole."""

    text: str
    offset: int
    own_start: int
    own_end: int


def split_long_text(text: str) -> list[Piece]:
    """Cut a long text at line ends (else sentence ends, else spaces) into pieces with overlap.

    Each piece costs the same whatever the text's length, so a text costs time linear in its
    length: Presidio's context enhancer walks every token of a piece for every hit in it, which is
    quadratic within one piece. Most texts are one piece, analysed exactly as written.
    """
    if len(text) <= _SPLIT_ABOVE_CHARS:
        return [Piece(text, 0, 0, len(text))]
    pieces = []
    start = 0
    while start < len(text):
        end = len(text) if len(text) - start <= _PIECE_CHARS else _cut(text, start + _PIECE_CHARS, start)
        lead = _cut(text, start - _OVERLAP_CHARS, start - 2 * _OVERLAP_CHARS) if start else 0
        tail = len(text) if end == len(text) else _cut(text, end + _OVERLAP_CHARS, end)
        pieces.append(Piece(text[lead:tail], lead, start - lead, end - lead))
        start = end
    return pieces


def _cut(text: str, at: int, floor: int) -> int:
    """A cut near `at` (never at or below `floor`): after the last line end, sentence end or space
    before it, else `at` itself."""
    floor = max(floor, -1)
    at = max(floor + 1, min(at, len(text)))
    for pattern in ("\n", ". ", " "):
        found = text.rfind(pattern, floor + 1, at)
        if found > floor:
            return found + len(pattern)
    return at


def join_pieces(text: str, pieces: list[Piece], results: list[TextResult]) -> TextResult:
    """One result for the whole text: each piece's spans that start in its own part, moved to
    whole-text offsets; a span that reaches into the next piece's own part is merged with what
    that piece found there."""
    if len(pieces) == 1:
        return results[0]
    spans: list[Span] = []
    for piece, result in zip(pieces, results):
        for span in result.spans:
            if not piece.own_start <= span.start < piece.own_end:
                continue
            moved = dataclasses.replace(span, start=span.start + piece.offset, end=span.end + piece.offset)
            if spans and moved.start < spans[-1].end:
                moved = merge_overlapping(text, [spans.pop(), moved])[0]
            spans.append(moved)
    values = tuple(value for result in results for value in result.values)
    return TextResult(text, tuple(spans), values)
