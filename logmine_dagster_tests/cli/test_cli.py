"""The `logmine` command and the Dagster CLI against the code location."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from logmine_dagster.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_unknown_arguments_get_one_clear_line(capsys):
    assert main(["generate", "--nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No such option '--nope'" in err[0]


def test_bad_config_values_get_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LOGMINE_SAMPLE_RATE", "lots")
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path))
    assert main(["db-upgrade"]) == 2
    assert capsys.readouterr().err.strip() == "logmine: LOGMINE_SAMPLE_RATE must be a number between 0 and 1, got 'lots'"


def test_generate_writes_day_partitions_and_a_manifest_outside_them(tmp_path, capsys):
    out = tmp_path / "logs"
    assert main(["generate", "--out", str(out), "--start", "2026-03-02", "--days", "2", "--per-day", "50", "--seed", "3"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["dt=2026-03-02", "dt=2026-03-03"]
    assert (tmp_path / "logs-pii-manifest.jsonl").exists()
    assert main(["generate", "--out", str(out), "--start", "2026-02-30", "--days", "1", "--per-day", "5"]) == 2


def test_sanitise_reads_and_writes_json_lines():
    lines = [
        {"id": "a", "text": "Hi, I'm Maria Gonzalez, email maria.gonzalez@example.com, call +1 415 555 0132."},
        {"id": 2, "text": "What are your opening hours?"},
    ]
    completed = subprocess.run(
        [sys.executable, "-m", "logmine_dagster.cli", "sanitise"],
        input="\n".join(json.dumps(l) for l in lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    out = [json.loads(l) for l in completed.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2]
    assert "maria.gonzalez@example.com" not in out[0]["text"] and "555 0132" not in out[0]["text"]
    assert "Maria" not in out[0]["text"]
    assert out[1]["text"] == "What are your opening hours?"


def test_dagster_cli_validates_and_materialises_a_partition(tmp_path, generated_logs):
    log_root, _ = generated_logs
    env = dict(
        os.environ,
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        LOGMINE_HOME=str(tmp_path / "home"),
        LOGMINE_LOG_ROOT=str(log_root),
        LOGMINE_HASH_KEY="cli-test-hash-key-0123456789",
    )
    env.pop("LOGMINE_DATABASE_URL", None)
    (tmp_path / "dagster_home").mkdir()
    validate = subprocess.run(
        ["dagster", "definitions", "validate", "-m", "logmine_dagster.definitions"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert validate.returncode == 0, validate.stderr[-2000:]
    materialise = subprocess.run(
        ["dagster", "asset", "materialize", "-m", "logmine_dagster.definitions",
         "--select", "sampled_logs,sanitised_samples,categorised_candidates", "--partition", "2026-03-02"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert materialise.returncode == 0, materialise.stderr[-3000:]
    assert "RUN_SUCCESS" in materialise.stderr + materialise.stdout
    assert (tmp_path / "home" / "logmine.db").exists()
