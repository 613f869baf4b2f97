"""Small helpers shared by the tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlalchemy as sa

from logmine_dagster.storage.schema import metadata

# Browser tests save screenshots as test artefacts; LOGMINE_UPDATE_SCREENSHOTS=1 writes the README's
# copies under docs/screenshots instead (so an ordinary test run never changes tracked files).
_REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = (
    _REPO / "docs" / "screenshots"
    if os.environ.get("LOGMINE_UPDATE_SCREENSHOTS") == "1"
    else _REPO / ".logmine" / "test-artefacts" / "screenshots"
)

RAW_TABLES = {name for name in metadata.tables if name.startswith("raw_")}


def run_daily(code_location, instance, day: str):
    job = code_location.resolve_job_def("daily_mining_job")
    return job.execute_in_process(partition_key=day, instance=instance, raise_on_error=False)


def materialised_assets(result) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def check_results(result) -> dict[str, object]:
    return {
        event.event_specific_data.check_name: event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def manifest_values(manifest: Path, min_length: int = 5) -> list[str]:
    values = set()
    with open(manifest, encoding="utf-8") as handle:
        for line in handle:
            value = json.loads(line)["value"]
            if len(value) >= min_length:
                values.add(value)
    return sorted(values)


def value_forms(value: str) -> set[str]:
    """How a value may look once stored: as is, lower-cased, and JSON-escaped."""
    return {value, value.lower(), json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def dump_tables(db, include_raw: bool = False) -> str:
    """Every row of every table (PII-free tables only unless asked), as one text."""
    parts = []
    with db.engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name in RAW_TABLES and not include_raw:
                continue
            for row in conn.execute(sa.select(table)).mappings():
                parts.append(json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False))
    return "\n".join(parts)


def leaked_values(values: list[str], text: str) -> list[str]:
    lowered = text.lower()
    return [v for v in values if any(form.lower() in lowered for form in value_forms(v))]


def read_tree_bytes(root: Path) -> str:
    chunks = []
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            chunks.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(chunks)
