"""Fault probe on the key files under LOGMINE_HOME (issue 18): an unwritable home is one clear error
naming the file and the way out, and a home made for a key file is private."""

from __future__ import annotations

import contextlib
import stat
import subprocess

import pytest

from logmine_dagster.core.config import ConfigError, load_hash_key


@contextlib.contextmanager
def _read_only_folder(target):
    target.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(target)], capture_output=True, text=True, timeout=30)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount here (needs root): {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], timeout=30)


def test_a_key_file_in_an_unwritable_home_is_one_clear_error(tmp_path):
    with _read_only_folder(tmp_path / "read-only") as home:
        with pytest.raises(ConfigError) as raised:
            load_hash_key(home, environ={})
    message = str(raised.value)
    assert message == f"cannot create the key file {home / 'hash.key'} (Read-only file system): set LOGMINE_HASH_KEY, or make LOGMINE_HOME writable"


def test_a_home_made_for_a_key_file_is_private(tmp_path):
    key = load_hash_key(tmp_path / "home", environ={})
    assert len(key) >= 16
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "home" / "hash.key").stat().st_mode) == 0o600
