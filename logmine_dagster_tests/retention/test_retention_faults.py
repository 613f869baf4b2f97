"""Fault probe on retention (issue 18): one expired day folder that cannot be deleted must not stop
the others, nor the raw_samples rows, from being deleted; the run still fails, naming it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logmine_dagster.core.errors import LogmineError
from logmine_dagster.retention.deletion import RetentionIncomplete, apply_retention, retention_violations
from logmine_dagster.storage.schema import raw_samples, retention_log

TODAY = dt.date(2026, 2, 20)  # with 30 days the cutoff is 2026-01-21


def _raw_rows(db, days):
    now = dt.datetime.now(dt.timezone.utc)
    with db.transaction() as conn:
        conn.execute(raw_samples.insert(), [
            {"day": day, "request_id": f"req-{day}", "sample_reasons": "base_rate", "record_json": "{}",
             "source_file": f"dt={day}/a.jsonl", "source_line": 1, "sampled_at": now}
            for day in days
        ])


def test_one_undeletable_day_folder_does_not_stop_the_other_deletions(tmp_path, db):
    root = tmp_path / "logs"
    for day in ("2026-01-01", "2026-01-03", "2026-02-15"):
        (root / f"dt={day}").mkdir(parents=True)
        (root / f"dt={day}" / "a.jsonl").write_text("{}\n")
    # A day folder that is a symbolic link: rmtree refuses it (and must: its target is not ours).
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "a.jsonl").write_text("{}\n")
    (root / "dt=2026-01-02").symlink_to(target)
    _raw_rows(db, ["2026-01-01", "2026-01-02", "2026-02-15"])

    with pytest.raises(RetentionIncomplete) as raised:
        apply_retention(db, root, TODAY, 30)

    message = str(raised.value)
    assert isinstance(raised.value, LogmineError) and "\n" not in message and not message.endswith("None")
    assert f"could not delete 1 expired log partition(s) of {root}: dt=2026-01-02 (a symbolic link" in message
    report = raised.value.report
    assert report.deleted_partitions == ["2026-01-01", "2026-01-03"]
    assert list(report.failed_partitions) == ["2026-01-02"]
    assert report.deleted_raw_rows == {"2026-01-01": 1, "2026-01-02": 1}
    assert not (root / "dt=2026-01-01").exists() and not (root / "dt=2026-01-03").exists()
    assert (target / "a.jsonl").exists()  # nothing deleted through the link
    logged = {(r["target"], r["item_key"]) for r in db.fetch_all(sa.select(retention_log))}
    assert logged == {("log_partition", "dt=2026-01-01"), ("log_partition", "dt=2026-01-03"),
                      ("raw_samples", "2026-01-01"), ("raw_samples", "2026-01-02")}
    # The check does not pass while the expired folder survives.
    assert retention_violations(db, root, TODAY, 30) == ["log partition dt=2026-01-02"]


def test_the_retention_job_fails_with_one_line_and_what_it_did(logmine_env, dagster_instance, code_location, db, monkeypatch):
    import dagster as dg

    root = logmine_env["log_root"]
    (root / "dt=2000-01-01").mkdir(parents=True)
    (root / "dt=2000-01-01" / "a.jsonl").write_text("{}\n")
    target = root.parent / "elsewhere"
    target.mkdir()
    (root / "dt=2000-01-02").symlink_to(target)
    monkeypatch.setenv("LOGMINE_RETENTION_DAYS", "30")

    result = code_location.resolve_job_def("retention_job").execute_in_process(instance=dagster_instance, raise_on_error=False)

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    info = failure.step_failure_data
    assert f"could not delete 1 expired log partition(s) of {root}: dt=2000-01-02 (a symbolic link" in info.error.message
    metadata = info.user_failure_data.metadata
    assert "2000-01-01" in metadata["deleted_partitions"].value
    assert list(metadata["log_partitions_not_deleted"].value) == ["2000-01-02"]
    assert not (root / "dt=2000-01-01").exists()
