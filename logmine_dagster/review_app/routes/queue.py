"""The queue page: the open batches' progress, and the chosen week's cases, filtered by category and status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.policy import reviews_per_case as week_policy
from logmine_dagster.review.progress import batch_summaries, with_agreement
from logmine_dagster.review.quarantine import sanitiser_misses
from logmine_dagster.review.queue import case_states
from logmine_dagster.review.vocabulary import STATUSES
from logmine_dagster.review_app.pages import error_page, page, render
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import settings_of

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


@page()
async def queue(request: Request, session: Session, form) -> Response:
    settings = settings_of(request)
    db = settings.db
    summaries = batch_summaries(db)
    weeks = [s.week for s in summaries]
    week = request.query_params.get("week") or (weeks[0] if weeks else None)
    category = request.query_params.get("category") or ""
    status = request.query_params.get("status") or ""
    if category and category not in CATEGORIES:
        return error_page(request, session, 400, "Bad filter", f"Unknown category; choose one of {', '.join(CATEGORIES)}.")
    if status and status not in STATUSES:
        return error_page(request, session, 400, "Bad filter", f"Unknown status; choose one of {', '.join(STATUSES)}.")
    reviews_per_case = week_policy(db, week) if week else None
    states = case_states(db, reviews_per_case, week=week) if week else []
    summary = next((s for s in summaries if s.week == week), None)
    if week and summary is None and states:  # an older, closed batch asked for by name
        summary = with_agreement(week, states)
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
        "rows": rows, "reviews_per_case": reviews_per_case, "categories": CATEGORIES, "statuses": STATUSES, "category": category, "status": status,
        "message": MESSAGES.get(request.query_params.get("msg", "")), "misses": sanitiser_misses(db),
    })


ROUTES = [Route("/", queue, methods=["GET"])]
