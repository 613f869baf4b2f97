"""Fault probes on the command line's JSON input (issue 18): a line nested thousands of levels deep is
a clear error for that line (or one line on stderr), never a RecursionError traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from logmine_dagster.evalset.synthetic import import_synthetic
from logmine_dagster.review.accounts import add_user

DEEP = "[" * 100_000 + "]" * 100_000


def _logmine(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logmine_dagster.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "LOGMINE_HASH_KEY": "test-hash-key-0123456789"})


def test_categorise_reports_a_deep_line_and_goes_on():
    done = _logmine("categorise", stdin=DEEP + "\n" + json.dumps({"id": "ok", "text": "my router drops"}) + "\n")
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results[0] == {"id": None, "error": "line 1: malformed JSON (nested deeper than 64 levels)"}
    assert results[1]["id"] == "ok" and "category" in results[1]


def test_sanitise_refuses_a_deep_line_in_one_line():
    done = _logmine("sanitise", stdin=DEEP + "\n")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "logmine: line 1: expected a JSON object with a string 'text'"


def test_a_deep_synthetic_case_is_rejected_with_its_line(db, tmp_path):
    add_user(db, "root", "admin", "correct horse battery")
    path = tmp_path / "synthetic.jsonl"
    path.write_text(DEEP + "\n")
    report = import_synthetic(db, path, "generator.py", "root", scanner=lambda texts: [[] for _ in texts])
    assert report.rejected == [(1, "malformed JSON (nested deeper than 64 levels)")]


def test_a_nul_in_a_synthetic_case_is_rejected_with_its_line(db, tmp_path):
    add_user(db, "root", "admin", "correct horse battery")
    path = tmp_path / "synthetic.jsonl"
    line = {"input": [{"role": "user", "content": "my router drops"}], "expected_output": "Restart\u0000 it.", "category": "happy_path"}
    path.write_text(json.dumps(line) + "\n")
    report = import_synthetic(db, path, "generator.py", "root", scanner=lambda texts: [[] for _ in texts])
    assert report.rejected == [(1, "a NUL character (\\0) in the text: text cannot hold it")]
