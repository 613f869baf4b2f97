"""The new-partition sensor over thousands of day folders: one request per new or changed day, once;
a compact cursor; evaluation that lists folders and never reads a file."""

from __future__ import annotations

import datetime as dt
import json
import os

import dagster as dg
import pytest

from logmine_dagster.core import clock
from logmine_dagster.defs.resources import LogSource
from logmine_dagster.defs.sensors import new_log_partitions_sensor as build_sensor, plan_requests

# The code location builds it at load time; the tests' LOGMINE_START_DATE is 2026-01-01 (conftest).
new_log_partitions_sensor = build_sensor(dt.date(2026, 1, 1), 60)

TODAY = dt.datetime.now(dt.timezone.utc).date()


@pytest.fixture(autouse=True)
def _sensor_today_is_TODAY(monkeypatch):
    """The sensor reads the clock itself: pinned to this module's TODAY, a run that crosses midnight UTC
    cannot make it see one day more than the test planted."""
    monkeypatch.setattr(clock, "utc_today", lambda: TODAY)


def _make_days(root, count: int) -> list[str]:
    days = [(TODAY - dt.timedelta(days=n)).isoformat() for n in range(1, count + 1)]
    for day in days:
        folder = root / f"dt={day}"
        folder.mkdir(parents=True)
        (folder / "part-00000.jsonl").write_text('{"x": 1}\n')
    return sorted(days)


def _tick(root, cursor, instance):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"log_source": LogSource(root=str(root))})
    result = new_log_partitions_sensor(context)
    return result.run_requests, result.cursor


def test_three_thousand_day_folders_are_requested_once_each_with_a_compact_cursor(tmp_path):
    root = tmp_path / "logs"
    days = _make_days(root, 3000)
    start = "2026-01-01"  # the test code location's partition start (conftest)
    in_range = [d for d in days if d >= start]
    with dg.instance_for_test() as instance:
        requests, cursor = _tick(root, None, instance)
        assert sorted(r.partition_key for r in requests) == in_range
        assert all(r.tags["logmine/day"] == r.partition_key for r in requests)
        assert len({r.run_key for r in requests}) == len(requests)
        # The cursor holds one short fingerprint per partition day, nothing for days outside them.
        assert set(json.loads(cursor)) == set(in_range)
        assert len(cursor) < 40 * len(in_range)

        again, cursor = _tick(root, cursor, instance)
        assert again == []

        # Late data in one day, and one day deleted by retention.
        late = in_range[5]
        (root / f"dt={late}" / "part-00001.jsonl").write_text('{"x": 2}\n')
        gone = in_range[0]
        for path in (root / f"dt={gone}").iterdir():
            path.unlink()
        (root / f"dt={gone}").rmdir()
        requests, cursor = _tick(root, cursor, instance)
        assert [r.partition_key for r in requests] == [late]
        assert gone not in json.loads(cursor) and late in json.loads(cursor)
        assert _tick(root, cursor, instance)[0] == []


def test_the_plan_fingerprints_each_day_once_and_reads_no_file(tmp_path):
    root = tmp_path / "logs"
    days = _make_days(root, 3000)
    source = LogSource(root=str(root))
    calls: list[str] = []

    def fingerprint(day):
        calls.append(day)
        return source.fingerprint(day)

    # Unreadable files: fingerprinting needs stat() only (root ignores modes, so also check atime).
    sample = root / f"dt={days[-1]}" / "part-00000.jsonl"
    os.utime(sample, (0, sample.stat().st_mtime))
    requests, seen = plan_requests({}, source.days(), fingerprint, "2000-01-01", TODAY)
    assert len(requests) == 3000 and sorted(calls) == days
    assert sample.stat().st_atime == 0  # never opened for reading

    calls.clear()
    requests, seen = plan_requests(seen, source.days(), fingerprint, "2000-01-01", TODAY)
    assert requests == [] and len(calls) == 3000
    # A day that only appears later (a backfilled folder) is requested on the next tick, once.
    old_day = (TODAY - dt.timedelta(days=4000)).isoformat()
    (root / f"dt={old_day}").mkdir()
    (root / f"dt={old_day}" / "a.jsonl").write_text("{}\n")
    requests, seen = plan_requests(seen, source.days(), fingerprint, "2000-01-01", TODAY)
    assert [r.partition_key for r in requests] == [old_day]
    assert plan_requests(seen, source.days(), fingerprint, "2000-01-01", TODAY)[0] == []
