"""An analysed text and what to mask in it; long texts analysed in pieces and joined again."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

from logmine_dagster.sanitise.spans import Span
from logmine_dagster.sanitise.surrogates import Placeholder

# spaCy caps a text at 1M characters and needs about 1 GB per 100k; longer texts go in pieces.
_MAX_PIECE_CHARS = 20_000


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


def split_long_text(text: str) -> list[str]:
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


def join_pieces(results: list[TextResult]) -> TextResult:
    if len(results) == 1:
        return results[0]
    spans = []
    offset = 0
    for result in results:
        spans.extend(dataclasses.replace(s, start=s.start + offset, end=s.end + offset) for s in result.spans)
        offset += len(result.text)
    values = tuple(value for result in results for value in result.values)
    return TextResult("".join(r.text for r in results), tuple(spans), values)
