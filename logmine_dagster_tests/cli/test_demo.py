"""`logmine demo` end to end on a small week: every stage up to the review batch, and no label invented."""

from __future__ import annotations

import datetime as dt
import json

from logmine_dagster.cli.demo import last_complete_week, run_demo


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
    # Nothing decided; the expected output is prefilled with the model output, for the reviewer to check.
    assert all(case["decision"] is None and case["expected_output"] == (case["output"] or None) for case in batch)
    assert "No case was labelled: labels come only from reviewers." in lines
    assert any("logmine review import" in line for line in lines)
    _assert_the_ui_starts_where_the_demo_stopped(tmp_path / "demo", summary, lines)


def _assert_the_ui_starts_where_the_demo_stopped(workdir, summary, lines):
    """What `dagster dev` finds after the demo: a sensor that requests none of the demo's days (from no
    cursor, as a fresh daemon starts, and from the cursor it then stores), a queue with a concurrency
    limit, and a workspace file that loads from any directory."""
    import os
    import subprocess
    import sys

    import dagster as dg
    import yaml

    from logmine_dagster.defs.resources import LogSource
    from logmine_dagster.defs.sensors import new_log_partitions_sensor

    days = [row[0] for row in summary["days"]]
    sensor = new_log_partitions_sensor(dt.date.fromisoformat(days[0]), 30)
    resources = {"log_source": LogSource(root=str(workdir / "logs"))}
    with dg.DagsterInstance.get() as instance:
        assert instance.run_coordinator.__class__.__name__ == "QueuedRunCoordinator"
        # The daemon dedupes on these tags too: each demo run carries the run key the sensor would issue.
        keys = {r.tags["dagster/run_key"] for r in instance.get_runs() if r.tags.get("dagster/sensor_name") == sensor.name}
        assert {key.split(":")[0] for key in keys} == set(days)
        first = sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert first.run_requests == []
        assert sorted(json.loads(first.cursor)) == days
        again = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=resources))
        assert again.run_requests == []
    config = yaml.safe_load(open(workdir / "dagster_home" / "dagster.yaml", encoding="utf-8"))
    assert config["run_coordinator"]["config"]["max_concurrent_runs"] == 2

    command = next(line for line in lines if " dagster dev -w " in line)
    workspace = command.rsplit(" -w ", 1)[1]
    assert os.path.isabs(workspace)
    # Loaded from a folder that is not the repository: the printed path alone finds the code location.
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    checked = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", workspace],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_two_simulated_weeks_publish_a_growing_eval_set(tmp_path, monkeypatch):
    """The six-week simulation, reduced: real pipeline, decisions through the review import, a release a week."""
    from logmine_dagster.cli.demo import SYNTHETIC_CASES, simulate_weeks

    for name in ("LOGMINE_HOME", "LOGMINE_LOG_ROOT", "DAGSTER_HOME", "LOGMINE_ALLOW_TERMS", "LOGMINE_HASH_KEY", "LOGMINE_SAMPLE_RATE"):
        monkeypatch.setenv(name, "unset-by-test")
        monkeypatch.delenv(name)
    monkeypatch.delenv("LOGMINE_DATABASE_URL", raising=False)
    lines: list[str] = []
    summary = simulate_weeks(tmp_path / "sim", weeks=2, per_day=30, seed=5, synthetic_week=2, echo=lines.append, today=dt.date(2026, 11, 28))

    weeks = summary["weeks"]
    assert [w[0] for w in weeks] == ["2026-11-09", "2026-11-16"]
    # (week, sampled, failures, covered, fed, queued, accepted, discarded, synthetic, eval cases, release, status)
    assert all(w[11] == "published" for w in weeks)  # a release each week
    first, second = weeks
    assert first[10].startswith("2026-W46-") and second[10].startswith("2026-W47-")
    assert 0 < first[9] < second[9]  # the eval set grows
    assert first[6] > 0 and second[8] == len(SYNTHETIC_CASES)
    assert second[9] == first[9] + second[6] + second[8]  # last week's set + this week's accepts + synthetic
    # Coverage is measured before each batch: nothing is covered by the empty eval set of week 1, whose
    # uncovered failures then fill part of the batch.
    assert first[2] > 0 and first[3] == "0%" and 0 < first[4] <= first[5]

    from logmine_dagster.core.config import Settings
    from logmine_dagster.evalset.releases import list_releases
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import review_decisions

    db = Database(Settings.from_env().database_url)
    releases = list_releases(db)
    assert [r["version"] for r in releases] == [first[10], second[10]] and [r["seq"] for r in releases] == [1, 2]
    assert releases[0]["case_count"] < releases[1]["case_count"]
    reviewers = {r["reviewer"] for r in db.fetch_all(review_decisions.select())}
    assert reviewers == {"reviewer-ana", "reviewer-ben", "reviewer-chloe"}  # each imported their own file

    stats = summary["stats"]
    assert "| 2026-W46 |" in stats and "| 2026-W47 |" in stats
    assert f"| {second[10]} | {second[9]} | {second[9] - len(SYNTHETIC_CASES)}/{len(SYNTHETIC_CASES)} |" in stats
    assert "## Failure coverage" in stats and "| 2026-W46 | 0 |" in stats  # week 1 measured against an empty eval set
    assert "## Representativeness" in stats and "Production estimated from" in stats
    assert "\n$ logmine evalset stats\n" in lines
