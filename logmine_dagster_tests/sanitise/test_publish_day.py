"""Publishing a sanitised day replaces that day only, counts every refusal, keeps the PII-free rows when the
raw tier is gone, and refuses an incomplete set of shard outputs. Written for mutants of
sanitise/sanitise_day.py that survived scripts/mutation_score.py."""

from __future__ import annotations

import datetime as dt

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


# -- what the shards hand the sanitiser and the report, the refusal reasons, and the caller's transaction

CARD = "4111-1111-1111-1111"  # kept by the sanitiser in a code-like key (test_refusal_day), read there by the gate


class _Noting:
    """The real sanitiser, noting the pseudonym key and the day's terms each call is given."""

    def __init__(self, real) -> None:
        self.real, self.given = real, []

    def sanitise_record(self, record, *, pseudonym_key, common_terms):
        self.given.append((pseudonym_key, common_terms))
        return self.real.sanitise_record(record, pseudonym_key=pseudonym_key, common_terms=common_terms)


def _mixed_day(db: Database, tool_users: int = 5) -> None:
    """Users naming one tool, a failed record the gate refuses, one with too many leaks for a reason's 300
    characters, one with fields the schema does not declare, and one that is not JSON."""
    records = [_record(f"req-{n}", {"output": "The Grafana board is down again."}, [], day=DAY) for n in range(tool_users)]
    records.append(_record("req-ssn", {"metadata": {"channel": "web", "ssn.219-09-9999": "on file"}, "status": "error"}, [], day=DAY))
    cards = {f"k{n:02d}": {f"card_{CARD}": "on file"} for n in range(12)}
    records.append(_record("req-cards", {"metadata": {"channel": "web", **cards}}, [], day=DAY))
    extra = _record("req-extra", {}, [], day=DAY)
    extra["debug_blob"] = "not declared"
    extra["input"][1]["client_hint"] = "not declared either"
    records.append(extra)
    _insert_raw(db, records)
    with db.transaction() as conn:
        conn.execute(raw_samples.insert().values(day=DAY, request_id="req-garbled", sample_reasons="random", record_json="{not json",
                                                 source_file="test.jsonl", source_line=99, sampled_at=dt.datetime.now(dt.timezone.utc)))


def test_each_record_is_sanitised_with_the_run_key_and_the_whole_day_s_common_terms(tmp_path, sanitiser):
    from logmine_dagster.sanitise import day_terms
    from logmine_dagster.sanitise.sanitise_day import day_common_terms_of

    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    _mixed_day(db, tool_users=4)
    noting = _Noting(sanitiser)
    sanitise_shard(db, noting, KEY, DAY)
    assert noting.given == [(KEY, day_common_terms_of(db, DAY, day_terms.DEFAULT_USERS))] * 7 and "grafana" not in noting.given[0][1]
    # A fifth user names it: the day's samples changed, so its terms are counted again (not the ones kept in memory).
    _insert_raw(db, [_record("req-4", {"output": "The Grafana board is down again."}, [], day=DAY)])
    terms = day_common_terms_of(db, DAY, day_terms.DEFAULT_USERS)
    assert "grafana" in terms
    for shards in (1, 2):
        noting = _Noting(sanitiser)
        for index in range(shards):
            sanitise_shard(db, noting, KEY, DAY, index, shards)
        assert noting.given == [(KEY, terms)] * 8  # the garbled record never reaches the sanitiser
    db.dispose()


def test_refusal_reasons_name_each_kind_and_field_once_cut_at_300_characters_and_are_counted_by_their_head(tmp_path, sanitiser):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    _mixed_day(db)
    report = sanitise_day(db, sanitiser, KEY, DAY)
    reasons = {row["case_id"]: row["reason"] for row in db.fetch_all(sa.select(sanitiser_quarantine))}
    assert reasons[case_id_for(KEY, "req-ssn")] == "residual PII: KNOWN_VALUE@metadata.<key>, US_SSN@metadata.<key>"
    full = "residual PII: " + ", ".join(f"CREDIT_CARD@metadata.k{n:02d}.<key>" for n in range(12))
    assert len(full) > 300 and reasons[case_id_for(KEY, "req-cards")] == full[:300]
    assert dict(report.quarantine_reasons) == {"residual PII": 2, "sanitiser error (JSONDecodeError)": 1}
    db.dispose()


def test_a_day_s_counts_are_the_sum_of_its_shards_dropped_fields_and_outcomes_included(tmp_path, sanitiser):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    _mixed_day(db)
    expected = {
        "dropped_fields": {"record.<other key>": 1, "message.<other key>": 1},
        "read_by_outcome": {"successful": 7, "failed": 1, "unreadable": 1},
        "refused_by_outcome": {"successful": 1, "failed": 1, "unreadable": 1},
    }
    for shard_count in (1, 2, 3):
        shards = [sanitise_shard(db, sanitiser, KEY, DAY, index, shard_count) for index in range(shard_count)]
        assert all((s.report.day, s.report.written) == (DAY, len(s.rows)) for s in shards)  # each shard's own report
        report = publish_day(db, DAY, shards)
        assert {name: dict(getattr(report, name)) for name in expected} == expected, shard_count
        assert (report.read, report.written, report.quarantined) == (9, 6, 3)
        # Each publish replaces the day's refusals: one row per refused record, never a second copy.
        assert db.count(sanitiser_quarantine) == 3 and db.count(sanitised_samples) == 6
    db.dispose()


def test_the_day_and_the_caller_s_own_writes_are_published_in_one_transaction(tmp_path, sanitiser):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    _insert_raw(db, [_record(request_id, {"output": "Your router was restarted."}, [], day=DAY) for request_id in ("req-a", "req-b")])
    failing = _FailsOn(sanitiser, {"req-b"})
    first = [sanitise_shard(db, failing, KEY, DAY)]
    seen = []

    def hand_over(conn, report):  # as the staged shards' deletion does: writes in the publishing transaction
        assert isinstance(conn, sa.Connection) and conn.in_transaction()
        seen.append((report.day, report.written, report.quarantined))
        conn.execute(sanitiser_quarantine.insert().values(day=OTHER_DAY, case_id="c-handed-over", reason="hand-over", quarantined_at=first[0].quarantine[0]["quarantined_at"]))

    publish_day(db, DAY, first, also_in_transaction=hand_over)
    assert seen == [(DAY, 1, 1)]
    published = (_by_day(db, sanitised_samples), _by_day(db, sanitiser_quarantine))
    assert published == ({DAY: {case_id_for(KEY, "req-a")}}, {DAY: {case_id_for(KEY, "req-b")}, OTHER_DAY: {"c-handed-over"}})

    # The caller's write fails: neither the day's rows nor its refusals change (a rerun that now refuses req-a).
    def fails(conn, report):
        raise RuntimeError("hand-over failed")

    with pytest.raises(RuntimeError, match="hand-over failed"):
        publish_day(db, DAY, [sanitise_shard(db, _FailsOn(sanitiser, {"req-a"}), KEY, DAY)], also_in_transaction=fails)
    assert (_by_day(db, sanitised_samples), _by_day(db, sanitiser_quarantine)) == published
    db.dispose()
