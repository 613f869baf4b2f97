"""The review app's settings, kept on `app.state.settings` for every route to read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from logmine_dagster.review_app.login_limits import RateLimit
from logmine_dagster.review_app.sessions import SessionStore
from logmine_dagster.storage import Database

DEFAULT_MAX_BODY = 256 * 1024
DEFAULT_MAX_IMPORT = 8 * 1024 * 1024  # a Label Studio export of a weekly batch with long conversations


@dataclass(frozen=True)
class AppSettings:
    db: Database
    sessions: SessionStore
    templates: Jinja2Templates
    session_ttl: dt.timedelta
    claim_ttl: dt.timedelta
    secure_cookies: bool
    max_body: int
    rate_limit: RateLimit
    trust_proxy: str | list[str] | None
    # Words reviewer-entered text keeps readable (LOGMINE_ALLOW_TERMS), as the sanitiser does.
    allow_terms: tuple[str, ...] = ()

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless Secure, path / and no domain.
        return "__Host-logmine_session" if self.secure_cookies else "logmine_session"

    @property
    def login_cookie(self) -> str:
        return "__Host-logmine_login" if self.secure_cookies else "logmine_login"


def settings_of(request: Request) -> AppSettings:
    return request.app.state.settings
