"""Every export re-reads what it is about to write with the residual-PII gate.

The cases were sanitised when they entered the PII-free tier, and reviewer-entered text is masked on
entry (`review.entered_text`); this gate is the last look before text leaves the database for a file:
a value that slipped through (a row written by an older version, a field a later change forgot) stops
the export here instead of reaching an eval tool or a release.

    check_cases_for_export(cases)   # eval cases; raises ExportRefused naming case ids and kinds, never text
    check_rows_for_export(rows)     # rows as stored (a review batch)

Refusing the whole export, not dropping the case: a file that silently lacks cases would be read as
the eval set. The message says which cases to fix (re-review, or flag for PII in the review app).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from logmine_dagster.core.errors import LogmineError
from logmine_dagster.sanitise.residual import scan_record, scan_row

# Ids are keyed pseudonyms and reviewers are account names shown only on request: neither is record text.
_NOT_TEXT = frozenset({"id", "case_id", "reviewer"})
_SHOWN = 10
# The batch planner's own columns name cases by pseudonym (`why` names an uncovered failure cluster by its
# representative's case id; `duplicate_ids` lists ids). A pseudonym's hex can hold a digit run the card
# recogniser accepts (a random hash key made one in a simulation), so ids there are masked before the scan.
_PSEUDONYM = re.compile(r"\b[a-z]_[0-9a-f]{24}\b")
_ID_COLUMNS = frozenset({"why", "duplicate_ids"})


def _scannable(row: Mapping) -> dict:
    return {
        key: _PSEUDONYM.sub("<id>", value) if key in _ID_COLUMNS and isinstance(value, str) else value
        for key, value in row.items()
        if key not in _NOT_TEXT
    }


class ExportRefused(LogmineError, ValueError):
    """An export would have written text the residual gate reads as PII; nothing was written."""


def export_findings(cases: Iterable[Mapping]) -> dict[str, list[str]]:
    """Case id -> 'KIND@field' findings of the gate, for the cases that have any."""
    found: dict[str, list[str]] = {}
    for number, case in enumerate(cases):
        text = {key: value for key, value in case.items() if key not in _NOT_TEXT}
        metadata = text.get("metadata")
        if isinstance(metadata, Mapping):
            text["metadata"] = {key: value for key, value in metadata.items() if key not in _NOT_TEXT}
        findings = scan_record(text)
        if findings:
            case_id = str(case.get("id") or case.get("case_id") or f"#{number}")
            found[case_id] = sorted({f"{finding.kind}@{finding.field}" for finding in findings})
    return found


def row_findings(rows: Iterable[Mapping], id_column: str = "case_id") -> dict[str, list[str]]:
    """The same for rows as stored (sanitised_samples columns, `*_json` read as JSON)."""
    found: dict[str, list[str]] = {}
    for number, row in enumerate(rows):
        findings = scan_row(_scannable(row))
        if findings:
            found[str(row.get(id_column) or f"#{number}")] = sorted({f"{f.kind}@{f.field}" for f in findings})
    return found


def check_cases_for_export(cases: Iterable[Mapping], what: str = "export") -> None:
    """Raise ExportRefused when any case shows PII to the gate."""
    _refuse_if(export_findings(cases), what)


def check_rows_for_export(rows: Iterable[Mapping], what: str = "export") -> None:
    """Raise ExportRefused when any stored row shows PII to the gate."""
    _refuse_if(row_findings(rows), what)


def _refuse_if(found: dict[str, list[str]], what: str) -> None:
    if found:
        listed = "; ".join(f"{case_id[:16]}: {', '.join(kinds)}" for case_id, kinds in list(found.items())[:_SHOWN])
        more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
        raise ExportRefused(
            f"{what} refused, nothing written: the residual-PII gate reads personal data in {len(found)} case(s) "
            f"({listed}{more}); re-review or flag them in the review app"
        )
