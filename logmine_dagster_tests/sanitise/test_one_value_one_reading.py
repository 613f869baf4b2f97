"""One value, one reading, with the real sanitiser: an id reads as one placeholder in prose and JSON, a
number after a cue that is no licence reads as an id, a company's office is no personal place, and a
given-name-shaped airport code between codes stays readable."""

from __future__ import annotations

import json

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster_tests.sanitise.profile_lookups import PERSONAL, profile_conversation

KEY = b"test-one-value-key-0123456789abcdef"


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser()


def test_a_user_id_in_prose_and_under_its_json_key_reads_as_one_placeholder(sanitiser):
    record = parse_record(profile_conversation("req-one-value-1", "2026-04-22"))
    sanitised = sanitiser.sanitise_record(record, pseudonym_key=KEY).record
    prose = sanitised["input"][1]["content"]
    profile = json.loads(sanitised["input"][3]["content"])
    assert PERSONAL["user_id"] not in json.dumps(sanitised)
    assert profile["user_id"].startswith("<ACCOUNT_ID_")
    assert prose.endswith("user_id: " + profile["user_id"])


def test_a_number_after_a_cue_that_is_no_licence_is_an_id_and_a_licence_stays_a_licence(sanitiser):
    code, sign_in, licence = sanitiser.sanitise_texts([
        "The code is 482913.", "Use 482913 to sign in.", "Driver license 482913 on file.",
    ])
    assert code == "The code is <RECORD_ID>." and sign_in == "Use <RECORD_ID> to sign in."
    assert licence.endswith("license <US_DRIVER_LICENSE> on file.")


def test_a_place_naming_a_companys_premises_is_no_personal_place(sanitiser):
    office, warehouse, person_there, moved = sanitiser.sanitise_texts([
        "Our Pune office is closed today.", "The Leeds warehouse shipped it.",
        "Call Priya Raman at our Pune office.", "I moved to Pune last year.",
    ])
    assert office == "Our Pune office is closed today."
    assert warehouse == "The Leeds warehouse shipped it."
    assert "Priya" not in person_there and "Raman" not in person_there and "our Pune office" in person_there
    assert "Pune" not in moved


def test_an_airport_code_that_is_a_given_name_stays_readable_between_codes_and_a_name_does_not(sanitiser):
    route, name, pair = sanitiser.sanitise_texts([
        "Your flight from SFO to MIA leaves at 9.", "Ask MIA to call back.", "Between JOHN and ANA, who called?",
    ])
    assert route == "Your flight from SFO to MIA leaves at 9."
    assert "MIA" not in name and "ANA" not in pair


def test_an_airport_code_that_is_a_given_name_stays_readable_in_json_beside_another_code(sanitiser):
    record = parse_record(profile_conversation("req-one-value-2", "2026-04-22"))
    reservation = json.loads(record["input"][7]["content"])
    reservation["destination"] = "MIA"
    record["input"][7]["content"] = json.dumps(reservation)
    sanitised = sanitiser.sanitise_record(record, pseudonym_key=KEY).record
    assert json.loads(sanitised["input"][7]["content"])["destination"] == "MIA"


def test_a_user_id_only_in_prose_reads_as_an_id(sanitiser):
    record = parse_record({
        "request_id": "req-prose-id", "timestamp": "2025-03-04T10:15:00Z", "session_id": "sess-prose-id",
        "user_id": "u-1", "model": "gpt-4o-mini", "status": "ok", "metadata": {},
        "input": [{"role": "user", "content": "My user id is winifred_okonkwo_3317 and my username is quietfox_1123."}],
        "output": "Thanks, I found the account for user_id: winifred_okonkwo_3317.",
    })
    sanitised = sanitiser.sanitise_record(record, pseudonym_key=b"test-key").record
    prose, output = sanitised["input"][0]["content"], sanitised["output"]
    assert "winifred" not in prose + output and "quietfox" not in prose
    assert prose.startswith("My user id is <ACCOUNT_ID_") and "my username is <USERNAME_" in prose
    assert prose.split()[4] == output.rstrip(".").split()[-1]  # one value, one placeholder
