"""Consistent keyed pseudonyms: the same value maps to the same surrogate within a conversation."""

from __future__ import annotations

import json
import re

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise import residual
from logmine_dagster.sanitise.surrogates import (
    PLACEHOLDER_PATTERN,
    conversation_of,
    keyed_placeholder,
    normalised_value,
    surrogate_tag,
)

KEY = b"test-key-0123456789abcdef"
SURROGATE = re.compile(r"<([A-Z][A-Z0-9_]*)_([0-9a-f]{4})>")


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


def _record(session: str | None, user_text: str, output: str = "Happy to help.", tool_args: dict | None = None,
            request_id: str = "req-1") -> dict:
    messages = [{"role": "system", "content": "You are the Northwind support assistant."},
                {"role": "user", "content": user_text}]
    if tool_args is not None:
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": json.dumps(tool_args)}}]})
    raw = {"request_id": request_id, "timestamp": "2025-03-04T10:15:00Z", "model": "gpt-4o-mini",
           "input": messages, "output": output, "status": "ok"}
    if session is not None:
        raw["session_id"] = session
    return parse_record(raw)


def _surrogates(text: str, entity_type: str) -> list[str]:
    return [m.group(0) for m in SURROGATE.finditer(text) if m.group(1) == entity_type]


def test_without_a_key_placeholders_are_plain(sanitiser):
    result = sanitiser.sanitise_record(_record("s1", "Mail me at jane.doe@example.com"))
    assert result.record["input"][1]["content"] == "Mail me at <EMAIL_ADDRESS>"


def test_same_value_same_surrogate_across_fields(sanitiser):
    record = _record(
        "s1", "I'm Zorblax Quennell, mail jane.doe@example.com or JANE.DOE@example.com",
        output="Thanks Zorblax Quennell, I wrote to jane.doe@example.com.",
        tool_args={"email": "jane.doe@example.com", "query": "orders of Zorblax Quennell"},
    )
    result = sanitiser.sanitise_record(record, pseudonym_key=KEY)
    text = json.dumps(result.record)
    assert "jane.doe" not in text.lower() and "Quennell" not in text
    emails = set(_surrogates(text, "EMAIL_ADDRESS"))
    people = set(_surrogates(text, "PERSON"))
    assert len(emails) == 1 and len(people) == 1
    assert len(_surrogates(result.record["output"], "PERSON")) == 1
    arguments = json.loads(result.record["input"][2]["tool_calls"][0]["function"]["arguments"])
    assert arguments["email"] == next(iter(emails))  # the key-masked value takes the same surrogate


def test_different_values_get_different_surrogates(sanitiser):
    result = sanitiser.sanitise_record(
        _record("s1", "Mail jane.doe@example.com and bob.ray@example.org please"), pseudonym_key=KEY)
    assert len(set(_surrogates(result.record["input"][1]["content"], "EMAIL_ADDRESS"))) == 2


def test_consistent_across_records_of_a_session_and_different_across_sessions(sanitiser):
    first = sanitiser.sanitise_record(_record("s1", "Mail jane.doe@example.com", request_id="r1"), pseudonym_key=KEY)
    second = sanitiser.sanitise_record(
        _record("s1", "Did you write to jane.doe@example.com?", request_id="r2"), pseudonym_key=KEY)
    other = sanitiser.sanitise_record(_record("s2", "Mail jane.doe@example.com", request_id="r3"), pseudonym_key=KEY)
    other_key = sanitiser.sanitise_record(_record("s1", "Mail jane.doe@example.com", request_id="r1"),
                                          pseudonym_key=b"another-key-0123456789")
    (a,) = _surrogates(first.record["input"][1]["content"], "EMAIL_ADDRESS")
    (b,) = _surrogates(second.record["input"][1]["content"], "EMAIL_ADDRESS")
    (c,) = _surrogates(other.record["input"][1]["content"], "EMAIL_ADDRESS")
    (d,) = _surrogates(other_key.record["input"][1]["content"], "EMAIL_ADDRESS")
    assert a == b
    assert a != c and a != d


def test_a_record_without_session_is_its_own_conversation():
    assert conversation_of({"request_id": "r1"}) != conversation_of({"request_id": "r2"})
    assert conversation_of({"session_id": "s", "request_id": "r1"}) == conversation_of({"session_id": "s", "request_id": "r2"})


def test_formatting_does_not_change_the_surrogate():
    assert normalised_value("PHONE_NUMBER", "(555) 010-2345") == normalised_value("PHONE_NUMBER", "555.010.2345")
    assert normalised_value("PERSON", "Jane  DOE,") == normalised_value("PERSON", "jane doe")
    tag = surrogate_tag(KEY, "session:s1", "CREDIT_CARD", "4111 1111 1111 1111")
    assert tag == surrogate_tag(KEY, "session:s1", "CREDIT_CARD", "4111-1111-1111-1111")
    assert tag != surrogate_tag(KEY, "session:s1", "PHONE_NUMBER", "4111 1111 1111 1111")  # the type counts


def test_a_surname_alone_takes_the_full_names_surrogate(sanitiser):
    record = _record("s1", "Hi, my name is Zorblax Quennell.", output="Noted, Quennell.")
    result = sanitiser.sanitise_record(record, pseudonym_key=KEY)
    (full,) = _surrogates(result.record["input"][1]["content"], "PERSON")
    assert result.record["output"] == f"Noted, {full}."


def test_overlapping_detections_give_one_clean_surrogate(sanitiser):
    result = sanitiser.sanitise_record(_record("s1", "IBAN DE89 3704 0044 0532 0130 00 ok"), pseudonym_key=KEY)
    assert re.fullmatch(r"IBAN <IBAN_CODE_[0-9a-f]{4}> ok", result.record["input"][1]["content"])


def test_surrogates_are_placeholders_for_the_gate_and_hold_no_mapping(sanitiser):
    raw = _record("s1", "I'm Zorblax Quennell, card 4111 1111 1111 1111, ip 203.0.113.42, call (555) 010-2345",
                  tool_args={"customer_email": "jane.doe@example.com", "phone": "555 010 2345"})
    result = sanitiser.sanitise_record(raw, pseudonym_key=KEY)
    assert residual.scan_record(result.record, residual.known_values(raw) | result.found_values) == []
    text = json.dumps(result.record)
    for value in ("Quennell", "4111", "203.0.113.42", "010-2345", "jane.doe"):
        assert value not in text
    for match in SURROGATE.finditer(text):
        assert re.fullmatch(PLACEHOLDER_PATTERN, match.group(0))
    assert result.record["session_id"] == raw["session_id"]  # ids are the caller's to pseudonymise


def test_entity_counts_are_the_same_with_or_without_a_key(sanitiser):
    record = _record("s1", "I'm at jane.doe@example.com, or call (555) 010-2345.", output="Wrote to jane.doe@example.com.")
    assert sanitiser.sanitise_record(record).entity_counts == sanitiser.sanitise_record(record, pseudonym_key=KEY).entity_counts


@pytest.mark.parametrize("bad", [b"", "a string key", 123])
def test_a_bad_key_is_refused_without_text(sanitiser, bad):
    from logmine_dagster.sanitise.sanitiser import SanitiseError

    with pytest.raises(SanitiseError):
        sanitiser.sanitise_record(_record("s1", "mail jane.doe@example.com"), pseudonym_key=bad)
    with pytest.raises(ValueError):
        keyed_placeholder(b"", "session:s1")
