"""Every export format re-reads its cases with the residual-PII gate: a value planted in any text of a
case (a message, a tool result's key, the expected output, the notes, the tags) refuses the export with
the case id and kind, and no file is written; the clean cases export as before."""

from __future__ import annotations

import copy

import pytest

from logmine_dagster.evalset.exports import FORMATS, export
from logmine_dagster.sanitise.export_gate import ExportRefused
from logmine_dagster_tests.evalset.test_evalset_exports import _cases

EMAIL = "lavinia.threlkeld@example.org"
CARD = "4111 1111 1111 1111"
# Where the planted value goes in a case, and what the gate reports.
PLANTS = {
    "message": (lambda case, v: case["input"][-1].update(content=f"mail me at {v}"), EMAIL, "EMAIL_ADDRESS@input"),
    "tool_result_key": (lambda case, v: case["input"].append({"role": "tool", "tool_call_id": "c", "content": f'{{"{v}": "on file"}}'}), EMAIL, "EMAIL_ADDRESS@input"),
    "expected_output": (lambda case, v: case.update(expected_output=f"Card {v} is blocked."), CARD, "CREDIT_CARD@expected_output"),
    "rubric_notes": (lambda case, v: case["metadata"].update(rubric_notes=f"Customer is Dr. Threlkeld, {v}"), EMAIL, "EMAIL_ADDRESS@metadata.rubric_notes"),
    "tags": (lambda case, v: case["metadata"].update(tags=["router", v]), EMAIL, "EMAIL_ADDRESS@metadata.tags"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("position", sorted(PLANTS))
def test_a_planted_value_never_reaches_an_export_file(tmp_path, fmt, position):
    plant, value, kind = PLANTS[position]
    cases = copy.deepcopy(_cases())
    plant(cases[0], value)
    out = tmp_path / "export.out"
    with pytest.raises(ExportRefused) as refused:
        export(cases, fmt, out)
    message = str(refused.value)
    assert kind in message and cases[0]["id"] in message and value not in message
    assert not list(tmp_path.iterdir())


def test_clean_cases_still_export(tmp_path):
    assert export(_cases(), "openai-evals", tmp_path / "samples.jsonl") == [tmp_path / "samples.jsonl"]


def test_a_pseudonym_in_the_planners_columns_is_not_read_as_a_card_number():
    """A case id (keyed hash) once held a 13-digit run the card recogniser accepts; as the uncovered
    cluster named in a batch row's `why` it refused a simulation's batch export."""
    from logmine_dagster.sanitise.export_gate import check_rows_for_export

    cluster = "c_f35cb6b4532444419657dbe8"
    row = {"case_id": "c_000000000000000000000001", "why": f"drift; uncovered failure cluster 2026-11-09/{cluster}",
           "duplicate_ids": f'["{cluster}"]', "output": "Your plan renews next month."}
    check_rows_for_export([row])  # nothing refused
    with pytest.raises(ExportRefused, match="CREDIT_CARD@why"):
        check_rows_for_export([{**row, "why": "drift; 4111 1111 1111 1111"}])
