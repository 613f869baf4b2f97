"""The guidelines page: every category's review guidelines (markdown) and the canned answers offered on
keys 1-9 of the case page; an admin edits both here."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.canned_store import set_canned, stored_canned, to_text
from logmine_dagster.review.errors import ReviewError
from logmine_dagster.review.guidelines import guidelines, set_guidelines
from logmine_dagster.review_app.pages import error_page, markdown_html, page, render
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import settings_of


def _page(request: Request, session: Session, *, editing: str = "", draft: str | None = None, error: str | None = None, status_code: int = 200,
          canned_draft: str | None = None) -> Response:
    db = settings_of(request).db
    current = guidelines(db)
    answers, saved_by = stored_canned(db)
    sections = [{"category": c, "html": Markup(markdown_html(current[c]["markdown"])) if c in current else "",
                 "markdown": current.get(c, {}).get("markdown", ""), "by": current.get(c, {}).get("by", "")} for c in CATEGORIES]
    return render(request, "guidelines.html", {
        "user": session.user, "csrf_token": session.csrf_token, "sections": sections, "editing": editing, "draft": draft,
        "error": error, "saved": request.query_params.get("saved", ""),
        "canned": answers, "canned_by": saved_by, "canned_text": to_text(answers) if canned_draft is None else canned_draft,
        "editing_canned": canned_draft is not None or (request.query_params.get("edit") == "canned" and session.user.is_admin),
    }, status_code=status_code)


@page()
async def show(request: Request, session: Session, form) -> Response:
    category = request.query_params.get("category") or ""
    return _page(request, session, editing=category if category in CATEGORIES and session.user.is_admin else "")


@page(role="admin")
async def save(request: Request, session: Session, form) -> Response:
    category = str(form.get("category") or "")
    text = str(form.get("markdown") or "")
    try:
        set_guidelines(settings_of(request).db, session.user, category, text)
    except ReviewError as error:
        if category not in CATEGORIES:
            return error_page(request, session, error.status_code, "Not saved", error.message)
        return _page(request, session, editing=category, draft=text, error=error.message, status_code=error.status_code)
    return RedirectResponse("/guidelines?" + urlencode({"saved": category}) + f"#g-{category}", status_code=303)


@page(role="admin")
async def save_canned(request: Request, session: Session, form) -> Response:
    text = str(form.get("canned") or "")
    try:
        set_canned(settings_of(request).db, session.user, text)
    except ReviewError as error:
        return _page(request, session, error=error.message, status_code=error.status_code, canned_draft=text)
    return RedirectResponse("/guidelines?" + urlencode({"saved": "canned answers"}) + "#canned-answers", status_code=303)


ROUTES = [Route("/guidelines", show, methods=["GET"]), Route("/guidelines", save, methods=["POST"]),
          Route("/guidelines/canned", save_canned, methods=["POST"])]
