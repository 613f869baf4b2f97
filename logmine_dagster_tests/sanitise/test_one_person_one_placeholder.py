"""Within a record, a given name in a greeting, a title form and the full name in a tool result
read as one person: the same keyed surrogate. Two different people keep two."""

from __future__ import annotations

import json
import re

import pytest

from logmine_dagster.ingest.records import parse_record

KEY = b"one-person-test-key"


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


def _record(*messages: dict, output: str) -> dict:
    return parse_record({
        "request_id": "req-7", "timestamp": "2025-05-06T09:00:00Z", "session_id": "sess-7", "user_id": "user-7",
        "model": "gpt-4o-mini", "input": list(messages), "output": output, "status": "ok", "metadata": {},
    })


def _people(text: str) -> set[str]:
    return set(re.findall(r"<PERSON_[0-9a-f]{4}>", text))


def test_given_name_title_form_and_full_name_share_a_surrogate(sanitiser):
    record = _record(
        {"role": "user", "content": "my parcel never came"},
        {"role": "tool", "content": json.dumps({"customer": {"name": "Philippa Drummond-Hale", "tier": "gold"}})},
        {"role": "assistant", "content": "Hi Philippa, I can see the order."},
        {"role": "user", "content": "Please note it for Mrs. Drummond-Hale too."},
        output="Thanks Philippa, done.",
    )
    result = sanitiser.sanitise_record(record, pseudonym_key=KEY).record
    stored = json.dumps(result, ensure_ascii=False)
    assert "Philippa" not in stored and "Drummond" not in stored
    full = _people(result["input"][1]["content"])
    assert len(full) == 1
    assert _people(result["input"][2]["content"]) == full
    assert _people(result["input"][3]["content"]) == full


def test_two_people_keep_two_surrogates(sanitiser):
    record = _record(
        {"role": "tool", "content": json.dumps({"owner": {"name": "Ignatius Farquharson"},
                                                "delegate": {"name": "Rosalind Achterberg"}})},
        {"role": "assistant", "content": "Hello Ignatius, Rosalind has access too."},
        output="OK.",
    )
    result = sanitiser.sanitise_record(record, pseudonym_key=KEY).record
    in_tool = _people(result["input"][0]["content"])
    in_reply = _people(result["input"][1]["content"])
    assert len(in_tool) == 2
    assert in_reply == in_tool


def test_an_email_spelling_the_name_joins_the_family(sanitiser):
    record = _record(
        {"role": "tool", "content": json.dumps({"customer": {"name": "Philippa Drummond"}})},
        {"role": "assistant", "content": "I sent it to p.drummond58@example.net and to help@example.net."},
        output="Done.",
    )
    result = sanitiser.sanitise_record(record, pseudonym_key=KEY).record
    (person,) = _people(result["input"][0]["content"])
    reply = result["input"][1]["content"]
    assert "drummond" not in reply.lower()
    emails = re.findall(r"<EMAIL_ADDRESS_([0-9a-f]{4})>", reply)
    assert len(emails) == 2
    assert emails[0] == person[len("<PERSON_") : -1]  # the person's tag
    assert emails[1] != emails[0]  # the shared mailbox is nobody's


def _session_record(request_id: str, session_id: str, *messages: dict, output: str) -> dict:
    return parse_record({
        "request_id": request_id, "timestamp": "2025-05-06T09:00:00Z", "session_id": session_id, "user_id": "user-7",
        "model": "gpt-4o-mini", "input": list(messages), "output": output, "status": "ok", "metadata": {},
    })


def test_one_person_across_the_records_of_a_conversation(sanitiser):
    """Records of one session are sanitised apart (other shards or days): the full name in the first
    record's tool result, the given name in the next record's greeting, and a title form beside the full
    name all read as one surrogate; another session gets another one."""
    first = _session_record(
        "req-a", "sess-9",
        {"role": "tool", "content": json.dumps({"customer": {"name": "Cordelia Wainscott-Pryce", "tier": "gold"}})},
        {"role": "user", "content": "This is Mrs. Wainscott-Pryce, my refund is late."},
        output="I can see the refund, Cordelia.",
    )
    second = _session_record("req-b", "sess-9", {"role": "user", "content": "Any news?"}, output="Thanks for waiting, Cordelia. It was sent today.")
    other = _session_record("req-c", "sess-10", {"role": "user", "content": "Hello"}, output="Thanks for waiting, Cordelia.")
    a, b, c = (sanitiser.sanitise_record(record, pseudonym_key=KEY).record for record in (first, second, other))
    stored = json.dumps([a, b, c], ensure_ascii=False)
    assert "Cordelia" not in stored and "Wainscott" not in stored
    person = _people(a["input"][0]["content"])
    assert len(person) == 1
    assert _people(a["input"][1]["content"]) == person and _people(a["output"]) == person
    assert _people(b["output"]) == person  # the next record of the session: the same person
    assert _people(c["output"]) and _people(c["output"]) != person  # another conversation: not linkable


def test_person_family():
    from logmine_dagster.sanitise.person_links import person_family

    assert person_family("Cordelia Wainscott-Pryce") == "Cordelia"
    assert person_family("Dr. Cordelia Wainscott-Pryce") == "Cordelia"
    assert person_family("Cordelia") == "Cordelia"
    assert person_family("Wainscott-Pryce, Cordelia") == "Wainscott-Pryce, Cordelia"
    assert person_family("van der Berg") == "van der Berg"
