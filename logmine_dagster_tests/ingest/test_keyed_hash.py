"""The keyed hashes behind every sampling decision: stable across versions, valid for any salt."""

import hashlib

from logmine_dagster.ingest.keyed_hash import HASH_SPACE, hash_fraction, hash_value, rate_threshold


def _blake2b_64(text: str, key: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8, key=key.encode()).digest(), "big")


def test_the_base_stratum_is_keyed_with_the_salt_alone_so_old_samples_stay_reproducible():
    assert hash_value("req-7", "salt-a") == _blake2b_64("req-7", "salt-a")
    assert hash_value("req-7", "salt-a", None) == _blake2b_64("req-7", "salt-a")


def test_a_stratum_gets_its_own_key_and_so_an_independent_draw():
    assert hash_value("req-7", "salt-a", "errors") == _blake2b_64("req-7", "salt-a/errors")
    assert hash_value("req-7", "salt-a", "errors") != hash_value("req-7", "salt-a")


def test_a_salt_longer_than_blake2bs_key_limit_is_cut_to_64_bytes_not_refused():
    long_salt = "k" * 100
    assert hash_value("req-7", long_salt) == hash_value("req-7", "k" * 64)
    assert hash_value("req-7", long_salt, "errors") == _blake2b_64("req-7", ("k" * 100 + "/errors")[:64])


def test_the_fraction_is_the_hash_scaled_into_the_unit_interval():
    for request_id in ("a", "req-1", "req-2", "x" * 300):
        fraction = hash_fraction(request_id, "salt-a", "errors")
        assert fraction == hash_value(request_id, "salt-a", "errors") / HASH_SPACE
        assert 0.0 <= fraction < 1.0


def test_rate_threshold_draws_everything_at_rate_one_and_nothing_at_zero():
    assert rate_threshold(1.0) == HASH_SPACE
    assert rate_threshold(0.0) == 0
    assert rate_threshold(0.25) == HASH_SPACE // 4
