"""Mutation score of the modules that carry guarantees, measured with mutmut; JSON on stdout.

    python scripts/mutation_score.py                          # every module below (42 min on the shared 2 cores, votes.py 17 of them: README)
    python scripts/mutation_score.py --only ingest/keyed_hash.py --only sanitise/canaries.py
    python scripts/mutation_score.py --list                   # the modules and their tests, without running
    python scripts/mutation_score.py --keep DIR ...           # keep the work copy: `cd DIR && mutmut show NAME`
    python scripts/mutation_score.py --rerun before.json      # only the mutants before.json left alive (after new tests)
    python scripts/mutation_score.py --rerun before.json --tests review_app/test_sessions.py   # ... against the new tests only
    python scripts/mutation_score.py --min-score 0.85         # exit 1 when a module scores below 85%

mutmut (3.x; `pip install -e '.[dev]'`) generates every mutant of a module (operators, constants, comparisons,
arguments, returned values...) and runs, for each mutant, only the tests that called the mutated function (its
"stats" pass records that). The base settings (source_paths, also_copy, pytest args) are `[tool.mutmut]` in
pyproject.toml; this script adds, per module, `only_mutate` and the fast test files that cover it
(`pytest_add_cli_args_test_selection`, the MODULES table below), so a module is never run against the whole suite.

Each module runs in a fresh copy of the tracked files (the checkout itself is never touched, and mutmut's
`mutants/` folder and cache never leak from one module to the next), with PostgreSQL switched off
(LOGMINE_TEST_POSTGRES_URL empty: the guarantees are backend-independent and SQLite proves a test notices).

Score = killed / total. "no_tests" (no selected test calls the function) and "timeout" count as not killed,
except that a timeout is listed apart; "suspicious"/"segfault" and the like fall in "other", also not killed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "logmine_dagster"
TESTS = "logmine_dagster_tests"


def _t(*paths: str) -> tuple[str, ...]:
    return tuple(f"{TESTS}/{p}" for p in paths)


class Target(NamedTuple):
    """The fast test files that exercise a module and, when not the whole module, the functions that carry its
    guarantee (`name`, `Class.method` or `Class`: every other function of the module is left unmutated)."""

    tests: tuple[str, ...]
    functions: tuple[str, ...] | None = None


# module under logmine_dagster/ -> its Target. Tests: no browser, no Dagster runs of whole days where a unit test
# covers the same rule; chosen so each module's run stays within a few minutes on 2 cores.
MODULES: dict[str, Target] = {
    "ingest/keyed_hash.py": Target(_t("ingest/test_sampling.py", "ingest/test_keyed_hash.py")),
    "ingest/sampling.py": Target(_t("ingest/test_sampling.py", "ingest/test_ingest_sampling.py", "ingest/test_sampling_accounting.py",
                                   "ingest/test_ingest_bad_input.py::test_every_bad_input_kind_is_quarantined_and_the_good_records_survive"),
                                 ("DaySampler.select", "DaySampler.sampled", "DaySampler._keep_candidate")),
    "ingest/sampling_policy.py": Target(_t("ingest/test_sampling_policy.py", "ingest/test_sampling.py", "ingest/test_ingest_sampling.py")),
    "ingest/sampling_caps.py": Target(_t("ingest/test_sampling_caps.py", "ingest/test_sampling.py", "ingest/test_ingest_sampling.py")),
    "sanitise/canaries.py": Target(_t("sanitise/test_sanitise_canaries.py")),
    "sanitise/residual.py": Target(_t("sanitise/test_residual.py", "sanitise/test_residual_rules.py", "sanitise/test_deny_by_default.py")),
    # the refusal path: what the gate flags or the sanitiser fails on is quarantined, never published
    # (the refusal day's Dagster run stays in the suite; here its unit twin, a minute per mutant less)
    "sanitise/sanitise_day.py": Target(_t("sanitise/test_refusal_day.py::test_a_record_the_sanitiser_fails_on_is_refused_by_type_and_the_day_goes_on",
                                          "sanitise/test_deny_by_default.py", "sanitise/test_publish_day.py"),
                                       ("sanitise_shard", "publish_day")),
    "retention/deletion.py": Target(_t("retention/test_retention_staging.py", "retention/test_retention.py", "retention/test_retention_faults.py")),
    "review/votes.py": Target(_t("review/test_one_rule_set.py", "review/test_entered_text.py", "review/test_labelled.py"),
                              # the rules themselves (two reviewers, disputes, who may add a vote); the form's
                              # validation and the DB flows around them are left out to keep the run short. Without
                              # test_review_app_rules_http.py (argon2 logins): 16.9 -> 3.6 min, the one mutant only it
                              # killed now killed by test_one_rule_set.py
                              ("conflicting", "_accepted_answers_differ", "settle_in", "vote_refusal")),
    # eval-set admission: only complete human decisions, never a PII-flagged case; and the checks of it
    "review/labelled.py": Target(_t("review/test_labelled.py", "review/test_labelled_checks.py", "evalset/test_evalset_admission.py",
                                   "review/test_quarantine.py"),
                                 ("build_labelled_cases", "flagged_labelled_case_ids", "incomplete_labelled_case_ids")),
    "review/quarantine.py": Target(_t("review/test_quarantine.py", "review/test_labelled.py")),
    # CSRF (the login form's double submit, the session's token) and a session's validity. test_sessions.py alone:
    # it kills every mutant the HTTP tests killed (129/136 either way), and those each hash an argon2 password
    # (the run: 32.4 min with them under load 6-12, 1.5 min without under load 1.6-4.5)
    "review_app/sessions.py": Target(_t("review_app/test_sessions.py"),
                                     ("SessionStore.load", "SessionStore.new_login_csrf", "SessionStore.check_login_csrf", "csrf_ok")),
    # admission (build_eval_set, the file it writes) and its check; publish_release only gates and hands over to
    # releases.py, and the release tests (Dagster runs among them) made a run of this module take over an hour
    "evalset/build.py": Target(_t("evalset/test_evalset_build.py", "evalset/test_evalset_admission.py"),
                               ("build_eval_set", "_write_partial_jsonl", "unlabelled_eval_cases")),
}

# exit code -> status, as mutmut records it in mutants/<file>.meta (mutmut.stats.status_by_exit_code)
COUNTED = ("killed", "survived", "timeout", "no_tests")


def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code  # imported late: --list works without mutmut installed

    status = status_by_exit_code.get(code, "other") if code is not None else "not checked"
    status = status.replace(" ", "_")
    return status if status in COUNTED else "other"


def _copy_tree(dest: Path) -> None:
    """Copy the tracked files (plus untracked, not-ignored ones: a new test counts before it is committed)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    for rel in listed:
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def _mutmut_section(module: str, tests: tuple[str, ...]) -> str:
    base = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    settings = dict(base, only_mutate=[f"{PACKAGE}/{module}"], pytest_add_cli_args_test_selection=list(tests))
    # JSON strings, lists and numbers are valid TOML values.
    return "[tool.mutmut]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())


def _write_config(copy: Path, module: str, tests: tuple[str, ...]) -> None:
    pyproject = copy / "pyproject.toml"
    text = pyproject.read_text()
    # drop the checkout's own [tool.mutmut] table (up to the next table) and append this module's
    text = re.sub(r"^\[tool\.mutmut\]\n(?:(?!^\[).*\n?)*", "", text, flags=re.M)
    pyproject.write_text(text.rstrip("\n") + "\n\n" + _mutmut_section(module, tests))


def _read_results(copy: Path, module: str) -> dict[str, str]:
    meta = copy / "mutants" / PACKAGE / f"{module}.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: _status(code) for name, code in codes.items()}


def _leave_unmutated_except(path: Path, functions: tuple[str, ...]) -> list[str]:
    """Mark every function of the (copied) module outside `functions` `# pragma: no mutate block`, so mutmut
    generates mutants only for the guarantee-carrying ones. Returns the names left unmutated."""
    import libcst as cst  # mutmut's own parser, imported late like mutmut

    wanted = set(functions)
    skipped: list[str] = []

    class Mark(cst.CSTTransformer):
        def __init__(self) -> None:
            self.scope: list[str] = []  # qualified names of the enclosing classes and functions

        def _selected(self, name: str) -> bool:
            qualified = ".".join([*self.scope, name])
            # selected itself, inside a selected class or function, or enclosing a selected method
            return any(qualified == w or qualified.startswith(w + ".") or w.startswith(qualified + ".") for w in wanted)

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            self.scope.append(node.name.value)
            return True

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            self.scope.pop()
            return updated

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            self.scope.append(node.name.value)
            return True

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            name = self.scope.pop()
            if self._selected(name) or not isinstance(updated.body, cst.IndentedBlock):
                return updated
            skipped.append(".".join([*self.scope, name]))
            header = updated.body.header.with_changes(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# pragma: no mutate block"))
            return updated.with_changes(body=updated.body.with_changes(header=header))

    module = cst.parse_module(path.read_text())
    unknown = wanted - _qualified_names(module)
    if unknown:
        raise SystemExit(f"{path.name}: no function named {sorted(unknown)}")
    path.write_text(module.visit(Mark()).code)
    return sorted(skipped)


def _qualified_names(module) -> set[str]:
    import libcst as cst

    names: set[str] = set()

    def walk(body, prefix: str) -> None:
        for node in body:
            if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
                names.add(prefix + node.name.value)
                if isinstance(node.body, cst.IndentedBlock):
                    walk(node.body.body, prefix + node.name.value + ".")

    walk(module.body, "")
    return names


def score_module(module: str, target: Target, workdir: Path, children: int, previous: dict | None = None) -> dict:
    """`previous`: this module's entry of an earlier run's JSON; only its mutants not killed then are run
    again, and its killed ones stay killed (valid while only tests were added since: the same mutants)."""
    if previous is not None and not previous["survivors"]:
        return dict(previous, rerun_of_survivors=True, wall_s=0.0, cpu_s=0.0)
    copy = workdir / module.replace("/", "__")
    copy.mkdir(parents=True)
    _copy_tree(copy)
    tests = target.tests
    unmutated = _leave_unmutated_except(copy / PACKAGE / module, target.functions) if target.functions else []
    # A test file not written yet catches nothing (how a score before a new test is measured).
    tests = tuple(t for t in tests if (copy / t.split("::")[0]).exists())
    if not tests:  # mutmut would fall back to the whole suite
        raise SystemExit(f"{module}: none of its test files exist")
    _write_config(copy, module, tests)
    env = dict(os.environ, LOGMINE_TEST_POSTGRES_URL="", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)  # mutmut puts its mutants/ folder first on sys.path; a checkout path would shadow it
    started, cpu_before = time.monotonic(), os.times()
    run = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *(previous["survivors"] if previous else ())],
        cwd=copy, env=env, capture_output=True, text=True,
    )
    cpu_after = os.times()
    (copy / "mutmut-run.log").write_text(run.stdout[-200_000:] + "\n--- stderr ---\n" + run.stderr[-50_000:])
    statuses = _read_results(copy, module)
    if previous:
        if set(previous["survivors"]) - set(statuses):
            raise SystemExit(f"{module}: the mutants changed since the earlier run (was the code edited?); run it whole")
        rerun = set(previous["survivors"])
        statuses = {name: status if name in rerun else "killed" for name, status in statuses.items()}
        if len(statuses) != previous["total"]:
            raise SystemExit(f"{module}: {len(statuses)} mutants now, {previous['total']} in the earlier run; run it whole")
    counts = {status: sum(1 for s in statuses.values() if s == status) for status in (*COUNTED, "other")}
    total = len(statuses)
    return {
        **counts,
        "total": total,
        "score": round(counts["killed"] / total, 3) if total else None,
        "survivors": sorted(name for name, s in statuses.items() if s != "killed"),
        "mutmut_exit": run.returncode,
        "wall_s": round(time.monotonic() - started, 1),
        "cpu_s": round(cpu_after.children_user + cpu_after.children_system
                       - cpu_before.children_user - cpu_before.children_system, 1),
        "tests": list(tests),
        "rerun_of_survivors": bool(previous),
        "functions": list(target.functions) if target.functions else "all",
        "left_unmutated": unmutated,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=sorted(MODULES), help="Score only these modules.")
    parser.add_argument("--list", action="store_true", help="Print the modules and their tests, run nothing.")
    parser.add_argument("--children", type=int, default=2, help="mutmut workers (the machine has 2 cores).")
    parser.add_argument("--keep", type=Path, help="Keep the work copies under this folder.")
    parser.add_argument("--rerun", type=Path, metavar="JSON",
                        help="An earlier run's output: run only the mutants it left alive (its killed ones count as killed).")
    parser.add_argument("--tests", action="append", metavar="FILE",
                        help="With --rerun: run the survivors against only these test files (under logmine_dagster_tests/), "
                             "e.g. the ones written for them; the earlier run's survivors already passed the module's other tests.")
    parser.add_argument("--min-score", type=float, metavar="FRACTION",
                        help="Exit 1 when any module scores below this (e.g. 0.85), or mutmut found no mutant.")
    args = parser.parse_args()
    earlier = json.loads(args.rerun.read_text())["by_module"] if args.rerun else {}
    modules = {m: MODULES[m] for m in (args.only or (earlier or MODULES))}
    if args.tests:
        if not args.rerun:
            parser.error("--tests narrows a --rerun only (a full run needs every test of the module)")
        modules = {m: t._replace(tests=_t(*args.tests)) for m, t in modules.items()}
    if args.list:
        print(json.dumps({m: t._asdict() for m, t in modules.items()}, indent=2))
        return
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="logmine-mutmut-"))
    by_module = {}
    started, load_before = time.monotonic(), os.getloadavg()
    try:
        for module, target in modules.items():
            by_module[module] = score_module(module, target, workdir, args.children, earlier.get(module))
            result = by_module[module]
            # with the minutes and the load as each module ends: a run stopped part-way still tells its timings
            print(f"{module}: {result['killed']}/{result['total']} killed, {result['wall_s'] / 60:.1f} min, "
                  f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    killed = sum(r["killed"] for r in by_module.values())
    total = sum(r["total"] for r in by_module.values())
    print(json.dumps({
        "by_module": by_module,
        "overall": {"killed": killed, "total": total, "score": round(killed / total, 3) if total else None,
                    "wall_s": round(time.monotonic() - started, 1),
                    # the machine is shared: the load says how far the wall time is from a quiet machine's
                    "load_avg_1_5_15": {"start": [round(x, 2) for x in load_before],
                                        "end": [round(x, 2) for x in os.getloadavg()]},
                    "cpus": os.cpu_count()},
    }, indent=2))
    if args.min_score is not None:
        below = sorted(m for m, r in by_module.items() if r["score"] is None or r["score"] < args.min_score)
        if below:
            print(f"below {args.min_score}: {', '.join(below)}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
