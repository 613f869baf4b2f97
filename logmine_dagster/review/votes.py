"""Reviewers' votes: the review form's rules, and storing a review (one per reviewer and case, edited in
place under a version number, every change also in the audit trail).

When a case has the stored number of reviews (policy.py) and they agree, the outcome is written
(outcomes.py); when they disagree (different decisions, or accepts whose expected outputs differ beyond
whitespace) the case is disputed until an admin resolves it. An imported decision is one vote like an
app vote (import_votes): it never settles a disputed case unless an admin signs the file.
"""

from __future__ import annotations

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.claims import CLAIM_TTL, take_slot_in
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.entered_text import screen_entered
from logmine_dagster.review.errors import Conflict, Forbidden, Invalid
from logmine_dagster.review.outcomes import latest_decision_in, lock_case, resolve_in, write_outcome
from logmine_dagster.review.policy import reviews_per_case_in
from logmine_dagster.review.vocabulary import DECISION_FIELDS, MAX_EXPECTED, MAX_TAGS, MAX_TEXT, TAG_PATTERN
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_votes


def clean_vote(form, decision: str, *, allow_terms: tuple[str, ...] = ()) -> dict:
    """The form's fields for an add (accept) or a discard, validated, PII in the free text masked
    (entered_text); raises Invalid with a message."""
    return screen_entered(_validated_fields(form, decision), allow_terms=allow_terms)


def _validated_fields(form, decision: str) -> dict:
    def text(name: str, limit: int) -> str:
        value = form.get(name) or ""
        if not isinstance(value, str):
            raise Invalid(f"{name} must be text")
        value = value.replace("\r\n", "\n").strip()
        if "\x00" in value:  # PostgreSQL cannot store it; an imported file may hold one as \u0000
            raise Invalid(f"{name} contains a NUL character (\\0), which text cannot hold")
        if len(value) > limit:
            raise Invalid(f"{name.replace('_', ' ')} is too long ({len(value)} characters, at most {limit})")
        return value

    if decision == "accept":
        expected = text("expected_output", MAX_EXPECTED)
        if not expected:
            raise Invalid("The expected output is required to add a case: write what the assistant should have answered.")
        tags_raw = text("tags", 500)
        tags = sorted({t.strip().lower() for t in tags_raw.split(",") if t.strip()})
        if len(tags) > MAX_TAGS or any(not TAG_PATTERN.match(t) for t in tags):
            raise Invalid(f"Tags must be at most {MAX_TAGS} comma-separated words of letters, digits, '-' or '_' (40 characters each).")
        category = text("category_override", 20) or None
        if category is not None and category not in CATEGORIES:
            raise Invalid(f"Unknown category {category!r}; choose one of {', '.join(CATEGORIES)}.")
        return {
            "decision": "accept",
            "expected_output": expected,
            "reason": None,
            "rubric_notes": text("rubric_notes", MAX_TEXT) or None,
            "tags": ",".join(tags) or None,
            "category_override": category,
        }
    reason = text("reason", MAX_TEXT)
    if not reason:
        raise Invalid("A reason is required to discard a case.")
    return {"decision": "discard", "expected_output": None, "reason": reason, "rubric_notes": None, "tags": None, "category_override": None}


def record_vote(db: Database, case_id: str, user: User, version: int, fields: dict) -> str:
    """Store the user's review of the case; returns the case's status afterwards.

    `version` is the version of the user's review the form was rendered from (0: none yet), so a
    second tab or a double submit cannot overwrite a newer decision unseen.
    """
    now = utcnow()
    try:
        with db.transaction() as conn:
            reviews_per_case = reviews_per_case_in(conn, lock_case(conn, case_id)["week"])
            if conn.execute(
                sa.select(review_assignments.c.slot).where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name)
            ).first() is None:
                raise Forbidden("This case is assigned to other reviewers: you cannot decide it.")
            mine = conn.execute(
                sa.select(review_votes).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name)
            ).mappings().first()
            latest = latest_decision_in(conn, case_id)
            stale = Conflict("This case was already decided in another tab or window: nothing was saved. Reload the case to see the current decision.")
            if mine is None:
                if version != 0:
                    raise stale
                if latest is not None:
                    raise Conflict(f"This case was already decided ({latest['decision']}): nothing was saved.")
                conn.execute(review_votes.insert().values(case_id=case_id, reviewer=user.name, version=1, created_at=now, updated_at=now, **fields))
                before = None
                action = "review"
            else:
                if version != mine["version"]:
                    raise stale
                if latest is not None and reviews_per_case >= 2:
                    raise Conflict("Reviewers agreed on this case: only an admin can change the decision now.")
                result = conn.execute(
                    review_votes.update()
                    .where(review_votes.c.id == mine["id"], review_votes.c.version == mine["version"])
                    .values(version=mine["version"] + 1, updated_at=now, **fields)
                )
                if result.rowcount != 1:
                    raise stale
                before = {k: mine[k] for k in DECISION_FIELDS}
                action = "review_edit"
            write_audit(conn, user.name, action, case_id, before, fields)
            return settle_in(conn, case_id, user.name, reviews_per_case, now, "app")
    except sa.exc.IntegrityError:
        raise Conflict("This case was already decided in another tab or window: nothing was saved. Reload the case to see the current decision.") from None


def _same_text(text: str | None) -> str:
    return " ".join((text or "").split())


def conflicting(votes: list[dict]) -> bool:
    """Votes disagree: different decisions, or accepts whose expected outputs differ beyond whitespace
    (two reviewers who wrote different answers did not agree on what the case teaches)."""
    return len({v["decision"] for v in votes}) > 1 or _accepted_answers_differ(votes)


def _accepted_answers_differ(votes: list[dict]) -> bool:
    # Over the accepts only: a discard carries no answer, so counting it would make every mixed dispute "differ".
    return len({_same_text(v["expected_output"]) for v in votes if v["decision"] == "accept"}) > 1


def case_votes(conn, case_id: str) -> list[dict]:
    statement = sa.select(review_votes).where(review_votes.c.case_id == case_id).order_by(review_votes.c.created_at, review_votes.c.id)
    return [dict(v) for v in conn.execute(statement).mappings()]


def settle_in(conn, case_id: str, actor: str, reviews_per_case: int, now, source: str, provenance: dict | None = None) -> str:
    """The case's status once this review is in: open until every review is in, then decided if they
    agree (tags merged, the first review's text), else disputed. `provenance` (reviewer -> details)
    goes into the outcome's lineage beside each vote, e.g. who imported it from which file."""
    votes = case_votes(conn, case_id)
    for vote in votes:
        if provenance and vote["reviewer"] in provenance:
            vote["provenance"] = provenance[vote["reviewer"]]
    if len(votes) < reviews_per_case:
        return "open"
    if conflicting(votes):
        write_audit(conn, actor, "disagreement", case_id, None, {"decisions": sorted(v["decision"] for v in votes),
                                                                 "expected_outputs_differ": _accepted_answers_differ(votes)})
        return "disputed"
    first = votes[0]
    outcome = {k: first[k] for k in DECISION_FIELDS}
    tags = sorted({t for v in votes for t in (v["tags"] or "").split(",") if t})
    outcome["tags"] = ",".join(tags) or None
    reviewer = "+".join(v["reviewer"] for v in votes)
    write_outcome(conn, case_id, reviewer, source if reviews_per_case == 1 else "agreement", outcome, votes, now)
    return "accepted" if outcome["decision"] == "accept" else "discarded"


def vote_refusal(case_row_votes: list[dict], reviewer: User, reviews_per_case: int) -> str | None:
    """Why an imported vote by `reviewer` cannot go on a case with these votes (None: it can)."""
    if any(v["reviewer"] == reviewer.name for v in case_row_votes):
        return f"{reviewer.name} already reviewed this case: change the review in the app"
    if len(case_row_votes) >= reviews_per_case and not reviewer.is_admin:
        return "this case is disputed: only an admin can resolve it (in the app, or by an import signed by an admin)"
    return None


def import_votes(db: Database, rows: list[dict], reviewer: User, importer: str, source: str, claim_ttl=CLAIM_TTL) -> dict[str, str]:
    """Store imported decisions (clean_vote results with case_id, maybe `provenance`) as the reviewer's
    votes in one transaction, under the app's rules and the stored policy; returns case_id -> status.

    Each case row is locked as the app locks it; a case decided, reviewed by this reviewer, or disputed
    (for a non-admin) since the file was checked refuses the whole import. An admin's entry on a
    disputed case resolves it, with every reviewer's vote and the admin in the lineage."""
    now = utcnow()
    statuses: dict[str, str] = {}
    with db.transaction() as conn:
        for row in sorted(rows, key=lambda r: r["case_id"]):  # one lock order: no deadlock with another import
            case_id = row["case_id"]
            reviews_per_case = reviews_per_case_in(conn, lock_case(conn, case_id)["week"])
            latest = latest_decision_in(conn, case_id)
            if latest is not None:
                raise Conflict(f"Case {case_id[:12]} was decided ({latest['decision']} by {latest['reviewer']}) while the file was read: nothing was imported.")
            votes = case_votes(conn, case_id)
            refusal = vote_refusal(votes, reviewer, reviews_per_case)
            if refusal:
                raise Conflict(f"Case {case_id[:12]}: {refusal}. Nothing was imported.")
            fields = {k: row.get(k) for k in DECISION_FIELDS}
            provenance = dict(row.get("provenance") or {}, imported_by=importer, source=source)
            if len(votes) >= reviews_per_case:  # disputed, and the file is an admin's: a resolution
                resolve_in(conn, case_id, reviewer.name, fields, dict(provenance, resolver=reviewer.name), votes, now, source)
                statuses[case_id] = "accepted" if fields["decision"] == "accept" else "discarded"
                continue
            try:
                take_slot_in(conn, case_id, reviewer.name, votes, reviews_per_case, now, claim_ttl)
            except Conflict as error:
                raise Conflict(f"{error.message} Nothing was imported.") from None
            conn.execute(review_votes.insert().values(case_id=case_id, reviewer=reviewer.name, version=1, created_at=now, updated_at=now, **fields))
            write_audit(conn, reviewer.name, "review", case_id, None, dict(fields, imported_by=importer, source=source))
            statuses[case_id] = settle_in(conn, case_id, reviewer.name, reviews_per_case, now, source, {reviewer.name: provenance})
    return statuses


def my_vote(db: Database, case_id: str, user: User) -> dict | None:
    rows = db.fetch_all(sa.select(review_votes).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name))
    return dict(rows[0]) if rows else None
