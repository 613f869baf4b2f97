"""Names the sanitiser widens past what a recognizer found: whole words, unknown neighbours, speaker labels, possessives, lists, titles."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # names widened to whole words and unknown neighbours; speaker labels; possessives spread
    ("Producer Ikuro Tanahashi explained it.", "Ikuro", "PERSON"),
    ('"That went well," says Lehto-oja.', "oja", "PERSON"),
    ("Ella: What a day.\nDestiny: Remember me?\nChristopher: Yes.", "Destiny", "PERSON"),
    ("the songs from ivan p. berezina's album. later berezina?", "berezina", "PERSON"),
    ("What a mess! said Dražen to Teresa", "Teresa", "PERSON"),
    # the other half of "X and Y"; a title goes with the name
    ("Szczepaniak and Dobson were engineers.", "Dobson", "PERSON"),
    ("Please ask Dr. Emily Carter to call.", "Dr.", "PERSON"),
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)
