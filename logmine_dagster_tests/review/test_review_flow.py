"""From the weekly batch to the eval set: a case enters only after a human decision is imported."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from logmine_dagster.cli import main
from logmine_dagster.evalset.exports import DEFAULT_FILE_NAMES
from logmine_dagster.storage.schema import eval_cases, review_decisions, review_queue
from logmine_dagster_tests.conftest import FIRST_DAY
from logmine_dagster_tests.helpers import (
    check_results,
    dump_tables,
    leaked_values,
    manifest_values,
    read_tree_bytes,
    run_daily,
)
from logmine_dagster_tests.review_app.test_review_app_http import accounts as _accounts


@pytest.fixture(autouse=True)
def reviewer_accounts(db):
    """The accounts these files' decisions are imported under (an import needs an existing account)."""
    _accounts(db, "ana", "ben")

WEEK = FIRST_DAY.isoformat()


def _run(code_location, instance, job, **kwargs):
    result = code_location.resolve_job_def(job).execute_in_process(instance=instance, **kwargs)
    assert result.success
    return result


def test_eval_cases_exist_only_after_a_human_decision(
    logmine_env, dagster_instance, code_location, db, tmp_path, capsys, generated_logs
):
    assert run_daily(code_location, dagster_instance, WEEK).success
    _run(code_location, dagster_instance, "weekly_review_batch_job", partition_key=WEEK)
    queued = db.fetch_all(sa.select(review_queue))
    assert 0 < len(queued) <= 30
    assert len({q["category"] for q in queued}) >= 2

    # Without decisions, the eval set stays empty: nothing is labelled automatically.
    result = _run(code_location, dagster_instance, "eval_set_job")
    assert db.count(eval_cases) == 0
    assert check_results(result)["eval_cases_all_human_labelled"].passed

    batch = tmp_path / "batch.jsonl"
    assert main(["review", "export", "--week", "2026-W10", "--out", str(batch)]) == 0
    lines = [json.loads(line) for line in batch.read_text().splitlines()]
    assert len(lines) == len(queued) and all(line["decision"] is None for line in lines)

    # A file with one bad line is refused whole.
    lines[0].update(decision="accept", expected_output="  ")
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main(["review", "import", str(batch), "--reviewer", "ana"]) == 1
    assert "needs a non-empty expected_output" in capsys.readouterr().err
    assert db.count(review_decisions) == 0

    lines[0].update(decision="accept", expected_output="Sorry about that: your order ships tomorrow.")
    lines[1].update(decision="discard", reason="duplicate of an existing case")
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main(["review", "import", str(batch), "--reviewer", "ana"]) == 0

    result = _run(code_location, dagster_instance, "eval_set_job")
    assert check_results(result)["eval_cases_all_human_labelled"].passed
    cases = db.fetch_all(sa.select(eval_cases))
    assert [(c["case_id"], c["reviewer"], c["expected_output"]) for c in cases] == [
        (lines[0]["case_id"], "ana", "Sorry about that: your order ships tomorrow.")
    ]
    exported = [json.loads(l) for l in (logmine_env["home"] / "eval_set.jsonl").read_text().splitlines()]
    assert [e["id"] for e in exported] == [lines[0]["case_id"]]
    assert check_results(result)["eval_set_quality"].passed
    inspect_export = logmine_env["home"] / "exports"
    # Every tool's file (and the parquet's dataset card), gated by the checks, each with the one case.
    assert {p.name for p in inspect_export.iterdir()} == {*DEFAULT_FILE_NAMES.values(), "README.md"}
    for name in ("promptfoo_tests.jsonl", "openai_evals_samples.jsonl", "inspect_dataset.jsonl"):
        assert len((inspect_export / name).read_text(encoding="utf-8").splitlines()) == 1, name
    assert pq.read_table(inspect_export / "eval_set.parquet").num_rows == 1

    # The review batch file, the downstream tables and Dagster's storage hold no planted PII.
    planted = manifest_values(generated_logs[1])
    assert leaked_values(planted, batch.read_text()) == []
    assert leaked_values(planted, dump_tables(db)) == []
    assert leaked_values(planted, read_tree_bytes(dagster_instance.root_directory)) == []

    # Decided cases are never queued again when the batch is rebuilt.
    _run(code_location, dagster_instance, "weekly_review_batch_job", partition_key=WEEK)
    requeued = {q["case_id"] for q in db.fetch_all(sa.select(review_queue))}
    assert {lines[0]["case_id"], lines[1]["case_id"]} <= requeued  # still in their own week's batch
    assert len(requeued) <= 30


def test_unknown_case_ids_and_bad_decisions_are_rejected_with_line_numbers(logmine_env, db, tmp_path, capsys):
    path = tmp_path / "decisions.jsonl"
    path.write_text('{"case_id": "nope", "decision": "accept", "expected_output": "x"}\nnot json\n')
    assert main(["review", "import", str(path), "--reviewer", "ana"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1: case nope is not in any review batch, or was flagged for PII" in err
    assert f"{path}:2: malformed JSON" in err


def test_a_bad_eval_case_fails_the_quality_check_and_blocks_the_exports(
    logmine_env, dagster_instance, code_location, db, tmp_path, monkeypatch
):
    import logmine_dagster.defs.evalset.assets as evalset_assets
    from logmine_dagster.evalset.build import build_eval_set

    assert run_daily(code_location, dagster_instance, WEEK).success
    _run(code_location, dagster_instance, "weekly_review_batch_job", partition_key=WEEK)
    batch = tmp_path / "batch.jsonl"
    assert main(["review", "export", "--week", WEEK, "--out", str(batch)]) == 0
    lines = [json.loads(line) for line in batch.read_text().splitlines()]
    for line in lines[:2]:
        line.update(decision="accept", expected_output="A labelled answer.")
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main(["review", "import", str(batch), "--reviewer", "ana"]) == 0

    def build_then_corrupt(database, out_path):
        """Simulates a bug writing one eval case with a blank expected output and a copied input."""
        report = build_eval_set(database, out_path)
        with database.transaction() as conn:
            first, second = conn.execute(sa.select(eval_cases.c.case_id, eval_cases.c.input_json)).all()
            conn.execute(eval_cases.update().where(eval_cases.c.case_id == second[0]).values(input_json=first[1], expected_output="  "))
        return report

    monkeypatch.setattr(evalset_assets, "build_eval_set", build_then_corrupt)
    result = code_location.resolve_job_def("eval_set_job").execute_in_process(instance=dagster_instance, raise_on_error=False)
    checks = check_results(result)
    assert not checks["eval_set_quality"].passed
    assert not checks["eval_cases_all_human_labelled"].passed
    assert "eval_set_exports" not in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert not (logmine_env["home"] / "exports").exists()
