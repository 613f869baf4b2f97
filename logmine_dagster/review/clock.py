"""Time as the review tables store it: UTC, whichever database gives it back."""

from __future__ import annotations

import datetime as dt

# A claim stamped this long ago is stale for any claim TTL: how a skip releases a slot.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything logmine stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)
