"""A small generated corpus of the shapes issue 13 lists, in pii-bench's format, for bench_sanitise.

Usernames built from names, spelled-out numbers, phone groupings after a contact cue, record
numbers after a cue, names after other languages' cues and in non-Latin scripts, and code
identifiers (error classes, versioned services) that must stay readable. Built from templates and
name lists written here (no corpus text, no Faker), with a fixed seed.

It was written by the same hand as the recognizers it exercises: it shows whether each shape is
handled and what plain Presidio does with it, not how either generalises (that is pii-bench's
held-out part and the corpora the issue keeps back).
"""

from __future__ import annotations

import random

GIVEN = ["amelia", "desmond", "winifred", "carlos", "rosalind", "marisol", "georgina", "leopold", "harriet", "rufus"]
FAMILY = ["okonkwo", "lindqvist", "achterberg", "ferreira", "nakashima", "kowalczyk", "mbeki", "oyelaran", "haddad"]
DIGITS = "zero one two three four five six seven eight nine".split()
NON_LATIN = [
    ("Меня зовут {name}, заказ не пришёл.", ["Ольга Сидоренко", "Тимур Ахмедов", "Вера Лаптева"]),
    ("Hello {name}, your refund is on its way.", ["王建国", "李秀英", "김서연", "高橋健一"]),
    ("مرحبا {name}", ["سارة المنصوري", "خالد العتيبي"]),
    ("नमस्ते {name}", ["राहुल मेहता", "सुनीता यादव"]),
    ("שמי {name}", ["דנה לוי", "איתי כהן"]),
]
LATIN_CUES = [
    "Je m'appelle {name} et j'attends un remboursement.", "Hola, me llamo {name}.",
    "Buongiorno, mi chiamo {name}.", "Ich heiße {name} und warte auf mein Paket.", "Mijn naam is {name}.",
]
LATIN_NAMES = ["Ysolde Carrasco", "Benedikt Wachsmuth", "Ottavia Lanzetti", "Maelys Ruelland", "Joost Terpstra"]
CODE_LINES = [
    "Retry failed with openai.InternalServerError from billing-service-v2.",
    "anthropic.RateLimitError raised by summariser-v3, backing off.",
    "requests.exceptions.ReadTimeout after 30s calling ledger-api v1.4.2.",
    "System.TimeoutException in inventory-svc-v2 during the nightly sync.",
]


def _username(rng: random.Random) -> str:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    shapes = (f"{given}_{family}_{rng.randint(10, 9999)}", f"{given[0]}.{family}{rng.randint(10, 99)}",
              f"{given}{rng.randint(10, 99)}", f"{given}-{family}")
    return rng.choice(shapes)


def _cases(rng: random.Random):
    """(text template, value, type) triples; `{v}` in the template is where the value goes."""
    yield rng.choice(["My username is {v}.", "Reset the login for {v} please.", "Messages from {v} bounce."]), _username(rng), "USERNAME"
    spelled = " ".join(rng.choice(DIGITS) for _ in range(3)) + ", " + " ".join(rng.choice(DIGITS) for _ in range(4))
    yield rng.choice(["Call me back on {v}.", "my number is {v} thanks"]), spelled, "PHONE_NUMBER"
    grouped = f"{rng.randint(600, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    yield rng.choice(["You can reach me on {v} after six.", "Phone: {v}"]), grouped, "PHONE_NUMBER"
    record = rng.choice([f"{rng.randint(10**7, 10**8 - 1)}", f"HX-{rng.randint(10**6, 10**7 - 1)}"])
    yield rng.choice(["MRN {v} for the follow-up.", "Patient ID: {v}", "member id {v} on the card"]), record, "MRN"
    template, names = rng.choice(NON_LATIN)
    yield template.replace("{name}", "{v}"), rng.choice(names), "PERSON"
    yield rng.choice(LATIN_CUES).replace("{name}", "{v}"), rng.choice(LATIN_NAMES), "PERSON"


def odd_shapes_corpus(count: int = 240, seed: int = 13) -> list[dict]:
    """`count` labelled rows; every fifth is a code line with no PII (over-masking shows there)."""
    rng = random.Random(seed)
    rows: list[dict] = []
    while len(rows) < count:
        for template, value, entity_type in _cases(rng):
            start = template.index("{v}")
            text = template.replace("{v}", value)
            rows.append({"id": f"odd-{len(rows):04d}", "text": text,
                         "spans": [{"start": start, "end": start + len(value), "type": entity_type}]})
        line = rng.choice(CODE_LINES)
        rows.append({"id": f"odd-{len(rows):04d}", "text": line, "spans": []})
    return rows[:count]
