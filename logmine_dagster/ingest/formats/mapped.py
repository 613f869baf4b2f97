"""Other JSON logs, mapped to the canonical record by a user-declared field mapping (YAML).

    # mapping.yaml: canonical field -> dotted path in the source line
    request_id: id
    timestamp: created_at
    session_id: conversation.id
    user_id: user.id
    model: llm.model
    input: request.messages
    output: response.text
    status: {path: outcome, map: {success: ok, failure: error}}
    confidence: scores.confidence
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from logmine_dagster.core.config import ConfigError

CANONICAL_FIELDS = (
    "request_id", "timestamp", "session_id", "user_id", "model", "input", "output", "status",
    "error_type", "latency_ms", "confidence", "escalated", "feedback", "metadata",
)


class MappingError(ConfigError):
    """The field mapping file is unusable; one line for the operator."""


def load_mapping(path: Path) -> dict:
    import yaml

    try:
        mapping = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise MappingError(f"cannot read field mapping {path}: {type(error).__name__}") from None
    return validate_mapping(mapping)


def validate_mapping(mapping: Any) -> dict:
    if not isinstance(mapping, dict):
        raise MappingError("a field mapping must be a YAML object of canonical field -> path")
    unknown = sorted(set(mapping) - set(CANONICAL_FIELDS))
    if unknown:
        raise MappingError("unknown canonical field(s) in mapping: " + ", ".join(unknown))
    for required in ("request_id", "timestamp", "input", "status"):
        if required not in mapping:
            raise MappingError(f"the mapping must say where {required} is")
    return mapping


def _lookup(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def map_line(value: dict, mapping: dict) -> dict:
    record: dict[str, Any] = {}
    for field, rule in mapping.items():
        if isinstance(rule, dict):
            found = _lookup(value, rule["path"])
            table = rule.get("map") or {}
            found = table.get(found, table.get(str(found), found))
        else:
            found = _lookup(value, str(rule))
        record[field] = found
    if isinstance(record.get("input"), str):
        record["input"] = [{"role": "user", "content": record["input"]}]
    return record
