"""Code identifiers (dotted class names, versions, versioned service names) stay readable, in text
and in `error_type` and service-like metadata, while a name that only looks dotted is still masked."""

from __future__ import annotations

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.code_identifiers import code_identifier_spans
from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


KEPT = [
    # Presidio's URL recognizer read "openai.Int" as a domain; its licence patterns read "v2"
    "openai.InternalServerError",
    "Retrying after anthropic.RateLimitError from the billing-service-v2 pool.",
    "ledger-sync v1.4.2 raised requests.exceptions.ConnectTimeout twice",
    "System.TimeoutException in inventory-svc-v3",
    "Deployed orders-api-V2 at 09:00.",
    # a model name's date suffix was read as a US bank number
    "Answered by claude-3-5-haiku-20241022 after a retry.",
]

MASKED = [
    # dotted shapes that are names, not code
    ("Please ask dr.McKenzie to sign the form.", "McKenzie", None),
    ("Forwarded by R.McAllister yesterday.", "McAllister", None),
    # a licence-like number is longer than a version
    ("My driver's license is V4821937.", "V4821937", None),
]


@pytest.mark.parametrize("text", KEPT)
def test_keeps_code_identifiers_in_text(sanitiser, text):
    assert_kept(sanitiser, text)


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks_what_only_looks_like_code(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


def test_shapes_stop_at_the_identifier():
    text = "x@openai.InternalServerError and svc-v12 and v2024 and ops.example.com"
    assert [text[a:b] for a, b in code_identifier_spans(text)] == ["v12"]


def test_error_type_and_service_fields_are_not_mangled(sanitiser):
    record = parse_record({
        "request_id": "req-1",
        "timestamp": "2025-03-04T10:15:00Z",
        "session_id": "sess-1",
        "user_id": "user-1",
        "model": "gpt-4o-mini",
        "input": [{"role": "user", "content": "Where is my parcel? I'm Rosalind Achterberg."}],
        "output": "",
        "status": "error",
        "error_type": "openai.InternalServerError",
        "metadata": {"service": "returns-service-v2", "client": "web v3.2"},
    })
    result = sanitiser.sanitise_record(record).record
    assert result["error_type"] == "openai.InternalServerError"
    assert result["metadata"]["service"] == "returns-service-v2"
    assert result["metadata"]["client"] == "web v3.2"
    assert "Achterberg" not in result["input"][0]["content"]
