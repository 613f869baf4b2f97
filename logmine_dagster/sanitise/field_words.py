"""Words of a data schema written into text are not personal data.

Support traffic quotes its tools' field names and enum values in prose and in JSON: "user_id: ...",
"source": "credit_card", "cabin": "basic_economy". The small model reads `user_id` as a PERSON, and once
masked it is a found value that the residual gate then meets as a JSON key of the same record and
refuses. A snake_case token whose every part is an English word and none a given name is such a word
(`amelia_davis` keeps a given name and stays a name; `leocadia_vanterpool_7731` has digits).

Codes are not names either: a whole-token upper-case code with digits ("HAT151", a flight or fare
code) or an acronym of 2 to 4 capitals ("DFW", "VIC") that is no given name, which the model reads
as an organisation, a place or a person. Names written in capitals ("JOHN SMITH", "ANA") still mask:
a given name is a code only where a route makes it one: "from SFO to MIA", "MIA-PHX", "between ORD
and MIA" join it to a code that is no name, and a name is never an end of a route. A code a record's
prose routes so is a code in that whole record, in its JSON values too (`"destination": "MIA"`, which
the model reads alone). JSON says the same by structure: a given-name-shaped code that is the value
of an object beside another three-letter code that is no name (`{"origin": "ORD", "destination":
"MIA"}`) is a code among codes.
"""

from __future__ import annotations

import json
import re

from logmine_dagster.sanitise.word_lists import WordLists

_SNAKE = re.compile(r"(?<![\w.@/-])[a-z]{2,}(?:_[a-z]{2,})+(?![\w@]|\.\w)")
_CODE = re.compile(r"[A-Z]{2,4}|[A-Z]{2,}[0-9]{1,5}")
# Two three-letter codes joined as the ends of a route.
_ROUTE = re.compile(
    r"(?<![\w-])([A-Z]{3})\s*(?:(?:to|into|→|->|–|-|/|>)|(?<=\s)and(?=\s))\s*([A-Z]{3})(?![\w-])"
)
_ROUTE_AND = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_BETWEEN_WINDOW = 200


def field_word_spans(text: str, words: WordLists) -> list[tuple[int, int]]:
    """Bounds of the schema words in `text`: hits inside them are dropped."""
    spans = []
    for match in _SNAKE.finditer(text):
        parts = match.group().split("_")
        if all(part in words.known_words and part not in words.given_names for part in parts):
            spans.append(match.span())
    return spans


def is_code(value: str, words: WordLists) -> bool:
    """Whether a span the model labelled a name is a code or an acronym (see the module text)."""
    return _CODE.fullmatch(value) is not None and value.lower() not in words.given_names


def route_codes(text: str, words: WordLists) -> set[str]:
    """The given-name-shaped codes ("MIA") `text` writes as an end of a route beside a code that is no
    given name: codes wherever the record writes them (see the module text)."""
    codes = set()
    for match in _ROUTE.finditer(text):
        # "between" is looked for in the few characters before the match, not from the text's start:
        # that search ran once per match over everything before it (quadratic in a huge text)
        if " and " in match.group() and not _ROUTE_AND.search(text, max(0, match.start() - _BETWEEN_WINDOW), match.start()):
            continue  # "JOHN and ANA": only "between X and Y" is a route
        first, second = match.group(1), match.group(2)
        named = [code for code in (first, second) if code.lower() in words.given_names]
        if len(named) == 1:
            codes.add(named[0])
    return codes


_IATA = re.compile(r"[A-Z]{3}")


def sibling_codes(node, words: WordLists) -> set[str]:
    """The given-name-shaped codes held by a JSON object (in `node`, or JSON held in its strings) beside a
    three-letter code that is no given name."""
    codes: set[str] = set()
    if isinstance(node, str):
        if node[:1] in "{[":
            try:
                codes |= sibling_codes(json.loads(node), words)
            except ValueError:
                pass
        return codes
    if isinstance(node, dict):
        shaped = [v for v in node.values() if isinstance(v, str) and _IATA.fullmatch(v)]
        named = {v for v in shaped if v.lower() in words.given_names}
        if len(named) < len(shaped):
            codes |= named
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            codes |= sibling_codes(child, words)
    return codes
