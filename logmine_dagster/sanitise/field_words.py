"""Words of a data schema written into text are not personal data.

Support traffic quotes its tools' field names and enum values in prose and in JSON: "user_id: ...",
"source": "credit_card", "cabin": "basic_economy". The small model reads `user_id` as a PERSON, and once
masked it is a found value that the residual gate then meets as a JSON key of the same record and
refuses. A snake_case token whose every part is an English word and none a given name is such a word
(`amelia_davis` keeps a given name and stays a name; `leocadia_vanterpool_7731` has digits).

Codes are not names either: a whole-token upper-case code with digits ("HAT151", a flight or fare
code) or an acronym of 2 to 4 capitals ("DFW", "VIC") that is no given name, which the model reads
as an organisation, a place or a person. Names written in capitals ("JOHN SMITH", "ANA") still mask:
a given name is never a code, and runs of capitalised words are read again in Title Case.
"""

from __future__ import annotations

import re

from logmine_dagster.sanitise.word_lists import WordLists

_SNAKE = re.compile(r"(?<![\w.@/-])[a-z]{2,}(?:_[a-z]{2,})+(?![\w@]|\.\w)")
_CODE = re.compile(r"[A-Z]{2,4}|[A-Z]{2,}[0-9]{1,5}")


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
