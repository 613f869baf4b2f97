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
    # capitals only at sentence starts and in "I": the writer does not capitalise names either
    ("Hey, I need to talk to dagrun okafor about it", "okafor"),
    ("Please ask tomasz about the refund. He said it was approved.", "tomasz"),
]

KEPT = [
    "the parcel went to the wrong depot, please check with the courier tomorrow",
    "please reset my password, the app keeps crashing after the update",
    "thanks for the quick reply, the well-known router works fine now",
    # a given name that is also an English word, after a determiner, is the word
    "why did my bill go up again this month, the rate was fixed",
    "that didn't work, they're still waiting",
    "I have asked for a credit. It will appear on your next bill.",
    "Hello, this is about my order. Can you check it please?",
]


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masks_lower_case_names(sanitiser, text, value):
    assert_masked(sanitiser, text, value, "PERSON")


@pytest.mark.parametrize("text", KEPT)
def test_keeps_lower_case_text_without_names(sanitiser, text):
    assert_kept(sanitiser, text)


def test_only_text_that_capitalises_no_name_is_read_again(sanitiser):
    from logmine_dagster.sanitise.lower_case_text import capitalised_copy

    words = sanitiser._words
    assert capitalised_copy("Ask Dagrun okafor about it, she knows the refund", words) is None
    assert capitalised_copy("We moved the account to AWS, ask okafor about it", words) is None
    copy = capitalised_copy("Ask dagrun okafor about the refund. I think she knows", words)
    assert copy == "Ask Dagrun Okafor about the refund. I think she knows"


# A common surname that is also an English word reads as a word on its own; after a given name it is
# the rest of the name. Rarer surnames that are English words are mostly verbs and adverbs ("said").
SURNAMES_AFTER_GIVEN_NAMES = [
    ("hey its anneliese schmidt again, the router is still down", "schmidt"),
    ("can you call bob brown back about the invoice", "brown"),
    ("the refund was approved by kevin king from the billing team", "king"),
]


@pytest.mark.parametrize(("text", "value"), SURNAMES_AFTER_GIVEN_NAMES)
def test_masks_a_common_surname_after_a_given_name(sanitiser, text, value):
    assert_masked(sanitiser, text, value, "PERSON")


def test_a_verb_or_adverb_after_a_given_name_stays_readable(sanitiser):
    from logmine_dagster.sanitise.lower_case_text import capitalised_copy

    words = sanitiser._words
    # "said" and "back" are surnames too (ranks beyond the common ones; a stop word): not capitalised
    assert capitalised_copy("then dagrun said the parcel came back, call bob back", words) == (
        "then Dagrun said the parcel came back, call Bob back"
    )
    assert capitalised_copy("can you call bob brown back today", words) == "can you call Bob Brown back today"
    # the surname rule needs the given name right before it
    assert capitalised_copy("the brown parcel went to dagrun today", words) == "the brown parcel went to Dagrun today"
