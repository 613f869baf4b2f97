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
