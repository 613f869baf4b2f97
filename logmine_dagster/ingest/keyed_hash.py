"""The keyed hashes every sampling decision is made of: BLAKE2b of the request id, keyed with the salt
(and the stratum), read as a uniform integer in [0, 2**64)."""

from __future__ import annotations

import hashlib

HASH_SPACE = 1 << 64


def keyed_hasher(salt: str, stratum: str | None):
    # The base stratum keeps the key of the first logmine versions, so their samples stay reproducible.
    key = salt if stratum is None else f"{salt}/{stratum}"
    return hashlib.blake2b(digest_size=8, key=key.encode("utf-8")[:64])


def hash_value(request_id: str, salt: str, stratum: str | None = None) -> int:
    """A uniform integer in [0, 2**64) fixed by the request id (and the stratum)."""
    hasher = keyed_hasher(salt, stratum)
    hasher.update(request_id.encode("utf-8"))
    return int.from_bytes(hasher.digest(), "big")


def hash_fraction(request_id: str, salt: str, stratum: str | None = None) -> float:
    """A uniform number in [0, 1) fixed by the request id."""
    return hash_value(request_id, salt, stratum) / HASH_SPACE


def rate_threshold(rate: float) -> int:
    """A hash below this integer is drawn at `rate`."""
    return HASH_SPACE if rate >= 1.0 else int(rate * HASH_SPACE)
