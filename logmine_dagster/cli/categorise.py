"""`logmine categorise`: JSON lines on stdin through exactly the pipeline's categoriser.

Input lines are either `{"id", "text"}` (one user message) or canonical log records (with
`request_id` and `input`); output lines are `{"id", "category", "reasons"}`. No drift baseline is
available for a stream, so drift never fires here (as in the pipeline's first days). A bad line
yields `{"id", "error"}` with the line number and never quotes the text (it may hold PII).
"""

from __future__ import annotations

import json
import sys

import click

from logmine_dagster.curation.categorise import categorise as categorise_case
from logmine_dagster.core.config import Settings
from logmine_dagster.core.json_input import loads_bounded
from logmine_dagster.ingest.records import RecordError, parse_record, user_text
from logmine_dagster.ingest.sampling import SamplingPolicy, sample_reasons

_TEXT_ONLY = {"status": "ok", "escalated": False, "feedback": None, "sample_reasons": "", "metadata": {}, "model": None}


def categorise_line(value, policy: SamplingPolicy | None = None) -> dict:
    """One decoded JSON value -> the output object (or raises ValueError with a safe message).

    A record's sampling signals come from the pipeline's own sampler (`policy`, default: the
    LOGMINE_* settings), so `low_confidence` uses the same threshold as the pipeline."""
    if not isinstance(value, dict):
        raise ValueError("line is not a JSON object")
    if "input" in value or "request_id" in value:
        try:
            record = parse_record(value)
        except RecordError as error:
            raise ValueError(f"not a canonical record: {error}") from None
        if policy is None:
            policy = SamplingPolicy(low_confidence_threshold=Settings.from_env().low_confidence_threshold)
        record["sample_reasons"] = ",".join(sample_reasons(record, policy))
        result = categorise_case(record, user_text(record))
        return {"id": record["request_id"], "category": result.category, "reasons": result.reasons}
    text = value.get("text")
    if not isinstance(text, str):
        raise ValueError('expected {"id", "text"} with a string text, or a canonical record')
    result = categorise_case(dict(_TEXT_ONLY), text)
    return {"id": value.get("id"), "category": result.category, "reasons": result.reasons}


@click.command("categorise")
def categorise() -> None:
    """Read JSON lines {"id", "text"} or canonical records on stdin; write {"id", "category", "reasons"} to stdout."""
    failures = 0
    out = sys.stdout
    policy = SamplingPolicy(low_confidence_threshold=Settings.from_env().low_confidence_threshold)
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            failures += 1
            out.write(json.dumps({"id": None, "error": f"line {number}: not valid UTF-8"}) + "\n")
            continue
        if not line.strip():
            continue
        try:
            value = loads_bounded(line)
            result = categorise_line(value, policy)
        except json.JSONDecodeError as error:
            failures += 1
            out.write(json.dumps({"id": None, "error": f"line {number}: malformed JSON ({error.msg})"}) + "\n")
            continue
        except ValueError as error:
            failures += 1
            ident = value.get("id", value.get("request_id")) if isinstance(value, dict) else None
            out.write(json.dumps({"id": ident if isinstance(ident, (str, int)) else None, "error": f"line {number}: {error}"}) + "\n")
            continue
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    if failures:
        click.echo(f"logmine categorise: {failures} line(s) could not be categorised", err=True)
        sys.exit(1)
