"""Shared fixtures. Real parts only: SQLite and PostgreSQL (LOGMINE_TEST_POSTGRES_URL's server, or a throwaway one
this run starts: postgres_server.py), real Presidio with the real spaCy model, real Dagster instances in temporary
folders."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import pytest

from logmine_dagster_tests import postgres_server

# The code location reads its partition start date when it loads (definitions.py): fix it before any test loads it.
os.environ["LOGMINE_START_DATE"] = "2026-01-01"
os.environ.setdefault("LOGMINE_HOME", str(Path(__file__).resolve().parent.parent / ".logmine" / "test-home"))

TEST_HASH_KEY = "test-hash-key-0123456789abcdef"
FIRST_DAY = dt.date(2026, 3, 2)  # a Monday
# Outside pytest (a subprocess importing this module) the parent's exported URL is used; pytest_configure below
# replaces both before any test module is collected, so their skipif conditions see the run's server.
POSTGRES_ADMIN_URL = os.environ.get(postgres_server.ENV) or None
POSTGRES_SKIP_REASON = f"PostgreSQL tests need {postgres_server.ENV}"
_postgres = None


def pytest_configure(config):
    global POSTGRES_ADMIN_URL, POSTGRES_SKIP_REASON, _postgres
    if config.option.help or config.option.version:
        return
    _postgres = postgres_server.server_for_this_run()
    POSTGRES_ADMIN_URL, POSTGRES_SKIP_REASON = _postgres.url, _postgres.skip_reason


def pytest_report_header(config):
    return _postgres.describe() if _postgres else None


def pytest_unconfigure(config):
    if _postgres:
        _postgres.stop()


def _postgres_database():
    import sqlalchemy as sa

    name = f"logmine_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def drop():
        from logmine_dagster.defs.resources import _database

        _database.cache_clear()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty logmine database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'logmine.db'}"
        return
    if not POSTGRES_ADMIN_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    url, drop = _postgres_database()
    yield url
    drop()


@pytest.fixture
def db(database_url):
    from logmine_dagster.storage import Database

    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def generated_logs(tmp_path_factory):
    """Two days of synthetic traffic and the manifest of every PII value planted in it."""
    from logmine_dagster.generator import generate

    base = tmp_path_factory.mktemp("generated")
    summary = generate(base / "logs", FIRST_DAY, 2, 400, 11)
    return base / "logs", Path(summary.manifest)


@pytest.fixture
def log_root(generated_logs, tmp_path):
    """A private copy of the generated logs that a test may change or delete."""
    root = tmp_path / "logs"
    shutil.copytree(generated_logs[0], root)
    return root


@pytest.fixture
def logmine_env(monkeypatch, database_url, log_root, tmp_path):
    """Point the code location's resources at this test's database, logs and home."""
    monkeypatch.setenv("LOGMINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LOGMINE_LOG_ROOT", str(log_root))
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOGMINE_HASH_KEY", TEST_HASH_KEY)
    return {"database_url": database_url, "log_root": log_root, "home": tmp_path / "home"}


@pytest.fixture
def dagster_instance(tmp_path):
    """A real Dagster instance whose storage lives in files we can read afterwards."""
    import dagster as dg

    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance


@pytest.fixture(scope="session")
def code_location():
    from logmine_dagster.definitions import defs

    return defs()


@pytest.fixture
def cli_env(monkeypatch, db, tmp_path):
    """`logmine` commands in this process pointed at the test's database and a fresh home."""
    monkeypatch.setenv("LOGMINE_DATABASE_URL", db.url)
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    return tmp_path
