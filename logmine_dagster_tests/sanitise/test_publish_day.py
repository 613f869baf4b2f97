"""Publishing a sanitised day replaces that day only, counts every refusal, keeps the PII-free rows when the
raw tier is gone, and refuses an incomplete set of shard outputs. Written for mutants of
sanitise/sanitise_day.py that survived scripts/mutation_score.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from logmine_dagster.sanitise.sanitise_day import RawTierGone, ShardResult, case_id_for, publish_day, sanitise_day, sanitise_shard
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, sanitised_samples, sanitiser_quarantine
from logmine_dagster.storage.staging import StagingError
from logmine_dagster_tests.sanitise.test_deny_by_default import DAY, EMAIL, KEY, _insert_raw, _record
from logmine_dagster_tests.sanitise.test_deny_by_default import sanitiser  # noqa: F401 - the real sanitiser, once per module

OTHER_DAY = "2026-01-01"


class _FailsOn:
    def __init__(self, real, request_ids: set[str]) -> None:
        self.real, self.request_ids = real, request_ids

    def sanitise_record(self, record, *, pseudonym_key, common_terms=frozenset()):
        if record["request_id"] in self.request_ids:
            raise ValueError(f"cannot read {EMAIL}")
        return self.real.sanitise_record(record, pseudonym_key=pseudonym_key, common_terms=common_terms)


def _by_day(db: Database, table) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in db.fetch_all(sa.select(table.c.day, table.c.case_id)):
        found.setdefault(row["day"], set()).add(row["case_id"])
    return found


def test_publishing_replaces_its_day_only_counts_each_refusal_and_keeps_rows_once_the_raw_tier_is_gone(tmp_path, sanitiser):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    ids = ["req-a", "req-b", "req-c", "req-d"]
    _insert_raw(db, [_record(request_id, {"output": "Your router was restarted."}, [], day=DAY) for request_id in ids])
    failing = _FailsOn(sanitiser, {"req-b", "req-d"})
    sanitise_day(db, failing, KEY, DAY)
    # Another day already published, rows and refusals: a rerun of DAY must leave it alone.
    with db.transaction() as conn:
        for table in (sanitised_samples, sanitiser_quarantine):
            rows = [dict(row, day=OTHER_DAY, case_id="x" + row["case_id"][1:]) for row in conn.execute(sa.select(table)).mappings()]
            rows = [{k: v for k, v in row.items() if k != "id"} for row in rows]
            conn.execute(table.insert(), rows)
    before = (_by_day(db, sanitised_samples), _by_day(db, sanitiser_quarantine))

    report = sanitise_day(db, failing, KEY, DAY)
    assert (_by_day(db, sanitised_samples), _by_day(db, sanitiser_quarantine)) == before
    assert before[0][DAY] == {case_id_for(KEY, "req-a"), case_id_for(KEY, "req-c")}
    assert before[1][DAY] == {case_id_for(KEY, "req-b"), case_id_for(KEY, "req-d")} and len(before[1][OTHER_DAY]) == 2
    assert (report.read, report.written, report.quarantined) == (4, 2, 2)
    assert dict(report.quarantine_reasons) == {"sanitiser error (ValueError)": 2}
    assert dict(report.refused_by_outcome) == {"successful": 2}

    # In two shards: the day's counts are the shards' sums.
    shards = [sanitise_shard(db, failing, KEY, DAY, index, 2) for index in range(2)]
    assert all(shard.report.read for shard in shards)
    sharded = publish_day(db, DAY, shards)
    assert (sharded.read, sharded.written, sharded.quarantined) == (4, 2, 2)
    assert dict(sharded.quarantine_reasons) == {"sanitiser error (ValueError)": 2}
    assert (_by_day(db, sanitised_samples), _by_day(db, sanitiser_quarantine)) == before

    # Retention deleted the raw samples: a rerun reads nothing and must not wipe the kept rows.
    with db.transaction() as conn:
        conn.execute(raw_samples.delete())
    with pytest.raises(RawTierGone):
        sanitise_day(db, failing, KEY, DAY)
    assert (_by_day(db, sanitised_samples), _by_day(db, sanitiser_quarantine)) == before
    # A day that never had rows may publish an empty output.
    assert publish_day(db, "2026-02-01", [sanitise_shard(db, failing, KEY, "2026-02-01")]).written == 0
    db.dispose()


def test_an_incomplete_or_mixed_set_of_shard_outputs_is_refused(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")

    def shard(index: int, count: int, day: str = DAY) -> ShardResult:
        return sanitise_shard(db, None, KEY, day, index, count)

    with pytest.raises(ValueError):
        shard(2, 2)  # no such shard
    for shards in ([shard(0, 2)], [shard(0, 2), shard(1, 2, OTHER_DAY)], [shard(0, 2), shard(1, 3)], []):
        with pytest.raises(StagingError):
            publish_day(db, DAY, shards)
    assert publish_day(db, DAY, [shard(1, 2), shard(0, 2)]).written == 0
    db.dispose()


def test_a_published_row_keeps_its_inclusion_probability_and_the_report_its_day_and_entity_counts(tmp_path, sanitiser):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    _insert_raw(db, [_record("req-a", {"output": f"Write to {EMAIL} for the refund."}, [], day=DAY),
                     _record("req-b", {"output": "Your router was restarted."}, [], day=DAY)])
    with db.transaction() as conn:  # the sampler's weight, needed to re-weight the sample: never lost on the way
        conn.execute(raw_samples.update().where(raw_samples.c.request_id == "req-a").values(inclusion_probability=0.25))
        conn.execute(raw_samples.update().where(raw_samples.c.request_id == "req-b").values(inclusion_probability=0.5))
    report = sanitise_day(db, sanitiser, KEY, DAY)
    weights = {row["case_id"]: row["inclusion_probability"] for row in db.fetch_all(sa.select(sanitised_samples))}
    assert weights == {case_id_for(KEY, "req-a"): 0.25, case_id_for(KEY, "req-b"): 0.5}
    assert (report.day, report.read, report.written, report.quarantined) == (DAY, 2, 2, 0)
    assert sum(report.entity_counts.values()) >= 1  # the masked address is counted
    # In two shards: the same day, written count and entity counts.
    sharded = publish_day(db, DAY, [sanitise_shard(db, sanitiser, KEY, DAY, index, 2) for index in range(2)])
    assert (sharded.day, sharded.written) == (DAY, 2) and sharded.entity_counts == report.entity_counts
    db.dispose()
