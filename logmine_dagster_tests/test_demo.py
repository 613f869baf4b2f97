"""`logmine demo` end to end on a small week: every stage up to the review batch, and no label invented."""

from __future__ import annotations

import datetime as dt
import json

from logmine_dagster.demo import last_complete_week, run_demo


def test_last_complete_week_is_the_monday_of_the_week_before():
    assert last_complete_week(dt.date(2026, 11, 28)) == "2026-11-16"  # a Saturday
    assert last_complete_week(dt.date(2026, 11, 23)) == "2026-11-16"  # a Monday


def test_demo_runs_every_stage_to_the_review_batch_and_labels_nothing(tmp_path, monkeypatch):
    # run_demo points LOGMINE_* and DAGSTER_HOME at its work folder: restore them after the test.
    for name in ("LOGMINE_HOME", "LOGMINE_LOG_ROOT", "DAGSTER_HOME", "LOGMINE_ALLOW_TERMS", "LOGMINE_HASH_KEY"):
        monkeypatch.setenv(name, "unset-by-test")
        monkeypatch.delenv(name)
    monkeypatch.delenv("LOGMINE_DATABASE_URL", raising=False)
    lines: list[str] = []
    summary = run_demo(tmp_path / "demo", per_day=80, seed=3, echo=lines.append)

    assert len(summary["days"]) == 7
    assert all(day[1] == 80 and day[2] > 0 and day[4] > 0 for day in summary["days"])  # scanned, sampled, sanitised
    batch = [json.loads(line) for line in open(summary["batch_file"], encoding="utf-8")]
    assert 0 < len(batch) == summary["queued"] <= 30
    assert all(case["decision"] is None and case["expected_output"] is None for case in batch)
    assert "No case was labelled: labels come only from reviewers." in lines
    assert any("logmine review import" in line for line in lines)
