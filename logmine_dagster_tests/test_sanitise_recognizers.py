"""The recognizers added in this increment, each with cases it must mask and cases it must leave."""

from __future__ import annotations

import pytest

from logmine_dagster.sanitise import residual


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # secrets
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7yq3b9PmQ\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAx7yq3b9PmQ", "SECRET"),
    ("key: -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF (cut off)", "MIIEvQIBADANBgkqhkiG9w0BAQEF", "SECRET"),
    ("connect to postgres://admin:S3cretPass@db.example.com:5432/app", "S3cretPass", None),
    ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "SECRET"),
    ('{"github_token": "q9Xw2Lm7Tz4Rp1Vn"}', "q9Xw2Lm7Tz4Rp1Vn", "SECRET"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789 was committed", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "SECRET"),
    # user names in home directories
    ('File "/home/jdoe/projects/app/main.py", line 3', "jdoe", "USERNAME"),
    ("open /Users/akowalski/Library/Logs", "akowalski", "USERNAME"),
    (r"saved to C:\Users\mwilliams\Desktop\notes.txt", "mwilliams", None),
    # given names from the gazetteer, with initials and surnames
    ("They had 6 kids: Isabel, Teresa and Jodi.", "Teresa", "PERSON"),
    ("we need to add Ryan P Costa as guardian", "Costa", "PERSON"),
    ("follow up with patricia desrosiers in a couple of months.", "desrosiers", "PERSON"),
    ("Halldór: What a day.", "Halldór", "PERSON"),
    # French address with its postcode and city
    ("I live at 42 Rue de Rivoli, 75001 Paris.", "75001", "STREET_ADDRESS"),
]

KEPT = [
    '{"max_tokens": 4096, "token_count": 1234, "prompt_tokens": 5000, "token_type": "bearer"}',
    "the logs are in /Users/Shared/logs and /home/user/x and ~/docs",
    "Will you check my order? May I ask why? Hope this helps, grace period is over.",
    "Ask Siri to restart the router.",
    "the password is incorrect, please reset it",
    "Refunds take 5 to 7 business days.",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    (masked,) = sanitiser.sanitise_texts([text])
    assert value not in masked
    if entity_type:
        assert f"<{entity_type}>" in masked


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert sanitiser.sanitise_texts([text]) == [text]


def test_the_parser_is_off_and_the_rest_of_the_pipeline_on():
    from logmine_dagster.sanitise.engine import get_analyzer

    pipes = get_analyzer().nlp_engine.get_nlp("en").pipe_names
    assert "parser" not in pipes and {"tagger", "lemmatizer", "ner"} <= set(pipes)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("postgres://admin:S3cretPass@db.example.com", True),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7yq3b9PmQ", True),
        ("sk_live_abcdefghijklmnop1234", True),
        ("postgres://<SECRET>@db.example.com", False),
        ("-----BEGIN PRIVATE KEY-----<SECRET>", False),
        ("https://example.com/a:b", False),
    ],
)
def test_the_gate_knows_the_new_secret_shapes(text, flagged):
    assert ("SECRET" in residual.scan_text(text)) is flagged
