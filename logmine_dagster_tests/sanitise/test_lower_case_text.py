"""Names in text written all in lower case, found by a second read with name-like words capitalised."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    ("can you forward this to dagrun okafor, she approved the refund last week", "okafor"),
    ("can you forward this to dagrun okafor, she approved the refund last week", "dagrun"),
    ("the ticket was escalated by tomasz wierzbicki from billing on monday", "wierzbicki"),
]

KEPT = [
    "the parcel went to the wrong depot, please check with the courier tomorrow",
    "please reset my password, the app keeps crashing after the update",
    "thanks for the quick reply, the well-known router works fine now",
    # a given name that is also an English word, after a determiner, is the word
    "why did my bill go up again this month, the rate was fixed",
]


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masks_lower_case_names(sanitiser, text, value):
    assert_masked(sanitiser, text, value, "PERSON")


@pytest.mark.parametrize("text", KEPT)
def test_keeps_lower_case_text_without_names(sanitiser, text):
    assert_kept(sanitiser, text)


def test_only_all_lower_case_text_is_read_again(sanitiser):
    from logmine_dagster.sanitise.lower_case_text import capitalised_copy

    words = sanitiser._words
    assert capitalised_copy("Ask dagrun okafor about it, she knows the refund", words) is None
    copy = capitalised_copy("ask dagrun okafor about the refund", words)
    assert copy == "ask Dagrun Okafor about the refund"
