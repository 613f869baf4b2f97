"""The throwaway PostgreSQL behind a bare `pytest`: it starts, serves, and leaves nothing behind; when it cannot
start, the run gets a reason to print with each skip instead of an error."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from logmine_dagster_tests import postgres_server

needs_binaries = pytest.mark.skipif(bool(postgres_server._cannot_start()), reason=postgres_server._cannot_start() or "-")


@needs_binaries
def test_a_throwaway_server_serves_and_is_removed_when_stopped():
    server = postgres_server.start_throwaway()
    assert server.url and server.owned_dir is not None, server.skip_reason
    data_dir = server.owned_dir
    engine = sa.create_engine(server.url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()
        server.stop()
    assert not data_dir.exists()
    with pytest.raises(sa.exc.OperationalError):
        sa.create_engine(server.url, connect_args={"connect_timeout": 2}).connect()


@needs_binaries
def test_a_start_that_fails_gives_a_skip_reason_and_leaves_no_folder(monkeypatch, tmp_path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    monkeypatch.setattr(postgres_server, "free_loopback_port", lambda: holder.getsockname()[1])
    monkeypatch.setattr(postgres_server.tempfile, "tempdir", str(tmp_path))
    try:
        server = postgres_server.start_throwaway()
    finally:
        holder.close()
    assert server.url is None
    assert server.skip_reason.startswith("scripts/postgres.sh could not start a throwaway server")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_variable_switches_postgresql_off(monkeypatch):
    monkeypatch.setenv(postgres_server.ENV, "")
    server = postgres_server.server_for_this_run()
    assert server.url is None and "switched off" in server.skip_reason
    assert server.owned_dir is None


def test_a_named_server_is_used_and_never_stopped(monkeypatch):
    monkeypatch.setenv(postgres_server.ENV, "postgresql+psycopg2://postgres@127.0.0.1:1/postgres")
    server = postgres_server.server_for_this_run()
    assert server.url.endswith(":1/postgres") and server.owned_dir is None
    server.stop()  # nothing to stop: the environment's server is not ours
