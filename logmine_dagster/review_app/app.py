"""Assembling the review app: settings on app.state, the routes of every page, middleware, static files."""

from __future__ import annotations

import datetime as dt

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from logmine_dagster.review.claims import CLAIM_TTL
from logmine_dagster.review.policy import set_reviews_per_case
from logmine_dagster.review_app.login_limits import RateLimit
from logmine_dagster.review_app.middleware import BodyLimitMiddleware, NoNulInUrlMiddleware, SecurityHeadersMiddleware, ServerTimingMiddleware
from logmine_dagster.review_app.pages import HERE, make_templates
from logmine_dagster.review_app.routes import admin, auth, case, guidelines, interop, queue
from logmine_dagster.review_app.sessions import SessionStore
from logmine_dagster.review_app.settings import DEFAULT_MAX_BODY, DEFAULT_MAX_IMPORT, AppSettings
from logmine_dagster.storage import Database


async def not_found(request: Request, exc) -> Response:
    return HTMLResponse("<!doctype html><title>Not found</title><p>Not found. <a href=\"/\">Back to the queue</a></p>", status_code=404)


async def method_not_allowed(request: Request, exc) -> Response:
    return HTMLResponse("<!doctype html><title>Not allowed</title><p>That method is not allowed here.</p>", status_code=405)


def create_app(
    database_url: str,
    secret_key: str,
    *,
    reviews_per_case: int | None = None,
    session_ttl: dt.timedelta = dt.timedelta(hours=8),
    claim_ttl: dt.timedelta = CLAIM_TTL,
    secure_cookies: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
    max_import: int = DEFAULT_MAX_IMPORT,
    rate_limit: RateLimit = RateLimit(),
    database: Database | None = None,
    idle_timeout: dt.timedelta | None = dt.timedelta(minutes=30),
    trust_proxy: str | list[str] | None = None,
    allow_terms: tuple[str, ...] = (),
) -> Starlette:
    """The review app over logmine's database. `secret_key` signs session and CSRF cookies (32+ characters).

    A session ends `session_ttl` after login, or after `idle_timeout` without a request. `trust_proxy`
    (None: ignore proxy headers) names the reverse proxies ("*" for any peer, or addresses/networks)
    whose X-Forwarded-For and X-Forwarded-Proto are believed: the client address then keys the login
    rate limit, and the scheme decides whether cookies are marked Secure."""
    if not secret_key or len(secret_key) < 32:
        raise ValueError("the review app's secret key must be at least 32 characters long")
    if reviews_per_case is not None and reviews_per_case < 1:
        raise ValueError("reviews per case must be at least 1")
    db = database or Database(database_url)
    if reviews_per_case is not None:
        # Stored, not kept by this process: every app process and every import read the one policy.
        set_reviews_per_case(db, reviews_per_case, "review serve")
    settings = AppSettings(
        db=db,
        sessions=SessionStore(db, secret_key, session_ttl, idle_timeout),
        templates=make_templates(),
        session_ttl=session_ttl,
        claim_ttl=claim_ttl,
        secure_cookies=secure_cookies,
        max_body=max_body,
        rate_limit=rate_limit,
        trust_proxy=trust_proxy,
        allow_terms=tuple(allow_terms),
    )
    routes = [
        *auth.ROUTES,
        *queue.ROUTES,
        *case.ROUTES,
        *admin.ROUTES,
        *interop.ROUTES,
        *guidelines.ROUTES,
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed})
    app.add_middleware(ServerTimingMiddleware)  # innermost: the app's own time, not the body upload's
    app.add_middleware(BodyLimitMiddleware, max_body=max_body, overrides={"/admin/import": max_import})
    app.add_middleware(NoNulInUrlMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    if trust_proxy:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        # Added last, so it runs first: every route sees the forwarded client and scheme.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trust_proxy)
    app.state.settings = settings
    app.state.database = db
    app.state.public_paths = ("/login", "/static")
    return app
