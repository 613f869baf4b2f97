"""No logmine module reads the environment when it is imported: settings are read when the code
location loads (definitions.py) or when a command or run needs them, so importing a module (a test,
a Dask worker unpickling a step, `dagster definitions validate`) never freezes a value. The one exception
is the multiprocess executor's forkserver preload (`lib/step_preload.py`), whose import is the point."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from logmine_dagster_tests.stack_support import REPO

PROBE = textwrap.dedent(
    """
    import collections.abc, importlib, os, pkgutil, sys

    import logmine_dagster

    names = sorted(
        info.name
        for info in pkgutil.walk_packages(logmine_dagster.__path__, "logmine_dagster.")
        # Alembic's scripts run inside a migration context; __main__ modules run the command;
        # step_preload exists to load the sanitiser (with its settings) when the executor's forkserver
        # imports it, once per run, and is imported by nothing else.
        if ".migrations" not in info.name and not info.name.endswith("__main__")
        and info.name != "logmine_dagster.lib.step_preload"
    )

    real = os.environ
    reads = []

    class Watched(collections.abc.MutableMapping):
        # Third-party libraries may read the environment while logmine imports them: only a
        # read made by logmine code itself counts.
        def _note(self, what):
            frame = sys._getframe(2)
            while frame is not None and frame.f_globals.get("__name__") in ("os", __name__):
                frame = frame.f_back
            module = frame.f_globals.get("__name__", "") if frame is not None else ""
            if module.startswith("logmine_dagster"):
                reads.append(f"{module}:{frame.f_lineno} reads {what}")

        def __getitem__(self, key):
            self._note(key)
            return real[key]

        def get(self, key, default=None):
            self._note(key)
            return real.get(key, default)

        def __contains__(self, key):
            self._note(key)
            return key in real

        def __iter__(self):
            self._note("every variable")
            return iter(real)

        def __len__(self):
            return len(real)

        def __setitem__(self, key, value):
            real[key] = value

        def __delitem__(self, key):
            del real[key]

        def copy(self):
            self._note("every variable")
            return real.copy()

    os.environ = Watched()
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        os.environ = real
    print(f"imported {len(names)} modules")
    for read in reads:
        print("READ", read)
    """
)


def test_importing_every_module_reads_no_environment_variable():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    reads = [line for line in result.stdout.splitlines() if line.startswith("READ")]
    assert reads == [], "\n".join(reads)
    assert "imported" in result.stdout
