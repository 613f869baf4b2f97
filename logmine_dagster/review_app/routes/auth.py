"""Logging in and out. The login form has no session yet, so its CSRF token is a signed double-submit
cookie; failed logins slow the next attempt per name and per client address (login_limits: a pause, never a lockout)."""

from __future__ import annotations

import math

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from logmine_dagster.review.accounts import verify_login
from logmine_dagster.review_app.login_limits import login_blocked, record_attempt
from logmine_dagster.review_app.pages import cookie_secure, page, read_form, render, safe_next
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import settings_of


def login_page(request: Request, message: str | None = None, status_code: int = 200, name: str = "", headers=None) -> Response:
    settings = settings_of(request)
    token, cookie = settings.sessions.new_login_csrf()
    context = {"login_csrf": token, "message": message, "name": name, "next": safe_next(request.query_params.get("next")),
               "expired": request.query_params.get("expired") == "1"}
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(settings.login_cookie, cookie, max_age=3600, path="/", secure=cookie_secure(request), httponly=True, samesite="strict")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


async def login_get(request: Request) -> Response:
    settings = settings_of(request)
    session, _ = settings.sessions.load(request.cookies.get(settings.session_cookie))
    if session is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return login_page(request)


async def login_post(request: Request) -> Response:
    settings = settings_of(request)
    try:
        form = await read_form(request)
    except HTTPException as error:  # too many fields, a NUL character
        return login_page(request, f"{error.detail}: nothing was sent.", 400)
    if not settings.sessions.check_login_csrf(form.get("csrf_token"), request.cookies.get(settings.login_cookie)):
        return login_page(request, "The login form expired or was not sent by this site (CSRF check). Please try again.", 403)
    name = str(form.get("name") or "").strip()[:100]
    password = str(form.get("password") or "")
    if settings.trust_proxy and settings.secure_cookies and request.url.scheme != "https":
        return login_page(request, "The proxy forwards this page over plain HTTP, but the session cookie needs HTTPS: "
                          "open the app through its https:// address.", 400, name)
    # With a trusted proxy, request.client is the address it forwarded (uvicorn's ProxyHeadersMiddleware).
    client = request.client.host if request.client else "unknown"
    wait = login_blocked(settings.db, name, client, settings.rate_limit)
    if wait is not None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        return login_page(request, f"Too many failed logins: try again in {seconds} second(s).", 429, name,
                          headers={"Retry-After": str(seconds)})
    user = verify_login(settings.db, name, password)
    record_attempt(settings.db, name, client, user is not None)
    if user is None:
        return login_page(request, "Wrong name or password.", 401, name)
    cookie, _session = settings.sessions.create(user)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    response.set_cookie(settings.session_cookie, cookie, max_age=int(settings.session_ttl.total_seconds()), path="/",
                        secure=cookie_secure(request), httponly=True, samesite="lax")
    response.delete_cookie(settings.login_cookie, path="/", secure=cookie_secure(request), httponly=True, samesite="strict")
    return response


@page()
async def logout(request: Request, session: Session, form) -> Response:
    settings = settings_of(request)
    settings.sessions.revoke(session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(settings.session_cookie, path="/", secure=cookie_secure(request), httponly=True, samesite="lax")
    return response


ROUTES = [
    Route("/login", login_get, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
