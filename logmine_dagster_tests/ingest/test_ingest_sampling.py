"""Stratified sampling: keyed-hash membership, per-signal rates and bottom-k caps, privacy ceilings,
inclusion probabilities; through the real one-pass scanner and a real database."""

from __future__ import annotations

import json
import random

import pytest
import sqlalchemy as sa

from logmine_dagster.core.config import ConfigError, Settings
from logmine_dagster.ingest.sampling import SIGNALS, DaySampler, SamplingPolicy, hash_value, sample_reasons
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.storage.schema import raw_samples

DAY = "2026-03-02"
UNCAPPED = {signal: None for signal in SIGNALS}


def _records(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        turns = rng.choice([1, 1, 1, 3, 20])
        records.append(
            {
                "request_id": f"req-{i:06d}",
                "timestamp": f"{DAY}T{i % 24:02d}:00:00Z",
                "user_id": f"u{rng.randrange(40)}",
                "input": [{"role": "user", "content": "hello"}] * turns,
                "status": "error" if rng.random() < 0.1 else "ok",
                "confidence": round(rng.random(), 3),
                "escalated": rng.random() < 0.05,
                "feedback": rng.choice([None, None, "up", "down"]),
            }
        )
    return records


def _write_day(root, records, files: int = 1) -> None:
    folder = root / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for index in range(files):
        part = records[index::files]
        (folder / f"part-{index}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))


def _stored(db) -> dict[str, tuple[str, float]]:
    rows = db.fetch_all(sa.select(raw_samples.c.request_id, raw_samples.c.sample_reasons, raw_samples.c.inclusion_probability))
    return {r["request_id"]: (r["sample_reasons"], r["inclusion_probability"]) for r in rows}


def test_the_sample_is_the_same_whatever_the_order_and_split_of_the_files(tmp_path, db):
    policy = SamplingPolicy(rate=0.05, signal_caps={"error": 30, "low_confidence": 40, "negative_feedback": 25},
                            signal_rates={"long_conversation": 0.3}, max_per_user_per_day=12)
    records = _records(3000)
    _write_day(tmp_path / "logs", records, files=1)
    first = sample_day(db, tmp_path / "logs", DAY, policy)
    stored_first = _stored(db)

    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    _write_day(tmp_path / "logs", shuffled, files=3)
    second = sample_day(db, tmp_path / "logs", DAY, policy)
    assert _stored(db) == stored_first  # same records, reasons and probabilities: a backfill picks the same sample
    assert first.sampled == second.sampled == len(stored_first) > 0
    assert first.by_reason == second.by_reason


def test_daily_caps_keep_the_lowest_hashes_of_each_stratum(tmp_path, db):
    caps = {"error": 20, "low_confidence": 50, "escalated": None, "negative_feedback": 0, "long_conversation": 35}
    policy = SamplingPolicy(rate=0.0, signal_caps=caps, max_sampled_fraction=None)
    records = _records(4000)
    _write_day(tmp_path / "logs", records)
    report = sample_day(db, tmp_path / "logs", DAY, policy)
    stored = _stored(db)
    for signal, cap in caps.items():
        members = [r["request_id"] for r in records if signal in sample_reasons(r, SamplingPolicy(rate=0.0))]
        expected = sorted(members, key=lambda rid: hash_value(rid, policy.salt, signal))
        expected = set(expected if cap is None else expected[:cap])
        got = {rid for rid, (reasons, _) in stored.items() if signal in reasons.split(",")}
        assert got == expected, signal
        assert report.signal_seen[signal] == len(members)
        assert report.excluded_signal_cap[signal] == (0 if cap is None else max(0, len(members) - cap))
    assert report.by_reason["negative_feedback"] == 0


def test_per_signal_rates_use_independent_keyed_hashes(tmp_path, db):
    policy = SamplingPolicy(rate=0.0, signal_rates={"low_confidence": 0.25}, signal_caps=UNCAPPED, max_sampled_fraction=None)
    records = _records(4000)
    _write_day(tmp_path / "logs", records)
    sample_day(db, tmp_path / "logs", DAY, policy)
    low = [r for r in records if r["confidence"] < 0.5]
    kept = {rid for rid, (reasons, _) in _stored(db).items() if "low_confidence" in reasons}
    assert kept == {r["request_id"] for r in low if hash_value(r["request_id"], policy.salt, "low_confidence") < 0.25 * 2**64}
    assert 0.2 < len(kept) / len(low) < 0.3
    # Independent of the base-rate hash: the strata are not the same records.
    assert hash_value("req-000001", policy.salt) != hash_value("req-000001", policy.salt, "low_confidence")


def test_inclusion_probability_is_exact_without_caps_and_reweights_to_production(tmp_path, db):
    policy = SamplingPolicy(rate=0.1, signal_rates={"error": 0.5, "negative_feedback": 0.2, "long_conversation": 0.3},
                            signal_caps=UNCAPPED, max_sampled_fraction=None)
    records = _records(6000)
    _write_day(tmp_path / "logs", records)
    sample_day(db, tmp_path / "logs", DAY, policy)
    stored = _stored(db)
    by_id = {r["request_id"]: r for r in records}
    for rid, (_, probability) in stored.items():
        missed = 1 - policy.rate
        for signal in _signals(by_id[rid], policy):
            missed *= 1 - policy.rate_for(signal)
        assert probability == pytest.approx(1 - missed)
    # Horvitz-Thompson: summing 1/p over the sample estimates the day's totals.
    estimated_total = sum(1 / p for _, p in stored.values())
    estimated_errors = sum(1 / p for rid, (_, p) in stored.items() if by_id[rid]["status"] == "error")
    true_errors = sum(r["status"] == "error" for r in records)
    assert estimated_total == pytest.approx(len(records), rel=0.1)
    assert estimated_errors == pytest.approx(true_errors, rel=0.15)


def test_a_capped_users_records_carry_the_cap_over_their_count_and_reweight_to_their_total(tmp_path, db):
    """One heavy user (60 records) and 30 users with one each; the cap keeps 4 per user."""
    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_per_user_per_day=4, max_sampled_fraction=None)
    records = _records(90)
    for index, record in enumerate(records):
        record["user_id"] = "heavy" if index < 60 else f"light-{index}"
    _write_day(tmp_path / "logs", records)
    report = sample_day(db, tmp_path / "logs", DAY, policy)
    stored = _stored(db)
    user_of = {r["request_id"]: r["user_id"] for r in records}
    heavy = [p for rid, (_, p) in stored.items() if user_of[rid] == "heavy"]
    light = [p for rid, (_, p) in stored.items() if user_of[rid] != "heavy"]
    assert report.excluded_user_cap == 56 and len(heavy) == 4 and len(light) == 30
    assert all(p == pytest.approx(4 / 60) for p in heavy)
    assert all(p == pytest.approx(1.0) for p in light)
    # Horvitz-Thompson over the sample gives back the heavy user's true volume and the day's.
    assert sum(1 / p for p in heavy) == pytest.approx(60)
    assert sum(1 / p for _, p in stored.values()) == pytest.approx(len(records))


def _signals(record, policy):
    from logmine_dagster.ingest.sampling import record_signals

    return record_signals(record, policy)


def test_capped_strata_get_the_cap_over_the_stratum_as_probability(tmp_path, db):
    policy = SamplingPolicy(rate=0.0, signal_caps={**UNCAPPED, "error": 10}, signal_rates={s: 0.0 for s in SIGNALS if s != "error"},
                            max_sampled_fraction=None)
    records = _records(2000)
    _write_day(tmp_path / "logs", records)
    sample_day(db, tmp_path / "logs", DAY, policy)
    errors = sum(r["status"] == "error" for r in records)
    probabilities = [p for _, p in _stored(db).values()]
    assert len(probabilities) == 10 and all(p == pytest.approx(10 / errors) for p in probabilities)


def test_the_ceiling_keeps_the_lowest_hashes_and_no_rate_can_pass_it(tmp_path, db):
    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=0.05)
    records = _records(2000)
    _write_day(tmp_path / "logs", records)
    report = sample_day(db, tmp_path / "logs", DAY, policy)
    stored = _stored(db)
    assert len(stored) == report.sampled == report.ceiling == 100
    assert report.excluded_ceiling == 1900
    assert set(stored) == set(sorted((r["request_id"] for r in records), key=lambda rid: hash_value(rid, policy.salt))[:100])
    assert all(p == pytest.approx(0.05) for _, p in stored.values())


def test_opted_out_users_never_appear_whatever_their_signals(tmp_path, db):
    records = _records(1500)
    out = {"u1", "u2"}
    policy = SamplingPolicy(rate=1.0, signal_caps=UNCAPPED, max_sampled_fraction=None, opted_out_users=frozenset(out))
    _write_day(tmp_path / "logs", records)
    report = sample_day(db, tmp_path / "logs", DAY, policy)
    users = {json.loads(r["record_json"])["user_id"] for r in db.fetch_all(sa.select(raw_samples.c.record_json))}
    assert users and not users & out
    assert report.excluded_opt_out == sum(r["user_id"] in out for r in records)


def test_streaming_pruning_gives_the_same_selection_as_sorting_everything():
    records = _records(5000, seed=3)
    policy = SamplingPolicy(rate=0.02, signal_caps={"error": 7, "low_confidence": 13, "escalated": 2, "negative_feedback": 5,
                                                    "long_conversation": 9}, max_per_user_per_day=4, max_sampled_fraction=0.03)
    sampler = DaySampler(DAY, policy)
    for n, record in enumerate(records, 1):
        sampler.offer(record, None, "a.jsonl", n)
    got = {s.record["request_id"]: s.reasons for s in sampler.sampled()}
    sampler.close()

    # Reference: decide with full sorts over the whole day.
    kept = {r["request_id"]: set() for r in records}
    for signal in SIGNALS:
        members = sorted((r["request_id"] for r in records if signal in _signals(r, policy)), key=lambda rid: hash_value(rid, policy.salt, signal))
        for rid in members[: policy.cap_for(signal)]:
            kept[rid].add(signal)
    base = {rid for rid in kept if hash_value(rid, policy.salt) < policy.rate * 2**64}
    selected = [r for r in records if kept[r["request_id"]] or r["request_id"] in base]
    per_user: dict[str, list] = {}
    for r in sorted(selected, key=lambda r: hash_value(r["request_id"], policy.salt)):
        per_user.setdefault(r["user_id"], []).append(r["request_id"])
    selected = [rid for rids in per_user.values() for rid in rids[: policy.max_per_user_per_day]]
    selected = sorted(selected, key=lambda rid: hash_value(rid, policy.salt))[: int(0.03 * len(records))]
    assert set(got) == set(selected)
    for rid in selected:
        assert got[rid] == [s for s in SIGNALS if s in kept[rid]] + (["base_rate"] if rid in base else [])


def test_settings_parse_signal_rates_caps_and_ceilings():
    settings = Settings.from_env({"LOGMINE_SIGNAL_RATES": "low_confidence=0.5, long_conversation=0.2",
                                  "LOGMINE_SIGNAL_CAPS": "error=500,escalated=none", "LOGMINE_MAX_SAMPLED_FRACTION": "0.1",
                                  "LOGMINE_MAX_BAD_FRACTION": "none", "LOGMINE_LONG_CONVERSATION": "12"})
    assert settings.signal_rates == {"low_confidence": 0.5, "long_conversation": 0.2}
    assert settings.signal_caps["error"] == 500 and settings.signal_caps["escalated"] is None
    assert settings.signal_caps["low_confidence"] == 1000
    assert (settings.max_sampled_fraction, settings.max_bad_fraction, settings.long_conversation_messages) == (0.1, None, 12)
    assert Settings.from_env({"LOGMINE_SIGNAL_CAPS": "250"}).signal_caps == {s: 250 for s in SIGNALS}
    defaults = Settings.from_env({})
    assert (defaults.max_sampled_fraction, defaults.max_bad_fraction) == (0.2, 0.05)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LOGMINE_SIGNAL_RATES": "errors=0.5"}, "LOGMINE_SIGNAL_RATES: expected signal=value pairs"),
        ({"LOGMINE_SIGNAL_RATES": "error=2"}, "LOGMINE_SIGNAL_RATES must be a number between 0 and 1, got '2'"),
        ({"LOGMINE_SIGNAL_CAPS": "error=-1"}, "LOGMINE_SIGNAL_CAPS must be a whole number (0 or more) or 'none'"),
        ({"LOGMINE_MAX_SAMPLED_FRACTION": "1.5"}, "LOGMINE_MAX_SAMPLED_FRACTION must be a number between 0 and 1"),
        ({"LOGMINE_MAX_BAD_FRACTION": "lots"}, "LOGMINE_MAX_BAD_FRACTION must be a number between 0 and 1"),
        ({"LOGMINE_MAX_RECORD_BYTES": "0"}, "LOGMINE_MAX_RECORD_BYTES must be a whole number greater than 0"),
    ],
)
def test_bad_sampling_settings_fail_with_one_clear_line(env, message):
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert str(error.value).startswith(message)


def test_mining_policy_resource_builds_the_policy_from_fields_and_environment(monkeypatch):
    from logmine_dagster.defs.resources import MiningPolicy

    monkeypatch.setenv("LOGMINE_SIGNAL_CAPS", "error=5")
    monkeypatch.setenv("LOGMINE_MAX_SAMPLED_FRACTION", "0.3")
    from_env = MiningPolicy().sampling()
    assert from_env.cap_for("error") == 5 and from_env.max_sampled_fraction == 0.3
    configured = MiningPolicy(signal_rates={"escalated": 0.5}, signal_caps={"error": None}, max_sampled_fraction=0.01,
                              long_conversation_messages=8, max_bad_fraction=0.5).sampling()
    assert configured.rate_for("escalated") == 0.5 and configured.cap_for("error") is None
    assert configured.max_sampled_fraction == 0.01 and configured.long_conversation_messages == 8
    assert MiningPolicy(max_bad_fraction=0.5).bad_fraction_limit() == 0.5
    with pytest.raises(ConfigError, match="signal_rates: expected signal=value pairs"):
        MiningPolicy(signal_rates={"typo": 0.5}).sampling()
    with pytest.raises(ConfigError, match="max_sampled_fraction must be a number between 0 and 1"):
        MiningPolicy(max_sampled_fraction=2.0).sampling()
