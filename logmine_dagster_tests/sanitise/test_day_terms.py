"""The day-level common-term rule: a word the conversations of k distinct users write on one day is no
person's name unless the lexicon or a person cue says so. Real sanitiser, real spaCy model, real SQLite."""

from __future__ import annotations

import json

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.day_terms import (
    DEFAULT_USERS,
    DayTermCounter,
    day_common_terms,
)
from logmine_dagster.sanitise.sanitise_day import publish_day, sanitise_shard
from logmine_dagster.storage.schema import raw_samples
from logmine_dagster_tests.sanitise.test_deny_by_default import KEY, _insert_raw, _tier

DAY = "2026-03-02"  # the day `_insert_raw` and `_tier` use


def _record(request_id: str, user_id: str | None, text: str) -> dict:
    return parse_record({
        "request_id": request_id, "timestamp": f"{DAY}T10:00:00Z", "session_id": "s-" + request_id,
        "user_id": user_id, "model": "gpt-4o-mini", "status": "ok", "metadata": {},
        "input": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": text}],
        "output": "Let me look into that.",
    })


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(())


def test_a_word_counts_once_per_distinct_user():
    counter = DayTermCounter(3)
    for n in range(10):  # one user, ten records: still one user
        counter.add(_record(f"a{n}", "u-1", "Grafana is down"))
    counter.add(_record("b", "u-2", "Grafana is down"))
    assert "grafana" not in counter.terms()
    counter.add(_record("c", "u-3", "my Grafana board"))
    assert counter.terms() >= {"grafana"} and "board" not in counter.terms()  # capitalised words only


def test_a_record_without_user_or_session_counts_for_no_one():
    records = [dict(_record(f"r{n}", None, "Zendesk again"), session_id=None) for n in range(6)]
    assert day_common_terms(records, 2) == frozenset()


def test_the_threshold_is_a_setting_checked_when_the_settings_load(tmp_path):
    from logmine_dagster.core.config import ConfigError, Settings

    home = {"LOGMINE_HOME": str(tmp_path / "home")}
    assert Settings.from_env(home).common_term_users == DEFAULT_USERS
    assert Settings.from_env({**home, "LOGMINE_COMMON_TERM_USERS": "12"}).common_term_users == 12
    for bad in ("1", "many", "0"):
        with pytest.raises(ConfigError, match="LOGMINE_COMMON_TERM_USERS"):
            Settings.from_env({**home, "LOGMINE_COMMON_TERM_USERS": bad})


def _stored(sanitiser, text: str, terms: frozenset[str]) -> str:
    record = _record("r1", "u-1", text)
    return json.dumps(sanitiser.sanitise_record(record, pseudonym_key=KEY, common_terms=terms).record, ensure_ascii=False)


def test_a_common_term_stays_and_a_customer_beside_it_is_masked(sanitiser):
    text = "Is Zendesk included in my plan? Teodorescu asked."
    assert "Zendesk" not in _stored(sanitiser, text, frozenset())  # the NER's reading without the day
    stored = _stored(sanitiser, text, frozenset({"zendesk", "is"}))
    assert "Zendesk" in stored and "Teodorescu" not in stored


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please pass this to Amelia Davis, thanks.", "Davis"),  # a gazetteer given name first
        ("I spoke to Mr Wojtaszek about it.", "Wojtaszek"),  # a title
        ("Hello, my name is Wojtaszek and my order is late.", "Wojtaszek"),  # a self-introduction
        ("Please ask Leocadia Vanterpool to call back.", "Vanterpool"),  # a full name's shape
    ],
)
def test_strong_evidence_of_a_person_masks_a_common_term(sanitiser, text, name):
    stored = _stored(sanitiser, text, frozenset({"amelia", "davis", "wojtaszek", "leocadia", "vanterpool", "hello", "please", "i", "mr"}))
    assert name not in stored


@pytest.mark.parametrize("shard_count", [1, 2])
def test_every_shard_sees_the_whole_days_terms(db, sanitiser, shard_count):
    # Five users name the product; one customer's name appears in one user's conversation only.
    records = [_record(f"req-{n}", f"user-{n}", "Is Zendesk included in my plan?") for n in range(DEFAULT_USERS)]
    records.append(_record("req-own", "user-own", "Is Zendesk included? Teodorescu asked."))
    _insert_raw(db, records)
    shards = [sanitise_shard(db, sanitiser, KEY, DAY, shard, shard_count, common_term_users=DEFAULT_USERS) for shard in range(shard_count)]
    publish_day(db, DAY, shards)
    rows, refused = _tier(db)
    assert not refused and len(rows) == len(records)
    assert all("Zendesk" in row for row in rows.values())
    assert not any("Teodorescu" in row for row in rows.values())


def test_below_the_threshold_the_ner_reading_stands(db, sanitiser):
    records = [_record(f"req-{n}", f"user-{n}", "Is Zendesk included in my plan?") for n in range(2)]
    _insert_raw(db, records)
    publish_day(db, DAY, [sanitise_shard(db, sanitiser, KEY, DAY, common_term_users=3)])
    rows, _ = _tier(db)
    assert not any("Zendesk" in row for row in rows.values())


def test_a_changed_day_is_counted_again_in_the_same_process(db, sanitiser):
    # Shard steps in one process count a day's terms once; replacing the day's samples must not reuse them.
    _insert_raw(db, [_record(f"req-{n}", f"user-{n}", "Is Zendesk included in my plan?") for n in range(DEFAULT_USERS)])
    for shard in range(2):
        sanitise_shard(db, sanitiser, KEY, DAY, shard, 2, common_term_users=DEFAULT_USERS)
    publish_day(db, DAY, [sanitise_shard(db, sanitiser, KEY, DAY, common_term_users=DEFAULT_USERS)])
    assert all("Zendesk" in row for row in _tier(db)[0].values())
    with db.transaction() as conn:  # a re-ingested day: two of the five users left
        conn.execute(raw_samples.delete().where(raw_samples.c.request_id.not_in(["req-0", "req-1"])))
    publish_day(db, DAY, [sanitise_shard(db, sanitiser, KEY, DAY, common_term_users=DEFAULT_USERS)])
    rows, _ = _tier(db)
    assert len(rows) == 2 and not any("Zendesk" in row for row in rows.values())
