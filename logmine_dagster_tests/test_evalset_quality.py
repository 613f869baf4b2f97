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
