"""Hand-over between shard steps through the database (`shard_staging`), so workers share no disk.

A shard stages a header (its counts) and its items in ONE transaction: another reader sees all of a
shard or none of it, and a shard killed mid-way leaves nothing. The step after the shards reads every
shard of its run at once and deletes them in its own transaction; `discard_stale` (retention, and
each publish) removes what runs that died left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa

from logmine_dagster.core.errors import LogmineError
from logmine_dagster.storage.database import Database
from logmine_dagster.storage.schema import shard_staging

ITEMS_PER_PART = 500  # bounds one row's size (a 200k-record day would otherwise be one huge text)
STALE_AFTER = dt.timedelta(days=2)


class StagingError(LogmineError, RuntimeError):
    """A shard's staged output is missing or does not belong to this run: nothing was published."""


@dataclass(frozen=True)
class StagedShard:
    shard: int
    header: dict
    items: list[dict]


@dataclass(frozen=True)
class StagingKey:
    """One run's hand-over for one step of one day. `run_id` is the root run, so that a retry from
    failure (a new run with only the failed steps) finds what the original run's shards staged."""

    step: str
    day: str
    run_id: str

    def __post_init__(self):
        if not self.run_id or len(self.run_id) > 100 or not self.step or len(self.step) > 40 or len(self.day) > 10:
            raise StagingError("a staging key needs a step (≤40), a day and a run id (≤100 characters)")

    def where(self) -> sa.ColumnElement[bool]:
        return sa.and_(shard_staging.c.step == self.step, shard_staging.c.day == self.day, shard_staging.c.run_id == self.run_id)


def stage_shard(
    db: Database, key: StagingKey, shard: int, shard_count: int, header: dict, items: Iterable[dict] = (), *, conn: sa.Connection | None = None
) -> int:
    """Replace this shard's staged output, all in one transaction (the caller's `conn`, else a new
    one); returns the parts written."""
    now = dt.datetime.now(dt.timezone.utc)
    base = {"step": key.step, "day": key.day, "run_id": key.run_id, "shard_count": shard_count, "shard": shard, "staged_at": now}
    this_shard = sa.and_(key.where(), shard_staging.c.shard_count == shard_count, shard_staging.c.shard == shard)
    with (contextlib.nullcontext(conn) if conn is not None else db.transaction()) as conn:
        conn.execute(shard_staging.delete().where(this_shard))
        parts = [dict(base, part=0, payload_json=json.dumps(header, ensure_ascii=False))]
        chunk: list[dict] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= ITEMS_PER_PART:
                parts.append(dict(base, part=len(parts), payload_json=json.dumps(chunk, ensure_ascii=False)))
                chunk = []
        if chunk:
            parts.append(dict(base, part=len(parts), payload_json=json.dumps(chunk, ensure_ascii=False)))
        for start in range(0, len(parts), 20):
            conn.execute(shard_staging.insert(), parts[start : start + 20])
    return len(parts)


def read_shards(db: Database, key: StagingKey, shard_count: int) -> list[StagedShard]:
    """Every shard of the run, read in one statement (one consistent view); StagingError names the
    first shard that has not staged (or staged for another shard count)."""
    statement = (
        sa.select(shard_staging.c.shard, shard_staging.c.part, shard_staging.c.payload_json)
        .where(key.where(), shard_staging.c.shard_count == shard_count)
        .order_by(shard_staging.c.shard, shard_staging.c.part)
    )
    headers: dict[int, dict] = {}
    items: dict[int, list[dict]] = {}
    for row in db.fetch_all(statement):
        try:
            payload = json.loads(row["payload_json"])
        except ValueError:
            raise StagingError(f"shard {row['shard']} of {shard_count}: staged output for {key.day} is unreadable") from None
        if row["part"] == 0:
            headers[row["shard"]] = payload
        else:
            items.setdefault(row["shard"], []).extend(payload)
    for shard in range(shard_count):
        if shard not in headers:
            raise StagingError(f"shard {shard} of {shard_count} left no output for {key.day} in this run")
    return [StagedShard(shard, headers[shard], items.get(shard, [])) for shard in range(shard_count)]


def staged_shard_counts(db: Database, key: StagingKey) -> set[int]:
    """The shard counts the run staged this step for (a step that reads without knowing it)."""
    statement = sa.select(shard_staging.c.shard_count).where(key.where(), shard_staging.c.part == 0).distinct()
    return {row["shard_count"] for row in db.fetch_all(statement)}


def discard(conn: sa.Connection, key: StagingKey) -> int:
    """Delete the run's staged output of this step and day, in the caller's transaction."""
    return conn.execute(shard_staging.delete().where(key.where())).rowcount or 0


def discard_stale(conn: sa.Connection, now: dt.datetime | None = None, older_than: dt.timedelta = STALE_AFTER) -> dict[str, int]:
    """Delete what runs that died left more than `older_than` ago; parts deleted per day."""
    cutoff = (now or dt.datetime.now(dt.timezone.utc)) - older_than
    stale = shard_staging.c.staged_at < cutoff
    counts = conn.execute(sa.select(shard_staging.c.day, sa.func.count()).where(stale).group_by(shard_staging.c.day)).all()
    if counts:
        conn.execute(shard_staging.delete().where(stale))
    return {day: int(count) for day, count in counts}
