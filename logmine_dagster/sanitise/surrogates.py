"""Placeholders for masked values: plain (`<PERSON>`) or keyed per conversation (`<PERSON_3f9a>`).

With a secret key, a value becomes a typed surrogate whose tag is a truncated HMAC of
(key, conversation, entity type, normalised value):

- the same value gets the same surrogate everywhere in one conversation (`session_id`): across
  fields, and across the conversation's records, so a reviewer can still follow who is who;
- the same value gets a different surrogate in another conversation, so conversations cannot be
  linked through their surrogates;
- without the key, nobody can rebuild the mapping or confirm a guessed value.

Why a hash tag and not sequential numbers (`<PERSON_1>`, `<PERSON_2>`): the records of one
session are sanitised independently (in different runs, days and processes), so numbering would
need a stored value -> number map per conversation, and that map is exactly the PII-linked state
the sanitised tier must never hold. A keyed hash is stateless: nothing is stored anywhere.

The tag has 4 hex digits (16 bits). Two values of one type in one conversation share a tag with
probability about n^2 / 131072 (under 0.1% for 10 values): a rare loss of fidelity, never a leak.
Tags are lower-case hex, so every placeholder matches `PLACEHOLDER_PATTERN`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Callable

TAG_HEX_DIGITS = 4
# Every placeholder the sanitiser writes: `<PERSON>`, `<EMAIL_ADDRESS>`, `<PERSON_3f9a>`.
PLACEHOLDER_PATTERN = r"<[A-Z][A-Z0-9_]*(?:_[0-9a-f]{%d})?>" % TAG_HEX_DIGITS

# Types written with varying separators: "+44 20 7946 0958" and "+442079460958" are one number.
_COMPACT_TYPES = frozenset({
    "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "ACCOUNT_ID", "RECORD_ID", "IP_ADDRESS", "MAC_ADDRESS",
    "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_PASSPORT", "US_ITIN", "ID_NUMBER",
})
_NOT_ALNUM = re.compile(r"[\W_]+")
_EDGE_PUNCTUATION = ".,;:!?'\"()[]{}<>“”‘’"
_DOMAIN = b"logmine-surrogate-v1"

Placeholder = Callable[[str, str], str]  # (entity type, raw value) -> placeholder text


def plain_placeholder(entity_type: str, value: str = "") -> str:
    return f"<{entity_type}>"


def normalised_value(entity_type: str, value: str) -> str:
    """The form of a value that decides its surrogate: case, spacing and separators do not count."""
    if entity_type in _COMPACT_TYPES:
        return _NOT_ALNUM.sub("", value).upper()
    return " ".join(value.split()).strip(_EDGE_PUNCTUATION).casefold()


def surrogate_tag(key: bytes, conversation: str, entity_type: str, value: str) -> str:
    message = b"\x00".join((
        _DOMAIN,
        conversation.encode("utf-8"),
        entity_type.encode("utf-8"),
        normalised_value(entity_type, value).encode("utf-8"),
    ))
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:TAG_HEX_DIGITS]


def keyed_placeholder(key: bytes, conversation: str) -> Placeholder:
    """Placeholders for one conversation: `<TYPE_tag>`, the same for the same value."""
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise ValueError("the pseudonym key must be non-empty bytes")
    key = bytes(key)

    def placeholder(entity_type: str, value: str) -> str:
        return f"<{entity_type}_{surrogate_tag(key, conversation, entity_type, value)}>"

    return placeholder


def conversation_of(record: dict) -> str:
    """What scopes the surrogates: the session, else the request alone (a record without a
    session is its own conversation)."""
    for name, kind in (("session_id", "session"), ("request_id", "request")):
        value = record.get(name)
        if value not in (None, ""):
            return f"{kind}:{value}"
    return "record:"
