"""What every page shares: rendering, the error page, reading a form, and the `page` guard (a live
session, a role, a CSRF token) around every route but login's."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from markdown_it import MarkdownIt
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from logmine_dagster.review_app.sessions import Session, csrf_ok
from logmine_dagster.review_app.settings import settings_of

HERE = Path(__file__).resolve().parent


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True))
    templates.env.filters["pretty_json"] = pretty_json
    return templates


# CommonMark with raw HTML off: an admin's guidelines can format text and link, never inject markup.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> str:
    return _MARKDOWN.render(text or "")


def pretty_json(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only, never another host."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def cookie_secure(request: Request) -> bool:
    # Behind a trusted TLS proxy the scheme is https even if the operator chose --insecure-cookies.
    return settings_of(request).secure_cookies or request.url.scheme == "https"


def render(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    settings = settings_of(request)
    context.setdefault("user", None)
    context.setdefault("csrf_token", "")
    return settings.templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, session: Session | None, status_code: int, title: str, message: str, headers=None) -> Response:
    response = render(
        request,
        "error.html",
        {"title": title, "message": message, "user": session.user if session else None, "csrf_token": session.csrf_token if session else ""},
        status_code=status_code,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


NUL_REFUSED = "A field contains a NUL character (\\0), which text cannot hold"


async def read_form(request: Request, files: int = 0) -> FormData:
    """The posted form; raises HTTPException(400) for too many parts, or a NUL character in any field
    (PostgreSQL cannot store one: it would fail as a 500; SQLite would keep it invisibly)."""
    form = await request.form(max_files=files, max_fields=30, max_part_size=settings_of(request).max_body)
    for key, value in form.multi_items():
        shown = value if isinstance(value, str) else getattr(value, "filename", None) or ""
        if "\x00" in key or "\x00" in shown:
            raise HTTPException(400, NUL_REFUSED)
    return form


def _no_session(request: Request, why: str | None) -> Response:
    """A GET goes to the login page and comes back; a POST cannot be replayed, so it says what happened."""
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = {"next": target}
        if why == "expired":
            query["expired"] = "1"
        response = RedirectResponse("/login?" + urlencode(query), status_code=303)
    else:
        text = (
            "Your session expired: nothing was saved. Log in again and repeat the action."
            if why == "expired"
            else "You are not logged in: nothing was saved. Log in and repeat the action."
        )
        response = error_page(request, None, 401, "Log in again", text)
    if why == "invalid":  # an expired cookie stays, so a later POST can say why it failed
        response.delete_cookie(settings_of(request).session_cookie, path="/", secure=cookie_secure(request), httponly=True, samesite="lax")
    return response


def page(role: str | None = None, files: int = 0):
    """Require a live session (and a role); for POST, also a valid CSRF token. The endpoint is called
    as endpoint(request, session, form), form None for GET."""

    def decorate(endpoint):
        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            settings = settings_of(request)
            session, why = settings.sessions.load(request.cookies.get(settings.session_cookie))
            if session is None:
                return _no_session(request, why)
            if role == "admin" and not session.user.is_admin:
                return error_page(request, session, 403, "Admins only", "This page is for admins.")
            form = None
            if request.method == "POST":
                try:
                    form = await read_form(request, files)
                except HTTPException as error:  # too many files or fields, a part too large
                    return error_page(request, session, 400, "Form refused", f"{error.detail}: nothing was saved.")
                if not csrf_ok(session, form.get("csrf_token")):
                    return error_page(
                        request, session, 403, "Form refused",
                        "The form's security token is missing or does not match your session (CSRF check): nothing was saved. Reload the page and try again.",
                    )
            return await endpoint(request, session, form)

        return wrapper

    return decorate
