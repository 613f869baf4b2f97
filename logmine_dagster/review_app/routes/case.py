"""A case's page, and what a reviewer or an admin does with it: add, discard, flag for PII, skip, undo,
resolve.

Opening an open case claims one of its review slots for the reviewer; after an action the reviewer
goes on to the next case of the week they can review, where a notice names the case just decided.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.canned import canned_for
from logmine_dagster.review.canned_store import stored_canned
from logmine_dagster.review.claims import claim, next_case, skip
from logmine_dagster.review.errors import Invalid, NotFound, ReviewError
from logmine_dagster.review.guidelines import guidelines as stored_guidelines
from logmine_dagster.review.outcomes import resolve
from logmine_dagster.review.policy import reviews_per_case as week_policy
from logmine_dagster.review.quarantine import flag_pii
from logmine_dagster.review.queue import CaseState, case_states, load_case
from logmine_dagster.review.queue_view import display_reasons
from logmine_dagster.review.undo import undo_vote
from logmine_dagster.review.vocabulary import DECISIONS, PII_KINDS
from logmine_dagster.review.votes import clean_vote, my_vote, record_vote
from logmine_dagster.review_app.notices import notice
from logmine_dagster.review_app.pages import error_page, markdown_html, page, render
from logmine_dagster.review_app.sessions import Session
from logmine_dagster.review_app.settings import AppSettings, settings_of

FORM_FIELDS = ("expected_output", "rubric_notes", "tags", "category_override", "reason")


def _state(settings: AppSettings, case_id: str) -> CaseState:
    states = case_states(settings.db, case_ids=[case_id])
    if not states:
        raise NotFound("No such case in any review batch.")
    return states[0]


def _guidelines_html(settings: AppSettings, category: str) -> Markup | str:
    text = (stored_guidelines(settings.db).get(category) or {}).get("markdown")
    return Markup(markdown_html(text)) if text else ""


def case_page(request: Request, session: Session, case_id: str, *, error: str | None = None, status_code: int = 200, values: dict | None = None) -> Response:
    settings = settings_of(request)
    db = settings.db
    state = _state(settings, case_id)
    reviews_per_case = week_policy(db, state.week)
    user = session.user
    if state.status == "flagged":
        return render(request, "quarantined.html", {"user": user, "csrf_token": session.csrf_token, "state": state}, status_code=410 if status_code == 200 else status_code)
    mine = my_vote(db, case_id, user)
    holds = user.name in state.assignees
    if not holds and mine is None and state.status == "open":
        holds = claim(db, state, user, reviews_per_case, settings.claim_ttl)
        state = _state(settings, case_id)
    if not holds and mine is None and not user.is_admin:
        return error_page(request, session, 403, "Assigned to another reviewer",
                          "This case is assigned to other reviewers, or already decided without you. Pick another case from the queue.")
    case = load_case(db, case_id)
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
        "categories": CATEGORIES, "reviews_per_case": reviews_per_case, "pii_kinds": PII_KINDS, "error": error,
        "show_votes": user.is_admin, "can_resolve": user.is_admin and state.status in ("disputed", "accepted", "discarded"),
        "can_flag": holds or mine is not None or user.is_admin,
        "next_case": next_case(db, user, reviews_per_case, state.week, case_id, settings.claim_ttl),
        "notice": notice(request.query_params), "reasons": display_reasons(state.reasons),
        "canned": canned_for(state.category, stored_canned(db)[0]) if can_review else [],
        "guidelines": _guidelines_html(settings, state.category),
    }
    return render(request, "case.html", context, status_code=status_code)


@page()
async def case_get(request: Request, session: Session, form) -> Response:
    try:
        return case_page(request, session, request.path_params["case_id"])
    except ReviewError as error:
        return error_page(request, session, error.status_code, "Cannot show this case", error.message)


def _version(form) -> int:
    try:
        return int(form.get("version") or 0)
    except ValueError:
        raise Invalid("The form is damaged (bad version): reload the case.") from None


def _claim_if_open(settings: AppSettings, state: CaseState, session: Session) -> None:
    if session.user.name not in state.assignees and state.status == "open":
        claim(settings.db, state, session.user, week_policy(settings.db, state.week), settings.claim_ttl)


def _vote(settings: AppSettings, state: CaseState, session: Session, form, kind: str) -> str:
    fields = clean_vote(form, kind, allow_terms=settings.allow_terms)
    _claim_if_open(settings, state, session)
    return record_vote(settings.db, state.case_id, session.user, _version(form), fields)


def _flag(settings: AppSettings, state: CaseState, session: Session, form) -> str:
    _claim_if_open(settings, state, session)
    flag_pii(settings.db, state.case_id, session.user, str(form.get("kind") or ""))
    return "flagged"


def _resolve(settings: AppSettings, state: CaseState, session: Session, form, decision: str) -> str:
    return resolve(settings.db, state.case_id, session.user, clean_vote(form, decision, allow_terms=settings.allow_terms))


def _entered(form) -> dict:
    """What the reviewer typed, shown again when the form is refused."""
    return {k: str(form.get(k) or "") for k in FORM_FIELDS}


async def _after(request: Request, session: Session, case_id: str, week: str, outcome: str) -> Response:
    """On to the next case, with a notice naming the case just acted on (an undo stays on that case)."""
    settings = settings_of(request)
    if outcome == "undone":
        return RedirectResponse(f"/cases/{quote(case_id)}?" + urlencode({"msg": outcome}), status_code=303)
    following = next_case(settings.db, session.user, week_policy(settings.db, week), week, case_id, settings.claim_ttl)
    if following:
        return RedirectResponse(f"/cases/{quote(following)}?" + urlencode({"msg": outcome, "done": case_id}), status_code=303)
    return RedirectResponse("/?" + urlencode({"week": week, "msg": outcome if outcome != "skipped" else "done", "done": case_id}), status_code=303)


def action(kind: str):
    """The POST endpoint of one action on a case: accept, discard, flag, skip, undo or resolve."""

    @page()
    async def endpoint(request: Request, session: Session, form) -> Response:
        settings = settings_of(request)
        case_id = request.path_params["case_id"]
        values = None
        try:
            state = _state(settings, case_id)
            if kind in DECISIONS:
                values = _entered(form)
                outcome = _vote(settings, state, session, form, kind)
            elif kind == "flag":
                outcome = _flag(settings, state, session, form)
            elif kind == "skip":
                skip(settings.db, case_id, session.user)
                outcome = "skipped"
            elif kind == "undo":
                undo_vote(settings.db, case_id, session.user)
                outcome = "undone"
            else:  # resolve
                decision = str(form.get("decision") or "")
                if decision not in DECISIONS:
                    raise Invalid("Choose accept or discard to resolve the case.")
                values = _entered(form)
                outcome = _resolve(settings, state, session, form, decision)
        except Invalid as error:
            try:
                return case_page(request, session, case_id, error=error.message, status_code=400, values=values)
            except ReviewError:
                return error_page(request, session, 400, "Not saved", error.message)
        except ReviewError as error:
            return error_page(request, session, error.status_code, "Not saved", error.message)
        return await _after(request, session, case_id, state.week, outcome)

    endpoint.__name__ = f"case_{kind}"
    return endpoint


ROUTES = [
    Route("/cases/{case_id}", case_get, methods=["GET"]),
    Route("/cases/{case_id}/add", action("accept"), methods=["POST"]),
    Route("/cases/{case_id}/discard", action("discard"), methods=["POST"]),
    Route("/cases/{case_id}/flag", action("flag"), methods=["POST"]),
    Route("/cases/{case_id}/skip", action("skip"), methods=["POST"]),
    Route("/cases/{case_id}/undo", action("undo"), methods=["POST"]),
    Route("/cases/{case_id}/resolve", action("resolve"), methods=["POST"]),
]
