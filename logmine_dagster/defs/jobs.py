"""Jobs the sensor and schedules launch."""

import dagster as dg

daily_mining_job = dg.define_asset_job(
    "daily_mining_job",
    selection=dg.AssetSelection.assets("sampled_logs", "sanitised_samples", "categorised_candidates"),
    description="Sample, sanitise and categorise one day of logs.",
)

weekly_review_batch_job = dg.define_asset_job(
    "weekly_review_batch_job",
    selection=dg.AssetSelection.assets("review_batch"),
    description="Queue the past week's batch for reviewers.",
)

weekly_eval_coverage_job = dg.define_asset_job(
    "weekly_eval_coverage_job",
    selection=dg.AssetSelection.assets("eval_coverage"),
    description="Measure how much of the past week's production failures the eval set covers.",
)

eval_set_job = dg.define_asset_job(
    "eval_set_job",
    selection=dg.AssetSelection.assets("labelled_cases", "eval_set", "eval_set_exports"),
    description="Collect reviewers' decisions and rebuild the eval set.",
)

retention_job = dg.define_asset_job(
    "retention_job",
    selection=dg.AssetSelection.assets("raw_log_retention"),
    description="Delete raw data older than the retention period.",
)
