"""Cases a reviewer flagged for PII: quarantined, out of every queue, never labelled; each one is a
sanitiser miss. Only the kind of PII is stored, never the text."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from logmine_dagster.review.accounts import User
from logmine_dagster.review.audit import write_audit
from logmine_dagster.review.clock import utcnow
from logmine_dagster.review.errors import Conflict, Forbidden, Invalid
from logmine_dagster.review.outcomes import lock_case
from logmine_dagster.review.vocabulary import FLAG_PII, PII_KINDS
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import review_assignments, review_decisions, review_pii_flags


def pii_flagged_case_ids(db: Database, case_ids: list[str] | None = None) -> set[str]:
    """Cases a reviewer flagged for PII (of the given ids, or all): never shown for review again, never labelled."""
    statement = sa.select(review_pii_flags.c.case_id)
    if case_ids is not None:
        statement = statement.where(review_pii_flags.c.case_id.in_(case_ids))
    return {row["case_id"] for row in db.fetch_all(statement)}


def sanitiser_misses(db: Database) -> int:
    return len(db.fetch_all(sa.select(review_pii_flags.c.id)))


def pii_flags_by_week(db: Database) -> dict[str, int]:
    """Sanitiser misses: cases reviewers flagged for PII, counted per review week (kinds only, no text)."""
    counts = Counter(row["week"] for row in db.fetch_all(sa.select(review_pii_flags.c.week)))
    return dict(sorted(counts.items()))


def flag_pii(db: Database, case_id: str, user: User, kind: str) -> None:
    """Quarantine the case: it leaves every queue, never reaches labelled_cases, counts as a sanitiser miss."""
    if kind not in PII_KINDS:
        raise Invalid(f"Choose what kind of PII you saw ({', '.join(PII_KINDS)}); do not type the PII itself.")
    now = utcnow()
    try:
        with db.transaction() as conn:
            queued = lock_case(conn, case_id)
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
            write_audit(conn, user.name, "flag_pii", case_id, None, {"kind": kind})
    except sa.exc.IntegrityError:
        raise Conflict("This case was already flagged for PII.") from None
