"""`logmine status` and the coverage table of `logmine evalset stats`, on the generated coverage scenario
with a real Dagster instance under DAGSTER_HOME (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import dagster as dg

from logmine_dagster.cli import main
from logmine_dagster.curation.failure_coverage import measure_coverage, store_coverage
from logmine_dagster.review.batch import build_batch
from logmine_dagster_tests.curation.test_failure_coverage import NEXT_WEEK, WEEK, seed_next_week, seed_week


def test_status_without_dagster_home_says_so(cli_env, db, monkeypatch, capsys):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("LOGMINE_LOG_ROOT", str(cli_env / "logs"))
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "DAGSTER_HOME is not set" in out and "No review batch queued yet." in out
    assert "no week measured yet" in out and "## Needs attention\n\nNothing." in out


def test_status_reads_runs_review_work_coverage_and_retention(cli_env, db, monkeypatch, capsys, code_location):
    home = cli_env / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("LOGMINE_LOG_ROOT", str(cli_env / "logs"))
    seed_week(db)
    seed_next_week(db)
    job = code_location.resolve_implicit_global_asset_job_def().get_subset(asset_selection={dg.AssetKey("eval_coverage")})
    with dg.DagsterInstance.get() as instance:
        assert job.execute_in_process(partition_key=WEEK, instance=instance).success
    store_coverage(db, measure_coverage(db, NEXT_WEEK))  # measured outside Dagster: the table still shows it
    build_batch(db, NEXT_WEEK, cap=3)

    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert f"Dagster instance: {home}" in out
    [row] = [line for line in out.splitlines() if line.startswith("| eval_coverage |")]
    assert f"| {WEEK} |" in row and "never" not in row
    assert f"| {NEXT_WEEK} | 3 | 0 | 3 | 0 |" in out  # the batch: 3 cases, none decided
    assert "| 2026-W10 | 3 | 14 | 4 | 57% |" in out and "| 2026-W11 | 3 | 6 | 3 | 17% |" in out
    assert f"- failure coverage fell from 57% ({WEEK}) to 17% ({NEXT_WEEK})" in out
    assert "Raw data kept 30 days" in out and "past the cutoff: 0 item(s)" in out
    assert "spreadsheet" not in out  # ids and codes, never text

    assert main(["evalset", "stats"]) == 0
    stats = capsys.readouterr().out
    assert "## Failure coverage: production failures near an eval case (similarity >= 0.55)" in stats
    assert "| 2026-W11 | 3 | 6 | 3 | 17% |" in stats and "Largest uncovered clusters of 2026-W11" in stats
