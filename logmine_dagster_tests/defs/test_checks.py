"""The blocking residual-PII check: a leak that got past the asset's own gate still stops the pipeline."""

from __future__ import annotations

import json

import sqlalchemy as sa

import logmine_dagster.defs.sanitise.assets as sanitise_asset_module
from logmine_dagster.sanitise.sanitise_day import publish_day
from logmine_dagster.storage.schema import candidates, sanitised_samples
from logmine_dagster_tests.conftest import FIRST_DAY
from logmine_dagster_tests.helpers import check_results, materialised_assets, run_daily

DAY = FIRST_DAY.isoformat()
PLANTED_EMAIL = "planted.leak@example.org"


def test_a_planted_leak_fails_the_check_and_blocks_downstream(logmine_env, dagster_instance, code_location, db, monkeypatch):
    def publish_then_leak(database, day, shards, **kwargs):
        """Simulates a broken in-asset gate: one sanitised row ends up with an email in it."""
        report = publish_day(database, day, shards, **kwargs)
        with database.transaction() as conn:
            row = conn.execute(sa.select(sanitised_samples).where(sanitised_samples.c.day == day).limit(1)).mappings().one()
            messages = json.loads(row["input_json"]) + [{"role": "user", "content": f"write to me at {PLANTED_EMAIL}"}]
            conn.execute(
                sanitised_samples.update()
                .where(sanitised_samples.c.day == day, sanitised_samples.c.case_id == row["case_id"])
                .values(input_json=json.dumps(messages))
            )
        return report

    monkeypatch.setattr(sanitise_asset_module, "publish_day", publish_then_leak)
    result = run_daily(code_location, dagster_instance, DAY)

    evaluation = check_results(result)["sanitised_samples_no_residual_pii"]
    assert not evaluation.passed
    assert evaluation.metadata["residual_findings"].value >= 1
    assert evaluation.metadata["scanned_in_shards"].value is True  # the verdict of the scan shard steps
    assert not result.success
    assert "categorised_candidates" not in materialised_assets(result)
    assert db.count(candidates) == 0
    # The check reports kinds and counts, never the leaked text.
    assert PLANTED_EMAIL not in json.dumps({k: str(v.value) for k, v in evaluation.metadata.items()})


def test_the_check_passes_on_the_real_sanitiser(logmine_env, dagster_instance, code_location):
    result = run_daily(code_location, dagster_instance, DAY)
    assert result.success
    assert check_results(result)["sanitised_samples_no_residual_pii"].passed
