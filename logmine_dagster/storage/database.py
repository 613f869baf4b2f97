"""Connecting to logmine's database, migrating it, and writing partitions atomically."""

from __future__ import annotations

import contextlib
import fcntl
import threading
from pathlib import Path
from typing import Iterable, Iterator

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from logmine_dagster.storage import schema

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def _create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Several Dagster step processes may write at once: wait for the lock instead of failing.
        engine = sa.create_engine(url, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


@contextlib.contextmanager
def _migration_guard(engine: sa.Engine, url: str) -> Iterator[sa.Connection]:
    """Serialise concurrent migrations (many step processes start at once)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_lock(74201)")
            try:
                yield conn
            finally:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(74201)")
                conn.commit()
        elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            lock_path = Path(engine.url.database + ".migrate.lock")
            with open(lock_path, "w") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                try:
                    yield conn
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        else:
            yield conn


def migrate(engine: sa.Engine, url: str) -> None:
    """Bring the schema to the newest Alembic revision."""
    with _migrate_lock:
        if url in _migrated:
            return
        with _migration_guard(engine, url) as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
        _migrated.add(url)


class Database:
    """logmine's tables in one SQLAlchemy database (SQLite by default, PostgreSQL in production)."""

    def __init__(self, url: str, *, migrate_schema: bool = True):
        self.url = url
        self.engine = _create_engine(url)
        if migrate_schema:
            migrate(self.engine, url)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    def replace_rows(
        self,
        table: sa.Table,
        where: sa.ColumnElement[bool],
        rows: Iterable[dict],
        *,
        batch_size: int = 1000,
        conn: sa.Connection | None = None,
    ) -> int:
        """Delete the rows matching `where` and insert `rows`, in one transaction.

        A re-run or backfill of a partition therefore leaves exactly one copy of its rows, and readers
        never see a half-written partition.
        """
        with (contextlib.nullcontext(conn) if conn is not None else self.transaction()) as active:
            active.execute(table.delete().where(where))
            written = 0
            batch: list[dict] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= batch_size:
                    active.execute(table.insert(), batch)
                    written += len(batch)
                    batch = []
            if batch:
                active.execute(table.insert(), batch)
                written += len(batch)
            return written

    def fetch_all(self, statement) -> list[sa.RowMapping]:
        with self.engine.connect() as conn:
            return list(conn.execute(statement).mappings())

    def count(self, table: sa.Table, where: sa.ColumnElement[bool] | None = None) -> int:
        statement = sa.select(sa.func.count()).select_from(table)
        if where is not None:
            statement = statement.where(where)
        with self.engine.connect() as conn:
            return int(conn.execute(statement).scalar_one())


__all__ = ["Database", "migrate", "schema"]
