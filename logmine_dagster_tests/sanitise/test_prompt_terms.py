"""The system prompt's own words are the application's vocabulary: a bot, plan or company name it uses
is not masked as a person (or organisation) where the NER misreads it, in the prompt or in the
conversation; a customer's name stays masked, in the prompt too. Real sanitiser, real spaCy model."""

from __future__ import annotations

import json

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.prompt_terms import prompt_terms

KEY = b"prompt-terms-key"


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(())


def _record(system: str, user: str, output: str) -> dict:
    return parse_record({
        "request_id": "r1", "timestamp": "2026-03-02T10:00:00Z", "session_id": "s1", "user_id": "u1", "model": "gpt-4o-mini",
        "input": [{"role": "system", "content": system}, {"role": "user", "content": user}], "output": output, "status": "ok", "metadata": {},
    })


def test_prompt_terms_stay_and_names_are_masked(sanitiser):
    record = _record(
        "You are Zephyrine, the helper of Quorvath Telecom. Upgrades go to Velmora Max. You are helping Amelia Davis today.",
        "Hi Zephyrine, is Velmora Max faster? I am Amelia Davis, my neighbour Corvin Ashdale has it.",
        "Yes Amelia, Velmora Max is faster.",
    )
    result = sanitiser.sanitise_record(record, pseudonym_key=KEY).record
    stored = json.dumps(result, ensure_ascii=False)
    assert "Zephyrine" in stored and "Velmora Max" in stored and "Quorvath Telecom" in stored
    for name in ("Amelia", "Davis", "Corvin", "Ashdale"):
        assert name not in stored


def test_a_word_outside_the_prompt_is_still_a_name(sanitiser):
    # The same words with no system prompt naming them: the NER's reading stands.
    record = _record("You are a helpful assistant.", "Hi, is Velmora Max faster? Ask Zephyrine.", "Yes.")
    stored = json.dumps(sanitiser.sanitise_record(record, pseudonym_key=KEY).record, ensure_ascii=False)
    assert "Zephyrine" not in stored


def test_prompt_terms_read_system_and_developer_messages_only():
    record = {"input": [{"role": "developer", "content": [{"type": "text", "text": "Use Orbix."}]},
                        {"role": "user", "content": "Ask Walcott."}]}
    assert prompt_terms(record) == frozenset({"use", "orbix"})
