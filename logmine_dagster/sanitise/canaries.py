"""Canaries: planted records that every run pushes through the same sanitiser, requiring 100% removal.

    report = run_canaries(sanitiser)                       # plain placeholders and keyed surrogates
    report = run_canaries(sanitiser, pseudonym_key=key)    # the run's own key for the keyed pass
    report.total, report.leaked, report.leaked_kinds       # counts and kinds only: safe for metadata

The records are canonical log records (as `records.parse_record` returns them) covering every entity
type the sanitiser handles, in user text, assistant output, tool-call arguments, tool results and
metadata. All values are fictitious: documentation IP ranges, example.com mail, the 555-01xx and
Ofcom drama phone ranges, card and IBAN test numbers, made-up names. Even so, the report never
holds or logs a value: only how many leaked, and of which kinds.

A planted value has leaked when one of its word tokens (letters: 2+, digits: 3+, as in the shared
pii-bench scorer) shows in the sanitised record, outside placeholders, more often than in the rest
of the record's own text (the comparison ignores case, so "SMITH" counts for "Smith"), or when a
number's digits show in any grouping.
"""

from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from typing import Iterator

from logmine_dagster.sanitise.record_fields import parse_json_container
from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN

# The keyed pass uses this key unless the caller passes the run's: surrogates must not leak either.
CANARY_KEY = b"logmine-canary-key-not-a-secret"
_TOKEN = re.compile(r"[^\W_]+")
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
_THANKS = "Thanks, I have noted that."
_SYSTEM = "You are the support assistant of Northwind Telecom. Be brief and polite."


@dataclass(frozen=True)
class CanaryReport:
    total: int  # planted values
    leaked: int  # planted values with a token still readable, in either pass
    leaked_kinds: dict[str, int] = field(default_factory=dict)  # entity kind -> leaked values
    records: int = 0

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.leaked == 0


@dataclass(frozen=True)
class Canary:
    record: dict
    planted: tuple[tuple[str, str], ...]  # (kind, value)


# The planted records are data, not logic: mutating their strings (scripts/mutation_score.py) measures nothing,
# so mutmut skips the three functions that build them.
# (A pragma only counts on the `def` line, hence one line here.)
def _record(number: int, user: str, output: str = _THANKS, tools: list | None = None, metadata: dict | None = None) -> dict:  # pragma: no mutate block
    return {
        "request_id": f"canary-{number:03d}",
        "timestamp": "2025-01-01T00:00:00Z",
        "session_id": f"canary-session-{number % 5}",
        "user_id": "canary-user",
        "model": "gpt-4o-mini",
        "input": [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": user}, *(tools or [])],
        "output": output,
        "status": "ok",
        "error_type": None,
        "latency_ms": 100,
        "confidence": 0.9,
        "escalated": False,
        "feedback": None,
        "metadata": {"app": "support-assistant", "channel": "web", **(metadata or {})},
    }


def _tool_round_trip(name: str, arguments: dict, result: dict) -> list[dict]:  # pragma: no mutate block
    return [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(result)},
    ]


def _canaries() -> tuple[Canary, ...]:  # pragma: no mutate block
    items: list[tuple[dict, list[tuple[str, str]]]] = [
        # -- names ----------------------------------------------------------------------------------
        (_record(1, "Hi, my name is Marisol Etxeberria and my router keeps dropping."),
         [("PERSON", "Marisol Etxeberria")]),
        (_record(2, "this is tobiah vanderkolk, my bill looks wrong."), [("PERSON", "tobiah vanderkolk")]),
        (_record(3, "THE ACCOUNT IS UNDER ORLAITH MCGILLYCUDDY, PLEASE FIX IT"), [("PERSON", "ORLAITH MCGILLYCUDDY")]),
        (_record(4, "Thanks for the help!\n\nBest regards,\nIgnatius Pemberthy"), [("PERSON", "Ignatius Pemberthy")]),
        (_record(5, "Can you look up my profile?", output="Sure, Ysolde Marchbanks, your plan is Fiber 500.",
                 tools=_tool_round_trip("lookup_customer", {"customer_name": "Ysolde Marchbanks"},
                                        {"name": "Ysolde Marchbanks", "plan": "Fiber 500"})),
         [("PERSON", "Ysolde Marchbanks")]),
        # -- contact details ------------------------------------------------------------------------
        (_record(6, "Please email me at quillon.brask@example.com about the refund."),
         [("EMAIL_ADDRESS", "quillon.brask@example.com")]),
        (_record(7, "Call me back on (555) 010-4477 after six."), [("PHONE_NUMBER", "(555) 010-4477")]),
        (_record(8, "My mobile is +44 20 7946 0321, it's a London number."), [("PHONE_NUMBER", "+44 20 7946 0321")]),
        (_record(9, "Update my contact details please.",
                 tools=_tool_round_trip("update_contact", {"email": "vesna.okafor@example.org", "phone": "+33 1 99 00 12 34"},
                                        {"status": "updated", "notes": "reach at vesna.okafor@example.org"})),
         [("EMAIL_ADDRESS", "vesna.okafor@example.org"), ("PHONE_NUMBER", "+33 1 99 00 12 34")]),
        # -- addresses ------------------------------------------------------------------------------
        (_record(10, "Ship the modem to 4821 Quarry Hollow Road, Springfield, IL 62704 please."),
         [("STREET_ADDRESS", "4821 Quarry Hollow Road, Springfield, IL 62704")]),
        (_record(11, "I moved to 17 Elm Grove, Leeds LS6 2AB last month."), [("STREET_ADDRESS", "17 Elm Grove, Leeds LS6 2AB")]),
        (_record(12, "Meine Adresse ist Lindenstraße 42, 10115 Berlin."), [("STREET_ADDRESS", "Lindenstraße 42, 10115 Berlin")]),
        (_record(13, "Where is my order?",
                 tools=_tool_round_trip("order_status", {"order_id": "ORD-7731942"},
                                        {"status": "shipped", "shipping_address": "88 Rue de Rivoli, 75001 Paris"})),
         [("ACCOUNT_ID", "ORD-7731942"), ("STREET_ADDRESS", "88 Rue de Rivoli, 75001 Paris")]),
        # -- financial and national ids -------------------------------------------------------------
        (_record(14, "My card 4111 1111 1111 1111 was declined twice."), [("CREDIT_CARD", "4111 1111 1111 1111")]),
        (_record(15, "Try the other card, 5555555555554444, expiry 12/29."), [("CREDIT_CARD", "5555555555554444")]),
        (_record(16, "Please refund to IBAN GB82 WEST 1234 5698 7654 32."), [("IBAN_CODE", "GB82 WEST 1234 5698 7654 32")]),
        (_record(17, "Set up the direct debit.",
                 tools=_tool_round_trip("set_debit", {"iban": "DE89370400440532013000"}, {"ok": True})),
         [("IBAN_CODE", "DE89370400440532013000")]),
        (_record(18, "For the credit check my SSN is 219-09-9999."), [("US_SSN", "219-09-9999")]),
        (_record(19, "For verification, DOB: 14/02/1987."), [("DATE_OF_BIRTH", "14/02/1987")]),
        (_record(20, "My account number 48213377 is locked, customer ACC-5519027."),
         [("ACCOUNT_ID", "48213377"), ("ACCOUNT_ID", "ACC-5519027")]),
        # -- network --------------------------------------------------------------------------------
        (_record(21, "Login attempts came from 203.0.113.77 and 2001:db8::4f:7334 last night."),
         [("IP_ADDRESS", "203.0.113.77"), ("IP_ADDRESS", "2001:db8::4f:7334")]),
        (_record(22, "The router MAC is 3C:5A:B4:19:0E:7D if that helps."), [("MAC_ADDRESS", "3C:5A:B4:19:0E:7D")]),
        (_record(23, "Diagnostics attached.", metadata={"client_ip": "198.51.100.23", "note": "user at 198.51.100.23"}),
         [("IP_ADDRESS", "198.51.100.23")]),
        # -- secrets --------------------------------------------------------------------------------
        (_record(24, "Oops, I pasted sk-proj-Zq8vR3mX1tY7uP0wK5nB2cL9 in the chat."),
         [("SECRET", "sk-proj-Zq8vR3mX1tY7uP0wK5nB2cL9")]),
        (_record(25, "export AWS_ACCESS_KEY_ID=AKIAJQ4ZT7EXAMPLE2XY\nexport AWS_SECRET_ACCESS_KEY=pQ7/Zr2kLm9Xw4Tn8Vb3Hj6Fd1Sa5Gc0EXAMPLE"),
         [("SECRET", "AKIAJQ4ZT7EXAMPLE2XY"), ("SECRET", "pQ7/Zr2kLm9Xw4Tn8Vb3Hj6Fd1Sa5Gc0EXAMPLE")]),
        (_record(26, "The API said 401 with header Authorization: Bearer 9fK2xQ7mZ4pL8wR1tY6v"),
         [("SECRET", "9fK2xQ7mZ4pL8wR1tY6v")]),
        (_record(27, "my password is Qv7!harbour22 and it still fails, I also tried password=Lm4#tundra"),
         [("SECRET", "Qv7!harbour22"), ("SECRET", "Lm4#tundra")]),
        (_record(28, "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeS0xMjM0 expired"),
         [("SECRET", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeS0xMjM0")]),
        (_record(29, "Config: DATABASE_URL=postgres://ops_kestrel:Wy8pQ2vN@db.internal.example:5432/app"),
         [("SECRET", "ops_kestrel"), ("SECRET", "Wy8pQ2vN")]),
        (_record(30, "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzQ8canaryKeyMaterialB64x9\n-----END RSA PRIVATE KEY-----"),
         [("SECRET", "MIIEowIBAAKCAQEAzQ8canaryKeyMaterialB64x9")]),
        (_record(31, "The script fails.", tools=_tool_round_trip(
            "run_diagnostics", {"api_key": "ck_9Tq2Lx7Vw4Rz8Np3"},
            {"error": 'File "/home/brannoch/app/main.py", line 3', "password": "Pz6$meadow"})),
         [("SECRET", "ck_9Tq2Lx7Vw4Rz8Np3"), ("USERNAME", "brannoch"), ("SECRET", "Pz6$meadow")]),
        (_record(32, r"The log is in C:\Users\kwabenaodu\AppData\Local\Temp\app.log"), [("USERNAME", "kwabenaodu")]),
        # -- names and addresses without a cue: titles, lone names, lower case, intersections ------
        (_record(33, "Dr. Annelise Vorwerk will call you back about the outage."), [("PERSON", "Dr. Annelise Vorwerk")]),
        (_record(34, "Thorvaldsen, can you check my bill? Ask Quennevoy too."),
         [("PERSON", "Thorvaldsen"), ("PERSON", "Quennevoy")]),
        (_record(35, "the router was set up by ingeborg last week"), [("PERSON", "ingeborg")]),
        (_record(36, "send it to 41 rue des tanneurs 5\napt. 2\nmontpellier\nfrance 34000"),
         [("STREET_ADDRESS", "41 rue des tanneurs 5\napt. 2\nmontpellier\nfrance 34000")]),
        (_record(37, "Pick me up at the corner of Kestrel Lane and Barrow Street."),
         [("STREET_ADDRESS", "Kestrel Lane and Barrow Street")]),
        (_record(38, "NAME ON THE CARD: PERPETUA OYELARAN"), [("PERSON", "PERPETUA OYELARAN")]),
    ]
    return tuple(Canary(record, tuple(planted)) for record, planted in items)


CANARIES = _canaries()


def run_canaries(sanitiser, *, pseudonym_key: bytes | None = None) -> CanaryReport:
    """Sanitise every canary with plain placeholders and with keyed surrogates; count leaked values.

    Never returns or logs a planted value, only counts and kinds.
    """
    key = pseudonym_key or CANARY_KEY
    leaked_kinds: collections.Counter = collections.Counter()
    total = leaked = 0
    for canary in CANARIES:
        outputs = [
            _visible_text(sanitiser.sanitise_record(canary.record).record),
            _visible_text(sanitiser.sanitise_record(canary.record, pseudonym_key=key).record),
        ]
        background = _background(canary)
        for kind, value in canary.planted:
            total += 1
            if any(_leaks(value, output, background) for output in outputs):
                leaked += 1
                leaked_kinds[kind] += 1
    return CanaryReport(total=total, leaked=leaked, leaked_kinds=dict(leaked_kinds), records=len(CANARIES))


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        parsed = parse_json_container(value)
        if parsed is None:
            yield value
        else:
            yield from _strings(parsed)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _visible_text(record: dict) -> str:
    return _PLACEHOLDER.sub(" ", "\n".join(_strings(record))).lower()


def _background(canary: Canary) -> str:
    """The canary's own text without its planted values: tokens it holds anyway do not count."""
    text = "\n".join(_strings(canary.record))
    for _, value in sorted(canary.planted, key=lambda p: len(p[1]), reverse=True):
        text = text.replace(value, " ")
    return text.lower()


def _tokens(value: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(value) if (len(t) >= 3 if t.isdigit() else len(t) >= 2)]


def _count(token: str, text: str) -> int:
    return len(re.findall(r"(?<![^\W_])" + re.escape(token) + r"(?![^\W_])", text))


def _digit_run(value: str) -> re.Pattern | None:
    """For numbers written in short groups (+33 1 99 00 12 34): its digits in any grouping."""
    digits = [char for char in value if char.isdigit()]
    if len(digits) < 7:
        return None
    return re.compile(r"(?<!\d)" + r"[\s().+/-]*".join(digits) + r"(?!\d)")


def _leaks(value: str, output: str, background: str) -> bool:
    if any(_count(token, output) > _count(token, background) for token in _tokens(value)):
        return True
    digits = _digit_run(value)
    return digits is not None and len(digits.findall(output)) > len(digits.findall(background))
