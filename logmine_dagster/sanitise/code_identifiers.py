"""Code identifiers in text are not personal data: where they are, recognizer hits are dropped.

Presidio's URL recognizer reads `openai.InternalServerError` as the domain `openai.Int` (".int" is a
top-level domain) and its US driver's licence patterns read `v2` in `service-v2` as a licence number;
masking either mangles `error_type` and service names, which categorising reads. A hit that lies
wholly inside one of these shapes is dropped; a hit that reaches beyond it (a URL holding one) stays.

The shapes are narrow on purpose, so that a person's name never fits them:
- a dotted name whose last part is CamelCase with an inner capital (`requests.exceptions.ReadTimeout`),
  led by a lower-case package name of 3+ letters that is not a title (`dr.McKay` is a name); or any
  dotted name ending in Error/Exception/Warning/Timeout/Fault (`System.TimeoutException`);
- a model name (`allow_list.MODEL_NAME`) as a whole token: `claude-3-5-haiku-20241022`, up to a
  colon (the organisation and suffix of `ft:gpt-4o-mini:org:suffix` are the customer's words);
- a short version: `v` or `V` and 1 to 3 digits, dotted parts allowed (`v1.4.2`, `svc-v3`): a
  licence number has more digits than that.
"""

from __future__ import annotations

import regex

from logmine_dagster.sanitise.allow_list import MODEL_NAME

_CAMEL = r"[A-Z]+[a-z0-9]+[A-Z]\w*"
_SEGMENT = r"[A-Za-z_]\w*"
_TITLES = r"(?:mr|mrs|ms|mx|dr|prof|sir|rev|hon|mme|mlle|herr|frau|sra?|srta)"
_CODE_SHAPES = regex.compile(
    r"(?<![\w.@/-])(?:"
    rf"(?!{_TITLES}\.)[a-z][a-z0-9_]{{2,}}(?:\.{_SEGMENT})*\.{_CAMEL}"
    rf"|{_SEGMENT}(?:\.{_SEGMENT})*\.[A-Z]\w*(?:Error|Exception|Warning|Timeout|Fault)"
    r")(?![\w@]|\.\w)"
    r"|(?<![\w.])[vV]\d{1,3}(?:\.\d{1,4}){0,3}(?![\w.]\w|\w)"
)


# A model name as a whole token: "claude-3-5-haiku-20241022" (its date read as a bank number).
_MODEL_TOKEN = regex.compile(rf"(?<![\w.-])(?:{MODEL_NAME.pattern})(?![\w-])")


def code_identifier_spans(text: str) -> list[tuple[int, int]]:
    spans = [match.span() for match in _CODE_SHAPES.finditer(text)]
    return spans + [_model_base(match) for match in _MODEL_TOKEN.finditer(text)]


def _model_base(match) -> tuple[int, int]:
    """A model token up to its first colon: in a fine-tuned name ("ft:gpt-4o-mini:acme:suffix") what
    follows is chosen by the customer and may name a person."""
    colon = match.group().find(":")
    return (match.start(), match.end()) if colon < 0 else (match.start(), match.start() + colon)


def inside_code_identifier(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies wholly inside one of `spans`."""
    return any(low <= start and end <= high for low, high in spans)
