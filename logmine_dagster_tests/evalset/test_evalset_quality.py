"""The eval set's Great Expectations suite: a clean set passes, each planted defect fails it."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from logmine_dagster.evalset.quality import cases_frame, run_quality_suite


def _case(number: int, category: str = "happy_path") -> dict:
    return {
        "id": f"case_{number:04d}",
        "category": category,
        "input": [{"role": "system", "content": "You are the support assistant."}, {"role": "user", "content": f"Question number {number}?"}],
        "expected_output": f"Answer number {number}.",
        "metadata": {"added_week": "2026-03-02", "source_day": "2026-03-03", "reasons": ["sample"], "reviewer": "ana", "labelled_at": "2026-03-09T10:00:00+00:00"},
    }


@pytest.fixture(scope="module")
def clean_cases() -> list[dict]:
    categories = ["happy_path", "edge_case", "adversarial", "drift"]
    return [_case(n, categories[n % 4]) for n in range(12)]


def _failed(result, expectation: str, column: str) -> bool:
    return result.stats["expectations"][f"{expectation}({column})"] is False


def test_a_clean_eval_set_passes(clean_cases):
    result = run_quality_suite(cases_frame(clean_cases))
    assert result.passed, result.failures
    assert result.failures == []
    assert result.stats["cases"] == 12
    assert result.stats["evaluated_expectations"] == result.stats["successful_expectations"] == 10
    assert result.stats["success_percent"] == 100.0


def test_a_planted_duplicate_id_fails_it(clean_cases):
    cases = copy.deepcopy(clean_cases)
    cases[5]["id"] = cases[2]["id"]
    result = run_quality_suite(cases_frame(cases))
    assert not result.passed
    assert _failed(result, "expect_column_values_to_be_unique", "id")
    assert result.stats["duplicate_id_cases"] == [cases[2]["id"]]
    assert any(f.startswith("expect_column_values_to_be_unique(id): 2 unexpected") for f in result.failures)


def test_a_planted_duplicate_input_fails_it(clean_cases):
    cases = copy.deepcopy(clean_cases)
    cases[7]["input"] = copy.deepcopy(cases[3]["input"])
    result = run_quality_suite(cases_frame(cases))
    assert not result.passed
    assert _failed(result, "expect_column_values_to_be_unique", "input_text")
    assert result.stats["duplicate_input_cases"] == sorted([cases[3]["id"], cases[7]["id"]])
    # Failures and stats name expectations and case ids, never the case text.
    assert "Question number" not in repr(result)


@pytest.mark.parametrize("empty", ["", "   \n", None])
def test_an_empty_expected_output_fails_it(clean_cases, empty):
    cases = copy.deepcopy(clean_cases)
    cases[4]["expected_output"] = empty
    result = run_quality_suite(cases_frame(cases))
    assert not result.passed
    assert result.stats["empty_expected_output_cases"] == [cases[4]["id"]]
    column_failures = [name for name, ok in result.stats["expectations"].items() if not ok]
    assert column_failures and all(name.endswith("(expected_output)") for name in column_failures)


def test_an_unknown_category_an_empty_input_and_an_overlong_output_fail_it(clean_cases):
    cases = copy.deepcopy(clean_cases)
    cases[0]["category"] = "misc"
    cases[1]["input"] = []
    cases[2]["expected_output"] = "x" * 50
    result = run_quality_suite(cases_frame(cases), max_expected_chars=40)
    assert not result.passed
    assert _failed(result, "expect_column_values_to_be_in_set", "category")
    assert _failed(result, "expect_column_values_to_match_regex", "input_text")
    assert _failed(result, "expect_column_value_lengths_to_be_between", "expected_output")
    assert result.stats["empty_input_cases"] == [cases[1]["id"]]


def test_the_suite_takes_rows_of_the_eval_cases_table_too(clean_cases):
    # input as stored in eval_cases.input_json (a JSON string): equal chats still count as duplicates.
    frame = pd.DataFrame(
        {
            "id": [c["id"] for c in clean_cases[:3]],
            "category": [c["category"] for c in clean_cases[:3]],
            "input": ['[{"role": "user", "content": "hi"}]', '[{"content": "hi", "role": "user"}]', '[{"role": "user", "content": "bye"}]'],
            "expected_output": ["a", "b", "c"],
        }
    )
    result = run_quality_suite(frame)
    assert not result.passed
    assert result.stats["duplicate_input_cases"] == [clean_cases[0]["id"], clean_cases[1]["id"]]
    with pytest.raises(ValueError, match="lacks column"):
        run_quality_suite(frame.drop(columns=["expected_output"]))


def test_the_result_renders_for_check_metadata(clean_cases):
    cases = copy.deepcopy(clean_cases)
    cases[5]["id"] = cases[2]["id"]
    result = run_quality_suite(cases_frame(cases))
    assert "| `expect_column_values_to_be_unique(id)` | **fail** |" in result.markdown()
    numbers = result.numbers()
    assert numbers["duplicate_id_cases"] == 1 and numbers["unsuccessful_expectations"] == 1
    assert all(type(v) in (int, float) for v in numbers.values())
    assert result.case_ids()["duplicate_id_cases"] == [cases[2]["id"]]


# ---------------------------------------------------------------- versions monotonic


def _releases(*rows):
    import datetime as dt

    from logmine_dagster.evalset.quality import releases_frame

    t0 = dt.datetime(2026, 3, 9, 5, 0, tzinfo=dt.timezone.utc)
    return releases_frame([{"version": v, "seq": seq, "created_at": t0 + dt.timedelta(days=day)} for v, seq, day in rows])


def test_monotonic_releases_pass(clean_cases):
    result = run_quality_suite(cases_frame(clean_cases), releases=_releases(("2026-W11-aaaa", 1, 0), ("2026-W12-bbbb", 2, 7), ("2026-W12-cccc", 3, 7)))
    assert result.passed, result.failures
    assert result.stats["evaluated_expectations"] == 12 and result.stats["releases_checked"] == 3
    assert result.stats["expectations"]["expect_column_values_to_be_increasing(releases.seq)"] is True
    assert result.numbers()["out_of_order_releases"] == 0
    # No release yet is fine too.
    assert run_quality_suite(cases_frame(clean_cases), releases=_releases()).passed


def test_a_release_published_out_of_order_fails_it(clean_cases):
    # seq 3 was created before seq 2: publication order and sequence disagree.
    result = run_quality_suite(cases_frame(clean_cases), releases=_releases(("v1", 1, 0), ("v2", 2, 14), ("v3", 3, 7)))
    assert not result.passed
    assert _failed(result, "expect_column_values_to_be_increasing", "releases.seq")
    assert result.case_ids()["out_of_order_releases"] == ["v2"]


def test_a_repeated_version_or_sequence_number_fails_it(clean_cases):
    repeated = run_quality_suite(cases_frame(clean_cases), releases=_releases(("v1", 1, 0), ("v1", 2, 7)))
    assert not repeated.passed and _failed(repeated, "expect_column_values_to_be_unique", "releases.version")
    same_seq = run_quality_suite(cases_frame(clean_cases), releases=_releases(("v1", 1, 0), ("v2", 1, 7)))
    assert not same_seq.passed and _failed(same_seq, "expect_column_values_to_be_increasing", "releases.seq")


# ---------------------------------------------------------------- the Dagster asset check itself


@pytest.fixture
def checked_db(db, tmp_path):
    """Three labelled cases built into eval_cases by the real stage; returns (db, check runner)."""
    import datetime as dt
    import json

    from logmine_dagster.defs.evalset.checks import eval_set_quality
    from logmine_dagster.defs.resources import LogmineDatabase
    from logmine_dagster.evalset.build import build_eval_set
    from logmine_dagster.storage.schema import labelled_cases

    decided = dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.timezone.utc)
    with db.transaction() as conn:
        for number in range(3):
            conn.execute(
                labelled_cases.insert().values(
                    case_id=f"c{number}", week="2026-03-02", day="2026-03-03", category="happy_path", reasons="base_rate", decision="accept",
                    input_json=json.dumps([{"role": "user", "content": f"question {number}"}]), expected_output=f"answer {number}",
                    reviewer="ana", decided_at=decided,
                )
            )
    build_eval_set(db, tmp_path / "eval_set.jsonl")
    return db, lambda: eval_set_quality(database=LogmineDatabase(url=db.url))


def test_the_asset_check_passes_a_clean_set_and_shows_its_results(checked_db):
    _, run_check = checked_db
    result = run_check()
    assert result.passed and result.metadata["unsuccessful_expectations"].value == 0
    assert "expect_column_values_to_be_increasing" in result.metadata["expectations"].value


def test_the_asset_check_fails_on_a_planted_duplicate(checked_db):
    import sqlalchemy as sa

    from logmine_dagster.storage.schema import eval_cases

    db, run_check = checked_db
    # eval_cases' primary key rules out a duplicate id in the table: plant a duplicate input.
    with db.transaction() as conn:
        first = conn.execute(sa.select(eval_cases.c.input_json).where(eval_cases.c.case_id == "c0")).scalar_one()
        conn.execute(eval_cases.update().where(eval_cases.c.case_id == "c1").values(input_json=first))
    result = run_check()
    assert not result.passed and result.metadata["duplicate_input_cases"].value == 2
    assert result.metadata["case_ids"].value["duplicate_input_cases"] == ["c0", "c1"]


def test_the_asset_check_fails_on_an_empty_expected_output(checked_db):
    from logmine_dagster.storage.schema import eval_cases

    db, run_check = checked_db
    with db.transaction() as conn:
        conn.execute(eval_cases.update().where(eval_cases.c.case_id == "c2").values(expected_output=" \n "))
    result = run_check()
    assert not result.passed and result.metadata["empty_expected_output_cases"].value == 1
    assert "question" not in repr(result.metadata) and "answer" not in repr(result.metadata)  # ids and counts, never text


def test_the_asset_check_fails_on_releases_out_of_order(checked_db):
    import datetime as dt

    from logmine_dagster.evalset.build import publish_release
    from logmine_dagster.storage.schema import eval_set_releases

    db, run_check = checked_db
    t0 = dt.datetime(2026, 3, 9, 5, 0, tzinfo=dt.timezone.utc)
    first = publish_release(db, "2026-W11", now=t0)
    assert first.published and run_check().passed
    # A second release stamped before the first (a clock gone back, or a hand-edited table).
    with db.transaction() as conn:
        conn.execute(
            eval_set_releases.insert().values(
                version="2026-W10-deadbeef", seq=2, week="2026-W10", created_at=t0 - dt.timedelta(days=7), content_hash="d" * 64,
                case_count=0, added=0, changed=0, removed=0, by_category_json="{}", quality_json="{}", code_version="test",
            )
        )
    result = run_check()
    assert not result.passed and result.metadata["out_of_order_releases"].value == 1
