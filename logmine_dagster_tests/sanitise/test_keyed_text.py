"""Texts that hold JSON (compact, JSON lines, cut short, a Python repr): read with the glue blanked,
values under PII keys typed by their key, names cut to the strings they overlap."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # compact JSON: the model reads the names once the glue is blanked
    ('{"assignee":"Priya Natarajan","priority":"high","summary":"refund stuck"}', "Natarajan", "PERSON"),
    ('[{"author":"Sione Taufa","rating":4},{"author":"Wilhelmina Coetzee","rating":2}]', "Coetzee", "PERSON"),
    ('{"event":"login","actor":"Rui Figueiredo","ip":"10.2.3.4"}', "Figueiredo", "PERSON"),
    # values under PII keys, whatever the model reads: JSON cut short, a Python repr, a nested object
    ('{"ticket": 88, "customer_name": "Bo Xu", "notes": "called about the parcel", "body": "the cust', "Bo Xu", "PERSON"),
    ("result: {'full_name': 'Radu Ionescu', 'phone': '+40 721 555 013', 'status': 'active'", "Radu", "PERSON"),
    ('{"shipping_address": {"line1": "Flat 2, 9 Quay Walk", "town": "Whitby"}, "state": "sent"}', "Quay Walk", "STREET_ADDRESS"),
    ('{"id": 7, "mobile": 4155550123, "plan": "basic"}', "4155550123", "PHONE_NUMBER"),
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks_values_in_json_text(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


def test_keeps_the_json_shape_and_things_named_by_their_key(sanitiser):
    text = '{"products":[{"name":"Trail Runner 2","price":89}],"customer":{"name":"Eilidh Munro"},"status":"shipped"}'
    (masked,) = sanitiser.sanitise_texts([text])
    assert "Trail Runner 2" in masked  # the "name" of a product is no person
    assert "Eilidh" not in masked and "Munro" not in masked
    assert masked.startswith('{"products":[{"name":"Trail Runner 2","price":89}],"customer":{"name":"<PERSON>"}')
    assert masked.endswith(',"status":"shipped"}')


def test_a_name_read_across_blanked_glue_stops_at_its_string(sanitiser):
    # "Ingrid Solberg    email" in the blanked copy: the key after the name stays readable
    text = '{"customer":"Ingrid Solberg","email":"isolberg@fjordmail.no","tier":"gold"}'
    (masked,) = sanitiser.sanitise_texts([text])
    assert masked == '{"customer":"<PERSON>","email":"<EMAIL_ADDRESS>","tier":"gold"}'


def test_the_copy_keeps_offsets_and_prose_around_json():
    from logmine_dagster.sanitise.keyed_text import keyed_text

    text = 'Tool said: {"name": "Ana Ruiz", "n": 5} and [1, 2] then {x}'
    found = keyed_text(text)
    assert len(found.copy) == len(text)
    assert found.copy == 'Tool said:   name    Ana Ruiz    n   5  and [1, 2] then {x}'
    assert [(r.entity_type, text[r.start : r.end]) for r in found.typed] == [("PERSON", "Ana Ruiz")]
    assert keyed_text("no JSON [here], nor {there}") is None


def test_json_rows_without_spaces_in_one_text(sanitiser):
    # an export pasted as JSON lines is no single JSON value: the walker cannot parse it, the text does
    people = ["Amelie Varga", "Joaquim Okonkwo", "Radka Lindgren", "Sefton Pasquale", "Yusra Haddadi", "Teodor Whitlock"]
    rows = [f'{{"customer":"{name}","tier":"gold","orders":{n}}}' for n, name in enumerate(people, 1)]
    (masked,) = sanitiser.sanitise_texts(["\n".join(rows)])
    assert [part for name in people for part in name.split() if part in masked] == []
    assert masked.count('{"customer":"<PERSON>","tier":"gold","orders":') == len(people)


def test_json_lines_in_a_user_message_of_a_record(sanitiser):
    from logmine_dagster.ingest.records import parse_record

    lines = '{"name":"Ottilie Brannock","phone":"+44 7700 900 417"}\n{"name":"Cosmin Dragan","phone":"+40 721 555 019"}'
    record = parse_record({
        "request_id": "req-1", "timestamp": "2025-03-04T10:15:00Z", "session_id": "sess-1", "user_id": "user-1",
        "model": "gpt-4o-mini", "input": [{"role": "user", "content": f"Why do these two have no orders?\n{lines}"}],
        "output": "Let me check.", "status": "ok", "metadata": {},
    })
    content = sanitiser.sanitise_record(record).record["input"][0]["content"]
    for value in ("Ottilie", "Brannock", "Cosmin", "Dragan", "900 417", "555 019"):
        assert value not in content
    assert content.startswith("Why do these two have no orders?\n{")
