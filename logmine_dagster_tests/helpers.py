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


# Dagster 1.13 shows a markdown entry inline on the asset page only under 1,000 characters, and about
# 150 characters of table text fit a 1280 px window beside the asset page's sidebar.
INLINE_MARKDOWN_CHARS = 1000
MAX_MARKDOWN_LINE = 150

# The numbers each asset plots in the UI (one chart per numeric entry); the rest are short tables and JSON.
PLOTTED = {
    "sampled_logs": {"files", "records_scanned", "records_sampled", "records_excluded", "lines_quarantined", "bad_fraction"},
    "sanitised_samples": {"records_read", "records_written", "records_quarantined", "entities_masked", "fields_dropped", "shards"},
    "categorised_candidates": {
        "samples_read", "candidates", "duplicates_dropped",
        "category_adversarial", "category_drift", "category_edge_case", "category_happy_path",
    },
    "review_batch": {
        "candidates_in_week", "excluded_already_queued_or_decided", "kept_decided", "queued", "queued_from_uncovered_failures",
        "queued_adversarial", "queued_drift", "queued_edge_case", "queued_happy_path",
    },
    # Plus agreement_cases_latest / _kappa_latest / _alpha_latest once a case has two reviews.
    "labelled_cases": {"decided", "accepted", "discarded", "reviewers", "sanitiser_misses", "sanitiser_misses_latest_week"},
    "eval_set": {
        "cases", "cases_adversarial", "cases_drift", "cases_edge_case", "cases_happy_path", "cases_synthetic",
        "acceptance_rate_overall", "latest_week_added", "release_added",
    },
    "eval_set_exports": {"cases"},
    "eval_coverage": {"failures", "failure_clusters", "uncovered_clusters", "covered_share"},
    "raw_log_retention": {"retention_days", "log_partitions_deleted", "raw_sample_rows_deleted"},
}


def assert_metadata_reads_at_a_glance(result, extra: dict[str, set[str]] | None = None) -> None:
    """Each materialised asset plots exactly the numeric entries PLOTTED (plus `extra`) names (the UI draws
    a chart per numeric entry), and every markdown entry shows inline and fits the window."""
    import dagster as dg

    events = result.get_asset_materialization_events()
    assert events
    for event in events:
        name = event.asset_key.to_user_string()
        metadata = event.step_materialization_data.materialization.metadata
        numeric = {k for k, v in metadata.items() if isinstance(v, (dg.IntMetadataValue, dg.FloatMetadataValue))}
        expected = PLOTTED[name] | (extra or {}).get(name, set())
        assert numeric == expected, (name, numeric ^ expected)
        for key, value in metadata.items():
            if isinstance(value, dg.MarkdownMetadataValue):
                assert len(value.value) < INLINE_MARKDOWN_CHARS, (name, key, len(value.value))
                # An image line is as wide as its picture (the sparklines are 260 px), not its data URI.
                widest = max((len(line) for line in value.value.splitlines() if not line.startswith("![")), default=0)
                assert widest <= MAX_MARKDOWN_LINE, (name, key, widest)


def alembic_config(conn):
    """Alembic's config for running the project's migrations on an open connection (tests move a database
    down to an old revision and back up)."""
    from alembic.config import Config

    from logmine_dagster.storage.database import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config

