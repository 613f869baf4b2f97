"""Keyed pseudonyms for identifiers that must not leave the raw tier readable.

An HMAC rather than a plain hash: without the key, nobody can confirm a guessed id by hashing it.
"""

import hashlib
import hmac


def pseudonym(key: bytes, kind: str, value: str | None) -> str | None:
    if value is None:
        return None
    mac = hmac.new(key, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{kind[:1]}_{mac[:24]}"


_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def letter_pseudonym(key: bytes, kind: str, value: str | None) -> str | None:
    """Like `pseudonym`, but letters only: for ids that sit inside scanned text (tool-call ids),
    where a run of hex digits could look like a card number to the residual-PII gate."""
    if value is None:
        return None
    mac = hmac.new(key, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{kind}_{mac[:24].translate(_HEX_TO_LETTERS)}"
