"""The floor plan holds: module and function sizes, and the import-linter contracts in pyproject.toml.

The contracts (no import cycle, function-level imports included; stages layered; stage packages never
import Dagster; the review web app never imports the wiring) also run in .ci/run; running them here
means the README's test command catches a broken contract too.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "logmine_dagster"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120


def _modules():
    # Migrations are generated-style, append-only history: left out, as the architecture issue says.
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.relative_to(PACKAGE).parts]


def test_no_module_over_the_line_limit():
    long = {str(p.relative_to(REPO)): p.read_text().count("\n") for p in _modules()}
    assert {name: n for name, n in long.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_over_the_line_limit():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(REPO)}:{node.lineno} {node.name}"] = length
    assert long == {}


def test_size_checks_see_an_oversized_function(tmp_path):
    """The size rule itself is exercised: a long function is counted as long."""
    source = "def f():\n" + "    x = 1\n" * (MAX_FUNCTION_LINES + 1)
    node = ast.parse(source).body[0]
    assert node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is a dev dependency (pip install -e .[dev])")
def test_import_linter_contracts_are_kept():
    result = subprocess.run(["lint-imports", "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is a dev dependency (pip install -e .[dev])")
def test_import_linter_catches_a_stage_importing_dagster(tmp_path):
    """Mutation check of the guard: a copy of the package where a stage imports dagster breaks a contract."""
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "logmine_dagster", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    bad = copy / "logmine_dagster" / "curation" / "uses_dagster.py"
    bad.write_text("import dagster\n")
    # PYTHONPATH puts the copy ahead of the editable install, so grimp reads the mutated package.
    env = {**os.environ, "PYTHONPATH": str(copy)}
    result = subprocess.run(["lint-imports", "--no-cache"], cwd=copy, capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "logmine_dagster.curation.uses_dagster" in result.stdout
