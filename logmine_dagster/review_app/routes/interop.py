"""Interop, for admins: the batch as JSONL, CSV or Label Studio tasks; decisions back from those files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from logmine_dagster.review.audit import audit_import
from logmine_dagster.review.errors import ReviewError
from logmine_dagster.review.interchange import EXPORT_FORMATS, export_batch, import_decisions, status_line
from logmine_dagster.review.label_studio import label_config
from logmine_dagster.review.policy import stored_policy
from logmine_dagster.review.policy_change import change_policy
from logmine_dagster.review.queue import queued_weeks
from logmine_dagster.review_app.pages import error_page, page, render
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import settings_of

SUFFIXES = {"label-studio": "json", "jsonl": "jsonl", "csv": "csv"}
MEDIA_TYPES = {"label-studio": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


def interop_page(request: Request, session: Session, status_code: int = 200, **context) -> Response:
    context.setdefault("reviewer", "")
    db = settings_of(request).db
    return render(request, "interop.html", {"user": session.user, "csrf_token": session.csrf_token, "policy": stored_policy(db),
                                            "weeks": queued_weeks(db), **context}, status_code=status_code)


@page(role="admin")
async def interop(request: Request, session: Session, form) -> Response:
    return interop_page(request, session)


@page(role="admin")
async def export(request: Request, session: Session, form) -> Response:
    db = settings_of(request).db
    week = request.query_params.get("week") or ""
    fmt = request.query_params.get("format") or "label-studio"
    if fmt not in EXPORT_FORMATS:
        return error_page(request, session, 400, "Bad format", f"Choose one of {', '.join(EXPORT_FORMATS)}.")
    if week not in queued_weeks(db):
        return error_page(request, session, 404, "No such batch", "No batch is queued for that week.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"logmine-batch-{week}.{SUFFIXES[fmt]}"
        export_batch(db, week, path, fmt, include_decided=request.query_params.get("decided") == "include")
        body = path.read_bytes()
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{path.name}"'})


@page(role="admin")
async def label_studio_config(request: Request, session: Session, form) -> Response:
    return Response(label_config(), media_type="application/xml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="logmine-label-studio-config.xml"'})


MAX_ROWS_SHOWN = 1000


@page(role="admin", files=1)
async def import_file(request: Request, session: Session, form) -> Response:
    settings = settings_of(request)
    db = settings.db
    upload = form.get("file")
    reviewer = str(form.get("reviewer") or "").strip()
    fmt = str(form.get("format") or "") or None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return interop_page(request, session, 400, error="Choose a file to import.", reviewer=reviewer)
    if not reviewer:
        return interop_page(request, session, 400, error="Say who made these decisions (reviewer).", reviewer=reviewer)
    if fmt is not None and fmt not in EXPORT_FORMATS:
        return interop_page(request, session, 400, error="Unknown format.", reviewer=reviewer)
    raw = await upload.read()
    name = Path(upload.filename).name[:200]
    try:
        report = import_decisions(db, Path(name), reviewer, fmt, raw=raw, importer=session.user.name, allow_terms=settings.allow_terms,
                                  claim_ttl=settings.claim_ttl)
    except ValueError as error:  # unreadable file, bad reviewer name
        return interop_page(request, session, 400, error=f"{name}: {error}. Nothing was imported.", reviewer=reviewer)
    except ReviewError as error:
        return interop_page(request, session, error.status_code, error=error.message, reviewer=reviewer)
    if report.rejected:
        return interop_page(request, session, 400, reviewer=reviewer, unit=report.unit,
                            error=f"{len(report.rejected)} invalid {report.unit}(s) in {name}: nothing was imported. Fix them and import again.",
                            rejected=report.rejected[:200])
    statuses = report.status_counts()
    audit_import(db, session.user, {"file": name, "format": report.format, "reviewer": reviewer, "accepted": report.accepted,
                                    "discarded": report.discarded, "undecided": report.undecided, "statuses": statuses})
    return interop_page(request, session, message=f"Imported {report.accepted} add and {report.discarded} discard vote(s) by "
                                                  f"{reviewer} from {name}; {report.undecided} left undecided. {status_line(statuses)}",
                        unit=report.unit, outcomes=report.outcomes[:MAX_ROWS_SHOWN], more_rows=max(len(report.outcomes) - MAX_ROWS_SHOWN, 0))


@page(role="admin")
async def policy(request: Request, session: Session, form) -> Response:
    """Store the reviews-per-case policy, the default or one queued week's."""
    db = settings_of(request).db
    week = str(form.get("week") or "") or None
    if week is not None and week not in queued_weeks(db):
        return interop_page(request, session, 404, error="No batch is queued for that week.")
    try:
        settled = change_policy(db, int(str(form.get("reviews_per_case") or "")), session.user.name, week)
    except ValueError:
        return interop_page(request, session, 400, error="Reviews per case must be a whole number from 1 to 5.")
    except ReviewError as error:
        return interop_page(request, session, error.status_code, error=error.message)
    decided = sum(1 for status in settled.values() if status in ("accepted", "discarded"))
    disputed = sum(1 for status in settled.values() if status == "disputed")
    return interop_page(request, session, message=f"Stored the reviews-per-case policy. Cases it settles: {decided} decided, {disputed} disputed.")


ROUTES = [
    Route("/admin/policy", policy, methods=["POST"]),
    Route("/admin/interop", interop, methods=["GET"]),
    Route("/admin/export", export, methods=["GET"]),
    Route("/admin/label-studio-config.xml", label_studio_config, methods=["GET"]),
    Route("/admin/import", import_file, methods=["POST"]),
]
