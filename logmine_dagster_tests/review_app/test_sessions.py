"""The session store on its own, on one clock for the database and the cookie signatures: why a cookie is
refused (missing, invalid, expired) at the exact boundaries, and the login form's double-submit CSRF
token (an hour's lifetime, a forged cookie never accepted)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.review.accounts import active_user, add_user  # noqa: E402
from logmine_dagster.review_app import sessions as sessions_module  # noqa: E402
from logmine_dagster.review_app.sessions import SessionStore, csrf_ok  # noqa: E402
from logmine_dagster.storage.schema import review_sessions, review_users  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)
TTL = dt.timedelta(hours=12)
SECRET = "s" * 40


@pytest.fixture
def clock(monkeypatch):
    now = {"at": START}
    monkeypatch.setattr(sessions_module, "utcnow", lambda: now["at"])
    # itsdangerous reads time.time() for a signature's age: the same clock, or boundaries cannot be tested
    monkeypatch.setattr(sessions_module.TimestampSigner, "get_timestamp", lambda self: int(now["at"].timestamp()))
    return now


@pytest.fixture
def ana(db):
    add_user(db, "ana", "reviewer", "correct horse battery staple")
    return active_user(db, "ana")


def _last_seen(db) -> dt.datetime:
    [row] = db.fetch_all(sa.select(review_sessions.c.last_seen_at))
    value = row["last_seen_at"]
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def test_a_cookie_is_missing_invalid_or_expired_and_a_live_one_gives_its_session(db, clock, ana):
    store = SessionStore(db, SECRET, TTL)
    cookie, created = store.create(ana)
    assert store.load(None) == (None, "missing") and store.load("") == (None, "missing")
    assert store.load(cookie[:-2] + "xx") == (None, "invalid")
    assert store.load(SessionStore(db, "another secret" * 3, TTL).create(ana)[0]) == (None, "invalid")

    session, why = store.load(cookie)
    assert why is None and session == created and session.user.name == "ana"

    clock["at"] = created.expires_at - dt.timedelta(seconds=1)
    assert store.load(cookie)[0] == created
    clock["at"] = created.expires_at  # the expiry itself is past
    assert store.load(cookie) == (None, "expired")


def test_a_session_whose_row_is_gone_is_invalid_until_its_signature_expires(db, clock, ana):
    store = SessionStore(db, SECRET, TTL)
    cookie, _ = store.create(ana)
    with db.transaction() as conn:
        conn.execute(review_sessions.delete())
    assert store.load(cookie) == (None, "invalid")
    # Past the lifetime the signature alone says expired (the row was pruned): "your session expired".
    clock["at"] = START + TTL + dt.timedelta(seconds=1)
    assert store.load(cookie) == (None, "expired")


def test_a_revoked_session_or_a_disabled_account_is_refused(db, clock, ana):
    store = SessionStore(db, SECRET, TTL)
    cookie, session = store.create(ana)
    other_cookie, _ = store.create(ana)
    store.revoke(session)
    assert store.load(cookie) == (None, "invalid")
    assert store.load(other_cookie)[0] is not None  # only the revoked one
    with db.transaction() as conn:
        conn.execute(review_users.update().where(review_users.c.name == "ana").values(disabled=True))
    assert store.load(other_cookie) == (None, "invalid")


def test_activity_is_written_once_per_touch_interval_and_idleness_ends_at_the_exact_bound(db, clock, ana):
    idle = dt.timedelta(minutes=30)
    store = SessionStore(db, SECRET, TTL, idle)
    cookie, _ = store.create(ana)
    assert store.touch_every == dt.timedelta(seconds=60)
    clock["at"] = START + dt.timedelta(seconds=59)
    assert store.load(cookie)[0] is not None and _last_seen(db) == START  # not written yet
    clock["at"] = START + dt.timedelta(seconds=60)
    assert store.load(cookie)[0] is not None and _last_seen(db) == clock["at"]
    seen = clock["at"]
    clock["at"] = seen + store.touch_every + idle - dt.timedelta(seconds=1)
    assert store.load(cookie)[0] is not None
    seen = clock["at"]
    clock["at"] = seen + store.touch_every + idle  # the bound itself ends it
    assert store.load(cookie) == (None, "expired")


def test_a_session_without_an_idle_timeout_lives_until_its_expiry(db, clock, ana):
    store = SessionStore(db, SECRET, TTL)
    cookie, created = store.create(ana)
    clock["at"] = created.expires_at - dt.timedelta(seconds=1)
    assert store.load(cookie)[0] is not None


def test_the_login_forms_token_lives_an_hour_and_needs_its_own_signed_cookie(db, clock):
    store = SessionStore(db, SECRET, TTL)
    token, cookie = store.new_login_csrf()
    assert len(token) >= 43 and token not in (store.new_login_csrf()[0], cookie)
    assert store.check_login_csrf(token, cookie)
    assert not store.check_login_csrf(None, cookie) and not store.check_login_csrf(token, None)
    assert not store.check_login_csrf(token[:-1] + ("A" if token[-1] != "A" else "B"), cookie)
    # A cookie not signed by the app, even one equal to the form's field, is refused.
    assert not store.check_login_csrf(token, token) and not store.check_login_csrf("x", "x")
    # ... and a token from another app (another secret) or from the session signer is refused too.
    other_token, other_cookie = SessionStore(db, "another secret" * 3, TTL).new_login_csrf()
    assert not store.check_login_csrf(other_token, other_cookie)
    assert not store.check_login_csrf(token, store.signer.sign(token).decode("ascii"))

    clock["at"] = START + dt.timedelta(seconds=3600)
    assert store.check_login_csrf(token, cookie)
    clock["at"] = START + dt.timedelta(seconds=3601)
    assert not store.check_login_csrf(token, cookie)


def test_a_form_token_must_be_the_sessions_own(db, clock, ana):
    store = SessionStore(db, SECRET, TTL)
    _, session = store.create(ana)
    _, other = store.create(ana)
    assert csrf_ok(session, session.csrf_token)
    assert not csrf_ok(session, None) and not csrf_ok(session, "") and not csrf_ok(session, other.csrf_token)


def test_a_session_from_before_idle_timeouts_counts_idleness_from_its_login(db, clock, ana):
    # rows written before migration 0004 have no last_seen_at
    idle = dt.timedelta(minutes=30)
    store = SessionStore(db, SECRET, TTL, idle)
    cookie, _ = store.create(ana)
    with db.transaction() as conn:
        conn.execute(review_sessions.update().values(last_seen_at=None))
    clock["at"] = START + store.touch_every + idle - dt.timedelta(seconds=1)
    assert store.load(cookie)[0] is not None and _last_seen(db) == clock["at"]
    with db.transaction() as conn:
        conn.execute(review_sessions.update().values(last_seen_at=None))
    clock["at"] = START + store.touch_every + idle
    assert store.load(cookie) == (None, "expired")
