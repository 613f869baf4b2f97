"""Texts that hold JSON: a tool result pasted into a message, JSON lines, a log line's payload, JSON
cut short by a size limit, a Python dict's repr. The record walker reads JSON that parses as a
whole (`record_fields`); these reach the sanitiser as one text, where spaCy sees punctuation soup
(`{"name": "Jane Doe", "email": ...}`) and reads names badly.

`keyed_text(text)` finds the JSON in a text without parsing it whole and gives:
- `copy`: the text with the JSON glue (quotes, braces, brackets, colons, commas, `\\n` escapes)
  blanked to spaces at the same offsets, for the model to read words rather than punctuation;
- `typed`: the values under PII keys typed by the walker's key rule (`pii_keys`): the value of
  "email", "phone", "customer_name", "address" (or every value inside it) is that entity;
- `clip(result)`: a name the model read in the copy, cut to the JSON strings it overlaps (it read
  across glue that is not there any more: "Doe    email" is not a name); a cut into a key that is a
  field name (`"last_name"`) is dropped.
No Presidio import here: results are plain objects with the attributes the sanitiser reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from logmine_dagster.sanitise.pii_keys import key_words, pii_type_for_key

_STRING = {'"': re.compile(r'"((?:[^"\\\n]|\\.)*)"'), "'": re.compile(r"'((?:[^'\\\n]|\\.)*)'")}
_SCALAR = re.compile(r"-?\d[\d.eE+-]*|true|false|null|True|False|None")
_ESCAPE = re.compile(r"\\[nrtbf\\/\"']")
_OPENS = re.compile(r"[{\[]\s*(?:[\"'{\[\]}]|$)")  # where JSON may start: "{" then a key, "[{", "[]"
_GLUE = "{}[]:,"


@dataclass
class KeyedResult:
    """A detection in a keyed text, shaped like Presidio's `RecognizerResult` where the sanitiser reads it."""

    entity_type: str
    start: int
    end: int
    score: float
    recognition_metadata: dict = field(default_factory=lambda: {"recognizer_name": "KeyedTextRecognizer"})


@dataclass(frozen=True)
class Fragment:
    start: int  # the string's content, quotes excluded
    end: int
    is_key: bool
    names_a_thing: bool = False  # the value of a thing's name: "name" of a product, "plan_name"


@dataclass(frozen=True)
class KeyedText:
    copy: str
    fragments: tuple[Fragment, ...]
    typed: tuple[KeyedResult, ...]

    def results(self, found: list, name_types: frozenset[str]) -> list:
        """The detections of the copy with names clipped (`clip`), and the values under PII keys
        typed by their key: what a detector found inside such a value gives way to it (a phone
        number under "mobile" that a record-number pattern also matched is a phone number)."""
        clipped = [piece for result in found for piece in (self.clip(result) if result.entity_type in name_types else [result])]
        kept = [r for r in clipped if not any(t.start <= r.start and r.end <= t.end for t in self.typed)]
        return [*kept, *self.typed]

    def clip(self, result) -> list:
        """`result` cut to the strings it overlaps (one result per string); results outside every
        JSON string (in prose around the JSON) are kept as they are."""
        inside = [f for f in self.fragments if f.start < result.end and result.start < f.end]
        if not inside:
            return [result]
        if all(f.names_a_thing for f in inside):
            return []  # the key says what it names: "Trail Runner 2" under a product's "name"
        if len(inside) == 1 and inside[0].start <= result.start and result.end <= inside[0].end:
            return [result]
        return [
            KeyedResult(result.entity_type, max(f.start, result.start), min(f.end, result.end), result.score,
                        result.recognition_metadata)
            for f in inside if not (f.is_key and _field_name(self.copy[f.start : f.end]))
        ]


def _field_name(key: str) -> bool:
    """A key that names a field (`last_name`, `customerEmail`) rather than holding data ("Jane Doe")."""
    return " " not in key.strip()


def _names_a_thing(key: str | None, stack: list) -> bool:
    if key is None or "name" not in key_words(key):
        return False
    inherited, parent = stack[-1] if stack else (None, None)
    return inherited is None and pii_type_for_key(key, parent) is None


class _Scan:
    """One pass over a JSON region: blanks glue, collects strings and typed values."""

    def __init__(self, text: str, chars: list[str]) -> None:
        self.text, self.chars = text, chars
        self.fragments: list[Fragment] = []
        self.typed: list[KeyedResult] = []
        self.pairs = 0

    def region(self, position: int) -> int:
        """Scan from the opening bracket at `position`; return where the region ends (JSON cut
        short ends at the end of the text or at the first character JSON cannot hold)."""
        # each open container: (the type its values inherit from its key, the key holding it)
        stack: list[tuple[str | None, str | None]] = []
        key: str | None = None  # the key whose value comes next
        last_string: tuple[str, int, int] | None = None
        expect_value = False
        text = self.text
        while position < len(text):
            char = text[position]
            if char.isspace():
                position += 1
                continue
            if char in "{[":
                parent = key if expect_value else (stack[-1][1] if stack else None)  # a list passes its key on
                stack.append((self._type_of(key if expect_value else None, stack), parent))
                key, expect_value, last_string = None, False, None
            elif char in "}]":
                if not stack:
                    return position
                stack.pop()
                if not stack:
                    self.chars[position] = " "
                    return position + 1
            elif char == ":" and last_string is not None:
                key, expect_value = last_string[0], True
                self.fragments[-1] = Fragment(last_string[1], last_string[2], True)
                if self.typed and self.typed[-1].start == last_string[1]:
                    self.typed.pop()  # a key inside an "address" object is no part of the address
                self.pairs += 1
                last_string = None
            elif char == ",":
                key, expect_value, last_string = None, False, None
            elif char in _STRING:
                match = _STRING[char].match(text, position)
                if match is None:
                    return position
                self._string(match, key if expect_value else None, stack)
                last_string = (match.group(1), match.start(1), match.end(1)) if not expect_value else None
                key, expect_value = None, False
                position = match.end()
                continue
            else:
                match = _SCALAR.match(text, position)
                if match is None:
                    return position
                if expect_value and match.group(0)[:1] in "-0123456789":
                    self._value(match.start(), match.end(), key, stack)
                key, expect_value, last_string = None, False, None
                position = match.end()
                continue
            self.chars[position] = " "
            position += 1
        return position

    def _type_of(self, key: str | None, stack: list) -> str | None:
        """What every value inside the next container is: its key's type ("address": {...}), or its
        parent's; the "name" of an item of "products" is no person (`pii_keys`)."""
        inherited, parent = stack[-1] if stack else (None, None)
        return inherited or (pii_type_for_key(key, parent) if key else None)

    def _string(self, match: re.Match, key: str | None, stack: list) -> None:
        self.chars[match.start()] = self.chars[match.end() - 1] = " "
        for escape in _ESCAPE.finditer(self.text, match.start(1), match.end(1)):
            self.chars[escape.start()] = self.chars[escape.start() + 1] = " "
        self.fragments.append(Fragment(match.start(1), match.end(1), False, _names_a_thing(key, stack)))
        self._value(match.start(1), match.end(1), key, stack)

    def _value(self, start: int, end: int, key: str | None, stack: list) -> None:
        entity_type = self._type_of(key, stack)
        if entity_type and self.text[start:end].strip():
            self.typed.append(KeyedResult(entity_type, start, end, 1.0))


def keyed_text(text: str) -> KeyedText | None:
    """The text's JSON regions read as described above, or None when it holds no JSON object with
    at least one key."""
    if "{" not in text and "[" not in text:
        return None
    chars = list(text)
    scan = _Scan(text, chars)
    position = 0
    found = False
    while True:
        opening = _OPENS.search(text, position)
        if opening is None:
            break
        before = (len(scan.fragments), len(scan.typed), scan.pairs)
        end = scan.region(opening.start())
        if scan.pairs == before[2]:  # "[1, 2]" or "{x}" in prose: no key, nothing to read differently
            del scan.fragments[before[0] :], scan.typed[before[1] :]
            chars[opening.start() : end] = text[opening.start() : end]
        else:
            found = True
        position = max(end, opening.start() + 1)
    if not found:
        return None
    return KeyedText("".join(chars), tuple(scan.fragments), tuple(scan.typed))
