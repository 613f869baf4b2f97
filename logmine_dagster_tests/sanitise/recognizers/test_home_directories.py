"""The user name in a home-directory path, and the folders that name nobody."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


MASKED = [
    # user names in home directories
    ('File "/home/jdoe/projects/app/main.py", line 3', "jdoe", "USERNAME"),
    ("open /Users/akowalski/Library/Logs", "akowalski", "USERNAME"),
    (r"saved to C:\Users\mwilliams\Desktop\notes.txt", "mwilliams", None),
]

KEPT = [
    "the logs are in /Users/Shared/logs and /home/user/x and ~/docs",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)
