"""logmine's tables.

Tables named `raw_*` form the raw tier: they hold PII and are deleted by retention. Every other
table is PII-free: sanitised text, pseudonymous ids, counts and reasons only.
"""

import sqlalchemy as sa

metadata = sa.MetaData()

raw_samples = sa.Table(
    "raw_samples",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("request_id", sa.String(200), primary_key=True),
    sa.Column("sample_reasons", sa.String(200), nullable=False),
    sa.Column("record_json", sa.Text, nullable=False),
    sa.Column("source_file", sa.String(500), nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
)

ingest_quarantine = sa.Table(
    "ingest_quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("source_file", sa.String(500), nullable=False),
    sa.Column("source_line", sa.Integer, nullable=True),
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
)

sanitised_samples = sa.Table(
    "sanitised_samples",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("session_ref", sa.String(64), nullable=True),
    sa.Column("user_ref", sa.String(64), nullable=True),
    sa.Column("timestamp", sa.String(40), nullable=False),
    sa.Column("model", sa.String(200), nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("error_type", sa.String(200), nullable=True),
    sa.Column("latency_ms", sa.Float, nullable=True),
    sa.Column("confidence", sa.Float, nullable=True),
    sa.Column("escalated", sa.Boolean, nullable=False),
    sa.Column("feedback", sa.String(10), nullable=True),
    sa.Column("sample_reasons", sa.String(200), nullable=False),
    sa.Column("input_json", sa.Text, nullable=False),
    sa.Column("output", sa.Text, nullable=True),
    sa.Column("metadata_json", sa.Text, nullable=False),
    sa.Column("entity_counts_json", sa.Text, nullable=False),
)

sanitiser_quarantine = sa.Table(
    "sanitiser_quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
)

candidates = sa.Table(
    "candidates",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("reasons", sa.String(300), nullable=False),
    sa.Column("dedup_key", sa.String(64), nullable=False),
    sa.Column("duplicate_count", sa.Integer, nullable=False),
)

review_queue = sa.Table(
    "review_queue",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("week", sa.String(10), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("reasons", sa.String(300), nullable=False),
    sa.Column("priority", sa.Float, nullable=False),
    sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
)

review_decisions = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(64), nullable=False, index=True),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("expected_output", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)

labelled_cases = sa.Table(
    "labelled_cases",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("week", sa.String(10), nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("reasons", sa.String(300), nullable=False),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("input_json", sa.Text, nullable=False),
    sa.Column("model_output", sa.Text, nullable=True),
    sa.Column("expected_output", sa.Text, nullable=True),
    sa.Column("discard_reason", sa.Text, nullable=True),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)

eval_cases = sa.Table(
    "eval_cases",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("input_json", sa.Text, nullable=False),
    sa.Column("expected_output", sa.Text, nullable=False),
    sa.Column("added_week", sa.String(10), nullable=False),
    sa.Column("source_day", sa.String(10), nullable=False),
    sa.Column("reasons", sa.String(300), nullable=False),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
)

retention_log = sa.Table(
    "retention_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("target", sa.String(40), nullable=False),
    sa.Column("item_key", sa.String(500), nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("cutoff_day", sa.String(10), nullable=False),
)
