"""Customer-profile lookups (third-party airline traces) through `sanitise_day` with the real sanitiser
and gate: every personal value masked, so the gate has nothing to refuse, and the booking's own words
(cabin, status, airport and flight codes, amounts, enum values) still readable."""

from __future__ import annotations

import datetime as dt
import json
import re

import sqlalchemy as sa

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.pii_keys import is_data_key, pii_type_for_key
from logmine_dagster.sanitise.sanitise_day import sanitise_day
from logmine_dagster.sanitise.sanitiser import get_sanitiser
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, sanitised_samples, sanitiser_quarantine
from logmine_dagster_tests.sanitise.profile_lookups import PERSONAL, PLAIN, personal_values, profile_conversation

DAY = "2026-04-22"
KEY = b"test-profile-key-0123456789abcdef"


def _readable(value: str, text: str) -> bool:
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(value.lower()) + r"(?![A-Za-z0-9])", text.lower()) is not None


def _stored_day(tmp_path, records: list[dict]) -> tuple[list[dict], list[dict]]:
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    now = dt.datetime.now(dt.timezone.utc)
    with db.transaction() as conn:
        conn.execute(raw_samples.insert(), [
            {"day": DAY, "request_id": r["request_id"], "sample_reasons": "random", "record_json": json.dumps(parse_record(r)),
             "source_file": "t.jsonl", "source_line": n, "sampled_at": now}
            for n, r in enumerate(records)
        ])
    sanitise_day(db, get_sanitiser(), KEY, DAY)
    rows = db.fetch_all(sa.select(sanitised_samples))
    refused = db.fetch_all(sa.select(sanitiser_quarantine))
    db.dispose()
    return rows, refused


def test_a_profile_lookup_is_masked_by_its_keys_and_the_gate_refuses_nothing(tmp_path):
    rows, refused = _stored_day(tmp_path, [profile_conversation("req-profile-1", DAY), profile_conversation("req-profile-2", DAY, status="error", error_type="Timeout")])
    assert refused == []
    assert len(rows) == 2
    text = "\n".join(json.dumps({k: str(v) for k, v in row.items()}) for row in rows)
    text += "\n" + text.replace('\\"', '"')
    assert [v for v in personal_values() if _readable(v, text)] == []
    assert [v for v in PLAIN if not _readable(v, text)] == []


def test_an_id_used_as_a_key_is_masked_with_every_mention_of_it():
    record = parse_record(profile_conversation("req-profile-3", DAY))
    sanitised = get_sanitiser().sanitise_record(record, pseudonym_key=KEY).record
    profile = json.loads(sanitised["input"][3]["content"])
    (card_key, card), (gift_key, _) = profile["payment_methods"].items()
    assert card_key.startswith("<ACCOUNT_ID_") and gift_key.startswith("<ACCOUNT_ID_") and card_key != gift_key
    assert card["id"] == card_key  # the value under "id" and the key it repeats: one placeholder
    assert card["source"] == "credit_card" and card["brand"] == "visa"  # the method's fields are no card number
    payment = json.loads(sanitised["input"][7]["content"])["payment_history"][0]
    assert payment == {"payment_id": card_key, "amount": 1146}
    assert card_key in sanitised["output"]


def test_field_names_and_codes_in_prose_stay_readable_and_the_values_after_them_do_not():
    texts = get_sanitiser().sanitise_texts([
        f"I want to upgrade my cabin. user_id: {PERSONAL['user_id']}",
        "Your flight HAT204 from DFW to SEA is in basic_economy.",
        "Call JOHN SMITH about it, or ANA from the desk.",
    ])
    assert texts[0].startswith("I want to upgrade my cabin. user_id: <") and PERSONAL["user_id"] not in texts[0]
    assert texts[1] == "Your flight HAT204 from DFW to SEA is in basic_economy."
    assert "JOHN" not in texts[2] and "SMITH" not in texts[2]


def test_a_key_holding_an_id_is_data_not_a_field_name():
    assert is_data_key("credit_card_4411934") and is_data_key("#W2209375") and not is_data_key("2024-05-16")
    assert pii_type_for_key("credit_card_4411934") is None  # the object under it is a payment method, walked as such
    assert pii_type_for_key("credit_card") == "CREDIT_CARD"
    assert pii_type_for_key("payment_id") == pii_type_for_key("payment_method_id") == "ACCOUNT_ID"
