"""The eval set's data-quality suite, with Great Expectations 1.x called directly.

dagster-ge needs GX < 1 and pandas < 3, so an asset check calls `run_quality_suite` itself. GX is
imported inside the function (the import takes seconds). Expectations (issue 7, item 6):

- case ids unique and present
- input and expected output non-empty (whitespace only counts as empty)
- category in the allowed set
- input and expected output lengths within bounds
- no two cases with the same input
- versions monotonic (when given the releases, `releases_frame`): version ids unique, and ordered
  by publication time the release sequence numbers strictly increase (a release never appears
  before its parent, and no two releases share a number)

Results hold counts, expectation names and pseudonymous case ids only, never case text, so they can
go into Dagster metadata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from logmine_dagster.curation.categorise import CATEGORIES
from logmine_dagster.evalset.releases import list_releases

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
        values["releases_checked"] = int(self.stats.get("releases_checked") or 0)
        values["out_of_order_releases"] = len(self.stats.get("out_of_order_releases") or [])
        return values

    def case_ids(self, limit: int = 50) -> dict[str, list[str]]:
        """Pseudonymous ids of the offending cases per problem (never case text)."""
        keys = ("duplicate_id_cases", "duplicate_input_cases", "empty_input_cases", "empty_expected_output_cases", "out_of_order_releases")
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


def releases_frame(releases: list[dict]) -> pd.DataFrame:
    """Releases (rows of eval_set_releases: version, seq, created_at) ordered by publication time.

    Ties in time keep sequence order, so only a real inversion fails the increasing-seq expectation."""
    created = pd.to_datetime(pd.Series([r.get("created_at") for r in releases], dtype="object"), utc=True)
    frame = pd.DataFrame(
        {
            "version": pd.Series([str(r.get("version")) for r in releases], dtype="str"),
            "seq": pd.Series([int(r.get("seq")) for r in releases], dtype="int64"),
            "created_at": pd.Series([t.timestamp() for t in created], dtype="float64"),
        }
    )
    return frame.sort_values(["created_at", "seq"], kind="stable").reset_index(drop=True)


def load_releases_frame(db) -> pd.DataFrame:
    return releases_frame(list_releases(db))


def _out_of_order(frame: pd.DataFrame) -> list[str]:
    """Versions whose seq is not above every earlier-published release's, or whose id repeats."""
    out, highest = [], None
    for version, seq in zip(frame["version"], frame["seq"]):
        if highest is not None and seq <= highest:
            out.append(str(version))
        highest = seq if highest is None else max(highest, seq)
    out += [str(v) for v in frame.loc[frame["version"].duplicated(keep="first"), "version"]]
    return sorted(set(out))


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


def _release_expectations(gx) -> list:
    E = gx.expectations
    return [
        E.ExpectColumnValuesToBeUnique(column="version"),
        E.ExpectColumnValuesToBeIncreasing(column="seq", strictly=True),
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


def _validate(gx, context, name: str, frame: pd.DataFrame, expectations: list):
    batch_definition = context.data_sources.add_pandas(f"logmine_{name}").add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for expectation in expectations:
        suite.add_expectation(expectation)
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch_definition, suite=suite))
    return validation.run(batch_parameters={"dataframe": frame}, result_format="BASIC")


def run_quality_suite(
    df: pd.DataFrame,
    *,
    releases: pd.DataFrame | None = None,
    max_input_chars: int = MAX_INPUT_CHARS,
    max_expected_chars: int = MAX_EXPECTED_CHARS,
    categories=CATEGORIES,
) -> QualityResult:
    """Validate the eval cases in `df` (columns id, category, input or input_text, expected_output)
    and, when given, the published releases (`releases_frame`: version, seq, created_at)."""
    import great_expectations as gx

    frame = _prepare(df)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # No progress bars: they would go to the run's stderr on every check.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    runs = [("", frame, _validate(gx, context, "eval_set_quality", frame, _expectations(gx, max_input_chars, max_expected_chars, categories)))]
    if releases is not None:
        runs.append(("releases.", releases, _validate(gx, context, "eval_set_releases", releases, _release_expectations(gx))))

    failures: list[str] = []
    per_expectation: dict[str, bool] = {}
    totals = {"evaluated_expectations": 0, "successful_expectations": 0, "unsuccessful_expectations": 0}
    for prefix, checked, result in runs:
        statistics = result.statistics or {}
        for key in totals:
            totals[key] += int(statistics.get(key) or 0)
        for outcome in result.results:
            config = outcome.expectation_config
            column = config.kwargs.get("column")
            name = f"{config.type}({prefix}{column})"
            per_expectation[name] = bool(outcome.success)
            if outcome.success:
                continue
            details = outcome.result or {}
            unexpected = details.get("unexpected_count")
            message = name + (
                f": {int(unexpected)} unexpected of {int(details.get('element_count') or len(checked))}" if unexpected is not None else ": failed"
            )
            if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                message = f"{name}: raised {outcome.exception_info.get('exception_message')}"
            failures.append(message)
    passed = all(bool(result.success) for _, _, result in runs)

    evaluated = totals["evaluated_expectations"]
    stats = {
        "cases": int(len(frame)),
        **totals,
        "success_percent": float(100.0 * totals["successful_expectations"] / evaluated) if evaluated else 100.0,
        "expectations": per_expectation,
        "releases_checked": int(len(releases)) if releases is not None else 0,
        "out_of_order_releases": _out_of_order(releases) if releases is not None else [],
        "duplicate_id_cases": _duplicate_ids(frame, "id"),
        "duplicate_input_cases": _duplicate_ids(frame, "input_text"),
        "empty_input_cases": _blank_ids(frame, "input_text"),
        "empty_expected_output_cases": _blank_ids(frame, "expected_output"),
    }
    return QualityResult(passed=passed, failures=failures, stats=stats)
