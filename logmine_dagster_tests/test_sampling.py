from logmine_dagster.sampling import SamplingPolicy, hash_fraction, sample_reasons


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
