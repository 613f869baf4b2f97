"""Failure coverage on a generated week: planted failure clusters, some near an eval case and some not,
give the expected covered shares overall, per category and per signal; the uncovered clusters move into
the next week's review batch; a real Dagster materialisation of eval_coverage with its warning check.
(SQLite, and PostgreSQL when set.) The texts are written for this test."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg

from logmine_dagster.core.weeks import days_of_week
from logmine_dagster.curation import coverage_summary as summary
from logmine_dagster.curation.failure_coverage import coverage_rows, measure_coverage, store_coverage
from logmine_dagster.review.batch import build_batch
from logmine_dagster.storage.schema import candidates, eval_cases, sanitised_samples
from logmine_dagster_tests.helpers import assert_metadata_reads_at_a_glance

WEEK = "2026-03-02"
NEXT_WEEK = "2026-03-09"

# (cluster, category, signal, base text, members): the members vary the text by a trailing word.
PLANTED = [
    ("refund", "edge_case", "error", "my refund for the blue kettle order never arrived after two weeks", 5),
    ("invoice", "drift", "low_confidence", "the invoice export button crashes whenever I pick the spreadsheet format", 4),
    ("router", "edge_case", "escalated", "please escalate this, the mesh router keeps dropping wifi every single evening", 3),
    ("leaflet", "adversarial", "negative_feedback", "your translation of the safety leaflet into portuguese reads completely wrong", 2),
]
COVERED = {"refund", "router"}
EVALS = [
    ("eval-refund", "refund for my blue kettle order never arrived, two weeks now"),
    ("eval-router", "mesh router keeps dropping the wifi every evening, escalate please"),
    ("eval-billing", "how do I change the billing address on my account"),
]
ENDINGS = ["", " thanks", " again", " today", " help", " now"]


def _sample(day, case_id, text, signal=None):
    return dict(day=day, case_id=case_id, timestamp=day + "T10:00:00Z", status="error" if signal == "error" else "ok",
                error_type="timeout" if signal == "error" else None, escalated=signal == "escalated",
                feedback="down" if signal == "negative_feedback" else None,
                sample_reasons="low_confidence" if signal == "low_confidence" else "base_rate",
                input_json=json.dumps([{"role": "user", "content": text}]), metadata_json="{}", entity_counts_json="{}")


def _candidate(day, case_id, category, reasons, ids=(), key=None):
    return dict(day=day, case_id=case_id, category=category, reasons=reasons, dedup_key=key or "k-" + case_id,
                duplicate_count=1 + len(ids), duplicate_ids=json.dumps(list(ids)), novelty=0.5)


def seed_week(db) -> None:
    days = days_of_week(WEEK)
    samples, rows = [], []
    for number, (name, category, signal, text, size) in enumerate(PLANTED):
        ids = [f"{name}-{i}" for i in range(size)]
        for i, case_id in enumerate(ids):
            samples.append(_sample(days[(number + i) % 7], case_id, text + ENDINGS[i], signal))
        first_day = days[number % 7]
        rows.append(_candidate(first_day, ids[0], category, f"edge:{signal}", ids[1:]))
    # Not failures: near an eval case or not, they never count.
    samples.append(_sample(days[0], "fine-1", "how do I change the billing address on my account"))
    samples.append(_sample(days[1], "fine-2", "a question nobody asked before about lighthouse keepers"))
    with db.transaction() as conn:
        conn.execute(sanitised_samples.insert(), samples)
        conn.execute(candidates.insert(), rows)
        conn.execute(eval_cases.insert(), [
            dict(case_id=case_id, category="edge_case", input_json=json.dumps([{"role": "user", "content": text}]), expected_output="x",
                 added_week=WEEK, source_day=days[0], reasons="x", reviewer="ana", labelled_at=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
            for case_id, text in EVALS
        ])


def test_planted_clusters_give_the_expected_shares(db):
    seed_week(db)
    report = measure_coverage(db, WEEK)
    assert report.failures == 14 and report.eval_cases == 3
    by_id = {c.cluster_id.split("-")[0]: c for c in report.clusters}
    assert sorted(by_id) == sorted(name for name, *_ in PLANTED)  # one cluster per planted failure, no chaining
    assert {name for name, c in by_id.items() if c.covered} == COVERED
    assert by_id["refund"].nearest_eval_case == "eval-refund" and by_id["router"].nearest_eval_case == "eval-router"
    assert {name: c.size for name, c in by_id.items()} == {"refund": 5, "invoice": 4, "router": 3, "leaflet": 2}

    store_coverage(db, report)
    week = summary.summarise(coverage_rows(db))[WEEK]
    assert week.overall.share == round(8 / 14, 4) and (week.overall.clusters, week.overall.covered_clusters) == (4, 2)
    assert {k: s.share for k, s in week.by_category.items()} == {"edge_case": 1.0, "drift": 0.0, "adversarial": 0.0}
    assert {k: s.share for k, s in week.by_signal.items()} == {"error": 1.0, "low_confidence": 0.0, "escalated": 1.0, "negative_feedback": 0.0}
    largest = summary.largest_uncovered(coverage_rows(db, WEEK))
    assert [(r["cluster_id"], r["size"], r["reasons"]) for r in largest] == [("invoice-0", 4, "edge:low_confidence"),
                                                                             ("leaflet-0", 2, "edge:negative_feedback")]
    table = summary.uncovered_markdown(largest)
    assert "spreadsheet" not in table and "leaflet into" not in table  # ids and codes, never text


def test_an_empty_eval_set_covers_nothing(db):
    seed_week(db)
    with db.transaction() as conn:
        conn.execute(eval_cases.delete())
    report = measure_coverage(db, WEEK)
    assert report.eval_cases == 0 and len(report.clusters) == 4 and not any(c.covered for c in report.clusters)


def seed_next_week(db) -> None:
    """Next week: four severe, unrelated edge cases and one low-severity recurrence of the uncovered invoice failure."""
    days = days_of_week(NEXT_WEEK)
    texts = [f"unrelated severe complaint number {word} about the parcel locker" for word in ("one", "two", "three", "four")]
    rows = [_candidate(days[0], f"severe-{i}", "edge_case", "edge:escalated,edge:negative_feedback") for i in range(4)]
    rows.append(_candidate(days[2], "again-invoice", "edge_case", "edge:low_confidence"))
    rows.append(_candidate(days[3], "again-refund", "edge_case", "edge:error:timeout"))
    samples = [_sample(days[0], f"severe-{i}", t, "escalated") for i, t in enumerate(texts)]
    samples.append(_sample(days[2], "again-invoice", "the invoice export button crashes when I pick the spreadsheet format again", "low_confidence"))
    samples.append(_sample(days[3], "again-refund", "my refund for the blue kettle order never arrived after three weeks", "error"))
    with db.transaction() as conn:
        conn.execute(sanitised_samples.insert(), samples)
        conn.execute(candidates.insert(), rows)


def test_uncovered_clusters_move_into_the_next_batch(db):
    seed_week(db)
    seed_next_week(db)
    before = build_batch(db, NEXT_WEEK, cap=2)
    assert before.uncovered == 0 and "again-invoice" not in [c["case_id"] for c in before.chosen]

    store_coverage(db, measure_coverage(db, WEEK))
    after = build_batch(db, NEXT_WEEK, cap=2)
    chosen = {c["case_id"]: c for c in after.chosen}
    assert after.uncovered == 1  # the refund recurrence is near a covered cluster: no boost
    assert list(chosen)[0] == "again-invoice" and "again-refund" not in chosen
    assert f"uncovered failure cluster {WEEK}/invoice-0" in chosen["again-invoice"]["why"]


def test_eval_coverage_materialises_and_warns_when_coverage_falls(db, dagster_instance, code_location, monkeypatch, tmp_path):
    monkeypatch.setenv("LOGMINE_DATABASE_URL", db.url)
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    seed_week(db)
    job = code_location.resolve_implicit_global_asset_job_def()
    result = job.get_subset(asset_selection={dg.AssetKey("eval_coverage")}).execute_in_process(
        partition_key=WEEK, instance=dagster_instance, raise_on_error=False)
    assert result.success
    assert_metadata_reads_at_a_glance(result)
    [event] = result.get_asset_materialization_events()
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert metadata["covered_share"] == round(8 / 14, 4) and metadata["uncovered_clusters"] == 2 and metadata["failures"] == 14
    assert "invoice-0" in metadata["largest_uncovered"] and "spreadsheet" not in json.dumps(metadata["largest_uncovered"])
    # An SVG short enough for the UI to show on the asset page (markdown under 1,000 characters).
    assert metadata["trend_chart"].startswith("![covered share of failures per week](data:image/svg+xml;base64,")
    assert len(metadata["trend_chart"]) < 1000
    assert len(metadata["largest_uncovered"]) < 1000  # the review priorities show inline too
    [check] = result.get_asset_check_evaluations()
    assert check.passed  # the first week has nothing to fall from

    # The next week: five uncovered failures and one covered (1/6): coverage falls, the check warns.
    seed_next_week(db)
    result = job.get_subset(asset_selection={dg.AssetKey("eval_coverage")}).execute_in_process(
        partition_key=NEXT_WEEK, instance=dagster_instance, raise_on_error=False)
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity.value == "WARN" and "fell from 57%" in check.description
