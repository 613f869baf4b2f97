"""Versioned, immutable eval set releases; retiring cases; lineage that survives retention.

A release is published from the current eval set (the `eval_cases` table, minus retired cases) only
when its content differs from the latest release. Its version id is the ISO week plus the first 8 hex
digits of a content hash (`2026-W10-3f9a2c1d`). Each case's content is frozen in
`eval_case_snapshots` as the exact eval_set.jsonl line, so an old version reads (and exports) the same
bytes forever, whatever later happens to eval_cases, labelled_cases, or the raw tier.

Lineage (`eval_case_lineage`) is copied from tables retention never deletes (sanitised_samples,
candidates, review_queue, review_decisions, review_decision_details); never from raw_samples.

Everything here is counts, pseudonymous case ids, categories, reasons, reviewer names and the
sanitised case content already in eval_cases: the PII-free tier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import (
    candidates,
    eval_case_lineage,
    eval_case_retirements,
    eval_case_snapshots,
    eval_cases,
    eval_set_release_cases,
    eval_set_releases,
    review_decision_details,
    review_decisions,
    review_queue,
    review_users,
    sanitised_samples,
)
from logmine_dagster.core.errors import LogmineError

LATEST = "latest"


class ReleaseError(LogmineError, ValueError):
    """A release or retirement request that cannot be honoured (unknown version, unknown case...)."""


# ---------------------------------------------------------------- hashing and ids


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def case_hash(case: dict) -> str:
    """SHA-256 of the case's canonical JSON: any change of content, label or provenance changes it."""
    return hashlib.sha256(_canonical(case).encode("utf-8")).hexdigest()


def content_hash(members: dict[str, str]) -> str:
    """SHA-256 over the sorted (case id, case hash) pairs: the identity of a release's content."""
    text = "\n".join(f"{case_id}:{members[case_id]}" for case_id in sorted(members))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_version() -> str:
    """`logmine <package version>`, plus the git commit when running from a checkout (read, never run)."""
    try:
        version = importlib_metadata.version("logmine")
    except importlib_metadata.PackageNotFoundError:
        version = "unknown"
    label = f"logmine {version}"
    try:
        git = Path(__file__).resolve().parents[2] / ".git"
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = git / ref
            if ref_file.exists():
                head = ref_file.read_text().strip()
            else:
                packed = (git / "packed-refs").read_text().splitlines()
                head = next((line.split()[0] for line in packed if line.endswith(" " + ref)), "")
        if len(head) >= 12 and all(c in "0123456789abcdef" for c in head):
            label += f" ({head[:12]})"
    except OSError:
        pass
    return label[:100]


# ---------------------------------------------------------------- reading releases


def latest_release(db: Database) -> dict | None:
    rows = db.fetch_all(sa.select(eval_set_releases).order_by(eval_set_releases.c.seq.desc()).limit(1))
    return dict(rows[0]) if rows else None


def list_releases(db: Database) -> list[dict]:
    return [dict(r) for r in db.fetch_all(sa.select(eval_set_releases).order_by(eval_set_releases.c.seq))]


def get_release(db: Database, version: str = LATEST) -> dict:
    """The release named `version` (or the latest); ReleaseError if there is none."""
    if version == LATEST:
        release = latest_release(db)
        if release is None:
            raise ReleaseError("no eval set release has been published yet: materialise eval_set first")
        return release
    rows = db.fetch_all(sa.select(eval_set_releases).where(eval_set_releases.c.version == version))
    if not rows:
        known = [r["version"] for r in list_releases(db)][-5:]
        hint = f" (latest: {', '.join(known)})" if known else " (none published yet)"
        raise ReleaseError(f"unknown eval set version {version!r}{hint}")
    return dict(rows[0])


def _members(db: Database, version: str) -> dict[str, dict]:
    rows = db.fetch_all(sa.select(eval_set_release_cases).where(eval_set_release_cases.c.version == version))
    return {r["case_id"]: dict(r) for r in rows}


def release_cases(db: Database, version: str = LATEST) -> list[dict]:
    """The frozen cases of a release, as eval_set.jsonl lines (ordered by added week, then id)."""
    release = get_release(db, version)
    statement = (
        sa.select(eval_case_snapshots.c.case_json)
        .join(
            eval_set_release_cases,
            sa.and_(
                eval_set_release_cases.c.case_id == eval_case_snapshots.c.case_id,
                eval_set_release_cases.c.case_hash == eval_case_snapshots.c.case_hash,
            ),
        )
        .where(eval_set_release_cases.c.version == release["version"])
        .order_by(eval_case_snapshots.c.added_week, eval_case_snapshots.c.case_id)
    )
    return [json.loads(r["case_json"]) for r in db.fetch_all(statement)]


def release_summary(db: Database, version: str = LATEST) -> dict:
    """A release with its members' category and change (no case text)."""
    release = get_release(db, version)
    statement = (
        sa.select(
            eval_set_release_cases.c.case_id,
            eval_set_release_cases.c.change,
            eval_case_snapshots.c.category,
            eval_case_snapshots.c.added_week,
        )
        .join(
            eval_case_snapshots,
            sa.and_(
                eval_set_release_cases.c.case_id == eval_case_snapshots.c.case_id,
                eval_set_release_cases.c.case_hash == eval_case_snapshots.c.case_hash,
            ),
        )
        .where(eval_set_release_cases.c.version == release["version"])
        .order_by(eval_case_snapshots.c.added_week, eval_set_release_cases.c.case_id)
    )
    release["cases"] = [dict(r) for r in db.fetch_all(statement)]
    release["by_category"] = json.loads(release["by_category_json"])
    release["quality"] = json.loads(release["quality_json"])
    return release


@dataclass
class ReleaseDiff:
    old: str
    new: str
    added: list[dict] = field(default_factory=list)  # {case_id, category}
    removed: list[dict] = field(default_factory=list)  # {case_id, category, retired_reason|None}
    changed: list[dict] = field(default_factory=list)  # {case_id, category, fields: [...]}


def _snapshot_rows(db: Database, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    by_case: dict[str, set[str]] = {}
    for case_id, digest in pairs:
        by_case.setdefault(case_id, set()).add(digest)
    ids = sorted(by_case)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in db.fetch_all(sa.select(eval_case_snapshots).where(eval_case_snapshots.c.case_id.in_(chunk))):
            if row["case_hash"] in by_case[row["case_id"]]:
                out[(row["case_id"], row["case_hash"])] = dict(row)
    return out


def _changed_fields(old: dict, new: dict) -> list[str]:
    names = [k for k in ("category", "input", "expected_output") if old.get(k) != new.get(k)]
    old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
    names += [f"metadata.{k}" for k in sorted(set(old_meta) | set(new_meta)) if old_meta.get(k) != new_meta.get(k)]
    return names


def diff_releases(db: Database, old_version: str, new_version: str) -> ReleaseDiff:
    """Cases added, removed (with the retirement reason when an admin retired them) and changed."""
    old, new = get_release(db, old_version), get_release(db, new_version)
    before, after = _members(db, old["version"]), _members(db, new["version"])
    pairs = [(c, m["case_hash"]) for c, m in before.items()] + [(c, m["case_hash"]) for c, m in after.items()]
    snapshots = _snapshot_rows(db, pairs)
    retired = {r["case_id"]: dict(r) for r in db.fetch_all(sa.select(eval_case_retirements))}
    diff = ReleaseDiff(old=old["version"], new=new["version"])
    for case_id in sorted(set(after) - set(before)):
        diff.added.append({"case_id": case_id, "category": snapshots[(case_id, after[case_id]["case_hash"])]["category"]})
    for case_id in sorted(set(before) - set(after)):
        retirement = retired.get(case_id)
        diff.removed.append(
            {
                "case_id": case_id,
                "category": snapshots[(case_id, before[case_id]["case_hash"])]["category"],
                "retired_reason": retirement["reason"] if retirement else None,
                "retired_by": retirement["admin"] if retirement else None,
            }
        )
    for case_id in sorted(set(before) & set(after)):
        old_hash, new_hash = before[case_id]["case_hash"], after[case_id]["case_hash"]
        if old_hash != new_hash:
            old_case = json.loads(snapshots[(case_id, old_hash)]["case_json"])
            new_case = json.loads(snapshots[(case_id, new_hash)]["case_json"])
            diff.changed.append({"case_id": case_id, "category": new_case["category"], "fields": _changed_fields(old_case, new_case)})
    return diff


# ---------------------------------------------------------------- retiring


def retired_case_ids(db: Database) -> set[str]:
    return {r["case_id"] for r in db.fetch_all(sa.select(eval_case_retirements.c.case_id))}


def retire_case(db: Database, case_id: str, reason: str, admin: str, *, now: dt.datetime | None = None) -> dict:
    """An admin takes a case out of every later release; earlier releases keep it.

    `admin` must be an enabled review-app account with the admin role (`logmine review add-user NAME
    --role admin`). The case must be in the current eval set or in some release. Retiring is final.
    """
    reason, admin = (reason or "").strip(), (admin or "").strip()
    if not reason:
        raise ReleaseError("a retirement needs a reason")
    users = db.fetch_all(sa.select(review_users.c.role, review_users.c.disabled).where(review_users.c.name == admin))
    if not users or users[0]["role"] != "admin" or users[0]["disabled"]:
        raise ReleaseError(f"{admin!r} is not an enabled admin account (logmine review add-user NAME --role admin)")
    known = db.count(eval_set_release_cases, eval_set_release_cases.c.case_id == case_id) + db.count(
        eval_cases, eval_cases.c.case_id == case_id
    )
    if not known:
        raise ReleaseError(f"case {case_id!r} is in no release and not in the current eval set")
    row = {"case_id": case_id, "reason": reason, "admin": admin, "retired_at": now or dt.datetime.now(dt.timezone.utc)}
    with db.transaction() as conn:
        if conn.execute(sa.select(eval_case_retirements.c.case_id).where(eval_case_retirements.c.case_id == case_id)).first():
            raise ReleaseError(f"case {case_id!r} is already retired")
        conn.execute(eval_case_retirements.insert().values(**row))
    return row


# ---------------------------------------------------------------- lineage


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _lineage_rows(db: Database, cases: list[dict]) -> dict[str, dict]:
    """Lineage values for `cases`, from tables that survive retention (never raw_samples)."""
    out: dict[str, dict] = {}
    for case in cases:
        # A synthetic case has no source day (and no sample, candidate or queue row: those stay None).
        case_id, day = case["id"], case["metadata"].get("source_day") or ""
        sample = db.fetch_all(
            sa.select(sanitised_samples.c.sample_reasons).where(sanitised_samples.c.case_id == case_id, sanitised_samples.c.day == day)
        )
        candidate = db.fetch_all(
            sa.select(candidates.c.category, candidates.c.reasons, candidates.c.duplicate_count).where(
                candidates.c.case_id == case_id, candidates.c.day == day
            )
        )
        queued = db.fetch_all(sa.select(review_queue.c.week).where(review_queue.c.case_id == case_id))
        decisions = db.fetch_all(
            sa.select(review_decisions.c.id, review_decisions.c.reviewer, review_decisions.c.decided_at)
            .where(review_decisions.c.case_id == case_id)
            .order_by(review_decisions.c.decided_at, review_decisions.c.id)
        )
        reviewers = {case["metadata"].get("reviewer") or ""}
        decided_at = case["metadata"].get("labelled_at") or ""
        if decisions:
            latest = decisions[-1]
            reviewers.add(latest["reviewer"])
            decided_at = _iso(latest["decided_at"])
            details = db.fetch_all(sa.select(review_decision_details.c.votes_json).where(review_decision_details.c.decision_id == latest["id"]))
            for detail in details:
                try:
                    reviewers.update(v.get("reviewer") or "" for v in json.loads(detail["votes_json"]) if isinstance(v, dict))
                except (TypeError, ValueError):
                    pass
        out[case_id] = {
            "case_id": case_id,
            "source_day": day,
            "review_week": queued[0]["week"] if queued else case["metadata"].get("added_week"),
            "sample_reasons": sample[0]["sample_reasons"] if sample else None,
            "candidate_category": candidate[0]["category"] if candidate else None,
            "candidate_reasons": candidate[0]["reasons"] if candidate else None,
            "duplicate_count": candidate[0]["duplicate_count"] if candidate else None,
            "reviewers": ",".join(sorted(r for r in reviewers if r))[:500],
            "decided_at": decided_at[:40],
        }
    return out


def case_lineage(db: Database, case_id: str) -> dict | None:
    """A case's lineage, its retirement if any, and every release that holds it."""
    rows = db.fetch_all(sa.select(eval_case_lineage).where(eval_case_lineage.c.case_id == case_id))
    if not rows:
        return None
    lineage = dict(rows[0])
    retired = db.fetch_all(sa.select(eval_case_retirements).where(eval_case_retirements.c.case_id == case_id))
    lineage["retired"] = dict(retired[0]) if retired else None
    # Origin and source from the case's frozen content (lineage rows predate the origin column).
    snapshots = db.fetch_all(sa.select(eval_case_snapshots.c.case_json).where(eval_case_snapshots.c.case_id == case_id))
    metadata = [json.loads(r["case_json"]).get("metadata") or {} for r in snapshots]
    lineage["origin"] = next((m["origin"] for m in metadata if m.get("origin")), "mined")
    lineage["source"] = next((m["source"] for m in metadata if m.get("source")), None)
    lineage["versions"] = [
        r["version"]
        for r in db.fetch_all(
            sa.select(eval_set_release_cases.c.version)
            .join(eval_set_releases, eval_set_releases.c.version == eval_set_release_cases.c.version)
            .where(eval_set_release_cases.c.case_id == case_id)
            .order_by(eval_set_releases.c.seq)
        )
    ]
    return lineage


# ---------------------------------------------------------------- publishing


@dataclass
class PublishResult:
    published: bool
    version: str | None  # the new release, or the latest one when nothing changed
    parent_version: str | None = None
    case_count: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    retired_excluded: int = 0
    by_category: Counter = field(default_factory=Counter)
    reason: str = ""


def publish_release(
    db: Database,
    week: str,
    cases: list[dict],
    *,
    sample_rate: float | None = None,
    quality: dict | None = None,
    now: dt.datetime | None = None,
) -> PublishResult:
    """Publish `cases` (eval_set.jsonl dicts) as a new release if their content differs from the latest.

    `week` is the ISO week label of the release (`2026-W10`). Retired cases are left out. Nothing is
    written when the content is unchanged, or when there is no release yet and the set is empty.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    retired = retired_case_ids(db)
    kept_cases = [c for c in cases if c["id"] not in retired]
    frozen = {c["id"]: (case_hash(c), c) for c in kept_cases}
    members = {case_id: digest for case_id, (digest, _) in frozen.items()}
    digest = content_hash(members)
    by_category = Counter(c["category"] for c in kept_cases)
    result = PublishResult(published=False, version=None, case_count=len(kept_cases), by_category=by_category,
                           retired_excluded=len(cases) - len(kept_cases))

    with db.transaction() as conn:
        latest = conn.execute(sa.select(eval_set_releases).order_by(eval_set_releases.c.seq.desc()).limit(1)).mappings().first()
        if latest is not None and latest["content_hash"] == digest:
            result.version, result.parent_version, result.reason = latest["version"], latest["parent_version"], "content unchanged"
            return result
        if latest is None and not kept_cases:
            result.reason = "empty eval set, nothing to publish"
            return result
        before = _release_hashes(conn, latest["version"]) if latest is not None else {}
        seq = (latest["seq"] + 1) if latest is not None else 1
        version = _new_version_id(conn, week, digest, seq)
        changes = _member_changes(members, before)
        result.added = sum(1 for c in changes.values() if c == "added")
        result.changed = sum(1 for c in changes.values() if c == "changed")
        result.removed = len(set(before) - set(members))
        version_code = code_version()
        parent_version = latest["version"] if latest is not None else None
        _insert_release(conn, result, quality, version=version, seq=seq, week=week, created_at=now, parent_version=parent_version,
                        content_hash=digest, case_count=len(members), code_version=version_code)
        touched = {case_id: frozen[case_id] for case_id, change in changes.items() if change != "kept"}
        _store_snapshots(conn, touched)
        _store_members(conn, version, members, changes)
        _store_lineage(db, conn, [case for _, case in touched.values()], version, version_code, sample_rate)
    result.published, result.version, result.parent_version = True, version, parent_version
    result.reason = "first release" if latest is None else "content changed"
    return result


def _insert_release(conn, result: PublishResult, quality: dict | None, **columns) -> None:
    """The release's row: `columns`, plus the change counts and categories held in `result`."""
    conn.execute(
        eval_set_releases.insert().values(
            **columns,
            added=result.added,
            changed=result.changed,
            removed=result.removed,
            by_category_json=_canonical(dict(sorted(result.by_category.items()))),
            quality_json=_canonical(quality or {}),
        )
    )


def _release_hashes(conn, version: str) -> dict[str, str]:
    """Case id -> case hash of the members of release `version`."""
    statement = sa.select(eval_set_release_cases.c.case_id, eval_set_release_cases.c.case_hash).where(
        eval_set_release_cases.c.version == version
    )
    return {r["case_id"]: r["case_hash"] for r in conn.execute(statement).mappings()}


def _new_version_id(conn, week: str, digest: str, seq: int) -> str:
    version = f"{week}-{digest[:8]}"
    if conn.execute(sa.select(eval_set_releases.c.version).where(eval_set_releases.c.version == version)).first():
        version = f"{version}-r{seq}"  # the same content came back within the same week
    return version


def _member_changes(members: dict[str, str], before: dict[str, str]) -> dict[str, str]:
    """Each member's change since the previous release: added, kept or changed."""
    changes = {}
    for case_id, case_digest in members.items():
        if case_id not in before:
            changes[case_id] = "added"
        elif before[case_id] == case_digest:
            changes[case_id] = "kept"
        else:
            changes[case_id] = "changed"
    return changes


def _store_snapshots(conn, touched: dict[str, tuple[str, dict]]) -> None:
    """Freeze the added and changed cases ({case id: (case hash, case)}).

    Snapshots are immutable and keyed by content: insert only the ones not stored yet."""
    new_pairs = [(case_id, case_digest) for case_id, (case_digest, _) in touched.items()]
    existing = set()
    for start in range(0, len(new_pairs), 500):
        chunk = [case_id for case_id, _ in new_pairs[start : start + 500]]
        existing.update(
            (r["case_id"], r["case_hash"])
            for r in conn.execute(
                sa.select(eval_case_snapshots.c.case_id, eval_case_snapshots.c.case_hash).where(eval_case_snapshots.c.case_id.in_(chunk))
            ).mappings()
        )
    snapshot_rows = [_snapshot_row(case_id, case_digest, touched[case_id][1]) for case_id, case_digest in new_pairs
                     if (case_id, case_digest) not in existing]
    if snapshot_rows:
        conn.execute(eval_case_snapshots.insert(), snapshot_rows)


def _snapshot_row(case_id: str, case_digest: str, case: dict) -> dict:
    meta = case.get("metadata") or {}
    return {
        "case_id": case_id,
        "case_hash": case_digest,
        "category": case["category"],
        "added_week": meta.get("added_week") or "",
        "source_day": meta.get("source_day") or "",
        "reviewer": meta.get("reviewer") or "",
        "labelled_at": str(meta.get("labelled_at") or "")[:40],
        "case_json": json.dumps(case, ensure_ascii=False),
    }


def _store_members(conn, version: str, members: dict[str, str], changes: dict[str, str]) -> None:
    member_rows = [
        {"version": version, "case_id": case_id, "case_hash": members[case_id], "change": changes[case_id]} for case_id in sorted(members)
    ]
    for start in range(0, len(member_rows), 1000):
        conn.execute(eval_set_release_cases.insert(), member_rows[start : start + 1000])


def _store_lineage(db: Database, conn, touched: list[dict], version: str, version_code: str, sample_rate: float | None) -> None:
    """Lineage of the added and changed cases: written when a case first enters a release, refreshed
    when its content changes."""
    lineage = _lineage_rows(db, touched) if touched else {}
    have = set()
    ids = list(lineage)
    for start in range(0, len(ids), 500):
        have.update(
            r["case_id"]
            for r in conn.execute(sa.select(eval_case_lineage.c.case_id).where(eval_case_lineage.c.case_id.in_(ids[start : start + 500]))).mappings()
        )
    for case_id, values in lineage.items():
        if case_id in have:
            conn.execute(
                eval_case_lineage.update()
                .where(eval_case_lineage.c.case_id == case_id)
                .values(reviewers=values["reviewers"], decided_at=values["decided_at"], last_changed_version=version, code_version=version_code)
            )
        else:
            conn.execute(
                eval_case_lineage.insert().values(
                    **values, sample_rate=sample_rate, first_version=version, last_changed_version=version, code_version=version_code
                )
            )
