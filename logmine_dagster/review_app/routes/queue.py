"""The queue page: the open batches' progress, and the chosen week's cases with a preview of their
sanitised text, filtered by category, reason, status and assignee; an admin assigns cases to reviewers."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.accounts import active_user, enabled_names
from logmine_dagster.review.claims import assign, holds
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.policy import reviews_per_case as week_policy
from logmine_dagster.review.progress import batch_summaries, with_agreement
from logmine_dagster.review.quarantine import sanitiser_misses
from logmine_dagster.review.queue import case_states
from logmine_dagster.review.queue_view import display_reasons, previews, skipped_by
from logmine_dagster.review.vocabulary import STATUSES
from logmine_dagster.review_app.notices import notice
from logmine_dagster.review_app.pages import error_page, page, render
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import settings_of

FILTERS = ("category", "reason", "status", "assignee")
MAX_ASSIGN = 500


def _filtered(rows: list[dict], filters: dict, me: str) -> list[dict]:
    def keep(row: dict) -> bool:
        state = row["state"]
        if filters["category"] and state.category != filters["category"]:
            return False
        if filters["status"] and state.status != filters["status"]:
            return False
        if filters["reason"] and not any(filters["reason"] in r for r in row["reasons"]):
            return False
        assignee = filters["assignee"]
        if assignee == "none":
            return not row["holding"]
        if assignee:
            return (me if assignee == "me" else assignee) in row["holding"]
        return True

    return [row for row in rows if keep(row)]


def _rows(db, week: str, me: str, reviews_per_case: int, claim_ttl) -> list[dict]:
    states = case_states(db, reviews_per_case, week=week)
    texts = previews(db, week)
    skipped = skipped_by(db, me, [s.case_id for s in states])
    now = utcnow()
    rows = []
    for s in states:
        shown = holds(s.votes, s.claims, now, claim_ttl)
        holding = [h["reviewer"] for h in shown if h["state"] != "lapsed"]  # a lapsed assignment holds nothing
        rows.append({"state": s, "preview": texts.get(s.case_id, ""), "reasons": display_reasons(s.reasons), "skipped": s.case_id in skipped,
                     "mine": any(v["reviewer"] == me for v in s.votes), "holds": shown, "holding": holding,
                     "others": len(holding) >= reviews_per_case and me not in holding})
    return rows


def _filters(source) -> dict:
    return {name: (source.get(name) or "").strip()[:100] for name in FILTERS}


@page()
async def queue(request: Request, session: Session, form) -> Response:
    settings = settings_of(request)
    db = settings.db
    me = session.user.name
    summaries = batch_summaries(db)
    weeks = [s.week for s in summaries]
    week = request.query_params.get("week") or (weeks[0] if weeks else None)
    filters = _filters(request.query_params)
    if filters["category"] and filters["category"] not in CATEGORIES:
        return error_page(request, session, 400, "Bad filter", f"Unknown category; choose one of {', '.join(CATEGORIES)}.")
    if filters["status"] and filters["status"] not in STATUSES:
        return error_page(request, session, 400, "Bad filter", f"Unknown status; choose one of {', '.join(STATUSES)}.")
    reviews_per_case = week_policy(db, week) if week else None
    rows = _rows(db, week, me, reviews_per_case, settings.claim_ttl) if week else []
    summary = next((s for s in summaries if s.week == week), None)
    if week and summary is None and rows:  # an older, closed batch asked for by name
        summary = with_agreement(week, [r["state"] for r in rows])
    shown = _filtered(rows, filters, me)
    mine = {"assigned": sum(1 for r in rows if me in r["holding"] and r["state"].status == "open" and not r["mine"]),
            "reviewed": sum(1 for r in rows if r["mine"])}
    return render(request, "queue.html", {
        "user": session.user, "csrf_token": session.csrf_token, "summaries": summaries, "summary": summary, "week": week,
        "rows": shown, "total": len(rows), "reviews_per_case": reviews_per_case, "categories": CATEGORIES, "statuses": STATUSES,
        "filters": filters, "reason_codes": sorted({r for row in rows for r in row["reasons"]}), "mine": mine,
        "reviewers": enabled_names(db) if session.user.is_admin else [], "claim_hours": settings.claim_ttl.total_seconds() / 3600,
        "notice": notice(request.query_params), "misses": sanitiser_misses(db),
        "assigned": {"n": request.query_params.get("n", ""), "to": request.query_params.get("to", "")},
    })


@page(role="admin")
async def assign_cases(request: Request, session: Session, form) -> Response:
    """Assign up to `count` open cases of the filtered queue, in queue order, to one reviewer (the form
    posts the filters, not a list of ids: what is assigned is what the page lists)."""
    settings = settings_of(request)
    db = settings.db
    reviewer = active_user(db, str(form.get("reviewer") or ""))
    if reviewer is None:
        return error_page(request, session, 400, "Not assigned", "Choose an existing, enabled account to assign the cases to: nothing was assigned.")
    try:
        count = int(form.get("count") or 0)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_ASSIGN:
        return error_page(request, session, 400, "Not assigned", f"Assign from 1 to {MAX_ASSIGN} cases at a time: nothing was assigned.")
    week = str(form.get("week") or "")
    filters = _filters(form)
    reviews_per_case = week_policy(db, week)
    open_rows = [r for r in _filtered(_rows(db, week, session.user.name, reviews_per_case, settings.claim_ttl), filters, session.user.name)
                 if r["state"].status == "open" and reviewer.name not in r["holding"] and len(r["holding"]) < reviews_per_case]
    done = assign(db, [r["state"].case_id for r in open_rows][:count], reviewer, session.user, settings.claim_ttl, reviews_per_case)
    back = {k: v for k, v in dict(filters, week=week).items() if v}
    return RedirectResponse("/?" + urlencode(dict(back, msg="assigned", n=str(done), to=reviewer.name)), status_code=303)


ROUTES = [Route("/", queue, methods=["GET"]), Route("/assign", assign_cases, methods=["POST"])]
