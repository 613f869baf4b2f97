"""The secret recognizer: keys, tokens, passwords and private keys, and what it leaves."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


MASKED = [
    # secrets
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7yq3b9PmQ\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAx7yq3b9PmQ", "SECRET"),
    ("key: -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF (cut off)", "MIIEvQIBADANBgkqhkiG9w0BAQEF", "SECRET"),
    ("connect to postgres://admin:S3cretPass@db.example.com:5432/app", "S3cretPass", None),
    ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "SECRET"),
    ('{"github_token": "q9Xw2Lm7Tz4Rp1Vn"}', "q9Xw2Lm7Tz4Rp1Vn", "SECRET"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789 was committed", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "SECRET"),
]

KEPT = [
    '{"max_tokens": 4096, "token_count": 1234, "prompt_tokens": 5000, "token_type": "bearer"}',
    "the password is incorrect, please reset it",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)
