"""Exports with nothing to write exit non-zero with one clear line, and write no file."""

from __future__ import annotations

from logmine_dagster.cli import main


def test_an_empty_eval_set_export_fails_and_writes_nothing(cli_env, capsys):
    out = cli_env / "out" / "promptfoo.yaml"
    assert main(["evalset", "export", "--format", "promptfoo-yaml", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "logmine: the eval set is empty: import reviewers' decisions and materialise eval_set first; nothing was written"
    assert not out.exists()


def test_an_empty_review_export_fails_and_writes_nothing(cli_env, capsys):
    out = cli_env / "batch.jsonl"
    assert main(["review", "export", "--week", "2026-W10", "--out", str(out)]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("logmine: no cases left to review (decided cases are left out") and line.endswith("nothing was written")
    assert not out.exists()
    assert main(["review", "export", "--week", "2026-W10", "--out", str(out), "--include-decided"]) == 1
    assert capsys.readouterr().err.startswith("logmine: no cases for the week of 2026-03-02")
