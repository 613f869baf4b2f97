"""The audit trail, for admins: a page of the newest 500 entries (or one case's), and a CSV download."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from logmine_dagster.review.audit_trail import audit_csv, audit_rows
from logmine_dagster.review_app.pages import page, render
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import settings_of


@page(role="admin")
async def audit(request: Request, session: Session, form) -> Response:
    case_id = request.query_params.get("case") or None
    rows = audit_rows(settings_of(request).db, limit=500, case_id=case_id)
    return render(request, "audit.html", {"user": session.user, "csrf_token": session.csrf_token, "rows": rows, "case_id": case_id or ""})


@page(role="admin")
async def audit_download(request: Request, session: Session, form) -> Response:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Response(audit_csv(settings_of(request).db), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="logmine-review-audit-{stamp}.csv"'})


ROUTES = [
    Route("/admin/audit", audit, methods=["GET"]),
    Route("/admin/audit.csv", audit_download, methods=["GET"]),
]
