"""The residual gate's rules at their edges: checksum and length bounds, addresses that are not
personal, names after a title, and known values found wherever a raw record keeps them.

Written for mutants of sanitise/residual.py that survived scripts/mutation_score.py; every value here
was made up for this file (card and IBAN numbers only carry valid checksums)."""

from __future__ import annotations

import json

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.residual import Finding, known_values, scan_row, scan_text

# -- checksums and lengths -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("card 4900000000098", ["CREDIT_CARD"]),  # 13 digits, the shortest card
        ("card 4999999999999999993", ["CREDIT_CARD"]),  # 19 digits, the longest
        ("card 5999999999999993", ["CREDIT_CARD"]),  # doubled nines: the checksum's "minus 9" step
        ("card 5999999999999994", []),  # the same digits with a wrong check digit
        ("ref 0000000000000000", []),  # one repeated digit passes Luhn but is a placeholder
        ("iban NO9193860111797", ["IBAN_CODE"]),  # 15 characters, the shortest IBAN
        ("iban XX241234567890123456789012345678AB", ["IBAN_CODE"]),  # 34, the longest
        ("code XX88 1234 5678 9012 3456 7890 1234 5678 901", []),  # 35 with a valid checksum: too long
        ("code AB12 CDEF 3456", []),  # IBAN-shaped but only 12 characters
        ("call +1 234 5678", ["PHONE_NUMBER"]),  # 8 digits
        ("call +1 23 4567", []),  # 7 digits: too short for a phone number
        ("call +123 4567 8901 2345", ["PHONE_NUMBER"]),  # 15 digits, the longest
        ("call +123 4567 8901 23456", []),  # 16 digits
    ],
)
def test_checksums_and_length_bounds(text, kinds):
    assert scan_text(text) == kinds


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("version 999.10.10.10", []),  # not an IPv4 address at all
        ("mask 255.255.255.255", []),  # broadcast
        ("host 2001::7334", ["IP_ADDRESS"]),  # two groups are enough
        ("host 0:0:0:0:0:0:0:1", []),  # loopback, written out
    ],
)
def test_addresses_that_identify_no_one_pass(text, kinds):
    assert scan_text(text) == kinds


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Dr Li called back", ["PERSON"]),  # two-letter surnames are names
        ("Dr who knows", []),  # a lower-case word after a title is not a name
    ],
)
def test_a_name_after_a_title(text, kinds):
    assert scan_text(text) == kinds


# -- known values: wherever the raw record keeps them -----------------------------------------------


def _raw(*messages: dict, **fields) -> dict:
    return parse_record({"request_id": "r-1", "timestamp": "2026-03-02T10:00:00Z", "status": "ok", "output": "Done.",
                         "input": [{"role": "user", "content": "Please update my order."}, *messages], **fields})


def _tool(payload) -> dict:
    return {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(payload)}


def test_values_under_pii_keys_are_known_however_deep():
    record = _raw(_tool({"order": {"customer_name": "Zarek Quill"}, "lines": [{"recipient_name": "Ottilie Brandt"}]}))
    assert {"Zarek Quill", "Ottilie Brandt"} <= known_values(record)


def test_a_four_character_value_is_known():
    assert "Anna" in known_values(_raw(_tool({"customer_name": "Anna"})))


def test_legacy_function_call_arguments_are_read():
    call = {"role": "assistant", "content": None,
            "function_call": {"name": "update_order", "arguments": json.dumps({"customer_name": "Zarek Quill"})}}
    assert "Zarek Quill" in known_values(_raw(call))


def test_json_in_a_text_part_is_read_and_other_parts_do_not_stop_it():
    parts = ["a bare string part", {"type": "text", "text": json.dumps({"customer_name": "Zarek Quill"})}]
    assert "Zarek Quill" in known_values(_raw({"role": "tool", "tool_call_id": "call_1", "content": parts}))


def test_json_escaped_text_is_read_as_its_characters():
    # json.dumps escapes "ü": only the parsed text shows a name after a title
    record = _raw(_tool({"note": "ask Dr Müller about the refund"}))
    assert "Müller" in known_values(record)


# -- the row as stored --------------------------------------------------------------------------------


def test_a_row_is_read_as_stored_json_columns_parsed_pseudonym_columns_skipped():
    row = {
        "case_id": "4999999999999999993",  # keyed pseudonyms and dates are the pipeline's own
        "user_ref": "4999999999999999993",
        "day": "2026-03-02",
        "inclusion_probability": 0.25,
        "input_json": json.dumps([{"role": "user", "content": "ask Dr Müller"}]),
        "output": "Done.",
    }
    assert scan_row(row) == [Finding("input[0].content", "PERSON")]


def test_numbers_in_stored_json_are_read_as_text():
    row = {"case_id": "c", "output": "Done.", "metadata_json": json.dumps({"card": 4999999999999999993, "vip": True, "note": None})}
    assert scan_row(row) == [Finding("metadata.card", "CREDIT_CARD")]


def test_json_inside_json_is_read_to_the_bottom():
    inner = json.dumps({"note": "ask Dr Müller about the refund"})
    assert "Müller" in known_values(_raw(_tool({"payload": inner})))


def test_a_known_value_glued_to_a_placeholder_or_of_four_characters_is_found():
    row = {"case_id": "c", "output": "Dear <PERSON>Zarek Quill, thanks Anna."}
    assert scan_row(row, {"Zarek Quill"}) == [Finding("output", "KNOWN_VALUE")]
    assert scan_row(row, {"Anna"}) == [Finding("output", "KNOWN_VALUE")]
