"""A username built from a name where code usually sits: a JSON key, a function or tool name, the
customer's suffix of a fine-tuned model name. Such keys are read as text (not kept as code), and the
username recognizer tells them from counters like `retry_count_10`; a model name is kept only up to
its first colon. Real sanitiser, real spaCy model."""

from __future__ import annotations

import json

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.schema import identifier_shaped

HANDLE = "thomasina_quennell_5120"


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


def test_a_handle_is_not_code_shaped():
    # Read as text: the recognizer, not the shape, then decides ("retry_count_10" stays, see below).
    assert not identifier_shaped(HANDLE) and not identifier_shaped("j.quennell84") and not identifier_shaped("retry_count_10")
    assert identifier_shaped("order_id_2") and identifier_shaped("lookupOrder") and identifier_shaped("customer_email")


def test_handles_in_keys_names_and_model_suffixes_are_masked(sanitiser):
    record = parse_record({
        "request_id": "req-h", "timestamp": "2026-03-02T10:00:00Z", "session_id": "s", "user_id": "u",
        "model": f"ft:gpt-4o-mini:northwind:{HANDLE}",
        "input": [
            {"role": "user", "content": "Where is my order?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": HANDLE, "arguments": json.dumps({HANDLE: 1})}}]},
            {"role": "tool", "tool_call_id": "c1", "name": HANDLE, "content": json.dumps({HANDLE: {"retry_count_10": 2}})},
        ],
        "output": "On its way.", "status": "ok", "metadata": {HANDLE: "vip", "page_size_50": True},
    })
    stored = json.dumps(sanitiser.sanitise_record(record).record, ensure_ascii=False)
    assert "thomasina" not in stored.lower() and "quennell" not in stored.lower()
    assert "ft:gpt-4o-mini:" in stored and "retry_count_10" in stored and "page_size_50" in stored
