"""The canonical log record: one LLM call per JSON line.

`parse_record` validates a decoded JSON value and returns a normalised dict or raises
`RecordError` whose message names the problem but never quotes the record's text (it may hold PII).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from logmine_dagster.core.errors import LogmineError
from logmine_dagster.core.json_input import nested_deeper_than

STATUSES = ("ok", "error")
FEEDBACK_VALUES = ("up", "down", None)
ROLES = ("system", "user", "assistant", "tool", "developer", "function")
REQUIRED_FIELDS = ("request_id", "timestamp", "input", "status")
# How deep a record's objects and lists may nest. Real records nest a few levels; past this a record
# could not be stored (orjson writes at most 255 levels) nor walked by recursive code (Python's
# ~1,000 frames), so it is refused here rather than failing the whole day later.
MAX_NESTING = 100


class RecordError(LogmineError, ValueError):
    """The record does not match the canonical format. The message is safe to log: no record text."""


def _parse_timestamp(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise RecordError("timestamp is not a string")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RecordError("timestamp is not ISO 8601") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def _check_messages(messages: Any) -> list[dict]:
    if not isinstance(messages, list) or not messages:
        raise RecordError("input is not a non-empty list of messages")
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise RecordError(f"input[{index}] is not an object")
        role = message.get("role")
        if role not in ROLES:
            raise RecordError(f"input[{index}].role is missing or unknown")
        content = message.get("content")
        if content is not None and not isinstance(content, (str, list, dict)):
            raise RecordError(f"input[{index}].content has an unsupported type")
        tool_calls = message.get("tool_calls")
        if tool_calls is not None and not isinstance(tool_calls, list):
            raise RecordError(f"input[{index}].tool_calls is not a list")
    return messages


def parse_record(value: Any, brackets: int | None = None) -> dict:
    """Validate one decoded JSON line and return the normalised canonical record. `brackets`: how
    many `{` and `[` the line holds, when the caller counted them (a C scan): a record cannot nest
    deeper than that, so under MAX_NESTING it is not walked level by level."""
    if not isinstance(value, dict):
        raise RecordError("line is not a JSON object")
    missing = [name for name in REQUIRED_FIELDS if value.get(name) in (None, "")]
    if missing:
        raise RecordError("missing required field(s): " + ", ".join(missing))
    if (brackets is None or brackets > MAX_NESTING) and nested_deeper_than(value, MAX_NESTING):
        raise RecordError(f"record nested deeper than {MAX_NESTING} levels")
    request_id = value["request_id"]
    if not isinstance(request_id, str):
        raise RecordError("request_id is not a string")
    timestamp = _parse_timestamp(value["timestamp"])
    messages = _check_messages(value["input"])
    status = value["status"]
    if status not in STATUSES:
        raise RecordError("status must be 'ok' or 'error'")
    output = value.get("output")
    if output is not None and not isinstance(output, str):
        raise RecordError("output is not a string")
    confidence = value.get("confidence")
    if confidence is not None:
        if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
            raise RecordError("confidence must be a number between 0 and 1")
        confidence = float(confidence)
    latency = value.get("latency_ms")
    if latency is not None and (isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0):
        raise RecordError("latency_ms must be a non-negative number")
    escalated = value.get("escalated", False)
    if escalated is None:
        escalated = False
    if not isinstance(escalated, bool):
        raise RecordError("escalated must be true or false")
    feedback = value.get("feedback")
    if feedback not in FEEDBACK_VALUES:
        raise RecordError("feedback must be 'up', 'down' or null")
    metadata = value.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise RecordError("metadata is not an object")
    for name in ("session_id", "user_id", "model", "error_type"):
        if value.get(name) is not None and not isinstance(value[name], str):
            raise RecordError(f"{name} is not a string")
    return {
        "request_id": request_id,
        "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
        "session_id": value.get("session_id"),
        "user_id": value.get("user_id"),
        "model": value.get("model"),
        "input": messages,
        "output": output,
        "status": status,
        "error_type": value.get("error_type"),
        "latency_ms": latency,
        "confidence": confidence,
        "escalated": escalated,
        "feedback": feedback,
        "metadata": metadata,
    }


class OutsidePartition(RecordError):
    """The record's timestamp falls on another day than its dt= folder."""


def check_sampling_fields(value: Any, day: str) -> None:
    """Validate what the sampler reads from every record (required fields, the signal fields, the
    day) without building the canonical record; raises RecordError. The full `parse_record` runs on
    the sampled records only, so a record that is not sampled is not checked message by message."""
    if not isinstance(value, dict):
        raise RecordError("line is not a JSON object")
    missing = [name for name in REQUIRED_FIELDS if value.get(name) in (None, "")]
    if missing:
        raise RecordError("missing required field(s): " + ", ".join(missing))
    if not isinstance(value["request_id"], str):
        raise RecordError("request_id is not a string")
    if not isinstance(value["input"], list) or not value["input"]:
        raise RecordError("input is not a non-empty list of messages")
    if value["status"] not in STATUSES:
        raise RecordError("status must be 'ok' or 'error'")
    confidence = value.get("confidence")
    if confidence is not None and (
        isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1
    ):
        raise RecordError("confidence must be a number between 0 and 1")
    if value.get("escalated") is not None and not isinstance(value["escalated"], bool):
        raise RecordError("escalated must be true or false")
    if value.get("feedback") not in FEEDBACK_VALUES:
        raise RecordError("feedback must be 'up', 'down' or null")
    for name in ("user_id",):
        if value.get(name) is not None and not isinstance(value[name], str):
            raise RecordError(f"{name} is not a string")
    if _parse_timestamp(value["timestamp"]).date().isoformat() != day:
        raise OutsidePartition("timestamp outside its dt= partition")


def user_text(record: dict) -> str:
    """All user-authored text of a record, joined: what categorising and de-duplication look at."""
    parts = []
    for message in record.get("input") or []:
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return "\n".join(parts)


def last_user_text(record: dict) -> str:
    for message in reversed(record.get("input") or []):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return message["content"]
    return ""
