"""Mutation test of the guarantees: break one guarantee at a time and check that its tests notice.

    python scripts/mutants.py                 # every mutant, JSON on stdout
    python scripts/mutants.py --only sanitise-refusal --only labelled-pii-guard
    python scripts/mutants.py --baseline      # first check each test selection passes unmutated
    python scripts/mutants.py --list          # the mutants, without running anything

Each mutant is a one-line (or one-snippet) change to a module that carries a guarantee. It is applied
to a temporary COPY of the checkout (the tree itself is never edited); only the mutant's named tests run,
against the copy (cwd and PYTHONPATH point at it), with `-x -q`. A mutant is killed when those tests
fail (or hang past --timeout), survives when they pass; a named test file that does not exist yet
catches nothing (how the score before a new test was measured). A selection that errors out (collection error, no test run) is reported
as "error" and counts as not killed: a broken run proves nothing.

PostgreSQL is left out unless --postgres is given (the guarantees are backend-independent and the
SQLite run is enough to prove a test notices); the mutants run one after another (2 cores, shared).
The tree stays untouched, so the score is of the checked-out code and tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "logmine_dagster"
TESTS = "logmine_dagster_tests"
# What a copy leaves out: version control, caches, local state.
IGNORED = shutil.ignore_patterns(".git", ".logmine", "__pycache__", "*.egg-info", ".pytest_cache", ".venv", "build", "out")


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str  # under logmine_dagster/
    original: str  # must occur exactly once in the file
    replacement: str
    guarantee: str  # what breaks
    tests: tuple[str, ...]  # pytest node ids under logmine_dagster_tests/


def _t(*ids: str) -> tuple[str, ...]:
    return tuple(f"{TESTS}/{i}" for i in ids)


MUTANTS: tuple[Mutant, ...] = (
    # -- the PII-free tier ---------------------------------------------------------------------------
    Mutant(
        "sanitise-refusal", "sanitise/sanitise_day.py",
        "        if findings is None or findings:",
        "        if findings is None:",
        "the sanitiser refuses a record the residual gate flags (else the leak is written to the tier)",
        _t("sanitise/test_refusal_day.py", "sanitise/test_deny_by_default.py::test_a_value_left_in_a_key_is_refused_by_the_gate"),
    ),
    Mutant(
        "sanitiser-error-refusal", "sanitise/sanitise_day.py",
        "            findings = None",
        "            findings = []",
        "a record the sanitiser fails on is refused, and the rest of the day is still written",
        _t("sanitise/test_refusal_day.py::test_a_record_the_sanitiser_fails_on_is_refused_by_type_and_the_day_goes_on"),
    ),
    Mutant(
        "refusal-reason-no-text", "sanitise/sanitise_day.py",
        '            reason = f"sanitiser error ({type(error).__name__})"',
        '            reason = f"sanitiser error ({error})"',
        "a refusal's reason names the exception's type, never its message (which may quote the record)",
        _t("sanitise/test_refusal_day.py::test_a_record_the_sanitiser_fails_on_is_refused_by_type_and_the_day_goes_on"),
    ),
    Mutant(
        "gate-key-scan", "sanitise/residual.py",
        '            yield f"{path}.<key>", str(key)',
        "            pass",
        "the residual gate reads a JSON object's keys, not only its values",
        _t("sanitise/test_deny_by_default.py::test_the_gate_scans_keys",
           "sanitise/test_deny_by_default.py::test_a_value_left_in_a_key_is_refused_by_the_gate"),
    ),
    Mutant(
        "gate-known-values", "sanitise/residual.py",
        "        if known_pattern is not None and known_pattern.search(visible):",
        "        if False:",
        "the residual gate looks for every value found in the raw record, not only regex shapes",
        _t("sanitise/test_residual.py::test_planted_known_value_is_flagged_case_insensitively_but_not_inside_words",
           "sanitise/test_residual.py::test_gate_catches_a_value_the_sanitiser_missed"),
    ),
    Mutant(
        "residual-check-blocking", "defs/sanitise/checks.py",
        "    asset=\"sanitised_samples\",\n    blocking=True,\n    description=\"Re-reads",
        "    asset=\"sanitised_samples\",\n    blocking=False,\n    description=\"Re-reads",
        "a residual-PII finding in the stored tier blocks every downstream asset",
        _t("defs/test_checks.py::test_a_planted_leak_fails_the_check_and_blocks_downstream"),
    ),
    Mutant(
        "residual-check-verdict", "defs/sanitise/checks.py",
        "        passed=total == 0,",
        "        passed=True,",
        "the residual-PII check fails on any finding in the stored tier",
        _t("defs/test_checks.py::test_a_planted_leak_fails_the_check_and_blocks_downstream"),
    ),
    Mutant(
        "canaries-pass-rule", "sanitise/canaries.py",
        "        return self.total > 0 and self.leaked == 0",
        "        return self.total > 0",
        "the canary check fails when any planted canary value leaks",
        _t("sanitise/test_sanitise_canaries.py"),
    ),
    # -- sampling and quarantine of the raw tier --------------------------------------------------------
    Mutant(
        "inclusion-user-factor", "ingest/sampling.py",
        "            candidate.probability = (1.0 - missed) * user_factor.get(candidate.user, 1.0) * ceiling_factor",
        "            candidate.probability = (1.0 - missed) * ceiling_factor",
        "the inclusion probability carries the per-user cap's thinning (reweighting to production)",
        _t("ingest/test_ingest_sampling.py", "ingest/test_sampling.py"),
    ),
    Mutant(
        "inclusion-ceiling-factor", "ingest/sampling.py",
        "            candidate.probability = (1.0 - missed) * user_factor.get(candidate.user, 1.0) * ceiling_factor",
        "            candidate.probability = (1.0 - missed) * user_factor.get(candidate.user, 1.0)",
        "the inclusion probability carries the day ceiling's thinning",
        _t("ingest/test_ingest_sampling.py", "ingest/test_sampling.py"),
    ),
    Mutant(
        "opt-out", "ingest/sampling.py",
        "        if self._opt_out and opted_out(value, self.policy):",
        "        if False:",
        "records of opted-out users and tenants are never sampled",
        _t("ingest/test_sampling.py::test_opted_out_users_and_tenants_are_never_sampled_and_the_user_cap_holds",
           "ingest/test_ingest_sampling.py::test_opted_out_users_never_appear_whatever_their_signals"),
    ),
    Mutant(
        "duplicate-request-id", "ingest/sampling.py",
        '            if record["request_id"] in seen:',
        "            if False:",
        "a second record with a request_id already seen that day is quarantined as a bad line",
        _t("ingest/test_ingest_bad_input.py"),
    ),
    # -- retention ----------------------------------------------------------------------------------------
    Mutant(
        "retention-raw-rows", "retention/deletion.py",
        "        conn.execute(raw_samples.delete().where(raw_samples.c.day < report.cutoff))",
        "        pass",
        "raw samples older than the retention period are deleted",
        _t("retention/test_retention.py"),
    ),
    Mutant(
        "retention-partitions", "retention/deletion.py",
        "        if day < report.cutoff:",
        "        if False:",
        "raw log partitions older than the retention period are deleted",
        _t("retention/test_retention.py"),
    ),
    Mutant(
        "retention-check-raw-rows", "retention/deletion.py",
        "    stale += [f\"raw_samples day {row['day']}\" for row in rows]",
        "    stale += []",
        "the retention check reports raw samples kept past the period",
        _t("retention/test_retention.py"),
    ),
    # -- review -------------------------------------------------------------------------------------------
    Mutant(
        "labelled-pii-guard", "review/labelled.py",
        "        if queued is None or case_id in flagged or decision[\"decision\"] not in DECISIONS:",
        "        if queued is None or decision[\"decision\"] not in DECISIONS:",
        "a case flagged for PII never becomes a labelled case, whatever was decided",
        _t("review/test_labelled.py", "review/test_review_interop.py::test_a_case_flagged_for_pii_cannot_be_imported",
           "defs/test_review_checks.py::test_a_pii_flagged_case_in_labelled_cases_blocks_the_eval_set"),
    ),
    Mutant(
        "labelled-accept-needs-expected", "review/labelled.py",
        "        if decision[\"decision\"] == \"accept\" and not (decision[\"expected_output\"] or \"\").strip():",
        "        if False:",
        "an accept without an expected output is not a complete decision",
        _t("review/test_labelled.py", "review/test_review_interop.py::test_label_studio_round_trip_into_labelled_cases"),
    ),
    Mutant(
        "pii-flag-locks-case", "review/outcomes.py",
        "    if conn.execute(sa.select(review_pii_flags.c.id).where(review_pii_flags.c.case_id == case_id)).first() is not None:",
        "    if False:",
        "a case flagged for PII can no longer be decided (app, import or admin)",
        _t("review/test_labelled.py::test_once_flagged_a_case_can_no_longer_be_decided_by_its_reviewer_an_admin_or_an_import",
           "review/test_review_interop.py::test_a_case_flagged_for_pii_cannot_be_imported"),
    ),
    Mutant(
        "assigned-reviewers-only", "review/votes.py",
        '                raise Forbidden("This case is assigned to other reviewers: you cannot decide it.")',
        "                pass",
        "only the reviewers a case is assigned to can decide it",
        _t("review_app/test_review_app_http.py::test_another_reviewers_case_is_refused"),
    ),
    Mutant(
        "two-votes-needed", "review/votes.py",
        "    if len(votes) < reviews_per_case:",
        "    if len(votes) < 1:",
        "with two reviews per case, one review alone decides nothing",
        _t("review_app/test_review_app_http.py::test_two_reviewers_agreement_and_admin_resolution"),
    ),
    Mutant(
        "disagreement-disputes", "review/votes.py",
        "    if conflicting(votes):\n        write_audit(",
        "    if False:\n        write_audit(",
        "reviewers who disagree leave the case disputed, for an admin",
        _t("review_app/test_review_app_http.py::test_two_reviewers_agreement_and_admin_resolution"),
    ),
    Mutant(
        "different-answers-dispute", "review/votes.py",
        "    return len({_same_text(v[\"expected_output\"]) for v in votes if v[\"decision\"] == \"accept\"}) > 1",
        "    return False",
        "two accepts with different expected outputs are a disagreement, not agreement",
        _t("review_app/test_review_app_rules_http.py::test_two_accepts_with_different_answers_are_a_dispute_an_import_cannot_settle"),
    ),
    Mutant(
        "csrf-token", "review_app/sessions.py",
        "    return bool(form_token) and hmac.compare_digest(session.csrf_token, form_token)",
        "    return True",
        "a form post needs the session's CSRF token",
        _t("review_app/test_review_app_http.py::test_forms_refuse_missing_or_forged_csrf_tokens"),
    ),
    Mutant(
        "login-csrf", "review_app/sessions.py",
        "        return hmac.compare_digest(expected, form_token)",
        "        return True",
        "the login form needs its double-submit CSRF token",
        _t("review_app/test_review_app_http.py::test_login_form_refuses_missing_or_forged_csrf"),
    ),
    # -- the eval set ---------------------------------------------------------------------------------------
    Mutant(
        "evalset-accept-decision", "evalset/build.py",
        "        if row[\"case_id\"] not in backed or not (row[\"expected_output\"] or \"\").strip() or not row[\"reviewer\"]:",
        "        if not (row[\"expected_output\"] or \"\").strip() or not row[\"reviewer\"]:",
        "every eval case has a human accept decision (or an admin's import) behind it",
        _t("evalset/test_evalset_admission.py", "evalset/test_evalset_synthetic.py::test_synthetic_cases_join_the_eval_set_marked_as_such",
           "review/test_review_flow.py::test_a_bad_eval_case_fails_the_quality_check_and_blocks_the_exports"),
    ),
    Mutant(
        "evalset-retired", "evalset/build.py",
        "        if row[\"expected_output\"] and row[\"expected_output\"].strip() and row[\"reviewer\"] and row[\"case_id\"] not in retired",
        "        if row[\"expected_output\"] and row[\"expected_output\"].strip() and row[\"reviewer\"]",
        "a case an admin retired leaves the eval set (and every later release)",
        _t("evalset/test_evalset_releases.py::test_retired_case_stays_in_old_versions_and_leaves_new_ones"),
    ),
    Mutant(
        "synthetic-pii-refusal", "evalset/synthetic.py",
        "        if kinds:",
        "        if False:",
        "a synthetic line where the sanitiser or the gate finds PII is refused",
        _t("evalset/test_evalset_synthetic.py::test_each_bad_line_is_refused_by_number_without_its_text_and_nothing_is_stored",
           "evalset/test_evalset_synthetic.py::test_the_sanitiser_refuses_names_the_regex_gate_cannot_see"),
    ),
    # -- what Dagster's event log may hold ------------------------------------------------------------------
    Mutant(
        "metadata-no-text", "lib/metadata.py",
        '    lines += [f"| {case} | {category} | {novelty:.2f} | {size} |" for case, category, novelty, size, *_ in rows]',
        '    lines += [f"| {case} | {category} | {novelty:.2f} | {size} | {rest} |" for case, category, novelty, size, *rest in rows]',
        "no record text, not even sanitised text, goes into Dagster metadata",
        _t("lib/test_metadata.py", "curation/test_curation_drift.py::test_week_summary_counts_days_reasons_cluster_sizes_and_novel_clusters"),
    ),
)


def _copy_checkout(target: Path) -> Path:
    copy = target / "checkout"
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    return copy


def _apply(copy: Path, mutant: Mutant) -> None:
    path = copy / PACKAGE / mutant.file
    text = path.read_text(encoding="utf-8")
    found = text.count(mutant.original)
    if found != 1:
        raise SystemExit(f"mutant {mutant.id}: its original snippet occurs {found} times in {mutant.file} (needs exactly 1)")
    path.write_text(text.replace(mutant.original, mutant.replacement), encoding="utf-8")


def _run_tests(copy: Path, tests: tuple[str, ...], postgres: bool, timeout: float) -> tuple[str, float, str]:
    """("passed" | "failed" | "error" | "timeout", seconds, last line of pytest's output)."""
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    env.pop("LOGMINE_HOME", None)  # the conftest puts it inside the copy
    if not postgres:
        env["LOGMINE_TEST_POSTGRES_URL"] = ""  # set empty: the conftest starts no throwaway server
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, ""
    seconds = time.monotonic() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    last = lines[-1] if lines else done.stderr.strip()[-200:]
    # pytest: 0 all passed, 1 some failed; 2-5 interrupted, internal or usage error, nothing collected.
    status = {0: "passed", 1: "failed"}.get(done.returncode, "error")
    return status, seconds, last


def _present(copy: Path, tests: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in tests if (copy / t.split("::")[0]).exists())


def _check_copy_is_used(copy: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(copy))
    found = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"], cwd=copy, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(copy.resolve()):
        raise SystemExit(f"the copy's package is not the one imported ({found}): mutants would run against the tree")


def run(mutants: list[Mutant], postgres: bool, timeout: float, baseline: bool) -> dict:
    results, baselines = [], {}
    with tempfile.TemporaryDirectory(prefix="logmine-mutants-") as scratch:
        clean = _copy_checkout(Path(scratch) / "clean")
        _check_copy_is_used(clean)
        if baseline:
            for tests in dict.fromkeys(_present(clean, m.tests) for m in mutants):
                if not tests:
                    continue
                status, seconds, last = _run_tests(clean, tests, postgres, timeout)
                baselines[" ".join(tests)] = {"status": status, "seconds": round(seconds, 1), "pytest": last}
                print(f"baseline {status:7} {seconds:6.1f}s {' '.join(tests)}", file=sys.stderr)
        for mutant in mutants:
            work = Path(scratch) / mutant.id
            copy = work / "checkout"
            shutil.copytree(clean, copy, symlinks=True)
            _apply(copy, mutant)
            # A test file not written yet catches nothing: the "before" score of a new test.
            present = _present(copy, mutant.tests)
            if present:
                status, seconds, last = _run_tests(copy, present, postgres, timeout)
            else:
                status, seconds, last = "passed", 0.0, "no test file of the selection exists"
            # A failing or hanging selection notices the mutant; an erroring one proves nothing.
            verdict = {"failed": "killed", "timeout": "killed", "passed": "survived"}.get(status, "error")
            print(f"{verdict:8} {seconds:6.1f}s {mutant.id}", file=sys.stderr)
            results.append({
                "id": mutant.id, "module": f"{PACKAGE}/{mutant.file}", "guarantee": mutant.guarantee,
                "tests": list(mutant.tests), "result": verdict, "seconds": round(seconds, 1), "pytest": last,
            })
            shutil.rmtree(work, ignore_errors=True)
    by_module: dict[str, dict] = defaultdict(lambda: {"killed": 0, "total": 0})
    for result in results:
        by_module[result["module"]]["total"] += 1
        by_module[result["module"]]["killed"] += result["result"] == "killed"
    killed = sum(r["result"] == "killed" for r in results)
    report = {
        "killed": killed,
        "total": len(results),
        "score": round(killed / len(results), 3) if results else None,
        "survived": [r["id"] for r in results if r["result"] == "survived"],
        "errors": [r["id"] for r in results if r["result"] == "error"],
        "by_module": {m: dict(v, score=round(v["killed"] / v["total"], 3)) for m, v in sorted(by_module.items())},
        "mutants": results,
    }
    if baseline:
        report["baseline"] = baselines
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="Run only this mutant (repeatable).")
    parser.add_argument("--list", action="store_true", help="Print the mutants and exit.")
    parser.add_argument("--baseline", action="store_true", help="First run each test selection on the unmutated copy.")
    parser.add_argument("--postgres", action="store_true", help="Keep LOGMINE_TEST_POSTGRES_URL (slower).")
    parser.add_argument("--timeout", type=float, default=900, help="Seconds per mutant's test run.")
    args = parser.parse_args()
    known = {m.id for m in MUTANTS}
    if unknown := set(args.only) - known:
        parser.error(f"unknown mutant(s): {', '.join(sorted(unknown))}")
    mutants = [m for m in MUTANTS if not args.only or m.id in args.only]
    if args.list:
        print(json.dumps([{"id": m.id, "module": m.file, "guarantee": m.guarantee, "tests": list(m.tests)} for m in mutants], indent=2))
        return
    print(json.dumps(run(mutants, args.postgres, args.timeout, args.baseline), indent=2))


if __name__ == "__main__":
    main()
