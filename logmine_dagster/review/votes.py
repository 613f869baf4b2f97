"""What the review app reads and writes. Reads the sanitised tier only (never a raw_* table).

Each reviewer's review is a row of review_votes (one per reviewer and case, edited in place under a
version number, every change also in review_audit). When a case has its configured number of
reviews and they agree, or an admin resolves it, the outcome is appended to the existing
review_decisions table, which the labelled_cases asset reads. Nothing is ever deleted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.review.agreement import cohen_kappa, krippendorff_alpha_nominal
from logmine_dagster.review.accounts import User, aware, utcnow
from logmine_dagster.review.vocabulary import FLAG_PII
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import (
    review_assignments,
    review_audit,
    review_decision_details,
    review_decisions,
    review_pii_flags,
    review_queue,
    review_votes,
    sanitised_samples,
)
from logmine_dagster.core.errors import LogmineError

STATUSES = ("open", "disputed", "accepted", "discarded", "flagged")
PII_KINDS = ("person name", "email address", "phone number", "postal address", "account or id number", "payment card or bank", "other")
MAX_EXPECTED = 20_000
MAX_TEXT = 4_000
MAX_TAGS = 10
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class ReviewError(LogmineError):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(ReviewError):
    status_code = 400


class Forbidden(ReviewError):
    status_code = 403


class NotFound(ReviewError):
    status_code = 404


class Conflict(ReviewError):
    status_code = 409


@dataclass
class CaseState:
    case_id: str
    week: str
    day: str
    category: str
    reasons: str
    priority: float
    status: str = "open"
    votes: list[dict] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    decision: dict | None = None


@dataclass
class BatchSummary:
    week: str
    total: int
    decided: int
    flagged: int
    disputed: int
    open: int
    agreement: dict | None = None

    @property
    def progress(self) -> str:
        return f"{self.decided} / {self.total} decided"


def _latest_decisions(conn_or_db, case_ids: list[str] | None = None) -> dict[str, dict]:
    statement = sa.select(review_decisions).order_by(review_decisions.c.decided_at, review_decisions.c.id)
    if case_ids is not None:
        statement = statement.where(review_decisions.c.case_id.in_(case_ids))
    latest: dict[str, dict] = {}
    for row in _fetch(conn_or_db, statement):
        latest[row["case_id"]] = dict(row)
    return latest


def _fetch(conn_or_db, statement) -> list:
    if isinstance(conn_or_db, Database):
        return conn_or_db.fetch_all(statement)
    return list(conn_or_db.execute(statement).mappings())


def case_states(db: Database, reviews_per_case: int, week: str | None = None, case_ids: list[str] | None = None) -> list[CaseState]:
    """Every queued case (of a week, or the given ids) with its status, in queue order."""
    statement = sa.select(review_queue).order_by(review_queue.c.week.desc(), review_queue.c.priority.desc(), review_queue.c.case_id)
    if week is not None:
        statement = statement.where(review_queue.c.week == week)
    if case_ids is not None:
        statement = statement.where(review_queue.c.case_id.in_(case_ids))
    states = [
        CaseState(case_id=r["case_id"], week=r["week"], day=r["day"], category=r["category"], reasons=r["reasons"], priority=r["priority"])
        for r in db.fetch_all(statement)
    ]
    ids = [s.case_id for s in states]
    if not ids:
        return []
    flagged = {r["case_id"] for r in db.fetch_all(sa.select(review_pii_flags.c.case_id).where(review_pii_flags.c.case_id.in_(ids)))}
    latest = _latest_decisions(db, ids)
    votes: dict[str, list[dict]] = defaultdict(list)
    for row in db.fetch_all(sa.select(review_votes).where(review_votes.c.case_id.in_(ids)).order_by(review_votes.c.created_at, review_votes.c.id)):
        votes[row["case_id"]].append(dict(row))
    assignees: dict[str, list[dict]] = defaultdict(list)
    for row in db.fetch_all(sa.select(review_assignments).where(review_assignments.c.case_id.in_(ids))):
        assignees[row["case_id"]].append(dict(row))
    for state in states:
        state.votes = votes.get(state.case_id, [])
        state.assignees = [a["reviewer"] for a in assignees.get(state.case_id, [])]
        state.decision = latest.get(state.case_id)
        if state.case_id in flagged or (state.decision and state.decision["decision"] == FLAG_PII):
            state.status = "flagged"
        elif state.decision and state.decision["decision"] == "accept":
            state.status = "accepted"
        elif state.decision and state.decision["decision"] == "discard":
            state.status = "discarded"
        elif len(state.votes) >= reviews_per_case:
            state.status = "disputed"
        else:
            state.status = "open"
    return states


def batch_summaries(db: Database, reviews_per_case: int) -> list[BatchSummary]:
    """The newest batch, and every earlier batch that still has open or disputed cases; newest first."""
    by_week: dict[str, list[CaseState]] = defaultdict(list)
    for state in case_states(db, reviews_per_case):
        by_week[state.week].append(state)
    summaries = []
    for index, week in enumerate(sorted(by_week, reverse=True)):
        counts = Counter(s.status for s in by_week[week])
        summary = BatchSummary(
            week=week,
            total=len(by_week[week]),
            decided=counts["accepted"] + counts["discarded"] + counts["flagged"],
            flagged=counts["flagged"],
            disputed=counts["disputed"],
            open=counts["open"],
        )
        if index == 0 or summary.open or summary.disputed:
            summary.agreement = agreement_for(by_week[week])
            summaries.append(summary)
    return summaries


def agreement_for(states: list[CaseState]) -> dict | None:
    """Agreement of the cases reviewed at least twice (flagged cases left out): Cohen's kappa between
    each case's first and second review, and Krippendorff's alpha (nominal) over every review of every
    such case, which allows any number of reviewers per case."""
    units = []
    for state in states:
        if state.status == "flagged":
            continue
        decisions = [v["decision"] for v in state.votes]
        if len(decisions) >= 2:
            units.append(decisions)
    if not units:
        return None
    pairs = [(u[0], u[1]) for u in units]
    kappa = cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])
    observed = sum(1 for a, b in pairs if a == b) / len(pairs)
    return {
        "cases": len(units),
        "reviews": sum(len(u) for u in units),
        "observed": observed,
        "kappa": kappa,
        "alpha": krippendorff_alpha_nominal(units),
    }


def week_agreement(db: Database, week: str, reviews_per_case: int) -> dict | None:
    return agreement_for(case_states(db, reviews_per_case, week=week))


def available_to(state: CaseState, user: User, reviews_per_case: int, claims: list[dict], now: dt.datetime, claim_ttl: dt.timedelta) -> bool:
    """Can this user review the case: they hold a slot, or a slot is free or stale."""
    if any(c["reviewer"] == user.name for c in claims):
        return True
    voted = {v["reviewer"] for v in state.votes}
    active = [c for c in claims if c["reviewer"] in voted or aware(c["assigned_at"]) >= now - claim_ttl]
    return len(active) < reviews_per_case


def load_case(db: Database, case_id: str) -> dict | None:
    """The queued case with its sanitised content (sanitised_samples only)."""
    rows = db.fetch_all(
        sa.select(
            review_queue,
            sanitised_samples.c.input_json,
            sanitised_samples.c.output,
            sanitised_samples.c.model,
            sanitised_samples.c.status.label("call_status"),
            sanitised_samples.c.error_type,
            sanitised_samples.c.feedback,
            sanitised_samples.c.confidence,
            sanitised_samples.c.escalated,
        )
        .join(sanitised_samples, sa.and_(sanitised_samples.c.case_id == review_queue.c.case_id, sanitised_samples.c.day == review_queue.c.day))
        .where(review_queue.c.case_id == case_id)
    )
    if not rows:
        return None
    case = dict(rows[0])
    try:
        messages = json.loads(case["input_json"])
    except ValueError:
        messages = []
    case["messages"] = [m for m in messages if isinstance(m, dict)]
    return case


def claims_of(db: Database, case_id: str) -> list[dict]:
    return [dict(r) for r in db.fetch_all(sa.select(review_assignments).where(review_assignments.c.case_id == case_id))]


def claim(db: Database, state: CaseState, user: User, reviews_per_case: int, claim_ttl: dt.timedelta) -> bool:
    """Take a review slot of the case for the user (race-safe: a slot is a primary key)."""
    for _attempt in range(3):
        now = utcnow()
        claims = claims_of(db, state.case_id)
        mine = [c for c in claims if c["reviewer"] == user.name]
        if mine:
            with db.transaction() as conn:
                conn.execute(
                    review_assignments.update()
                    .where(review_assignments.c.case_id == state.case_id, review_assignments.c.reviewer == user.name)
                    .values(assigned_at=now)
                )
            return True
        taken = {c["slot"] for c in claims}
        free = [slot for slot in range(reviews_per_case) if slot not in taken]
        try:
            if free:
                with db.transaction() as conn:
                    conn.execute(review_assignments.insert().values(case_id=state.case_id, slot=free[0], reviewer=user.name, assigned_at=now))
                return True
            voted = {v["reviewer"] for v in state.votes}
            for stale in (c for c in claims if c["reviewer"] not in voted and aware(c["assigned_at"]) < now - claim_ttl):
                with db.transaction() as conn:
                    result = conn.execute(
                        review_assignments.update()
                        .where(
                            review_assignments.c.case_id == state.case_id,
                            review_assignments.c.slot == stale["slot"],
                            review_assignments.c.reviewer == stale["reviewer"],
                        )
                        .values(reviewer=user.name, assigned_at=now)
                    )
                    if result.rowcount == 1:
                        _audit(conn, user.name, "claim_take_over", state.case_id, {"reviewer": stale["reviewer"]}, {"reviewer": user.name})
                        return True
            return False
        except sa.exc.IntegrityError:
            continue  # somebody took that slot at the same moment: look again
    return False


def _audit(conn, actor: str, action: str, case_id: str | None, before, after) -> None:
    conn.execute(
        review_audit.insert().values(
            at=utcnow(),
            actor=actor,
            action=action,
            case_id=case_id,
            before_json=None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True, default=str),
            after_json=None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def clean_vote(form, decision: str) -> dict:
    """The form's fields for an add (accept) or a discard, validated; raises Invalid with a message."""
    def text(name: str, limit: int) -> str:
        value = form.get(name) or ""
        if not isinstance(value, str):
            raise Invalid(f"{name} must be text")
        value = value.replace("\r\n", "\n").strip()
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


VOTE_FIELDS = ("decision", "expected_output", "reason", "rubric_notes", "tags", "category_override")


def _lock_case(conn, case_id: str) -> dict:
    row = conn.execute(sa.select(review_queue).where(review_queue.c.case_id == case_id).with_for_update()).mappings().first()
    if row is None:
        raise NotFound("No such case in any review batch.")
    if conn.execute(sa.select(review_pii_flags.c.id).where(review_pii_flags.c.case_id == case_id)).first() is not None:
        raise Conflict("This case was flagged for PII and is quarantined: it can no longer be reviewed.")
    return dict(row)


def _latest_in(conn, case_id: str) -> dict | None:
    row = conn.execute(
        sa.select(review_decisions).where(review_decisions.c.case_id == case_id).order_by(review_decisions.c.decided_at.desc(), review_decisions.c.id.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row else None


def _write_outcome(conn, case_id: str, reviewer: str, source: str, outcome: dict, votes: list[dict], now) -> None:
    result = conn.execute(
        review_decisions.insert().values(
            case_id=case_id,
            decision=outcome["decision"],
            expected_output=outcome["expected_output"],
            reason=outcome["reason"],
            reviewer=reviewer[:100],
            decided_at=now,
        )
    )
    decision_id = result.inserted_primary_key[0]
    conn.execute(
        review_decision_details.insert().values(
            decision_id=decision_id,
            source=source,
            rubric_notes=outcome.get("rubric_notes"),
            tags=outcome.get("tags"),
            category_override=outcome.get("category_override"),
            votes_json=json.dumps([{k: v.get(k) for k in ("reviewer", *VOTE_FIELDS, "provenance") if k in v} for v in votes], ensure_ascii=False),
        )
    )
    _audit(conn, reviewer[:100], "outcome", case_id, None, dict(outcome, source=source))


def record_vote(db: Database, case_id: str, user: User, reviews_per_case: int, version: int, fields: dict) -> str:
    """Store the user's review of the case; returns the case's status afterwards.

    `version` is the version of the user's review the form was rendered from (0: none yet), so a
    second tab or a double submit cannot overwrite a newer decision unseen.
    """
    now = utcnow()
    try:
        with db.transaction() as conn:
            _lock_case(conn, case_id)
            if conn.execute(
                sa.select(review_assignments.c.slot).where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name)
            ).first() is None:
                raise Forbidden("This case is assigned to other reviewers: you cannot decide it.")
            mine = conn.execute(
                sa.select(review_votes).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name)
            ).mappings().first()
            latest = _latest_in(conn, case_id)
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
                before = {k: mine[k] for k in VOTE_FIELDS}
                action = "review_edit"
            _audit(conn, user.name, action, case_id, before, fields)
            votes = [
                dict(v)
                for v in conn.execute(
                    sa.select(review_votes).where(review_votes.c.case_id == case_id).order_by(review_votes.c.created_at, review_votes.c.id)
                ).mappings()
            ]
            if len(votes) < reviews_per_case:
                return "open"
            decisions = {v["decision"] for v in votes}
            if len(decisions) != 1:
                _audit(conn, user.name, "disagreement", case_id, None, {"decisions": sorted(v["decision"] for v in votes)})
                return "disputed"
            first = votes[0]
            outcome = {k: first[k] for k in VOTE_FIELDS}
            tags = sorted({t for v in votes for t in (v["tags"] or "").split(",") if t})
            outcome["tags"] = ",".join(tags) or None
            reviewer = "+".join(v["reviewer"] for v in votes)
            _write_outcome(conn, case_id, reviewer, "app" if reviews_per_case == 1 else "agreement", outcome, votes, now)
            return "accepted" if outcome["decision"] == "accept" else "discarded"
    except sa.exc.IntegrityError:
        raise Conflict("This case was already decided in another tab or window: nothing was saved. Reload the case to see the current decision.") from None


def import_outcomes(db: Database, rows: list[dict], reviewer: str, source: str) -> None:
    """Store imported decisions (each a clean_vote result with case_id, and maybe `provenance`) in one
    transaction, under the app's rules: every case still queued, not quarantined, not decided yet.
    The case rows are locked as the app locks them, so an import and a reviewer cannot both decide."""
    now = utcnow()
    with db.transaction() as conn:
        for row in sorted(rows, key=lambda r: r["case_id"]):  # one lock order: no deadlock with another import
            _lock_case(conn, row["case_id"])
            latest = _latest_in(conn, row["case_id"])
            if latest is not None:
                raise Conflict(f"Case {row['case_id'][:12]} was decided ({latest['decision']} by {latest['reviewer']}) while the file was read: nothing was imported.")
        for row in rows:
            outcome = {k: row.get(k) for k in VOTE_FIELDS}
            vote = dict(outcome, reviewer=reviewer)
            if row.get("provenance"):
                vote["provenance"] = row["provenance"]
            _write_outcome(conn, row["case_id"], reviewer, source, outcome, [vote], now)


def resolve(db: Database, case_id: str, admin: User, reviews_per_case: int, fields: dict) -> str:
    """An admin decides a case the reviewers disagreed on (or overrides any decision)."""
    if not admin.is_admin:
        raise Forbidden("Only an admin can resolve a case.")
    now = utcnow()
    with db.transaction() as conn:
        _lock_case(conn, case_id)
        before = _latest_in(conn, case_id)
        votes = [dict(v) for v in conn.execute(sa.select(review_votes).where(review_votes.c.case_id == case_id).order_by(review_votes.c.created_at)).mappings()]
        if before is None and len(votes) < reviews_per_case:
            raise Conflict("This case is still waiting for its reviews: resolve it once the reviewers disagree.")
        _audit(conn, admin.name, "resolve", case_id, {k: before[k] for k in ("decision", "expected_output", "reason", "reviewer")} if before else None, fields)
        _write_outcome(conn, case_id, admin.name, "admin", fields, votes, now)
    return "accepted" if fields["decision"] == "accept" else "discarded"


def flag_pii(db: Database, case_id: str, user: User, kind: str) -> None:
    """Quarantine the case: it leaves every queue, never reaches labelled_cases, counts as a sanitiser miss."""
    if kind not in PII_KINDS:
        raise Invalid(f"Choose what kind of PII you saw ({', '.join(PII_KINDS)}); do not type the PII itself.")
    now = utcnow()
    try:
        with db.transaction() as conn:
            queued = _lock_case(conn, case_id)
            if not user.is_admin and conn.execute(
                sa.select(review_assignments.c.slot).where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name)
            ).first() is None:
                raise Forbidden("This case is assigned to other reviewers.")
            conn.execute(
                review_pii_flags.insert().values(case_id=case_id, week=queued["week"], day=queued["day"], kind=kind, reviewer=user.name, flagged_at=now)
            )
            conn.execute(
                review_decisions.insert().values(
                    case_id=case_id, decision=FLAG_PII, expected_output=None, reason=f"PII seen by a reviewer: {kind}", reviewer=user.name, decided_at=now
                )
            )
            _audit(conn, user.name, "flag_pii", case_id, None, {"kind": kind})
    except sa.exc.IntegrityError:
        raise Conflict("This case was already flagged for PII.") from None


def skip(db: Database, case_id: str, user: User) -> None:
    """Leave the case for now; an unreviewed claim is released so another reviewer can take it."""
    with db.transaction() as conn:
        if conn.execute(sa.select(review_queue.c.case_id).where(review_queue.c.case_id == case_id)).first() is None:
            raise NotFound("No such case in any review batch.")
        voted = conn.execute(sa.select(review_votes.c.id).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name)).first()
        if voted is None:
            conn.execute(
                review_assignments.update()
                .where(review_assignments.c.case_id == case_id, review_assignments.c.reviewer == user.name)
                .values(assigned_at=EPOCH)
            )
        _audit(conn, user.name, "skip", case_id, None, None)


def my_vote(db: Database, case_id: str, user: User) -> dict | None:
    rows = db.fetch_all(sa.select(review_votes).where(review_votes.c.case_id == case_id, review_votes.c.reviewer == user.name))
    return dict(rows[0]) if rows else None


def next_case(db: Database, user: User, reviews_per_case: int, week: str, after: str | None, claim_ttl: dt.timedelta) -> str | None:
    """The next open case of the week this user can review, after `after` in queue order (wrapping)."""
    states = case_states(db, reviews_per_case, week=week)
    claims: dict[str, list[dict]] = defaultdict(list)
    for row in db.fetch_all(sa.select(review_assignments).where(review_assignments.c.case_id.in_([s.case_id for s in states]))):
        claims[row["case_id"]].append(dict(row))
    now = utcnow()
    ids = [s.case_id for s in states]
    start = ids.index(after) + 1 if after in ids else 0
    for state in states[start:] + states[:start]:
        if state.case_id == after or state.status != "open" or any(v["reviewer"] == user.name for v in state.votes):
            continue
        if available_to(state, user, reviews_per_case, claims[state.case_id], now, claim_ttl):
            return state.case_id
    return None


AUDIT_COLUMNS = ("id", "at", "actor", "action", "case_id", "before", "after")


def audit_rows(db: Database, limit: int | None = None, case_id: str | None = None) -> list[dict]:
    """The audit trail, newest first; text of cases quarantined for PII is withheld."""
    statement = sa.select(review_audit).order_by(review_audit.c.id.desc())
    if case_id:
        statement = statement.where(review_audit.c.case_id == case_id)
    if limit:
        statement = statement.limit(limit)
    flagged = {r["case_id"] for r in db.fetch_all(sa.select(review_pii_flags.c.case_id))}
    rows = []
    for row in db.fetch_all(statement):
        before, after = row["before_json"], row["after_json"]
        if row["case_id"] in flagged and row["action"] != "flag_pii":
            before = _withhold(before)
            after = _withhold(after)
        rows.append({"id": row["id"], "at": aware(row["at"]).isoformat(timespec="seconds"), "actor": row["actor"], "action": row["action"],
                     "case_id": row["case_id"] or "", "before": before or "", "after": after or ""})
    return rows


def _withhold(value: str | None) -> str | None:
    if not value:
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return '"[withheld: case quarantined for PII]"'
    if isinstance(data, dict):
        data = {k: (v if k in ("decision", "tags", "category_override", "reviewer", "source") or v is None else "[withheld: case quarantined for PII]") for k, v in data.items()}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def audit_csv(db: Database) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for row in audit_rows(db):
        # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it.
        writer.writerow([("'" + str(row[c])) if str(row[c])[:1] in ("=", "+", "-", "@", "\t", "\r") else row[c] for c in AUDIT_COLUMNS])
    return out.getvalue()


def sanitiser_misses(db: Database) -> int:
    return len(db.fetch_all(sa.select(review_pii_flags.c.id)))


def queued_weeks(db: Database) -> list[str]:
    """Every week with a review batch, newest first."""
    return sorted({r["week"] for r in db.fetch_all(sa.select(review_queue.c.week).distinct())}, reverse=True)


def audit_import(db: Database, admin: User, details: dict) -> None:
    """Who uploaded which decisions file (the decisions themselves are audited one by one as outcomes)."""
    with db.transaction() as conn:
        _audit(conn, admin.name, "import", None, None, details)
