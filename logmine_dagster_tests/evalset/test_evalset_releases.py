"""Versioned eval set releases: a new version only when content changed, old versions readable and
byte-identical after retention and rebuilds, diffs, retirements, lineage (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from logmine_dagster.cli import main
from logmine_dagster.evalset.exports import FORMATS, export
from logmine_dagster.evalset.build import (
    ReleaseError,
    build_eval_set,
    case_lineage,
    diff_releases,
    get_release,
    list_releases,
    publish_release,
    release_cases,
    retire_case,
)
from logmine_dagster.storage.schema import (
    candidates,
    eval_case_snapshots,
    eval_cases,
    eval_set_release_cases,
    labelled_cases,
    raw_samples,
    review_decisions,
    review_queue,
    review_users,
    sanitised_samples,
)

WEEK_1, WEEK_2 = "2026-03-02", "2026-03-09"
T0 = dt.datetime(2026, 3, 9, 5, 0, tzinfo=dt.timezone.utc)


def _labelled(case_id, week, category, decision="accept", reviewer="ana", expected=None):
    return {
        "case_id": case_id,
        "week": week,
        "day": week,
        "category": category,
        "reasons": "sample,low_confidence",
        "decision": decision,
        "input_json": json.dumps([{"role": "user", "content": f"question {case_id} <PERSON_1a2b>"}]),
        "model_output": "model answer",
        "expected_output": (expected or f"reference answer {case_id}") if decision == "accept" else None,
        "discard_reason": "off topic" if decision == "discard" else None,
        "reviewer": reviewer,
        "decided_at": dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.timezone.utc),
    }


def _seed_sources(db, rows):
    """The surviving-tier rows lineage is read from (and one raw row that retention deletes)."""
    now = dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.timezone.utc)
    with db.transaction() as conn:
        for row in rows:
            conn.execute(
                sanitised_samples.insert().values(
                    day=row["day"], case_id=row["case_id"], timestamp=row["day"] + "T10:00:00Z", status="ok", escalated=False,
                    sample_reasons="sample,low_confidence", input_json=row["input_json"], metadata_json="{}", entity_counts_json="{}",
                )
            )
            conn.execute(
                candidates.insert().values(
                    day=row["day"], case_id=row["case_id"], category=row["category"], reasons="low_confidence", dedup_key="k" + row["case_id"], duplicate_count=3
                )
            )
            conn.execute(
                review_queue.insert().values(
                    case_id=row["case_id"], week=row["week"], day=row["day"], category=row["category"], reasons="low_confidence", priority=1.0, queued_at=now
                )
            )
            conn.execute(
                review_decisions.insert().values(
                    case_id=row["case_id"], decision=row["decision"], expected_output=row["expected_output"], reason=row["discard_reason"],
                    reviewer=row["reviewer"], decided_at=row["decided_at"],
                )
            )
            conn.execute(
                raw_samples.insert().values(
                    day=row["day"], request_id="req_" + row["case_id"], sample_reasons="sample", record_json="{}", source_file="f", source_line=1, sampled_at=now
                )
            )


def _set_labelled(db, rows, tmp_path):
    db.replace_rows(labelled_cases, sa.true(), rows)
    return build_eval_set(db, tmp_path / "home" / "eval_set.jsonl")


def _add_admin(db, name="root", role="admin"):
    with db.transaction() as conn:
        conn.execute(review_users.insert().values(name=name, role=role, password_hash="x", created_at=T0, disabled=False))


def _export_bytes(db, version, tmp_path, fmt):
    out = tmp_path / "exports" / f"{version}-{fmt}.out"
    export(release_cases(db, version), fmt, out)
    return out.read_bytes()


@pytest.fixture
def first_release(db, tmp_path):
    rows = [_labelled("c01", WEEK_1, "happy_path"), _labelled("c02", WEEK_1, "edge_case", reviewer="ben"), _labelled("c03", WEEK_1, "drift", "discard")]
    _seed_sources(db, rows)
    _set_labelled(db, rows, tmp_path)
    result = publish_release(db, "2026-W11", sample_rate=0.005, quality={"cases": 2}, now=T0)
    return rows, result


def test_a_new_version_only_when_content_changed(db, tmp_path, first_release):
    rows, first = first_release
    assert first.published and first.version.startswith("2026-W11-") and len(first.version) == len("2026-W11-") + 8
    assert (first.case_count, first.added, first.removed, first.parent_version) == (2, 2, 0, None)
    assert dict(first.by_category) == {"happy_path": 1, "edge_case": 1}

    # Rebuilding with no new decisions, even in a later week: still one release.
    _set_labelled(db, rows, tmp_path)
    again = publish_release(db, "2026-W12", now=T0 + dt.timedelta(days=7))
    assert not again.published and again.version == first.version and again.reason == "content unchanged"
    assert [r["version"] for r in list_releases(db)] == [first.version]

    # A new accepted case makes a new version whose parent is the first.
    rows.append(_labelled("c04", WEEK_2, "adversarial"))
    _seed_sources(db, rows[-1:])
    _set_labelled(db, rows, tmp_path)
    second = publish_release(db, "2026-W12", now=T0 + dt.timedelta(days=7))
    assert second.published and second.parent_version == first.version
    assert (second.case_count, second.added, second.changed, second.removed) == (3, 1, 0, 0)
    assert [c["id"] for c in release_cases(db, first.version)] == ["c01", "c02"]
    assert [c["id"] for c in release_cases(db, "latest")] == ["c01", "c02", "c04"]
    # Unchanged cases share one frozen snapshot across releases.
    assert db.count(eval_case_snapshots) == 3
    assert db.count(eval_set_release_cases, eval_set_release_cases.c.version == second.version) == 3


def test_an_empty_set_publishes_nothing(db, tmp_path):
    result = publish_release(db, "2026-W11", now=T0)
    assert not result.published and list_releases(db) == []
    with pytest.raises(ReleaseError, match="no eval set release"):
        get_release(db)


def test_old_version_is_byte_identical_after_retention_and_rebuilds(db, tmp_path, first_release):
    rows, first = first_release
    before = {fmt: _export_bytes(db, first.version, tmp_path / "before", fmt) for fmt in FORMATS if fmt != "parquet"}
    cases_before = release_cases(db, first.version)

    # Retention deletes the raw tier; reviewers re-label c01; eval_cases is rebuilt (twice).
    with db.transaction() as conn:
        conn.execute(raw_samples.delete())
    rows[0] = _labelled("c01", WEEK_1, "happy_path", expected="a better reference answer")
    _set_labelled(db, rows, tmp_path)
    second = publish_release(db, "2026-W12", now=T0 + dt.timedelta(days=7))
    assert second.published and (second.added, second.changed, second.removed) == (0, 1, 0)
    db.replace_rows(eval_cases, sa.true(), [])

    assert db.count(raw_samples) == 0
    assert release_cases(db, first.version) == cases_before
    after = {fmt: _export_bytes(db, first.version, tmp_path / "after", fmt) for fmt in before}
    assert after == before
    assert cases_before[0]["expected_output"] == "reference answer c01"
    assert release_cases(db, second.version)[0]["expected_output"] == "a better reference answer"

    diff = diff_releases(db, first.version, second.version)
    assert (diff.added, diff.removed) == ([], [])
    assert diff.changed == [{"case_id": "c01", "category": "happy_path", "fields": ["expected_output"]}]


def test_retired_case_stays_in_old_versions_and_leaves_new_ones(db, tmp_path, first_release):
    rows, first = first_release
    _add_admin(db)
    _add_admin(db, "ana", role="reviewer")
    with pytest.raises(ReleaseError, match="not an enabled admin"):
        retire_case(db, "c02", "ambiguous reference", "ana")
    with pytest.raises(ReleaseError, match="needs a reason"):
        retire_case(db, "c02", "  ", "root")
    with pytest.raises(ReleaseError, match="in no release"):
        retire_case(db, "nope", "typo", "root")
    retire_case(db, "c02", "ambiguous reference", "root")
    with pytest.raises(ReleaseError, match="already retired"):
        retire_case(db, "c02", "again", "root")

    rows.append(_labelled("c05", WEEK_2, "adversarial"))
    _seed_sources(db, rows[-1:])
    report = _set_labelled(db, rows, tmp_path)
    assert report.retired == 1 and [r["case_id"] for r in db.fetch_all(sa.select(eval_cases.c.case_id))] == ["c01", "c05"]
    second = publish_release(db, "2026-W12", now=T0 + dt.timedelta(days=7))
    assert (second.added, second.removed) == (1, 1)

    assert [c["id"] for c in release_cases(db, first.version)] == ["c01", "c02"]
    assert [c["id"] for c in release_cases(db, second.version)] == ["c01", "c05"]
    diff = diff_releases(db, first.version, second.version)
    assert diff.added == [{"case_id": "c05", "category": "adversarial"}]
    assert diff.removed == [{"case_id": "c02", "category": "edge_case", "retired_reason": "ambiguous reference", "retired_by": "root"}]
    assert diff.changed == []
    # Even offered directly, a retired case never enters a new release.
    assert not publish_release(db, "2026-W13", now=T0 + dt.timedelta(days=14)).published
    lineage = case_lineage(db, "c02")
    assert lineage["retired"]["reason"] == "ambiguous reference" and lineage["versions"] == [first.version]


def test_lineage_comes_from_tables_that_survive_retention(db, tmp_path, first_release):
    _, first = first_release
    with db.transaction() as conn:
        conn.execute(raw_samples.delete())
    lineage = case_lineage(db, "c02")
    assert lineage["source_day"] == WEEK_1 and lineage["review_week"] == WEEK_1
    assert lineage["sample_reasons"] == "sample,low_confidence" and lineage["sample_rate"] == 0.005
    assert (lineage["candidate_category"], lineage["candidate_reasons"], lineage["duplicate_count"]) == ("edge_case", "low_confidence", 3)
    assert lineage["reviewers"] == "ben" and lineage["decided_at"].startswith("2026-03-08T09:00:00")
    assert lineage["first_version"] == lineage["last_changed_version"] == first.version
    assert lineage["code_version"].startswith("logmine ")
    assert lineage["versions"] == [first.version] and lineage["retired"] is None
    assert case_lineage(db, "c03") is None  # discarded: never released


def test_same_content_back_in_the_same_week_gets_a_distinct_version(db, tmp_path, first_release):
    rows, first = first_release
    _set_labelled(db, rows[:1], tmp_path)
    middle = publish_release(db, "2026-W11", now=T0 + dt.timedelta(hours=1))
    _set_labelled(db, rows, tmp_path)
    back = publish_release(db, "2026-W11", now=T0 + dt.timedelta(hours=2))
    assert middle.published and back.published
    assert len({first.version, middle.version, back.version}) == 3 and back.version.startswith(first.version)
    assert release_cases(db, back.version) == release_cases(db, first.version)
    assert get_release(db, back.version)["content_hash"] == get_release(db, first.version)["content_hash"]


def test_show_diff_retire_and_export_commands(db, cli_env, first_release, capsys):
    rows, first = first_release
    _add_admin(db)
    assert main(["evalset", "show"]) == 0
    out = capsys.readouterr().out
    assert f"version {first.version}" in out and "2 case(s): 2 added, 0 changed, 0 removed" in out
    assert "c01\thappy_path\t2026-03-02\tadded" in out and "question" not in out

    assert main(["evalset", "retire", "c01", "--reason", "outdated policy", "--admin", "root"]) == 0
    assert "retired c01" in capsys.readouterr().out
    assert main(["evalset", "retire", "c01", "--reason", "x", "--admin", "root"]) == 1
    assert "already retired" in capsys.readouterr().err
    _set_labelled(db, rows, cli_env)
    second = publish_release(db, "2026-W12", now=T0 + dt.timedelta(days=7))

    assert main(["evalset", "diff", first.version, second.version]) == 0
    out = capsys.readouterr().out
    assert "0 added, 1 removed, 0 changed" in out and "- c01\thappy_path\tretired by root: outdated policy" in out
    assert main(["evalset", "diff", first.version, "2020-W01-deadbeef"]) == 1
    assert "unknown eval set version '2020-W01-deadbeef'" in capsys.readouterr().err

    old_out, new_out = cli_env / "old.jsonl", cli_env / "new.jsonl"
    assert main(["evalset", "export", "--format", "inspect", "--out", str(old_out), "--version", first.version]) == 0
    out = capsys.readouterr().out
    assert "exported 2 case(s) as inspect" in out and f"(release {first.version})" in out
    assert main(["evalset", "export", "--format", "inspect", "--out", str(new_out)]) == 0
    assert [json.loads(l)["id"] for l in old_out.read_text().splitlines()] == ["c01", "c02"]
    assert [json.loads(l)["id"] for l in new_out.read_text().splitlines()] == ["c02"]
    assert main(["evalset", "show", "--version", first.version, "--no-cases"]) == 0
    assert "c01\t" not in capsys.readouterr().out

    assert main(["evalset", "lineage", "c02"]) == 0
    assert json.loads(capsys.readouterr().out)["reviewers"] == "ben"


def test_eval_set_asset_publishes_once_and_old_versions_survive_retention(
    logmine_env, dagster_instance, code_location, db, tmp_path
):
    """The real pipeline: decisions -> eval_set (twice: one release) -> retention -> old version unchanged."""
    from logmine_dagster.sanitise.pseudonyms import pseudonym
    from logmine_dagster.retention.deletion import apply_retention
    from logmine_dagster_tests.conftest import FIRST_DAY, TEST_HASH_KEY
    from logmine_dagster_tests.helpers import assert_metadata_reads_at_a_glance, run_daily

    week = FIRST_DAY.isoformat()

    def run(job, **kwargs):
        result = code_location.resolve_job_def(job).execute_in_process(instance=dagster_instance, **kwargs)
        assert result.success
        return result

    def eval_set_metadata(result):
        [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "eval_set"]
        return {k: v.value for k, v in event.materialization.metadata.items()}

    assert run_daily(code_location, dagster_instance, week).success
    assert_metadata_reads_at_a_glance(run("weekly_review_batch_job", partition_key=week))
    assert eval_set_metadata(run("eval_set_job"))["release_status"] == "empty eval set, nothing to publish"

    batch = tmp_path / "batch.jsonl"
    assert main(["review", "export", "--week", week, "--out", str(batch)]) == 0
    lines = [json.loads(line) for line in batch.read_text().splitlines()]
    for line in lines[:3]:
        line.update(decision="accept", expected_output=f"Reference answer for {line['case_id'][:6]}.")
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    for name in ("ana", "ben"):  # imports take decisions only from existing reviewer accounts
        _add_admin(db, name, role="reviewer")
    assert main(["review", "import", str(batch), "--reviewer", "ana"]) == 0

    first_result = run("eval_set_job")
    assert_metadata_reads_at_a_glance(first_result)
    first = eval_set_metadata(first_result)
    # Coverage of the week's failures by the eval set just published, measured by the real asset.
    assert_metadata_reads_at_a_glance(run("weekly_eval_coverage_job", partition_key=week))
    # A few numbers worth plotting; the rest is in tables and the `numbers` JSON.
    plotted = {k for k, v in first.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    assert plotted == {"cases", "cases_adversarial", "cases_drift", "cases_edge_case", "cases_happy_path", "cases_synthetic",
                       "acceptance_rate_overall", "latest_week_added", "release_added"}
    assert first["release_published"] is True and first["release_added"] == 3 and first["numbers"]["release"]["removed"] == 0
    # Growth, the mined/synthetic mix per release and the representativeness table ride along.
    assert (first["numbers"]["cases_mined"], first["cases_synthetic"]) == (3, 0)
    # Turned on their side or cut to four columns, so they fit the asset page at 1280 px (test_ui_screenshots).
    from logmine_dagster.defs.evalset.compact import short_version

    assert f"| release | {short_version(first['version'])} |" in first["mix_by_release"]
    assert "| cases | 3 |" in first["mix_by_release"] and "| mined/synthetic | 3/0 |" in first["mix_by_release"]
    assert "| category | eval set | prod. | ratio |" in first["representativeness"]
    assert "_prod.: estimated from " in first["representativeness"]
    assert len(first["growth_chart"]) < 1000 and first["growth_chart"].startswith("![eval cases per review week](data:image/svg+xml;base64,")
    # The coverage chart rides beside it; no week was measured here, so it says so in a line.
    assert first["coverage_chart"] == "_covered share of failures per week: nothing to draw yet_"
    assert 0 < sum(first["numbers"][f"production_share_{c}"] for c in ("adversarial", "drift", "edge_case", "happy_path")) <= 1.0001
    # The materialised exports name the reviewer by a keyed pseudonym, not by name.
    inspect_lines = [json.loads(l) for l in (logmine_env["home"] / "exports" / "inspect_dataset.jsonl").read_text().splitlines()]
    assert {l["metadata"]["reviewer"] for l in inspect_lines} == {pseudonym(TEST_HASH_KEY.encode(), "reviewer", "ana")}
    again = eval_set_metadata(run("eval_set_job"))
    assert again["release_published"] is False and again["version"] == first["version"]
    assert [r["version"] for r in list_releases(db)] == [first["version"]]
    version = first["version"]
    exported_before = _export_bytes(db, version, tmp_path / "before", "openai-evals")

    # Lineage from the real tables, for every released case.
    for line in lines[:3]:
        lineage = case_lineage(db, line["case_id"])
        assert lineage["source_day"] == line["day"] and lineage["reviewers"] == "ana"
        assert lineage["sample_reasons"] and lineage["candidate_reasons"] == ",".join(line["reasons"])
        assert lineage["candidate_category"] == line["category"] and lineage["duplicate_count"] >= 1
        assert lineage["sample_rate"] is not None and lineage["first_version"] == version

    # Retention deletes every raw log and raw sample; one more decision makes a second release.
    report = apply_retention(db, logmine_env["log_root"], FIRST_DAY + dt.timedelta(days=400), 30)
    assert report.deleted_partitions and db.count(raw_samples) == 0
    lines[3].update(decision="accept", expected_output="One more reference answer.")
    batch.write_text(json.dumps(lines[3]) + "\n")
    assert main(["review", "import", str(batch), "--reviewer", "ben"]) == 0
    second = eval_set_metadata(run("eval_set_job"))
    assert second["release_published"] is True and (second["release_added"], second["numbers"]["release"]["removed"]) == (1, 0)

    assert _export_bytes(db, version, tmp_path / "after", "openai-evals") == exported_before
    diff = diff_releases(db, version, second["version"])
    assert [c["case_id"] for c in diff.added] == [lines[3]["case_id"]] and diff.removed == []
