"""Eval set growth from the database, and the `logmine evalset` command (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from logmine_dagster.cli import main
from logmine_dagster.evalset.cases import eval_case_dicts, load_jsonl_cases
from logmine_dagster.evalset.growth import chart_markdown, growth_report
from logmine_dagster.evalset.quality import cases_frame, run_quality_suite
from logmine_dagster.evalset.build import build_eval_set
from logmine_dagster.storage.schema import labelled_cases

WEEK_1, WEEK_2 = "2026-03-02", "2026-03-09"

# (case, week, category, decision, reviewer)
DECISIONS = [
    ("c01", WEEK_1, "happy_path", "accept", "ana"),
    ("c02", WEEK_1, "happy_path", "accept", "ana"),
    ("c03", WEEK_1, "edge_case", "accept", "ben"),
    ("c04", WEEK_1, "adversarial", "discard", "ben"),
    ("c05", WEEK_2, "drift", "accept", "ana"),
    ("c06", WEEK_2, "adversarial", "accept", "ana"),
    ("c07", WEEK_2, "edge_case", "discard", "ana"),
    ("c08", WEEK_2, "edge_case", "discard", "ana"),
]


def _label_and_build(db, tmp_path):
    """Labelled cases as reviewers' decisions leave them, then the eval set built by the real stage."""
    decided_at = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.timezone.utc)
    rows = [
        {
            "case_id": case_id,
            "week": week,
            "day": week,
            "category": category,
            "reasons": "sample,low_confidence",
            "decision": decision,
            "input_json": json.dumps([{"role": "user", "content": f"question {case_id} <PERSON>"}]),
            "model_output": "model answer",
            "expected_output": f"reference answer {case_id}" if decision == "accept" else None,
            "discard_reason": "off topic" if decision == "discard" else None,
            "reviewer": reviewer,
            "decided_at": decided_at,
        }
        for case_id, week, category, decision, reviewer in DECISIONS
    ]
    db.replace_rows(labelled_cases, labelled_cases.c.case_id.is_not(None), rows)
    return build_eval_set(db, tmp_path / "home" / "eval_set.jsonl")


def test_cases_from_the_table_match_the_eval_set_file(db, tmp_path):
    report = _label_and_build(db, tmp_path)
    from_db = eval_case_dicts(db)
    assert from_db == load_jsonl_cases(report.path)
    assert [c["id"] for c in from_db] == ["c01", "c02", "c03", "c05", "c06"]
    assert run_quality_suite(cases_frame(from_db)).passed


def test_growth_by_week_and_category(db, tmp_path):
    _label_and_build(db, tmp_path)
    report = growth_report(db)
    rows = report.rows()
    assert [r["week"] for r in rows] == ["2026-W10", "2026-W11"]
    first, second = rows
    assert (first["added"], first["discarded"], first["acceptance_rate"], first["reviewers"], first["total_cases"]) == (3, 1, 0.75, 2, 3)
    assert (second["added"], second["discarded"], second["acceptance_rate"], second["reviewers"], second["total_cases"]) == (2, 2, 0.5, 1, 5)
    assert first["decisions_per_reviewer"] == 2.0 and second["decisions_per_reviewer"] == 4.0
    assert (first["added_happy_path"], first["added_edge_case"], first["discarded_adversarial"]) == (2, 1, 1)
    assert (second["added_drift"], second["added_adversarial"], second["discarded_edge_case"]) == (1, 1, 2)

    values = report.metadata_values()
    assert values["weeks_with_decisions"] == 2 and values["latest_week_added"] == 2
    assert values["latest_week_acceptance_rate"] == 0.5 and values["acceptance_rate_overall"] == 5 / 8
    assert values["latest_week_reviewers"] == 1 and values["latest_week_decisions_per_reviewer"] == 4.0
    assert all(type(v) in (int, float) for v in values.values())  # plain numbers: Dagster metadata takes them

    table = report.markdown()
    assert "| 2026-W10 | 3 | 1 | 75% | 2 | 2.0 | 3 |" in table
    assert "| all | 5 | 3 | 62% |" in table
    assert "ana" not in table and "question" not in table  # counts only: no names, no case text


def test_growth_chart_is_a_png_for_the_metadata(db, tmp_path):
    pytest.importorskip("matplotlib")
    _label_and_build(db, tmp_path)
    png = growth_report(db).chart_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) < 200_000
    assert chart_markdown(png).startswith("![eval set growth](data:image/png;base64,iVBORw0KGgo")


def test_growth_of_an_empty_eval_set(db):
    report = growth_report(db)
    assert report.rows() == [] and report.chart_png() is None
    assert report.markdown() == "_no labelled cases yet_"
    assert report.metadata_values()["latest_week_added"] == 0
    assert chart_markdown(None).startswith("_chart unavailable")


def test_evalset_export_command_writes_each_format(db, cli_env, capsys):
    _label_and_build(db, cli_env)
    out = cli_env / "out" / "tests.yaml"
    assert main(["evalset", "export", "--format", "promptfoo-yaml", "--out", str(out)]) == 0
    assert "exported 5 case(s) as promptfoo-yaml" in capsys.readouterr().out
    assert [t["metadata"]["case_id"] for t in yaml.safe_load(out.read_text())] == ["c01", "c02", "c03", "c05", "c06"]

    pytest.importorskip("pyarrow")
    assert main(["evalset", "export", "--format", "parquet", "--out", str(cli_env / "out" / "eval_set.parquet")]) == 0
    assert (cli_env / "out" / "README.md").exists()

    assert main(["evalset", "export", "--format", "csv", "--out", str(out)]) == 2
    assert "Invalid value for '--format'" in capsys.readouterr().err
    assert main(["evalset", "export", "--format", "inspect", "--out", str(out), "--version", "3"]) == 2
    assert "unknown eval set version '3'" in capsys.readouterr().err


def test_evalset_stats_command_prints_the_growth_table(db, cli_env, capsys):
    _label_and_build(db, cli_env)
    assert main(["evalset", "stats"]) == 0
    out = capsys.readouterr().out
    assert growth_report(db).markdown() in out
    assert "5 case(s) in the eval set over 2 review week(s)" in out
