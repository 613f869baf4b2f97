"""Record numbers after a cue: medical, insurance, national ids; a year after a generic word stays."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked

MASKED = [
    ("Her MRN is 7730-2214-09.", "7730-2214-09", "RECORD_ID"),
    ("Please confirm the patient ID: QK5520183 before the refill.", "QK5520183", "RECORD_ID"),
    ("Subscriber 88213746 has two dependants.", "88213746", "RECORD_ID"),
    ("insurance number is BX-44019-22", "BX-44019-22", "RECORD_ID"),
    ("NHS number 943 476 5919 on the letter", "943", None),
    ("My passport no. is K7731190.", "K7731190", "RECORD_ID"),
]

KEPT = [
    "The policy covers 4500 euros of damage.",
    "Claim 3500 points by Friday.",
    "The patient was seen at 10:30 by the nurse.",
    "Group 4 handles the escalations.",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)
