"""Connecting to logmine's database, migrating it, and writing partitions atomically."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import stat
import threading
from pathlib import Path
from typing import Iterable, Iterator

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from logmine_dagster.core.config import ConfigError, logmine_home, redact_url
from logmine_dagster.core.errors import LogmineError
from logmine_dagster.storage import schema

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_log = logging.getLogger(__name__)

_migrated: set[str] = set()
_migrate_lock = threading.Lock()


class DatabaseUnavailable(LogmineError, RuntimeError):
    """logmine's database cannot be created, opened or reached; names it (no password) and why."""


def _prepare_sqlite_file(url: str) -> None:
    """Create the SQLite file private (0600) before SQLite creates it world-readable: it holds the raw
    tier (PII). Only LOGMINE_HOME itself is created if missing (0700); any other missing folder is
    more likely a typo in the URL than a wish for a new folder tree."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    folder = path.parent
    if not folder.is_dir():
        if folder.resolve() != logmine_home():
            raise ConfigError(f"the folder of the SQLite database {path} does not exist: create it, or fix LOGMINE_DATABASE_URL")
        try:
            folder.mkdir(parents=True, mode=0o700)
        except FileExistsError:
            pass  # another process made it first
        except OSError as error:
            raise DatabaseUnavailable(f"cannot create LOGMINE_HOME {folder}: {error.strerror or error}") from error
    if path.exists():
        _make_private(path, folder)
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as error:
        raise DatabaseUnavailable(f"cannot open the SQLite database {path}: {error.strerror or error}") from error


def _make_private(path: Path, folder: Path) -> None:
    """Tighten a database made by an older logmine (0644, in a 0755 home) to owner-only: it holds the raw
    tier. The folder is only touched when it is LOGMINE_HOME, which logmine owns; the log line names no
    path, since a home folder is often named after a person."""
    targets = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")) if p.exists()]
    if folder.resolve() == logmine_home():
        targets.append(folder)
    loosened = []
    for target in targets:
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(target.stat().st_mode)
            if mode & 0o077:
                loosened.append((target, mode & ~0o077))
    if not loosened:
        return
    failed = 0
    for target, private_mode in loosened:
        try:
            target.chmod(private_mode)
        except OSError:
            failed += 1  # not ours to change (another owner): said below, never fatal
    if failed:
        _log.warning("%d of the SQLite database's files or LOGMINE_HOME are readable by others and could not be made owner-only", failed)
    else:
        _log.warning("the SQLite database (and LOGMINE_HOME) were readable by others: made owner-only (0600 files, 0700 folder)")


def _create_engine(url: str) -> sa.Engine:
    try:
        return _engine_for(url)
    except (ImportError, sa.exc.NoSuchModuleError) as error:
        scheme = url.split("://", 1)[0]
        raise ConfigError(
            f"no driver for the database URL {scheme}://... ({type(error).__name__}): "
            "use sqlite:///path or postgresql+psycopg2://..., or install that driver"
        ) from None


def _engine_for(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        # Several Dagster step processes may write at once: wait for the lock instead of failing.
        engine = sa.create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # hide_parameters (both backends): a failed statement's error message must not quote row values (raw
    # log text) into Dagster's event log. pool_pre_ping: a pooled connection that died with a server restart is replaced.
    engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)

    if engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _name_the_connection(dbapi_connection, _record):
            # pg_stat_activity then says which process holds a partition's write (operators, fault tests).
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT set_config('application_name', %s, false)", (f"logmine pid {os.getpid()}",))
            cursor.close()
            dbapi_connection.commit()

    return engine


def partition_lock_key(table: sa.Table, where: sa.ColumnElement[bool]) -> int:
    """A signed 64-bit PostgreSQL advisory-lock key for one table's partition (its `where` and values)."""
    compiled = where.compile()
    text = f"{table.name}|{compiled}|{sorted((k, repr(v)) for k, v in compiled.params.items())}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


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
            with os.fdopen(os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock_file:
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
            try:
                migrate(self.engine, url)
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                # The first statement is where an unreachable server or an unopenable file shows: one
                # line for the operator (the driver's first line names host and port, never the password).
                self.engine.dispose()
                reason = str(error.orig or error).strip().splitlines()[0] if str(error.orig or error).strip() else type(error).__name__
                what = f"open the SQLite database {self.engine.url.database}" if url.startswith("sqlite") else f"connect to the database {redact_url(url)}"
                raise DatabaseUnavailable(f"cannot {what}: {reason}") from error

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
        never see a half-written partition (a writer killed mid-way leaves the previous rows).

        On PostgreSQL, writers of the same partition are serialised by an advisory transaction lock:
        without it, two runs of one day would both delete before either inserted, and the second would
        fail on the primary key or, in tables without a natural key (quarantines), add a second copy.
        SQLite has a single writer anyway.
        """
        with (contextlib.nullcontext(conn) if conn is not None else self.transaction()) as active:
            if active.dialect.name == "postgresql":
                active.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (partition_lock_key(table, where),))
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
