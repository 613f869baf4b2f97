"""The review app's routes. Every page but login needs a session; every form carries a CSRF token."""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
from pathlib import Path

import jinja2
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review import votes as store
from logmine_dagster.review import batch as review_stage
from logmine_dagster.review.accounts import RateLimit, Session, SessionStore, csrf_ok, record_attempt, verify_login, login_blocked
from logmine_dagster.storage import Database

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_BODY = 256 * 1024
DEFAULT_MAX_IMPORT = 8 * 1024 * 1024  # a Label Studio export of a weekly batch with long conversations

MESSAGES = {
    "accepted": "Added to the eval set.",
    "discarded": "Discarded.",
    "open": "Your review is saved; the case waits for the other reviewers.",
    "disputed": "Your review is saved; the reviewers disagree, so an admin will resolve it.",
    "flagged": "Flagged for PII: the case is quarantined and out of the queue.",
    "skipped": "Skipped.",
    "resolved": "Resolved.",
    "done": "Nothing left for you in this batch.",
}


class BodyLimitMiddleware:
    """Refuse request bodies over `max_body` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app, max_body: int, overrides: dict[str, int] | None = None):
        self.app = app
        self.max_body = max_body
        self.overrides = overrides or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.overrides.get(scope.get("path", ""), self.max_body)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = True
            if too_big:
                await self._refuse(send, limit)
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        buffered = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": buffered, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send, limit: int):
        body = f"Request body too large (limit {limit // 1024} KiB): nothing was saved.".encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    HEADERS = [
        (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
    ]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in self.HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def create_app(
    database_url: str,
    secret_key: str,
    *,
    reviews_per_case: int = 1,
    session_ttl: dt.timedelta = dt.timedelta(hours=8),
    claim_ttl: dt.timedelta = dt.timedelta(hours=2),
    secure_cookies: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
    max_import: int = DEFAULT_MAX_IMPORT,
    rate_limit: RateLimit = RateLimit(),
    database: Database | None = None,
    idle_timeout: dt.timedelta | None = dt.timedelta(minutes=30),
    trust_proxy: str | list[str] | None = None,
) -> Starlette:
    """The review app over logmine's database. `secret_key` signs session and CSRF cookies (32+ characters).

    A session ends `session_ttl` after login, or after `idle_timeout` without a request. `trust_proxy`
    (None: ignore proxy headers) names the reverse proxies ("*" for any peer, or addresses/networks)
    whose X-Forwarded-For and X-Forwarded-Proto are believed: the client address then keys the login
    rate limit, and the scheme decides whether cookies are marked Secure."""
    if not secret_key or len(secret_key) < 32:
        raise ValueError("the review app's secret key must be at least 32 characters long")
    if reviews_per_case < 1:
        raise ValueError("reviews per case must be at least 1")
    db = database or Database(database_url)
    sessions = SessionStore(db, secret_key, session_ttl, idle_timeout)
    templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True))
    templates.env.filters["pretty_json"] = _pretty_json
    session_cookie = "__Host-logmine_session" if secure_cookies else "logmine_session"
    login_cookie = "__Host-logmine_login" if secure_cookies else "logmine_login"

    def cookie_secure(request: Request) -> bool:
        # Behind a trusted TLS proxy the scheme is https even if the operator chose --insecure-cookies.
        return secure_cookies or request.url.scheme == "https"

    def render(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        context.setdefault("user", None)
        context.setdefault("csrf_token", "")
        context.setdefault("reviews_per_case", reviews_per_case)
        return templates.TemplateResponse(request, name, context, status_code=status_code)

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

    async def read_form(request: Request, files: int = 0) -> FormData:
        return await request.form(max_files=files, max_fields=30, max_part_size=max_body)

    def page(role: str | None = None, files: int = 0):
        """Require a live session (and a role); for POST, also a valid CSRF token."""

        def decorate(endpoint):
            @functools.wraps(endpoint)
            async def wrapper(request: Request) -> Response:
                session, why = sessions.load(request.cookies.get(session_cookie))
                if session is None:
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
                        response.delete_cookie(session_cookie, path="/", secure=cookie_secure(request), httponly=True, samesite="lax")
                    return response
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

    # --- login / logout -------------------------------------------------------------------------

    def login_page(request: Request, message: str | None = None, status_code: int = 200, name: str = "", headers=None) -> Response:
        token, cookie = sessions.new_login_csrf()
        context = {"login_csrf": token, "message": message, "name": name, "next": _safe_next(request.query_params.get("next")),
                   "expired": request.query_params.get("expired") == "1"}
        response = render(request, "login.html", context, status_code=status_code)
        response.set_cookie(login_cookie, cookie, max_age=3600, path="/", secure=cookie_secure(request), httponly=True, samesite="strict")
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    async def login_get(request: Request) -> Response:
        session, _ = sessions.load(request.cookies.get(session_cookie))
        if session is not None:
            return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
        return login_page(request)

    async def login_post(request: Request) -> Response:
        form = await read_form(request)
        if not sessions.check_login_csrf(form.get("csrf_token"), request.cookies.get(login_cookie)):
            return login_page(request, "The login form expired or was not sent by this site (CSRF check). Please try again.", 403)
        name = str(form.get("name") or "").strip()[:100]
        password = str(form.get("password") or "")
        if trust_proxy and secure_cookies and request.url.scheme != "https":
            return login_page(request, "The proxy forwards this page over plain HTTP, but the session cookie needs HTTPS: "
                              "open the app through its https:// address.", 400, name)
        # With a trusted proxy, request.client is the address it forwarded (uvicorn's ProxyHeadersMiddleware).
        client = request.client.host if request.client else "unknown"
        wait = login_blocked(db, name, client, rate_limit)
        if wait is not None:
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            return login_page(request, f"Too many failed logins: try again in {minutes} minute(s).", 429, name,
                              headers={"Retry-After": str(int(wait.total_seconds()) + 1)})
        user = verify_login(db, name, password)
        record_attempt(db, name, client, user is not None)
        if user is None:
            return login_page(request, "Wrong name or password.", 401, name)
        cookie, _session = sessions.create(user)
        response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
        response.set_cookie(session_cookie, cookie, max_age=int(session_ttl.total_seconds()), path="/", secure=cookie_secure(request), httponly=True, samesite="lax")
        response.delete_cookie(login_cookie, path="/", secure=cookie_secure(request), httponly=True, samesite="strict")
        return response

    @page()
    async def logout(request: Request, session: Session, form) -> Response:
        sessions.revoke(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(session_cookie, path="/", secure=cookie_secure(request), httponly=True, samesite="lax")
        return response

    # --- queue ----------------------------------------------------------------------------------

    @page()
    async def queue(request: Request, session: Session, form) -> Response:
        summaries = store.batch_summaries(db, reviews_per_case)
        weeks = [s.week for s in summaries]
        week = request.query_params.get("week") or (weeks[0] if weeks else None)
        category = request.query_params.get("category") or ""
        status = request.query_params.get("status") or ""
        if category and category not in CATEGORIES:
            return error_page(request, session, 400, "Bad filter", f"Unknown category; choose one of {', '.join(CATEGORIES)}.")
        if status and status not in store.STATUSES:
            return error_page(request, session, 400, "Bad filter", f"Unknown status; choose one of {', '.join(store.STATUSES)}.")
        states = store.case_states(db, reviews_per_case, week=week) if week else []
        summary = next((s for s in summaries if s.week == week), None)
        if week and summary is None and states:  # an older, closed batch asked for by name
            summary = store.BatchSummary(week=week, total=len(states), decided=sum(s.status in ("accepted", "discarded", "flagged") for s in states),
                                         flagged=sum(s.status == "flagged" for s in states), disputed=sum(s.status == "disputed" for s in states),
                                         open=sum(s.status == "open" for s in states), agreement=store.agreement_for(states))
        rows = []
        for state in states:
            if category and state.category != category:
                continue
            if status and state.status != status:
                continue
            rows.append({"state": state, "mine": any(v["reviewer"] == session.user.name for v in state.votes),
                         "others": len(state.assignees) >= reviews_per_case and session.user.name not in state.assignees})
        return render(request, "queue.html", {
            "user": session.user, "csrf_token": session.csrf_token, "summaries": summaries, "summary": summary, "week": week,
            "rows": rows, "categories": CATEGORIES, "statuses": store.STATUSES, "category": category, "status": status,
            "message": MESSAGES.get(request.query_params.get("msg", "")), "misses": store.sanitiser_misses(db),
        })

    # --- a case ---------------------------------------------------------------------------------

    def _state(case_id: str) -> store.CaseState:
        states = store.case_states(db, reviews_per_case, case_ids=[case_id])
        if not states:
            raise store.NotFound("No such case in any review batch.")
        return states[0]

    def _case_page(request: Request, session: Session, case_id: str, *, error: str | None = None, status_code: int = 200, values: dict | None = None) -> Response:
        state = _state(case_id)
        user = session.user
        if state.status == "flagged":
            return render(request, "quarantined.html", {"user": user, "csrf_token": session.csrf_token, "state": state}, status_code=410 if status_code == 200 else status_code)
        mine = store.my_vote(db, case_id, user)
        holds = user.name in state.assignees
        if not holds and mine is None and state.status == "open":
            holds = store.claim(db, state, user, reviews_per_case, claim_ttl)
            state = _state(case_id)
        if not holds and mine is None and not user.is_admin:
            return error_page(request, session, 403, "Assigned to another reviewer",
                              "This case is assigned to other reviewers, or already decided without you. Pick another case from the queue.")
        case = store.load_case(db, case_id)
        if case is None:
            return error_page(request, session, 404, "Not found", "The case's sanitised content is missing.")
        can_review = holds and state.status in ("open", "disputed") or (mine is not None and reviews_per_case == 1 and state.status in ("accepted", "discarded"))
        prefill = {
            "expected_output": (mine or {}).get("expected_output") or case["output"] or "",
            "rubric_notes": (mine or {}).get("rubric_notes") or "",
            "tags": (mine or {}).get("tags") or "",
            "category_override": (mine or {}).get("category_override") or "",
            "reason": (mine or {}).get("reason") or "",
        }
        prefill.update(values or {})
        context = {
            "user": user, "csrf_token": session.csrf_token, "state": state, "case": case, "mine": mine,
            "version": mine["version"] if mine else 0, "can_review": can_review, "prefill": prefill,
            "categories": CATEGORIES, "pii_kinds": store.PII_KINDS, "error": error,
            "show_votes": user.is_admin, "can_resolve": user.is_admin and state.status in ("disputed", "accepted", "discarded"),
            "can_flag": holds or mine is not None or user.is_admin,
            "next_case": store.next_case(db, user, reviews_per_case, state.week, case_id, claim_ttl),
        }
        return render(request, "case.html", context, status_code=status_code)

    @page()
    async def case_get(request: Request, session: Session, form) -> Response:
        try:
            return _case_page(request, session, request.path_params["case_id"])
        except store.ReviewError as error:
            return error_page(request, session, error.status_code, "Cannot show this case", error.message)

    def _version(form) -> int:
        try:
            return int(form.get("version") or 0)
        except ValueError:
            raise store.Invalid("The form is damaged (bad version): reload the case.") from None

    async def _after(request: Request, session: Session, case_id: str, week: str, outcome: str) -> Response:
        following = store.next_case(db, session.user, reviews_per_case, week, case_id, claim_ttl)
        if following:
            return RedirectResponse(f"/cases/{quote(following)}?msg={outcome}", status_code=303)
        return RedirectResponse("/?" + urlencode({"week": week, "msg": outcome if outcome != "skipped" else "done"}), status_code=303)

    def action(kind: str):
        @page()
        async def endpoint(request: Request, session: Session, form) -> Response:
            case_id = request.path_params["case_id"]
            values = None
            try:
                state = _state(case_id)
                if kind in ("accept", "discard"):
                    values = {k: str(form.get(k) or "") for k in ("expected_output", "rubric_notes", "tags", "category_override", "reason")}
                    fields = store.clean_vote(form, kind)
                    if session.user.name not in state.assignees and state.status == "open":
                        store.claim(db, state, session.user, reviews_per_case, claim_ttl)
                    outcome = store.record_vote(db, case_id, session.user, reviews_per_case, _version(form), fields)
                elif kind == "flag":
                    if session.user.name not in state.assignees and state.status == "open":
                        store.claim(db, state, session.user, reviews_per_case, claim_ttl)
                    store.flag_pii(db, case_id, session.user, str(form.get("kind") or ""))
                    outcome = "flagged"
                elif kind == "skip":
                    store.skip(db, case_id, session.user)
                    outcome = "skipped"
                else:  # resolve
                    decision = str(form.get("decision") or "")
                    if decision not in ("accept", "discard"):
                        raise store.Invalid("Choose accept or discard to resolve the case.")
                    values = {k: str(form.get(k) or "") for k in ("expected_output", "rubric_notes", "tags", "category_override", "reason")}
                    outcome = store.resolve(db, case_id, session.user, reviews_per_case, store.clean_vote(form, decision))
            except store.Invalid as error:
                try:
                    return _case_page(request, session, case_id, error=error.message, status_code=400, values=values)
                except store.ReviewError:
                    return error_page(request, session, 400, "Not saved", error.message)
            except store.ReviewError as error:
                return error_page(request, session, error.status_code, "Not saved", error.message)
            return await _after(request, session, case_id, state.week, outcome)

        endpoint.__name__ = f"case_{kind}"
        return endpoint

    # --- admin ----------------------------------------------------------------------------------

    @page(role="admin")
    async def audit(request: Request, session: Session, form) -> Response:
        case_id = request.query_params.get("case") or None
        rows = store.audit_rows(db, limit=500, case_id=case_id)
        return render(request, "audit.html", {"user": session.user, "csrf_token": session.csrf_token, "rows": rows, "case_id": case_id or ""})

    @page(role="admin")
    async def audit_csv(request: Request, session: Session, form) -> Response:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return Response(store.audit_csv(db), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="logmine-review-audit-{stamp}.csv"'})

    # --- interop: the batch as JSONL, CSV or Label Studio tasks; decisions back from those files ----

    def interop_page(request: Request, session: Session, status_code: int = 200, **context) -> Response:
        context.setdefault("reviewer", "")
        return render(request, "interop.html", {"user": session.user, "csrf_token": session.csrf_token,
                                                "weeks": store.queued_weeks(db), **context}, status_code=status_code)

    @page(role="admin")
    async def interop(request: Request, session: Session, form) -> Response:
        return interop_page(request, session)

    @page(role="admin")
    async def export(request: Request, session: Session, form) -> Response:
        week = request.query_params.get("week") or ""
        fmt = request.query_params.get("format") or "label-studio"
        if fmt not in review_stage.EXPORT_FORMATS:
            return error_page(request, session, 400, "Bad format", f"Choose one of {', '.join(review_stage.EXPORT_FORMATS)}.")
        if week not in store.queued_weeks(db):
            return error_page(request, session, 404, "No such batch", "No batch is queued for that week.")
        suffix = {"label-studio": "json", "jsonl": "jsonl", "csv": "csv"}[fmt]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"logmine-batch-{week}.{suffix}"
            review_stage.export_batch(db, week, path, fmt)
            body = path.read_bytes()
        media = {"label-studio": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}[fmt]
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{path.name}"'})

    @page(role="admin")
    async def label_studio_config(request: Request, session: Session, form) -> Response:
        from logmine_dagster.review.label_studio import label_config

        return Response(label_config(), media_type="application/xml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="logmine-label-studio-config.xml"'})

    @page(role="admin", files=1)
    async def import_file(request: Request, session: Session, form) -> Response:
        upload = form.get("file")
        reviewer = str(form.get("reviewer") or "").strip()
        fmt = str(form.get("format") or "") or None
        if not isinstance(upload, UploadFile) or not upload.filename:
            return interop_page(request, session, 400, error="Choose a file to import.", reviewer=reviewer)
        if not reviewer:
            return interop_page(request, session, 400, error="Say who made these decisions (reviewer).", reviewer=reviewer)
        if fmt is not None and fmt not in review_stage.EXPORT_FORMATS:
            return interop_page(request, session, 400, error="Unknown format.", reviewer=reviewer)
        raw = await upload.read()
        name = Path(upload.filename).name[:200]
        try:
            report = review_stage.import_decisions(db, Path(name), reviewer, fmt, raw=raw)
        except ValueError as error:  # unreadable file, bad reviewer name
            return interop_page(request, session, 400, error=f"{name}: {error}. Nothing was imported.", reviewer=reviewer)
        except store.ReviewError as error:
            return interop_page(request, session, error.status_code, error=error.message, reviewer=reviewer)
        if report.rejected:
            return interop_page(request, session, 400, reviewer=reviewer, unit=report.unit,
                                error=f"{len(report.rejected)} invalid {report.unit}(s) in {name}: nothing was imported. Fix them and import again.",
                                rejected=report.rejected[:200])
        store.audit_import(db, session.user, {"file": name, "format": report.format, "reviewer": reviewer, "accepted": report.accepted,
                                              "discarded": report.discarded, "undecided": report.undecided})
        return interop_page(request, session, message=f"Imported {report.accepted} added and {report.discarded} discarded case(s) by "
                                                      f"{reviewer} from {name}; {report.undecided} left undecided.")

    async def not_found(request: Request, exc) -> Response:
        return HTMLResponse("<!doctype html><title>Not found</title><p>Not found. <a href=\"/\">Back to the queue</a></p>", status_code=404)

    async def method_not_allowed(request: Request, exc) -> Response:
        return HTMLResponse("<!doctype html><title>Not allowed</title><p>That method is not allowed here.</p>", status_code=405)

    routes = [
        Route("/login", login_get, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", queue, methods=["GET"]),
        Route("/cases/{case_id}", case_get, methods=["GET"]),
        Route("/cases/{case_id}/add", action("accept"), methods=["POST"]),
        Route("/cases/{case_id}/discard", action("discard"), methods=["POST"]),
        Route("/cases/{case_id}/flag", action("flag"), methods=["POST"]),
        Route("/cases/{case_id}/skip", action("skip"), methods=["POST"]),
        Route("/cases/{case_id}/resolve", action("resolve"), methods=["POST"]),
        Route("/admin/audit", audit, methods=["GET"]),
        Route("/admin/audit.csv", audit_csv, methods=["GET"]),
        Route("/admin/interop", interop, methods=["GET"]),
        Route("/admin/export", export, methods=["GET"]),
        Route("/admin/label-studio-config.xml", label_studio_config, methods=["GET"]),
        Route("/admin/import", import_file, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed})
    app.add_middleware(BodyLimitMiddleware, max_body=max_body, overrides={"/admin/import": max_import})
    app.add_middleware(SecurityHeadersMiddleware)
    if trust_proxy:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        # Added last, so it runs first: every route sees the forwarded client and scheme.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trust_proxy)
    app.state.database = db
    app.state.public_paths = ("/login", "/static")
    return app


def _pretty_json(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False)
