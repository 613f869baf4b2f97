"""A generated very large message with planted PII, for the huge-record benchmark (issue 13, item 5).

    text, planted = huge_text(mib=1.0, seed=7)

What a 1 MB message in an LLM log tends to be: a pasted or tool-returned dump mixing service log
lines, JSON rows of a customer export, a stack trace, a markdown table and support prose. Nothing is
repeated verbatim (line numbers, ids and latencies vary), so no cache helps. `planted` lists the
(kind, value) of every personal value written into the text (full names, given names, emails, phone
numbers, street addresses, handles built from names), once per mention, for a leak count. Word lists are written
here, not taken from any shared corpus.
"""

from __future__ import annotations

import random

_FIRST = ["Amelia", "Jonas", "Priya", "Mateo", "Ingrid", "Fatima", "Oskar", "Leila", "Tomasz", "Grace", "Dmitri", "Nadia"]
_LAST = ["Davis", "Lindqvist", "Raman", "Ortega", "Whitfield", "Haddad", "Novak", "Moreau", "Kowalski", "Byrne", "Osei", "Castellano"]
_STREETS = ["Maple Avenue", "Harbour Road", "Elm Street", "Kingsway", "Birch Lane", "Station Road"]
_TOWNS = ["Springfield", "Leeds", "Portland", "Bristol", "Austin", "Dayton"]
_SERVICES = ["checkout-api", "auth-service", "billing-worker", "search-v2", "notifier"]
_THINGS = ["refund", "tent", "booking", "invoice", "router", "parcel", "subscription", "flight"]
_LEVELS = ["INFO", "WARN", "DEBUG", "ERROR"]


def huge_text(mib: float, seed: int = 7) -> tuple[str, list[tuple[str, str]]]:
    rnd = random.Random(seed)
    lines: list[str] = []
    planted: list[tuple[str, str]] = []
    size = 0
    number = 0

    def person() -> tuple[str, str]:
        first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
        return first, last

    while size < mib * 1024 * 1024:
        number += 1
        kind = rnd.random()
        first, last = person()
        if kind < 0.35:  # service log line, mostly no PII
            line = (
                f"2026-11-16T10:{number // 60 % 60:02d}:{number % 60:02d}Z {rnd.choice(_LEVELS)} "
                f"{rnd.choice(_SERVICES)} req={number:08x} latency_ms={rnd.randint(1, 999)} "
                f"status={rnd.choice([200, 201, 404, 500])} retries={rnd.randint(0, 4)}"
            )
        elif kind < 0.55:  # a JSON row of a customer export
            email = f"{first.lower()}.{last.lower()}{number}@example.com"
            phone = f"+1 415 555 {rnd.randint(0, 9999):04d}"
            line = (
                f'{{"row": {number}, "customer": "{first} {last}", "email": "{email}", '
                f'"phone": "{phone}", "plan": "{rnd.choice(_THINGS)}", "balance": {rnd.randint(0, 9999)}.{rnd.randint(0, 99):02d}}}'
            )
            planted += [("name", f"{first} {last}"), ("email", email), ("phone", phone)]
        elif kind < 0.75:  # support prose, a name and sometimes an address
            street = f"{rnd.randint(2, 980)} {rnd.choice(_STREETS)}"
            if rnd.random() < 0.5:
                line = (
                    f"Ticket {number}: {first} {last} says the {rnd.choice(_THINGS)} never arrived at "
                    f"{street}, {rnd.choice(_TOWNS)}, and asks for a call back before Friday."
                )
                planted += [("name", f"{first} {last}"), ("address", street)]
            else:
                line = (
                    f"Ticket {number}: the customer reports that the {rnd.choice(_THINGS)} was charged twice; "
                    f"{first} confirmed it in chat and the agent promised a refund within {rnd.randint(2, 9)} days."
                )
                planted.append(("given_name", first))
        elif kind < 0.85:  # a stack trace frame, no PII
            line = (
                f'  File "/srv/app/{rnd.choice(_SERVICES).replace("-", "_")}/handlers.py", line {rnd.randint(10, 900)}, '
                f"in handle_{rnd.choice(_THINGS)}_{number % 97}"
            )
        elif kind < 0.95:  # a markdown table row with a handle built from a name
            handle = f"{first.lower()}_{last.lower()}_{rnd.randint(1000, 9999)}"
            line = f"| {number} | {handle} | {rnd.choice(_THINGS)} | {rnd.randint(1, 50)} |"
            planted.append(("handle", handle))
        else:  # a paragraph-long line of prose with no PII, to give spaCy long sentences
            words = [rnd.choice(_THINGS + ["the", "was", "checked", "and", "then", "again", "after", "a", "delay"]) for _ in range(60)]
            line = f"Note {number}: " + " ".join(words) + "."
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines), planted


def leaks(sanitised: str, planted: list[tuple[str, str]]) -> dict[str, int]:
    """Distinct planted values still readable in the sanitised text, by kind. A value counts only
    where it stands as a word: "Grace" inside an unrelated word is no leak. A substring search per
    value, not a regex: one regex scan per value over megabytes took longer than the sanitising."""
    found: dict[str, int] = {}
    for kind, value in set(planted):
        if _readable(sanitised, value):
            found[kind] = found.get(kind, 0) + 1
    return found


def _readable(text: str, value: str) -> bool:
    start = text.find(value)
    while start != -1:
        end = start + len(value)
        if not (start and _word_char(text[start - 1])) and not (end < len(text) and _word_char(text[end])):
            return True
        start = text.find(value, start + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
