"""The PostgreSQL server the test run uses, so that the README's bare `pytest` runs the PostgreSQL tests too.

- `LOGMINE_TEST_POSTGRES_URL` set to a URL: that server (`.ci/run` and the dev server use this).
- set but empty (`LOGMINE_TEST_POSTGRES_URL= pytest`): no PostgreSQL, those tests skip and say so.
- unset: a throwaway server from `scripts/postgres.sh` on a free loopback port, in a temporary folder,
  stopped and removed when the run ends. When that cannot be done (no server binaries, no `postgres` OS
  user to run initdb as root, the start failed) the tests skip with that reason instead.

The URL is exported to the environment so that subprocesses (Dagster run workers, the stack tests) use
the same server; nothing else in the suite needs to know which of the three cases it was.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ENV = "LOGMINE_TEST_POSTGRES_URL"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "postgres.sh"
START_TIMEOUT_S = 120


@dataclass
class PostgresForTests:
    """Which server the run uses (url) or why there is none (skip_reason); `owned` when we started it."""

    url: str | None
    skip_reason: str = ""
    owned_dir: Path | None = None
    _env_before: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        if not self.url:
            return f"PostgreSQL tests skip: {self.skip_reason}"
        origin = "throwaway server started for this run" if self.owned_dir else f"from {ENV}"
        return f"PostgreSQL for tests: {self.url} ({origin})"

    def stop(self) -> None:
        """Stop and delete the server this run started; a server named by the environment is left alone."""
        if self.owned_dir is None:
            return
        subprocess.run([str(SCRIPT), "stop", str(self.owned_dir)], capture_output=True, timeout=START_TIMEOUT_S)
        shutil.rmtree(self.owned_dir, ignore_errors=True)
        self.owned_dir = None
        if self._env_before is None:
            os.environ.pop(ENV, None)


def free_loopback_port() -> int:
    # The port is free when asked; postgres binds it a moment later. A collision fails the start loudly.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cannot_start() -> str:
    """Why this machine cannot run a throwaway server, or "" when it can."""
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "PostgreSQL server binaries are not installed (apt-get install postgresql), and LOGMINE_TEST_POSTGRES_URL is unset"
    if os.geteuid() == 0:
        # initdb refuses root; scripts/postgres.sh runs it as the `postgres` user that Debian's package creates.
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` OS user to run initdb as"
        if not shutil.which("runuser"):
            return "running as root and `runuser` is missing, so initdb cannot run as `postgres`"
    return ""


def start_throwaway() -> PostgresForTests:
    if reason := _cannot_start():
        return PostgresForTests(url=None, skip_reason=reason)
    data_dir = Path(tempfile.mkdtemp(prefix="logmine-test-pg."))
    done = subprocess.run(
        [str(SCRIPT), "start", str(data_dir), str(free_loopback_port())],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
    )
    if done.returncode != 0:
        server = PostgresForTests(url=None, owned_dir=data_dir)
        server.stop()
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        server.skip_reason = f"scripts/postgres.sh could not start a throwaway server: {last}"
        return server
    return PostgresForTests(url=done.stdout.strip().splitlines()[-1], owned_dir=data_dir)


def server_for_this_run() -> PostgresForTests:
    """The URL named by the environment, or a throwaway server; exported for subprocesses."""
    named = os.environ.get(ENV)
    if named is not None:
        if not named.strip():
            return PostgresForTests(url=None, skip_reason=f"{ENV} is set empty: PostgreSQL tests switched off")
        return PostgresForTests(url=named)
    server = start_throwaway()
    server._env_before = named
    if server.url:
        os.environ[ENV] = server.url
    return server
