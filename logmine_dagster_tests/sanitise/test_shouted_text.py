"""Names in upper-case text, found by reading it again in Title Case."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # names in upper-case text, read again in Title Case
    ("CUSTOMER NAME: KATHRINE FILEMONSEN", "FILEMONSEN", "PERSON"),
]

KEPT = [
    # shouted sentences without a name
    "PLEASE HELP ME RESET MY PASSWORD NOW",
    "CAN I SPEAK TO A REAL PERSON?!?!",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MY NAME IS JOHN SMITH", "My Name Is John Smith"),
        ("call JOHN now", None),  # one upper-case word: an acronym more often than a name
        ("Hi, I'm ÅSA LINDQVIST-BERG.", "Hi, I'm Åsa Lindqvist-Berg."),
        ("plain text", None),
    ],
)
def test_title_cased_runs_keep_offsets(text, expected):
    from logmine_dagster.sanitise.shouted_text import title_cased_runs

    copy = title_cased_runs(text)
    assert copy == expected
    assert copy is None or len(copy) == len(text)
