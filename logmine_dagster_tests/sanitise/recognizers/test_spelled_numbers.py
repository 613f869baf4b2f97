"""Phone and account numbers spelled out in words; counts and short runs stay."""

from __future__ import annotations

import pytest

from logmine_dagster.sanitise.recognizers.spelled_numbers import digit_count
from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked

MASKED = [
    ("You can ring me on four one five, two two oh, nine eight seven one.", "nine eight seven", "PHONE_NUMBER"),
    ("it's zero seven seven double four three six nine", "double four", "PHONE_NUMBER"),
    ("Account number: six-two-eight-one-one-five-zero-three", "eight-one-one", "PHONE_NUMBER"),
]

KEPT = [
    "We had twenty one tickets and two escalations.",
    "Steps one, two and three are done; four and five are next.",
    "The plan has one seat, two projects and three dashboards.",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)


def test_double_and_triple_count_more_than_once():
    assert digit_count("double four triple nine oh") == 6
