"""The residual-PII re-read in shards: the shards' verdict is the one-step verdict, and a leak planted in
any one shard's rows is found by that shard (and so fails the check)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.ingest.sampling import SamplingPolicy
from logmine_dagster.sanitise.sanitise_day import (
    residual_pii_in_day,
    residual_pii_in_shard,
    sanitise_day,
    shard_of,
)
from logmine_dagster.storage.schema import sanitised_samples
from logmine_dagster_tests.conftest import FIRST_DAY, TEST_HASH_KEY

DAY = FIRST_DAY.isoformat()
KEY = TEST_HASH_KEY.encode()
SHARDS = 3


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser()


@pytest.fixture
def published_day(db, log_root, sanitiser):
    sample_day(db, log_root, DAY, SamplingPolicy())
    assert sanitise_day(db, sanitiser, KEY, DAY).written > SHARDS * 3
    return db


def _sharded(db) -> list[Counter]:
    return [residual_pii_in_shard(db, KEY, DAY, shard, SHARDS) for shard in range(SHARDS)]


def test_the_shards_add_up_to_the_one_step_verdict(published_day):
    db = published_day
    assert sum(_sharded(db), Counter()) == residual_pii_in_day(db, KEY, DAY) == Counter()
    with pytest.raises(ValueError):
        residual_pii_in_shard(db, KEY, DAY, SHARDS, SHARDS)


@pytest.mark.parametrize("leaky_shard", range(SHARDS))
def test_a_leak_planted_in_any_shard_is_found_by_that_shard(published_day, leaky_shard):
    db = published_day
    case_ids = [r["case_id"] for r in db.fetch_all(sa.select(sanitised_samples.c.case_id).where(sanitised_samples.c.day == DAY))]
    victim = next(c for c in sorted(case_ids) if shard_of(KEY, c, SHARDS) == leaky_shard)
    with db.transaction() as conn:  # a sanitiser bug that let an address through, as if stored by the publish step
        conn.execute(
            sanitised_samples.update()
            .where(sanitised_samples.c.day == DAY, sanitised_samples.c.case_id == victim)
            .values(output="write to planted.person@example.net any time")
        )
    by_shard = _sharded(db)
    assert [bool(c) for c in by_shard] == [s == leaky_shard for s in range(SHARDS)]
    assert sum(by_shard[leaky_shard].values()) >= 1
    assert sum(by_shard, Counter()) == residual_pii_in_day(db, KEY, DAY)
