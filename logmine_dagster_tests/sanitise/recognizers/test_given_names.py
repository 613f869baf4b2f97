"""Given names from the gazetteer, with initials and surnames; given names that are words stay words."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


MASKED = [
    # given names from the gazetteer, with initials and surnames
    ("They had 6 kids: Isabel, Teresa and Jodi.", "Teresa", "PERSON"),
    ("please list Owen T Barros as the second contact", "Barros", "PERSON"),
    ("check back with gloria lemaistre after the holidays.", "lemaistre", "PERSON"),
    ("Gertrude: What a day.", "Gertrude", "PERSON"),
    # given names in lower case, alone or with an initial; given names that are English words
    ("ask wilma about the invoice", "wilma", "PERSON"),
    ("The gender of bertram was debated.", "bertram", "PERSON"),
    ("the james k moe recording", "moe", "PERSON"),
    ("directed by Bill J Rose", "Rose", "PERSON"),
    ("Lily has the router.", "Lily", "PERSON"),
]

KEPT = [
    # given names that are English words, initials that are words, assistants, chat letters
    "Will you check my order? May I ask why? Hope this helps, grace period is over.",
    "Ask Siri to restart the router.",
    "May I Help You?",
    "mark a test as failed",
    "Summer is coming.",
    "can u check why my bill went up",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)


# Given names outside the US Census tables: found only with the optional, GPLv3 `logmine[gpl-names]`
# extra (gender-guesser's international nam_dict), which logmine never requires.
INTERNATIONAL_NAMES = [
    ("Hrafnhildur: Long week.", "Hrafnhildur", "PERSON"),
    ("ask sigrun about the invoice", "sigrun", "PERSON"),
    ("the anders k moe recording", "moe", "PERSON"),
]


@pytest.mark.parametrize(("text", "value", "entity_type"), INTERNATIONAL_NAMES)
def test_the_gpl_names_extra_adds_international_given_names(sanitiser, text, value, entity_type):
    pytest.importorskip("gender_guesser", reason="the optional logmine[gpl-names] extra is not installed")
    assert_masked(sanitiser, text, value, entity_type)


def test_census_given_names_are_the_default_gazetteer():
    from logmine_dagster.sanitise.gazetteer import first_names

    names = first_names()
    assert {"gertrude", "wilma", "james"} <= names
    assert "siri" not in names and "jan" not in names  # assistants and months stay out
