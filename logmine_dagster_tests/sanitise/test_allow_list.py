"""The allow-list keeps roles and model families readable, and no more."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # a name the allow-list rule once took for a model family ("phi")
    ("Please ask Philippe about it.", "Philippe", "PERSON"),
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)
