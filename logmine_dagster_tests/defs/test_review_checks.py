"""labelled_cases in a real Dagster run: sanitiser misses and agreement in its metadata, and the review
checks (no PII-flagged case passes; complete decisions; a warning per week with misses)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.review.clock import utcnow  # noqa: E402
from logmine_dagster.review.interchange import import_decisions  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.storage.schema import labelled_cases, review_pii_flags, review_votes  # noqa: E402
from logmine_dagster_tests.conftest import TEST_HASH_KEY  # noqa: E402
from logmine_dagster_tests.helpers import assert_metadata_reads_at_a_glance, check_results  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, accounts, seed_cases  # noqa: E402


@pytest.fixture
def review_env(monkeypatch, db, tmp_path):
    monkeypatch.setenv("LOGMINE_DATABASE_URL", db.url)
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOGMINE_LOG_ROOT", str(tmp_path / "logs"))
    monkeypatch.setenv("LOGMINE_HASH_KEY", TEST_HASH_KEY)
    (tmp_path / "logs").mkdir()
    return tmp_path


def seed_reviews(db, tmp_path) -> list[str]:
    """Two cases reviewed by two reviewers (one agreement, one not), one labelled by import, one flagged."""
    ids = seed_cases(db, 4)
    now = utcnow()
    votes = [(ids[0], "ana", "accept"), (ids[0], "ben", "accept"), (ids[1], "ana", "accept"), (ids[1], "ben", "discard")]
    with db.transaction() as conn:
        conn.execute(review_votes.insert(), [
            {"case_id": c, "reviewer": r, "decision": d, "expected_output": "x" if d == "accept" else None, "reason": None if d == "accept" else "no",
             "version": 1, "created_at": now, "updated_at": now} for c, r, d in votes
        ])
        conn.execute(review_pii_flags.insert().values(case_id=ids[3], week=WEEK, day=WEEK, kind="email address", reviewer="ana", flagged_at=now))
    lines = tmp_path / "decisions.jsonl"
    lines.write_text(json.dumps({"case_id": ids[2], "decision": "accept", "expected_output": "A reference answer.", "tags": ["billing"],
                                 "rubric_notes": "Mentions the refund."}) + "\n")
    accounts(db, "ana")
    assert import_decisions(db, lines, "ana").accepted == 1
    return ids


def labelled_metadata(result) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "labelled_cases"]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_labelled_cases_metadata_and_review_checks(review_env, db, dagster_instance, code_location):
    ids = seed_reviews(db, review_env)
    result = code_location.resolve_job_def("eval_set_job").execute_in_process(instance=dagster_instance, raise_on_error=False)
    metadata = labelled_metadata(result)
    assert_metadata_reads_at_a_glance(
        result, {"labelled_cases": {"agreement_cases_latest", "agreement_kappa_latest", "agreement_alpha_latest"}})
    assert metadata["decided"] == 1 and metadata["sanitiser_misses"] == 1 and metadata["sanitiser_misses_latest_week"] == 1
    assert f"| {WEEK} | 1 |" in metadata["sanitiser_misses_by_week"]
    # Two cases reviewed twice, one agreement: kappa p_o = 1/2, p_e = (2 * 1) / 4 = 1/2 -> 0.
    assert metadata["agreement_cases_latest"] == 2
    assert metadata["agreement_kappa_latest"] == pytest.approx(0.0)
    # Units [a, a], [a, d]: coincidences a-a 2, a-d 1, d-a 1 -> n_a = 3, n_d = 1, n = 4; alpha = 1 - 3 * 2 / (2 * 3 * 1) = 0.
    assert metadata["agreement_alpha_latest"] == pytest.approx(0.0)
    assert "Krippendorff" in metadata["agreement_by_week"]
    text = json.dumps({k: str(v) for k, v in metadata.items()})
    assert "A reference answer" not in text and "PERSON" not in text  # counts only, never case text

    checks = check_results(result)
    assert checks["labelled_cases_no_pii_flagged"].passed and checks["labelled_cases_complete_decisions"].passed
    warning = checks["review_found_no_sanitiser_misses"]
    assert not warning.passed and warning.severity.value == "WARN"
    # The warning does not block: the eval set is built, with the imported tags and notes in labelled_cases.
    assert "eval_set" in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    row = db.fetch_all(sa.select(labelled_cases).where(labelled_cases.c.case_id == ids[2]))[0]
    assert (row["tags"], row["rubric_notes"]) == ("billing", "Mentions the refund.")


def test_a_pii_flagged_case_in_labelled_cases_blocks_the_eval_set(review_env, db, dagster_instance, code_location, monkeypatch):
    import logmine_dagster.defs.review.assets as review_assets

    ids = seed_reviews(db, review_env)

    def build_then_leak(database):
        """Simulates a bug that lets a flagged case through."""
        rows = build_labelled_cases(database)
        leaked = dict(rows[0], case_id=ids[3])
        with database.transaction() as conn:
            conn.execute(labelled_cases.insert().values(**leaked))
        return rows + [leaked]

    monkeypatch.setattr(review_assets, "build_labelled_cases", build_then_leak)
    result = code_location.resolve_job_def("eval_set_job").execute_in_process(instance=dagster_instance, raise_on_error=False)
    check = check_results(result)["labelled_cases_no_pii_flagged"]
    assert not check.passed and check.metadata["pii_flagged_labelled_cases"].value == 1
    assert "eval_set" not in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
