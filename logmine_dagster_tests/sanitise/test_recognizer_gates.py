"""The character gates skip recognizers only where they could find nothing: the real analyzer gives
the same results with and without them."""

from __future__ import annotations

import pytest

from logmine_dagster.sanitise.recognizer_gates import GATES

TEXTS = [
    "Call me on +44 20 7946 0958 or 555-0134.",
    "Server at fe80::abcd and :: and 10.0.0.12 went down.",
    "See https://example.org/x or www.example.com, mail ann@example.net",
    "Card 4111 1111 1111 1111, SSN 123-45-6789, IBAN GB82 WEST 1234 5698 7654 32",
    "Born 12-JAN-1990, DOB: 03/04/1985, licence A1234567, passport C12345678.",
    "Order ORD-77120 for account ACCT-9911 and NHS 943 476 5919.",
    "No digits here, only Jane Doe from Acme in Paris.",
    "Flight 12, seat 3, gate 4 and row 5: four digits, none in a phone-like run.",
    "Ruf an: 030/1234, Fax (089) 12-34, oder +49 30 901820 x 12.",
]


@pytest.fixture(scope="module")
def analyzer():
    from logmine_dagster.sanitise.engine import get_analyzer

    return get_analyzer()


def _found(analyzer, text):
    return sorted((r.entity_type, r.start, r.end, round(r.score, 3)) for r in analyzer.analyze(text=text, language="en"))


def test_every_gated_recognizer_is_registered_and_gated(analyzer):
    names = {recognizer.name for recognizer in analyzer.registry.recognizers}
    assert set(GATES) <= names
    assert all("analyze" in r.__dict__ for r in analyzer.registry.recognizers if r.name in GATES)


def test_gates_change_no_result(analyzer):
    gated = [_found(analyzer, text) for text in TEXTS]
    saved = {}
    for recognizer in analyzer.registry.recognizers:
        if recognizer.name in GATES:
            saved[recognizer] = recognizer.__dict__.pop("analyze")
    try:
        ungated = [_found(analyzer, text) for text in TEXTS]
    finally:
        for recognizer, analyze in saved.items():
            recognizer.analyze = analyze
    assert gated == ungated
    assert any(kind == "PHONE_NUMBER" for kind, *_ in gated[0])
    assert any(kind == "IP_ADDRESS" for kind, *_ in gated[1])


def test_a_text_without_the_gate_character_skips_the_recognizer(analyzer):
    phone = next(r for r in analyzer.registry.recognizers if r.name == "PhoneRecognizer")
    assert phone.analyze("call 555 now", ["PHONE_NUMBER"]) == []


def test_digits_spread_over_a_sentence_skip_the_phone_library(analyzer):
    phone = next(r for r in analyzer.registry.recognizers if r.name == "PhoneRecognizer")
    assert GATES["PhoneRecognizer"].search("Flight 12, seat 3, gate 4") is None
    assert GATES["PhoneRecognizer"].search("dial 0 3 0 - 1 2") is not None
    assert phone.analyze("Flight 12, seat 3, gate 4", ["PHONE_NUMBER"]) == []
