"""Usernames and handles built from a person's name, or after a username cue; code identifiers,
file names and ordinary snake_case stay."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked

MASKED = [
    # a gazetteer given name the lexicon does not know, plus digits or another unknown part
    ("Reset the password for winifred_okonkwo_3317 please.", "winifred_okonkwo_3317", "USERNAME"),
    ("Ticket opened by marisol-quintero on the portal.", "marisol-quintero", "USERNAME"),
    ("Logged in as desmond92 from a new device.", "desmond92", "USERNAME"),
    # an initial and a surname with digits, whatever the name
    ("Messages from t.nwachukwu71 keep bouncing.", "t.nwachukwu71", "USERNAME"),
    # after a username cue, any handle shape
    ("My username is quietfox_1123 on the app.", "quietfox_1123", "USERNAME"),
    ("you can find me as zed.orbit44 in the community", "zed.orbit44", "USERNAME"),
    ("Our Discord handle: @lumen-drift", "lumen-drift", "USERNAME"),
    # an @-handle with a digit or separator
    ("Ask @obi.adeyemi about it.", "obi.adeyemi", "USERNAME"),
    # name-like parts and digits, no cue: given names the lexicon also knows, or names in no list
    ("Refund issued to rosalind_fisher_4471 yesterday.", "rosalind_fisher_4471", "USERNAME"),
    ('{"thaddeus_quillfeather_2209": {"tier": "gold"}}', "thaddeus_quillfeather_2209", "USERNAME"),
    # after an id cue the same shapes are the id, typed as a user_id key's value is
    ("Reset the password for user id winifred_okonkwo_3317 please.", "winifred_okonkwo_3317", "ACCOUNT_ID"),
    ("Lookup failed: user_id: rosalind_fisher_4471 not found", "rosalind_fisher_4471", "ACCOUNT_ID"),
    ("The customer id is t.nwachukwu71, can you check?", "t.nwachukwu71", "ACCOUNT_ID"),
]

KEPT = [
    "The customer_email field is empty and order_id_2 failed validation.",
    "Open the mark_down_v2 template and the retry_count setting.",
    "Attach olivia_q3_report.xlsx to the ticket.",
    "Upgrade to gpt-4o-mini-2024 for the summaries.",
    "Set max_tokens to 512 and top_p to 0.9.",
    "The retry_count_10 and error_code_500 counters and page_size_50 are set.",
    # model families that are also given names, and versioned prompt names
    "Answered by claude-3-5-haiku-20241022 in 2 s.",
    "Prompt version: kb-2025.02.1-claude.",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)
