from logmine_dagster.ingest.sampling import SamplingPolicy, hash_fraction, sample_reasons


def _record(request_id: str, **fields) -> dict:
    return {"request_id": request_id, "status": "ok", "confidence": 0.9, "escalated": False, "feedback": None, **fields}


def test_hash_sampling_is_deterministic_and_close_to_the_rate():
    policy = SamplingPolicy(rate=0.05)
    ids = [f"req-{n}" for n in range(40_000)]
    first = [bool(sample_reasons(_record(i), policy)) for i in ids]
    second = [bool(sample_reasons(_record(i), policy)) for i in ids]
    assert first == second
    assert 0.045 < sum(first) / len(ids) < 0.055


def test_a_higher_rate_keeps_every_record_a_lower_rate_kept():
    low, high = SamplingPolicy(rate=0.01), SamplingPolicy(rate=0.1)
    ids = [f"req-{n}" for n in range(5_000)]
    kept_low = {i for i in ids if sample_reasons(_record(i), low)}
    kept_high = {i for i in ids if sample_reasons(_record(i), high)}
    assert kept_low and kept_low <= kept_high


def test_every_interesting_record_is_sampled_whatever_the_rate():
    policy = SamplingPolicy(rate=0.0, low_confidence_threshold=0.5)
    assert sample_reasons(_record("a", status="error"), policy) == ["error"]
    assert sample_reasons(_record("b", confidence=0.2), policy) == ["low_confidence"]
    assert sample_reasons(_record("c", escalated=True), policy) == ["escalated"]
    assert sample_reasons(_record("d", feedback="down"), policy) == ["negative_feedback"]
    assert sample_reasons(_record("e", status="error", feedback="down"), policy) == ["error", "negative_feedback"]
    assert sample_reasons(_record("f"), policy) == []
    assert sample_reasons(_record("g", confidence=None), policy) == []


def test_the_salt_changes_the_sample():
    assert hash_fraction("req-1", "a") != hash_fraction("req-1", "b")


def test_opted_out_users_and_tenants_are_never_sampled_and_the_user_cap_holds(tmp_path, db):
    import json

    from logmine_dagster.ingest.sampling import load_opt_out
    from logmine_dagster.ingest.sample_day import sample_day

    opt_out = tmp_path / "opt-out.txt"
    opt_out.write_text("u-out  # asked on 2026-02-01\ntenant:acme\n")
    users, tenants = load_opt_out(opt_out)
    policy = SamplingPolicy(
        rate=1.0, max_per_user_per_day=2, max_sampled_fraction=None, opted_out_users=users, opted_out_tenants=tenants
    )
    folder = tmp_path / "logs" / "dt=2026-03-02"
    folder.mkdir(parents=True)
    records = []
    for n, (user, tenant) in enumerate([("u-out", "x"), ("u1", "acme"), ("u2", "x"), ("u2", "x"), ("u2", "x"), ("u3", "x")]):
        records.append({"request_id": f"r{n}", "timestamp": "2026-03-02T10:00:00Z", "user_id": user,
                        "input": [{"role": "user", "content": "hi"}], "status": "error", "metadata": {"tenant": tenant}})
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    report = sample_day(db, tmp_path / "logs", "2026-03-02", policy)
    from logmine_dagster.storage.schema import raw_samples
    import sqlalchemy as sa

    kept = sorted(r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id)))
    # u2's two records with the lowest keyed hash: the cap does not depend on the order of the lines.
    u2_kept = sorted(["r2", "r3", "r4"], key=lambda rid: hash_fraction(rid, policy.salt))[:2]
    assert kept == sorted(u2_kept + ["r5"])
    assert (report.excluded_opt_out, report.excluded_user_cap) == (2, 1)


def test_tool_call_ids_are_pseudonymised_consistently_and_never_look_like_numbers():
    import re

    from logmine_dagster.sanitise.sanitise_day import pseudonymise_ids

    record = {
        "request_id": "r1", "session_id": "s", "user_id": "u",
        "input": [
            {"role": "assistant", "content": None, "tool_calls": [{"id": "call_4111111111111111", "type": "function"}]},
            {"role": "tool", "tool_call_id": "call_4111111111111111", "content": "{}"},
        ],
    }
    out = pseudonymise_ids(record, b"k" * 32)
    call_id = out["input"][0]["tool_calls"][0]["id"]
    assert call_id == out["input"][1]["tool_call_id"] != "call_4111111111111111"
    assert re.fullmatch(r"call_[a-p]{24}", call_id)
    assert record["input"][1]["tool_call_id"] == "call_4111111111111111"  # the raw record is untouched
