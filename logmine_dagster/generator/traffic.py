"""One day of traffic: timestamps in increasing order and interleaved chat sessions.

Each day has its own RNG keyed by seed and date, so any day can be regenerated alone. Only a small
pool of open sessions is kept, so memory does not grow with the number of requests per day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from typing import Iterator

from .conversations import Request, Session, build_request, new_session

# Relative traffic per UTC hour: quiet at night, busy through office hours and the evening.
HOURLY_WEIGHTS = (2, 1.5, 1, 1, 1, 1.5, 3, 5, 7, 8, 8.5, 8.5, 8, 8, 8, 8, 8, 8.5, 9, 9, 8, 6, 4, 3)
_TOTAL = sum(HOURLY_WEIGHTS)
_HOUR_STARTS = [0.0, *itertools.accumulate(w / _TOTAL for w in HOURLY_WEIGHTS)][:-1]
_MS_PER_HOUR = 3_600_000
_LAST_MS = 86_400_000 - 1

# Concurrent sessions: enough to interleave turns, small enough that memory stays flat.
MAX_OPEN_SESSIONS = 48
NEW_SESSION_SHARE = 0.53


def day_rng(seed: int, day: dt.date) -> random.Random:
    # A string seed is hashed with SHA-512 by random.Random, so it is stable across runs and platforms.
    return random.Random(f"{seed}:{day.isoformat()}")


def _millisecond_of_day(fraction: float) -> int:
    """Map an even fraction of the day onto the daily traffic curve (inverse of its CDF)."""
    hour = bisect.bisect(_HOUR_STARTS, fraction) - 1
    within = (fraction - _HOUR_STARTS[hour]) * _TOTAL / HOURLY_WEIGHTS[hour]
    return int((hour + within) * _MS_PER_HOUR)


def _format_timestamp(day_iso: str, millisecond: int) -> str:
    seconds, ms = divmod(millisecond, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{day_iso}T{hour:02d}:{minute:02d}:{second:02d}.{ms:03d}Z"


def _pick_session(rng: random.Random, open_sessions: list[Session], drift_active: bool) -> Session:
    wants_new = rng.random() < NEW_SESSION_SHARE
    if not open_sessions or (wants_new and len(open_sessions) < MAX_OPEN_SESSIONS):
        session = new_session(rng, drift_active)
        open_sessions.append(session)
        return session
    return open_sessions[rng.randrange(len(open_sessions))]


def _close(open_sessions: list[Session], session: Session) -> None:
    index = open_sessions.index(session)
    open_sessions[index] = open_sessions[-1]  # swap-remove: order does not matter, the pick is random
    open_sessions.pop()


def day_requests(seed: int, day: dt.date, per_day: int, drift_active: bool) -> Iterator[Request]:
    rng = day_rng(seed, day)
    day_iso = day.isoformat()
    open_sessions: list[Session] = []
    previous_ms = -1
    for index in range(per_day):
        # Jitter inside evenly spaced slots keeps times sorted without holding or sorting them.
        millisecond = _millisecond_of_day((index + rng.random()) / per_day)
        millisecond = min(max(millisecond, previous_ms + 1), _LAST_MS)
        previous_ms = millisecond
        session = _pick_session(rng, open_sessions, drift_active)
        request_id = "req_" + f"{rng.getrandbits(80):020x}"
        yield build_request(rng, session, request_id, _format_timestamp(day_iso, millisecond))
        if session.requests_left <= 0:
            _close(open_sessions, session)
