"""An independent residual-PII gate for sanitised records.

Built differently from the sanitiser on purpose, so that the two rarely fail together: no Presidio,
no spaCy, only strict regexes with checksums (Luhn, IBAN mod 97), a name right after a title, a
house number before an English street type, and exact matching of values known from the raw record
(the sanitiser's own finds among them). It is fast and aims at few false alarms: what it flags
is almost surely a leak.

    known = known_values(raw_record)              # in memory only: never persist or log these
    findings = scan_row(stored_row, known)        # the row as stored: every column, JSON keys included
    findings = scan_record(sanitised_record, known)

Keys are text like any other (a tool result keyed by a customer's name), and the gate walks
whatever the row holds, not the schema the sanitiser walks: a field the walker missed is still read.

A `Finding` names the field and the kind of PII, never the matched text: it is safe for logs and
Dagster metadata. Typed placeholders (`<PERSON>`, keyed `<PERSON_3f9a>`) never match.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

from logmine_dagster.sanitise.pii_keys import pii_type_for_key
from logmine_dagster.sanitise.record_fields import DATA_ROLES, json_leaves, parse_json_container
from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN

MIN_KNOWN_VALUE_LENGTH = 4
# Fields the caller replaces with keyed hashes or that hold no free text.
UNSCANNED_FIELDS = frozenset({"request_id", "session_id", "user_id", "timestamp", "status"})
# Columns of a stored row that hold keyed pseudonyms, dates or the pipeline's own words; every
# other column is scanned, and a column named `*_json` is read as JSON, keys included.
UNSCANNED_COLUMNS = frozenset({"day", "case_id", "session_ref", "user_ref", "timestamp", "status", "sample_reasons"})

# `<PERSON>` and keyed surrogates `<PERSON_3f9a>`; the one shared definition with the sanitiser.
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
# Keys shown in a Finding's field path: schema-style names only, so a key that is itself personal
# data ("jane@example.com", "John Smith") shows as "*".
_SCHEMA_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class Finding:
    field: str  # e.g. "input[2].content", "output", "metadata.notes"
    kind: str  # e.g. "EMAIL_ADDRESS", "KNOWN_VALUE"


# -- validators -------------------------------------------------------------------------------------
# Written here rather than shared with `recognizers`: the gate is meant to fail independently.


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _luhn_valid(text: str) -> bool:
    digits = _digits(text)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _phone_length(text: str) -> bool:
    return 8 <= len(_digits(text)) <= 15


def _public_ipv4(text: str) -> bool:
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified or text == "255.255.255.255")


def _ipv6(text: str) -> bool:
    groups = [group for group in text.split(":") if group]
    if len(groups) < 2 or not any(char.isdigit() for char in text):
        return False  # "dead::beef", "a::b" read as words more often than as addresses
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)


def _always(_: str) -> bool:
    return True


# Words that follow a title without being a name.
_NOT_A_NAME = frozenset({
    "customer", "user", "unknown", "redacted", "required", "optional", "none", "null", "support",
    "assistant", "agent", "admin", "test", "sir", "madam", "not", "the", "your", "my", "on", "in",
})


def _title_case_name(text: str) -> bool:
    """A name after a cue: one capital, then lower case ("Jane", "O'Brien"), not a common label."""
    parts = [part for part in re.split(r"[-'’]", text) if part]
    return (
        sum(len(part) for part in parts) >= 2 and text.lower() not in _NOT_A_NAME
        and all(part[0].isupper() and (len(part) == 1 or part[1:].islower()) for part in parts)
    )


# -- the regex battery --------------------------------------------------------------------------------

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)


@dataclass(frozen=True)
class _Check:
    kind: str
    pattern: re.Pattern
    valid: Callable[[str], bool] = _always

    def values(self, text: str) -> Iterator[str]:
        """The matched values; the last non-empty group when the pattern has a cue before it."""
        for match in self.pattern.finditer(text):
            value = next((g for g in reversed(match.groups()) if g), match.group(0))
            if self.valid(value):
                yield value


_CHECKS = (
    _Check("EMAIL_ADDRESS", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")),
    _Check("CREDIT_CARD", re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"), _luhn_valid),
    _Check(
        "IBAN_CODE",
        re.compile(
            r"(?i)(?<![a-z0-9])[a-z]{2}\d{2}(?:[a-z0-9]{11,30}|(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?)(?![a-z0-9])"
        ),
        _iban_valid,
    ),
    _Check("US_SSN", re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")),
    _Check(
        "PHONE_NUMBER",
        re.compile(
            r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?!\w)"  # +44 20 7946 0958
            r"|(?<![\w.+-])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])"  # (555) 010-2345
            r"|(?<![\w.+-])0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?![\w-])"  # 020 7946 0958
        ),
        _phone_length,
    ),
    _Check("IP_ADDRESS", re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)"), _public_ipv4),
    _Check("IP_ADDRESS", re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"), _ipv6),
    _Check(
        "DATE_OF_BIRTH",
        re.compile(
            rf"(?i)\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|born\s+on|birthday)\b[\s:=,-]*"
            rf"(?:is\s+|was\s+)?({_DATE})(?!\d)"
        ),
    ),
    _Check(
        "ACCOUNT_ID",
        re.compile(
            r"(?<![\w-])(?:ACC|ORD)-(?=[A-Z0-9-]*\d)[A-Z0-9]{3,}(?:-[A-Z0-9]+)*(?![\w-])"
            r"|(?i:\baccount\s+(?:number|no\.?|num|#)\s*(?:is\s+|:\s*)?#?)(\d{6,})\b"
        ),
    ),
    # A name right after a title ("Mrs Okafor"): the gate's own, spaCy-free look at the sanitiser's
    # main job. Placeholders are gone before this runs, so "Dr. <PERSON>" never matches. Not after
    # "my name is": there the sanitiser masks every word but the allow-listed ones ("my name is
    # Nova", the assistant), which the gate does not know and would quarantine.
    _Check(
        "PERSON",
        re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?[ \t]+([^\W\d_]+(?:['’-][^\W\d_]+)*)"),
        _title_case_name,
    ),
    # A house number, capitalised words and an English street type: "12 Oak Street", "4 Mill Lane".
    _Check(
        "STREET_ADDRESS",
        re.compile(
            r"(?<![\w.,])\d{1,5}[A-Za-z]?[ \t]+(?:[A-Z][a-z]+[ \t]+){1,3}"
            r"(?:Street|Avenue|Road|Lane|Boulevard|Drive|Court|Terrace|Crescent)\b"
        ),
    ),
    _Check(
        "SECRET",
        re.compile(
            r"(?<![\w-])sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}"
            r"|(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"
            r"|(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
            r"|(?<![\w-])(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
            r"|(?<!\w)gh[pousr]_[A-Za-z0-9]{30,}|(?<!\w)xox[abprs]-[A-Za-z0-9-]{10,}|(?<!\w)AIza[0-9A-Za-z_-]{35}"
            r"|-----BEGIN[A-Z ]*PRIVATE KEY-----\s*(?:\\n)?[A-Za-z0-9+/]{16,}"
            r"|://[^\s:/@<>\"']{1,64}:([^\s/@<>\"']{1,128})@[\w.-]"
            r"|(?i:\bbearer\s+)([A-Za-z0-9._~+/-]{16,})"
            r"|(?i:\b(?:password|passwd|pwd|secret|api[_-]?key)[\"']?\s*[:=]\s*[\"']?)([^\s\"'<>,;]{4,})"
        ),
    ),
)


# -- public API -----------------------------------------------------------------------------------


def scan_text(text: str) -> list[str]:
    """The kinds of PII the battery finds in one text, each once, placeholders ignored."""
    return list(_visible_kinds(text)[1])


def known_values(raw_record: dict) -> set[str]:
    """PII values in a RAW record: the battery's matches anywhere, plus the values under PII-named
    keys in tool-call arguments, tool results and metadata."""
    values: set[str] = set()
    for _, text in _strings(raw_record, parse_json=True):
        values.update(_battery_values(text))
    for payload in _json_payloads(raw_record):
        values.update(_values_under_pii_keys(payload))
    return {value for value in values if len(value.strip()) >= MIN_KNOWN_VALUE_LENGTH}


def scan_record(sanitised_record: dict, known: Iterable[str] = frozenset()) -> list[Finding]:
    """Findings in every key and string of a sanitised record: battery kinds and KNOWN_VALUE."""
    return _scan(_strings(sanitised_record, parse_json=False), known)


def scan_row(row: Mapping, known: Iterable[str] = frozenset()) -> list[Finding]:
    """Findings in a row as stored: every column but the pseudonyms and dates, the `*_json` columns
    read as JSON (keys included) and so is any JSON held in their strings (tool arguments and
    results). Made from the row, not from the record the sanitiser walked: a field the walker never
    saw is scanned all the same."""
    def strings() -> Iterator[tuple[str, str]]:
        for column, value in row.items():
            if column in UNSCANNED_COLUMNS or not isinstance(value, str):
                continue
            if column.endswith("_json"):
                try:
                    value = json.loads(value)
                except ValueError:
                    pass  # scanned as the text it is
            yield from _walk(value, column.removesuffix("_json"), parse_json=True)

    return _scan(strings(), known)


def _scan(strings: Iterable[tuple[str, str]], known: Iterable[str]) -> list[Finding]:
    known_pattern = _known_pattern(frozenset(_usable_known(known)))
    findings: dict[Finding, None] = {}
    for field, text in strings:
        visible, kinds = _visible_kinds(text)
        for kind in kinds:
            findings[Finding(field, kind)] = None
        if known_pattern is not None and known_pattern.search(visible):
            findings[Finding(field, "KNOWN_VALUE")] = None
    return list(findings)


# -- helpers -------------------------------------------------------------------------------------------


_KINDS = tuple(dict.fromkeys(check.kind for check in _CHECKS))
_CHECKS_BY_KIND = {kind: tuple(check for check in _CHECKS if check.kind == kind) for kind in _KINDS}
# A day's records repeat most of their text (system prompts, canned replies, tool schemas): about 9 in
# 10 strings the gate reads are repeats, so each distinct text is run through the battery once. Memory
# only, bounded in entries and in the length of a text kept, like the sanitiser's own cache.
_CACHED_TEXTS = 8192
_CACHED_TEXT_CHARS = 10_000


def _kinds(visible: str) -> list[str]:
    return [kind for kind in _KINDS if _finds(kind, visible)]


def _finds(kind: str, text: str) -> bool:
    return any(next(check.values(text), None) is not None for check in _CHECKS_BY_KIND[kind])


def _visible_kinds(text: str) -> tuple[str, tuple[str, ...]]:
    """The text with placeholders blanked, and the battery's kinds in it."""
    if len(text) > _CACHED_TEXT_CHARS:
        return _uncached_visible_kinds(text)
    return _cached_visible_kinds(text)


def _uncached_visible_kinds(text: str) -> tuple[str, tuple[str, ...]]:
    visible = _without_placeholders(text)
    return visible, tuple(_kinds(visible))


_cached_visible_kinds = functools.lru_cache(maxsize=_CACHED_TEXTS)(_uncached_visible_kinds)


def _battery_values(text: str) -> frozenset[str]:
    """Every value the battery matches in a raw text (`known_values`)."""
    if len(text) > _CACHED_TEXT_CHARS:
        return _uncached_battery_values(text)
    return _cached_battery_values(text)


def _uncached_battery_values(text: str) -> frozenset[str]:
    return frozenset(value for check in _CHECKS for value in check.values(text))


_cached_battery_values = functools.lru_cache(maxsize=_CACHED_TEXTS)(_uncached_battery_values)


def _without_placeholders(text: str) -> str:
    # "<>" keeps word boundaries where the placeholder was, and no pattern matches it.
    return _PLACEHOLDER.sub("<>", text)


def _usable_known(known: Iterable[str]) -> Iterator[str]:
    for value in known:
        normalised = " ".join(str(value).split())
        if len(normalised) >= MIN_KNOWN_VALUE_LENGTH and not _PLACEHOLDER.fullmatch(normalised):
            yield normalised


@functools.lru_cache(maxsize=256)
def _known_pattern(values: frozenset[str]) -> re.Pattern | None:
    if not values:
        return None
    alternatives = (r"\s+".join(map(re.escape, v.split())) for v in sorted(values, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _strings(record: dict, parse_json: bool) -> Iterator[tuple[str, str]]:
    """(field path, text) for every string in the record's text fields. With parse_json, strings
    holding a JSON object or array are walked as JSON."""
    for name, value in record.items():
        if name not in UNSCANNED_FIELDS:
            yield from _walk(value, name, parse_json)


def _walk(value, path: str, parse_json: bool) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string, number and key: a key is text like any other (a tool
    result keyed by a customer's name), found as `path.<key>`."""
    if isinstance(value, str):
        parsed = parse_json_container(value) if parse_json else None
        if parsed is None:
            yield path, value
        else:
            yield from _walk(parsed, path, parse_json)
    elif isinstance(value, dict):
        for key, item in value.items():
            label = key if isinstance(key, str) and _SCHEMA_KEY.fullmatch(key) else "*"
            yield f"{path}.<key>", str(key)
            yield from _walk(item, f"{path}.{label}", parse_json)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]", parse_json)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, str(value)


def _json_payloads(record: dict) -> Iterator:
    """The structured data of a record: tool-call arguments, tool results, metadata."""
    for message in record.get("input") or []:
        if not isinstance(message, dict):
            continue
        if message.get("role") in DATA_ROLES:
            yield from _parsed(message.get("content"))
        calls = [c.get("function") for c in message.get("tool_calls") or [] if isinstance(c, dict)]
        for function in [*calls, message.get("function_call")]:
            if isinstance(function, dict):
                yield from _parsed(function.get("arguments"))
    if isinstance(record.get("metadata"), dict):
        yield record["metadata"]


def _parsed(value) -> Iterator:
    if isinstance(value, str):
        parsed = parse_json_container(value)
        if parsed is not None:
            yield parsed
    elif isinstance(value, (dict, list)):
        if isinstance(value, list):  # content parts: [{"type": "text", "text": "{...}"}]
            for part in value:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    yield from _parsed(part["text"])
        yield value


def _values_under_pii_keys(node, parent: str | None = None) -> Iterator[str]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(key, str) and pii_type_for_key(key, parent):
            yield from json_leaves(value)
        elif isinstance(value, (dict, list)):
            yield from _values_under_pii_keys(value, key if isinstance(key, str) else parent)
