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
