"""The weekly batch as Label Studio tasks, and Label Studio's JSON export back as decisions.

Formats, as documented by Label Studio ("Label Studio JSON format of annotated tasks", the TextArea and
Choices tags): a task is `{"data": {...}, "predictions": [...]}`; the JSON export is a list of tasks,
each with `annotations`, each annotation with `result`, a list of regions
`{"from_name", "to_name", "type", "value"}` where a Choices value is `{"choices": [str]}` and a
TextArea value is `{"text": [str, ...]}`. The controls are those of `label_studio_config.xml`.

Pure functions: no database. `logmine_dagster.review.interchange` stores what comes back, under the same
rules as the app.
"""

from __future__ import annotations

import json
from pathlib import Path
from logmine_dagster.core.errors import LogmineError

CONFIG_PATH = Path(__file__).resolve().parent / "label_studio_config.xml"
# Label Studio's Choice value -> logmine's decision.
DECISION_CHOICES = {"add": "accept", "discard": "discard"}
TEXT_CONTROLS = {"expected_output": "expected_output", "discard_reason": "reason", "rubric_notes": "rubric_notes", "tags": "tags"}
CHOICE_CONTROLS = ("decision", "category_override")
PREDICTION_VERSION = "logmine-model-output"


def label_config() -> str:
    return CONFIG_PATH.read_text(encoding="utf-8")


def conversation_text(messages: list) -> str:
    """The sanitised conversation as plain text, one turn per paragraph, tool calls spelt out."""
    parts = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = str(message.get("role") or "unknown").upper()
        content = message.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("text"))
        if content:
            parts.append(f"{role}: {content}")
        for call in message.get("tool_calls") or []:
            function = (call or {}).get("function") or {}
            parts.append(f"{role} calls {function.get('name', '?')}({function.get('arguments', '')})")
    return "\n\n".join(parts)


def task_for(case: dict) -> dict:
    """One Label Studio task for a queued case (sanitised content only). The model output is offered
    as a prediction of the expected output, so annotators start from it as in the review app."""
    try:
        messages = json.loads(case["input_json"])
    except (TypeError, ValueError):
        messages = []
    output = case.get("output") or ""
    task = {
        "data": {
            "case_id": case["case_id"],
            "week": case["week"],
            "day": case["day"],
            "category": case["category"],
            "reasons": ", ".join(r for r in (case.get("reasons") or "").split(",") if r),
            "model": case.get("model") or "",
            "conversation": conversation_text(messages if isinstance(messages, list) else []),
            "model_output": output,
        }
    }
    if output:
        task["predictions"] = [
            {
                "model_version": PREDICTION_VERSION,
                "result": [
                    {"id": "expected", "from_name": "expected_output", "to_name": "model_output", "type": "textarea", "value": {"text": [output]}}
                ],
            }
        ]
    return task


class FormatError(LogmineError, ValueError):
    """The annotation does not have the shape of Label Studio's export of logmine's config."""


def _annotation_fields(annotation: dict) -> dict:
    """An annotation's regions -> the review form's fields (decision as 'accept'/'discard')."""
    result = annotation.get("result")
    if not isinstance(result, list):
        raise FormatError("annotation has no 'result' list")
    fields: dict[str, str] = {}
    for region in result:
        if not isinstance(region, dict) or not isinstance(region.get("value"), dict):
            raise FormatError("a result region is not an object with a 'value' object")
        name, kind, value = region.get("from_name"), region.get("type"), region["value"]
        if name in CHOICE_CONTROLS:
            choices = value.get("choices")
            if kind != "choices" or not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], str):
                raise FormatError(f"'{name}' must be a single choice (type 'choices', value {{'choices': [one string]}})")
            if name == "decision":
                if choices[0] not in DECISION_CHOICES:
                    raise FormatError(f"unknown decision {choices[0]!r}: choose 'add' or 'discard'")
                fields["decision"] = DECISION_CHOICES[choices[0]]
            else:
                fields["category_override"] = choices[0]
        elif name in TEXT_CONTROLS:
            text = value.get("text")
            if kind != "textarea" or not isinstance(text, list) or not all(isinstance(t, str) for t in text):
                raise FormatError(f"'{name}' must be a text area (type 'textarea', value {{'text': [strings]}})")
            fields[TEXT_CONTROLS[name]] = "\n".join(text)
        # Other controls a team added to its config are not logmine's: ignored.
    return fields


def read_export(data) -> list[tuple[int, dict | None, str | None]]:
    """Label Studio's JSON export -> one (task number, fields or None if unannotated, error) per task.

    `fields` holds case_id, the form fields and `provenance` (Label Studio task, annotation and
    annotator ids: numbers only, never an e-mail address). A task with several annotations is taken
    only if they all chose the same decision; the most recently updated one gives the text.
    """
    if not isinstance(data, list):
        raise FormatError("a Label Studio JSON export is a list of tasks; this file holds something else (use Export > JSON)")
    rows: list[tuple[int, dict | None, str | None]] = []
    for number, task in enumerate(data, start=1):
        if not isinstance(task, dict):
            rows.append((number, None, "task is not a JSON object"))
            continue
        task_data = task.get("data")
        case_id = task_data.get("case_id") if isinstance(task_data, dict) else None
        where = f"task {task.get('id', '?')}"
        if not isinstance(case_id, str) or not case_id:
            if task_data is None and "case_id" in task:
                why = "this looks like Label Studio's JSON-MIN export, which drops who annotated what: export as JSON"
            else:
                why = "data.case_id is missing (was the task exported by logmine?)"
            rows.append((number, None, f"{where}: {why}"))
            continue
        annotations = task.get("annotations")
        if annotations is None:
            annotations = []
        if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
            rows.append((number, None, f"{where}, case {case_id[:12]}: 'annotations' must be a list of objects"))
            continue
        live = [a for a in annotations if not a.get("was_cancelled")]
        if not live:
            rows.append((number, {"case_id": case_id}, None))
            continue
        try:
            parsed = [(a, _annotation_fields(a)) for a in live]
        except FormatError as error:
            rows.append((number, None, f"{where}, case {case_id[:12]}: {error}"))
            continue
        decisions = {fields.get("decision") for _, fields in parsed}
        if None in decisions:
            rows.append((number, None, f"{where}, case {case_id[:12]}: an annotation has no decision: choose add or discard"))
            continue
        if len(decisions) > 1:
            rows.append((number, None, f"{where}, case {case_id[:12]}: annotators disagree ({', '.join(sorted(decisions))}): settle it in Label Studio and export again"))
            continue
        _newest, fields = max(parsed, key=lambda pair: (str(pair[0].get("updated_at") or ""), str(pair[0].get("id") or "")))
        fields = dict(fields, case_id=case_id)
        fields["provenance"] = {
            "label_studio_task": task.get("id"),
            "annotations": [
                {"id": a.get("id"), "completed_by": _annotator_id(a.get("completed_by")), "decision": f.get("decision")} for a, f in parsed
            ],
        }
        rows.append((number, fields, None))
    return rows


def _annotator_id(value):
    """Label Studio writes completed_by as a user id, or an object with the user's id and e-mail: keep the id."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, (int, str)) else None
