"""The eval set's data-quality suite, with Great Expectations 1.x called directly.

dagster-ge needs GX < 1 and pandas < 3, so an asset check calls `run_quality_suite` itself. GX is
imported inside the function (the import takes seconds). Expectations (issue 7, item 6):

- case ids unique and present
- input and expected output non-empty (whitespace only counts as empty)
- category in the allowed set
- input and expected output lengths within bounds
- no two cases with the same input

"Versions monotonic" is not here yet: it needs the versioned-release tables (next session); it will
be one more expectation over the releases table (`version` strictly increasing with `created_at`).

Results hold counts, expectation names and pseudonymous case ids only, never case text, so they can
go into Dagster metadata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from logmine_dagster.categorise import CATEGORIES

MIN_INPUT_CHARS = 1
MAX_INPUT_CHARS = 200_000
MIN_EXPECTED_CHARS = 1
MAX_EXPECTED_CHARS = 20_000
NON_BLANK = r"\S"  # at least one non-whitespace character


@dataclass
class QualityResult:
    passed: bool
    failures: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def markdown(self) -> str:
        """One row per expectation: what the asset check shows in its metadata."""
        lines = ["| expectation | result |", "| --- | --- |"]
        lines += [f"| `{name}` | {'pass' if ok else '**fail**'} |" for name, ok in (self.stats.get("expectations") or {}).items()]
        return "\n".join(lines)

    def numbers(self) -> dict[str, int | float]:
        """Counts under stable keys (plain ints and floats, as Dagster metadata needs)."""
        keys = ("cases", "evaluated_expectations", "successful_expectations", "unsuccessful_expectations", "success_percent")
        values: dict[str, int | float] = {key: self.stats.get(key, 0) for key in keys}
        for key in ("duplicate_id_cases", "duplicate_input_cases", "empty_input_cases", "empty_expected_output_cases"):
            values[key] = len(self.stats.get(key) or [])
        return values

    def case_ids(self, limit: int = 50) -> dict[str, list[str]]:
        """Pseudonymous ids of the offending cases per problem (never case text)."""
        keys = ("duplicate_id_cases", "duplicate_input_cases", "empty_input_cases", "empty_expected_output_cases")
        return {key: list(self.stats.get(key) or [])[:limit] for key in keys}


def cases_frame(cases: list[dict]) -> pd.DataFrame:
    """Eval cases (eval_set.jsonl dicts) as the frame the suite checks."""
    return pd.DataFrame(
        {
            "id": [c.get("id") for c in cases],
            "category": [c.get("category") for c in cases],
            "input": [c.get("input") for c in cases],
            "expected_output": [c.get("expected_output") for c in cases],
        }
    )


def _input_text(value) -> str | None:
    """The input as one canonical string: messages as sorted-key JSON, so equal chats compare equal."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list) and not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    missing = sorted({"id", "category", "expected_output"} - set(df.columns))
    if not ({"input", "input_text"} & set(df.columns)):
        missing.append("input")
    if missing:
        raise ValueError(f"eval cases frame lacks column(s): {', '.join(missing)}")
    inputs = df["input_text"] if "input_text" in df.columns else df["input"].map(_input_text)
    # pandas 3: string columns are dtype `str` (missing values stay missing); GX 1.x handles them
    # (shared NOTES.md, Great Expectations 1.x).
    return pd.DataFrame(
        {
            "id": df["id"].astype("str"),
            "category": df["category"].astype("str"),
            "input_text": inputs.astype("str"),
            "expected_output": df["expected_output"].astype("str"),
        }
    )


def _expectations(gx, max_input_chars: int, max_expected_chars: int, categories) -> list:
    E = gx.expectations
    return [
        E.ExpectColumnValuesToNotBeNull(column="id"),
        E.ExpectColumnValuesToBeUnique(column="id"),
        E.ExpectColumnValuesToNotBeNull(column="input_text"),
        E.ExpectColumnValuesToMatchRegex(column="input_text", regex=NON_BLANK),
        E.ExpectColumnValueLengthsToBeBetween(column="input_text", min_value=MIN_INPUT_CHARS, max_value=max_input_chars),
        E.ExpectColumnValuesToBeUnique(column="input_text"),
        E.ExpectColumnValuesToNotBeNull(column="expected_output"),
        E.ExpectColumnValuesToMatchRegex(column="expected_output", regex=NON_BLANK),
        E.ExpectColumnValueLengthsToBeBetween(column="expected_output", min_value=MIN_EXPECTED_CHARS, max_value=max_expected_chars),
        E.ExpectColumnValuesToBeInSet(column="category", value_set=list(categories)),
    ]


def _duplicate_ids(frame: pd.DataFrame, column: str) -> list[str]:
    """Case ids of the rows sharing a value of `column` with another row (ids only: no text)."""
    values = frame[column]
    dup = values.notna() & values.duplicated(keep=False)
    return sorted({str(i) for i in frame.loc[dup, "id"]})


def _blank_ids(frame: pd.DataFrame, column: str) -> list[str]:
    values = frame[column]
    blank = values.isna() | (values.fillna("").str.strip() == "")
    return sorted({str(i) for i in frame.loc[blank, "id"]})


def run_quality_suite(
    df: pd.DataFrame,
    *,
    max_input_chars: int = MAX_INPUT_CHARS,
    max_expected_chars: int = MAX_EXPECTED_CHARS,
    categories=CATEGORIES,
) -> QualityResult:
    """Validate the eval cases in `df` (columns id, category, input or input_text, expected_output)."""
    import great_expectations as gx

    frame = _prepare(df)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # No progress bars: they would go to the run's stderr on every check.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas("logmine_eval_set")
        .add_dataframe_asset("eval_cases")
        .add_batch_definition_whole_dataframe("all_cases")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="eval_set_quality"))
    for expectation in _expectations(gx, max_input_chars, max_expected_chars, categories):
        suite.add_expectation(expectation)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="eval_set_quality", data=batch_definition, suite=suite)
    )
    result = validation.run(batch_parameters={"dataframe": frame}, result_format="BASIC")

    failures: list[str] = []
    per_expectation: dict[str, bool] = {}
    for outcome in result.results:
        config = outcome.expectation_config
        column = config.kwargs.get("column")
        name = f"{config.type}({column})"
        per_expectation[name] = bool(outcome.success)
        if outcome.success:
            continue
        details = outcome.result or {}
        unexpected = details.get("unexpected_count")
        message = name + (f": {int(unexpected)} unexpected of {int(details.get('element_count') or len(frame))}" if unexpected is not None else ": failed")
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            message = f"{name}: raised {outcome.exception_info.get('exception_message')}"
        failures.append(message)

    statistics = result.statistics or {}
    stats = {
        "cases": int(len(frame)),
        "evaluated_expectations": int(statistics.get("evaluated_expectations") or 0),
        "successful_expectations": int(statistics.get("successful_expectations") or 0),
        "unsuccessful_expectations": int(statistics.get("unsuccessful_expectations") or 0),
        "success_percent": float(statistics.get("success_percent") or 0.0),
        "expectations": per_expectation,
        "duplicate_id_cases": _duplicate_ids(frame, "id"),
        "duplicate_input_cases": _duplicate_ids(frame, "input_text"),
        "empty_input_cases": _blank_ids(frame, "input_text"),
        "empty_expected_output_cases": _blank_ids(frame, "expected_output"),
    }
    return QualityResult(passed=bool(result.success), failures=failures, stats=stats)
