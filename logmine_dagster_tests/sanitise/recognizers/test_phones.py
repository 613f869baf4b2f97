"""Phone numbers by shape, lifted by a cue word; digits without a cue stay."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


MASKED = [
    # phone numbers with a cue spaCy calls a stop word ("call") or a label after them
    ("Could anyone ring me at 361 2597? It is about my bill.", "2597", "PHONE_NUMBER"),
    ("Katrina\n655 437 108 office\n", "437", "PHONE_NUMBER"),
    ("(42) 915-307-Office", "915", "PHONE_NUMBER"),
]

KEPT = [
    "Refunds take 5 to 7 business days.",
    # digits without a phone cue
    "The office is open 9 to 5.",
    "Build 4410 7781 passed all checks.",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)
