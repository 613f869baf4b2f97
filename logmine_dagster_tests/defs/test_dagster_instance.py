"""The repository's dagster.yaml: Dagster's own storage in PostgreSQL through dagster-postgres."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from logmine_dagster_tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_SKIP_REASON, _postgres_database

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason=POSTGRES_SKIP_REASON)
def test_top_level_dagster_yaml_stores_runs_in_postgres(tmp_path, monkeypatch, code_location):
    import dagster as dg

    url, drop = _postgres_database()
    try:
        parsed = urlparse(url)
        monkeypatch.setenv("DAGSTER_PG_USERNAME", parsed.username or "postgres")
        monkeypatch.setenv("DAGSTER_PG_PASSWORD", parsed.password or "")
        monkeypatch.setenv("DAGSTER_PG_HOST", parsed.hostname)
        monkeypatch.setenv("DAGSTER_PG_PORT", str(parsed.port))
        monkeypatch.setenv("DAGSTER_PG_DB", parsed.path.lstrip("/"))
        monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("LOGMINE_LOG_ROOT", str(tmp_path / "logs"))
        monkeypatch.setenv("LOGMINE_HASH_KEY", "pg-instance-hash-key-0123456789")
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            result = code_location.resolve_job_def("retention_job").execute_in_process(instance=instance)
            assert result.success
            stored = instance.get_run_by_id(result.run_id)
            assert stored is not None and stored.is_success
            key = dg.AssetCheckKey(dg.AssetKey("raw_log_retention"), "raw_logs_within_retention")
            checks = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])
            # Stored in PostgreSQL, and passed (not merely ran).
            assert checks[key].run_id == result.run_id and checks[key].status.value == "SUCCEEDED"
            assert checks[key].evaluation is not None and checks[key].evaluation.passed
        finally:
            instance.dispose()
    finally:
        drop()
