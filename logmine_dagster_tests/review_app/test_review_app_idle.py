"""The idle timeout slides exactly: a session with any request within the timeout never ends, and one
left alone ends no earlier than the timeout after its last request (at most a touch interval later)."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("argon2")

from logmine_dagster.review.accounts import active_user, add_user  # noqa: E402
from logmine_dagster.review_app import sessions as sessions_module  # noqa: E402
from logmine_dagster.review_app.sessions import SessionStore  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    now = {"at": START}
    monkeypatch.setattr(sessions_module, "utcnow", lambda: now["at"])
    return now


@pytest.mark.parametrize("idle_seconds", [60, 90, 30 * 60])
def test_activity_within_the_timeout_keeps_the_session_alive(db, clock, idle_seconds):
    add_user(db, "ana", "reviewer", "correct horse battery staple")
    user = active_user(db, "ana")
    store = SessionStore(db, "s" * 40, dt.timedelta(hours=12), dt.timedelta(seconds=idle_seconds))
    cookie, _ = store.create(user)
    step = dt.timedelta(seconds=idle_seconds * 0.55)  # every request comes a little after half the timeout
    for _ in range(12):
        clock["at"] += step
        session, why = store.load(cookie)
        assert session is not None, f"ended after {(clock['at'] - START).total_seconds():.0f} s of activity ({why})"


@pytest.mark.parametrize("idle_seconds", [60, 30 * 60])
def test_an_idle_session_ends_not_before_the_timeout_and_soon_after(db, clock, idle_seconds):
    add_user(db, "ana", "reviewer", "correct horse battery staple")
    user = active_user(db, "ana")
    idle = dt.timedelta(seconds=idle_seconds)
    store = SessionStore(db, "s" * 40, dt.timedelta(hours=12), idle)
    cookie, _ = store.create(user)
    clock["at"] += dt.timedelta(seconds=idle_seconds * 0.3)
    last_request = clock["at"]
    assert store.load(cookie)[0] is not None
    clock["at"] = last_request + idle - dt.timedelta(seconds=1)
    assert store.load(cookie)[0] is not None, "ended before the idle timeout after the last request"
    # That check was a request too; leave the session alone from here on.
    last_request = clock["at"]
    clock["at"] = last_request + idle + store.touch_every
    assert store.load(cookie) == (None, "expired")
