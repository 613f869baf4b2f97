"""Fault probes on opening logmine's database (issue 18): the SQLite file holding the raw tier is
private, and every way of failing to open a database is one line for the operator, never a traceback."""

from __future__ import annotations

import contextlib
import stat
import subprocess

import pytest

from logmine_dagster.cli import main


@contextlib.contextmanager
def _mounted(target, *args: str):
    target.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True, timeout=30)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount here (needs root): {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], timeout=30)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("logmine: "), err
    return err[0]


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.delenv("LOGMINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    return monkeypatch


def test_the_default_sqlite_database_and_its_home_are_private(env, tmp_path):
    assert main(["db-upgrade"]) == 0
    home = tmp_path / "home"
    assert _mode(home) == 0o700
    files = [p for p in home.iterdir() if p.name.startswith("logmine.db")]
    assert tmp_path / "home" / "logmine.db" in files
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_sqlite_url_into_a_missing_folder_is_refused_without_creating_it(env, tmp_path, capsys):
    missing = tmp_path / "typo" / "deeper"
    env.setenv("LOGMINE_DATABASE_URL", f"sqlite:///{missing / 'logmine.db'}")
    assert main(["db-upgrade"]) == 2
    line = _one_line(capsys)
    assert f"the folder of the SQLite database {missing / 'logmine.db'} does not exist" in line
    assert not (tmp_path / "typo").exists()


def test_an_unreachable_postgresql_is_one_line_without_the_password(env, capsys):
    env.setenv("LOGMINE_DATABASE_URL", "postgresql+psycopg2://logmine:s3cret@127.0.0.1:1/logmine")
    assert main(["db-upgrade"]) == 1
    line = _one_line(capsys)
    assert "cannot connect to the database postgresql+psycopg2://127.0.0.1:1/logmine: connection to server at" in line
    assert "s3cret" not in line


def test_a_database_url_without_its_driver_is_one_line(env, capsys):
    env.setenv("LOGMINE_DATABASE_URL", "mysql://logmine:s3cret@localhost/logmine")
    assert main(["db-upgrade"]) == 2
    line = _one_line(capsys)
    assert "no driver for the database URL mysql://" in line and "s3cret" not in line


def test_an_unwritable_logmine_home_is_one_line(env, tmp_path, capsys):
    with _mounted(tmp_path / "read-only", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs") as read_only:
        env.setenv("LOGMINE_HOME", str(read_only / "home"))  # cannot be created
        assert main(["db-upgrade"]) == 1
        assert "cannot create LOGMINE_HOME" in _one_line(capsys)
        env.setenv("LOGMINE_HOME", str(read_only))  # exists, but the database cannot be created in it
        assert main(["db-upgrade"]) == 1
        assert f"cannot open the SQLite database {read_only / 'logmine.db'}" in _one_line(capsys)


def test_an_older_world_readable_database_is_made_private_once_and_said_without_paths(env, tmp_path, caplog):
    """A logmine.db made by a version before the 0600 rule keeps its 0644 (and its home 0755) until
    logmine opens it: then both are tightened, and the log line names no path (the home may be named
    after a person)."""
    import logging

    import sqlite3

    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    sqlite3.connect(home / "logmine.db").close()
    (home / "logmine.db").chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="logmine_dagster.storage.database"):
        assert main(["db-upgrade"]) == 0
        assert main(["db-upgrade"]) == 0
    assert _mode(home) == 0o700
    assert {p.name: _mode(p) for p in home.iterdir() if p.name.startswith("logmine.db")} == {
        p.name: 0o600 for p in home.iterdir() if p.name.startswith("logmine.db")
    }
    said = [r.getMessage() for r in caplog.records if "owner-only" in r.getMessage()]
    assert len(said) == 1, said
    assert str(tmp_path) not in said[0] and "logmine.db" not in said[0]
