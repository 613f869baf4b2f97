"""The eval set's category mix beside production's, re-weighted by 1/inclusion probability (SQLite,
and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from logmine_dagster.evalset.representativeness import representativeness
from logmine_dagster.storage.schema import candidates, eval_cases, sanitised_samples

DAY = "2026-03-03"


def _sample(case_id, reasons, p):
    return dict(day=DAY, case_id=case_id, timestamp=DAY + "T10:00:00Z", status="ok", escalated=False, sample_reasons=reasons,
                input_json="[]", metadata_json="{}", entity_counts_json="{}", inclusion_probability=p)


def _candidate(case_id, category, count=1, ids=None):
    return dict(day=DAY, case_id=case_id, category=category, reasons="x", dedup_key="k" + case_id, duplicate_count=count,
                duplicate_ids=None if ids is None else json.dumps(ids))


def _eval(case_id, category, origin="mined"):
    return dict(case_id=case_id, category=category, input_json=json.dumps([{"role": "user", "content": case_id}]), expected_output="x",
                added_week="2026-03-02", source_day=DAY, reasons="x", reviewer="ana",
                labelled_at=dt.datetime(2026, 3, 8, tzinfo=dt.timezone.utc), origin=origin)


@pytest.fixture
def seeded(db):
    with db.transaction() as conn:
        conn.execute(sanitised_samples.insert(), [
            _sample("s1", "base_rate", 0.01),             # weight 100
            _sample("s2", "base_rate", 0.01),             # weight 100, collapsed into s1 (listed)
            _sample("s3", "error", 1.0),                  # weight 1, a cluster of 3 (not listed)
            _sample("s4", "base_rate", None),             # no p: base rate 0.02 -> weight 50
            _sample("s5", "low_confidence", None),        # no p, taken for a signal -> weight 1
        ])
        conn.execute(candidates.insert(), [
            _candidate("s1", "happy_path", 2, ["s2"]),
            _candidate("s3", "edge_case", 3),
            _candidate("s4", "adversarial"),
            _candidate("s5", "drift"),
        ])
        conn.execute(eval_cases.insert(), [_eval("e1", "happy_path"), _eval("e2", "edge_case"), _eval("e3", "edge_case"), _eval("e4", "adversarial", "synthetic")])
    return db


def test_production_mix_is_reweighted_by_inclusion_probability(seeded):
    report = representativeness(seeded, base_rate=0.02)
    rows = {r["category"]: r for r in report.rows()}
    assert report.samples == 7 and report.fallback_samples == 2
    assert {c: r["production_estimate"] for c, r in rows.items()} == {"adversarial": 50.0, "drift": 1.0, "edge_case": 3.0, "happy_path": 200.0}
    assert rows["happy_path"]["production_share"] == pytest.approx(200 / 254)
    assert rows["happy_path"]["sampled_share"] == pytest.approx(2 / 7)  # the raw sample over-represents the rare signals
    assert rows["edge_case"]["eval_share"] == 0.5 and rows["edge_case"]["mined_share"] == pytest.approx(2 / 3)
    assert rows["edge_case"]["ratio"] == pytest.approx(0.5 / (3 / 254))

    table = report.markdown()
    assert "| happy_path | 1 | 25.0% | 33.3% | 28.6% | 78.7% | 0.3x |" in table
    assert "2 of them had no recorded inclusion probability: p = the configured base rate 0.02" in table
    values = report.metadata_values()
    assert values["production_share_happy_path"] == round(200 / 254, 4) and values["representativeness_fallback_samples"] == 2.0


def test_without_samples_the_production_mix_is_unknown(db):
    report = representativeness(db, base_rate=0.005)
    assert report.samples == 0 and all(r["production_share"] is None for r in report.rows())
    assert "production mix unknown" in report.markdown()


def test_every_sample_with_a_recorded_probability_needs_no_fallback(db):
    with db.transaction() as conn:
        conn.execute(sanitised_samples.insert(), [_sample("s1", "base_rate", 0.5)])
        conn.execute(candidates.insert(), [_candidate("s1", "happy_path")])
    report = representativeness(db, base_rate=None)
    assert report.fallback_samples == 0 and "Every one had a recorded inclusion probability." in report.markdown()
