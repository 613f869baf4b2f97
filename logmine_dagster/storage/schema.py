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
    # P(record sampled) under the sampler config of the day (migration 0004); lets statistics be
    # re-weighted (1/p) to what production sees. NULL for rows written before 0004.
    sa.Column("inclusion_probability", sa.Float, nullable=True),
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
    sa.Column("inclusion_probability", sa.Float, nullable=True),  # copied from raw_samples (0004)
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

# Shard steps hand their output to the next step here, not through a shared folder: each shard's parts
# are written in that shard's own transaction (all or nothing), read by the publish step and deleted in
# its transaction; retention removes what dead runs left. Holds gate-passed rows and counts only.
shard_staging = sa.Table(
    "shard_staging",
    metadata,
    sa.Column("step", sa.String(40), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("run_id", sa.String(100), primary_key=True),
    sa.Column("shard_count", sa.Integer, primary_key=True),
    sa.Column("shard", sa.Integer, primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),  # 0: the shard's header (counts); 1..: its items
    sa.Column("payload_json", sa.Text, nullable=False),
    sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False, index=True),
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
    sa.Column("duplicate_ids", sa.Text, nullable=True),  # JSON list of the collapsed case ids (0004)
    sa.Column("novelty", sa.Float, nullable=True),  # 0..1, drift novelty score (0004)
    # MinHash signature of the user text's normal form (curation/near_duplicates.signature_bytes), so later
    # days read it instead of signing the text again; NULL for short texts and rows written before 0008.
    sa.Column("minhash", sa.LargeBinary, nullable=True),
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
    sa.Column("why", sa.Text, nullable=True),  # why the batch planner chose this case (0004)
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
    sa.Column("rubric_notes", sa.Text, nullable=True),  # reviewer notes (0004)
    sa.Column("tags", sa.String(500), nullable=True),  # comma-separated reviewer tags (0004)
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
    sa.Column("origin", sa.String(20), nullable=False, server_default="mined"),  # mined | synthetic (0004)
    sa.Column("rubric_notes", sa.Text, nullable=True),  # (0004)
    sa.Column("tags", sa.String(500), nullable=True),  # (0004)
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

# --- Review app (migration 0002). Accounts, sessions and the reviewers' audit trail; PII-free like the
# rest of the non-raw tier: the app reads sanitised_samples only and never touches raw_* tables.

review_users = sa.Table(
    "review_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
)

review_sessions = sa.Table(
    "review_sessions",
    metadata,
    # SHA-256 of the session token: the token itself lives only in the signed cookie.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),  # idle timeout (0004)
)

review_login_attempts = sa.Table(
    "review_login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, index=True),
    sa.Column("client", sa.String(100), nullable=False),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("succeeded", sa.Boolean, nullable=False),
)

# Who is reviewing a case: one row per review slot (reviews per case), so a slot is taken once.
review_assignments = sa.Table(
    "review_assignments",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("slot", sa.Integer, primary_key=True),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("case_id", "reviewer", name="uq_review_assignments_case_reviewer"),
)

# Each reviewer's independent review of a case (one per reviewer, edited in place with a version;
# every change is also in review_audit). The outcome goes to review_decisions.
review_votes = sa.Table(
    "review_votes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(64), nullable=False, index=True),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("expected_output", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("rubric_notes", sa.Text, nullable=True),
    sa.Column("tags", sa.String(500), nullable=True),
    sa.Column("category_override", sa.String(20), nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("case_id", "reviewer", name="uq_review_votes_case_reviewer"),
)

# What the app adds to a review_decisions row it wrote: notes, tags, category override, the votes.
review_decision_details = sa.Table(
    "review_decision_details",
    metadata,
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("review_decisions.id"), primary_key=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("rubric_notes", sa.Text, nullable=True),
    sa.Column("tags", sa.String(500), nullable=True),
    sa.Column("category_override", sa.String(20), nullable=True),
    sa.Column("votes_json", sa.Text, nullable=False),
)

# A reviewer saw PII in the sanitised tier: the case is quarantined (never labelled, never shown again)
# and counted as a sanitiser miss. Only the kind is stored, never the text.
review_pii_flags = sa.Table(
    "review_pii_flags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(64), nullable=False, unique=True),
    sa.Column("week", sa.String(10), nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
)

# How many independent reviews a case needs (migration 0005): stored, so the app's every process and
# every import apply one policy. `week` "" is the default; a week's row overrides it for that batch.
review_policy = sa.Table(
    "review_policy",
    metadata,
    sa.Column("week", sa.String(10), primary_key=True),
    sa.Column("reviews_per_case", sa.Integer, nullable=False),
    sa.Column("set_by", sa.String(100), nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)

review_audit = sa.Table(
    "review_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("case_id", sa.String(64), nullable=True, index=True),
    sa.Column("before_json", sa.Text, nullable=True),
    sa.Column("after_json", sa.Text, nullable=True),
)

# --- Eval set releases (migration 0003). Immutable, versioned eval sets that stay readable after
# retention: every table here is self-contained (frozen sanitised content and lineage values, no
# pointer into tables that retention deletes). PII-free like the rest of the non-raw tier.

# One published version of the eval set. `version` is `YYYY-Www-<first 8 hex of content_hash>`.
eval_set_releases = sa.Table(
    "eval_set_releases",
    metadata,
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),  # 1, 2, 3...: publication order
    sa.Column("week", sa.String(10), nullable=False),  # ISO week label, e.g. 2026-W10
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("parent_version", sa.String(40), nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
    sa.Column("case_count", sa.Integer, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
    sa.Column("changed", sa.Integer, nullable=False),
    sa.Column("removed", sa.Integer, nullable=False),
    sa.Column("by_category_json", sa.Text, nullable=False),
    sa.Column("quality_json", sa.Text, nullable=False),  # the quality suite's numbers when published
    sa.Column("code_version", sa.String(100), nullable=False),
)

# A case's content, frozen: one row per distinct content (re-labelling makes a new hash).
# `case_json` is exactly the eval_set.jsonl line, so an old version exports byte-identically.
eval_case_snapshots = sa.Table(
    "eval_case_snapshots",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("case_hash", sa.String(64), primary_key=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("added_week", sa.String(10), nullable=False),
    sa.Column("source_day", sa.String(10), nullable=False),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("labelled_at", sa.String(40), nullable=False),
    sa.Column("case_json", sa.Text, nullable=False),
)

# Membership: which content of which case each release holds, and how it got there.
eval_set_release_cases = sa.Table(
    "eval_set_release_cases",
    metadata,
    sa.Column("version", sa.String(40), sa.ForeignKey("eval_set_releases.version"), primary_key=True),
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("case_hash", sa.String(64), nullable=False),
    sa.Column("change", sa.String(10), nullable=False),  # added | kept | changed
)

# Where a case came from, copied from tables that survive retention (sanitised_samples, candidates,
# review_queue, review_decisions, review_decision_details) when the case first enters a release, and
# refreshed when its content changes. case_id is the keyed-hash pseudonym of the request id.
eval_case_lineage = sa.Table(
    "eval_case_lineage",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("source_day", sa.String(10), nullable=False),
    sa.Column("review_week", sa.String(10), nullable=True),
    sa.Column("sample_reasons", sa.String(200), nullable=True),
    sa.Column("sample_rate", sa.Float, nullable=True),  # the configured rate when the case was first released
    sa.Column("candidate_category", sa.String(20), nullable=True),
    sa.Column("candidate_reasons", sa.String(300), nullable=True),
    sa.Column("duplicate_count", sa.Integer, nullable=True),
    sa.Column("reviewers", sa.String(500), nullable=False),
    sa.Column("decided_at", sa.String(40), nullable=False),
    sa.Column("first_version", sa.String(40), nullable=False),
    sa.Column("last_changed_version", sa.String(40), nullable=False),
    sa.Column("code_version", sa.String(100), nullable=False),
)

# An admin took a case out of the eval set: excluded from every later release, kept in earlier ones.
eval_case_retirements = sa.Table(
    "eval_case_retirements",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("admin", sa.String(100), nullable=False),
    sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
)

# --- Synthetic cases (migration 0004): hand-written or generated eval cases imported from JSONL,
# kept apart from mined cases so the eval set and its growth can show the mix. Never raw data.
synthetic_cases = sa.Table(
    "synthetic_cases",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("input_json", sa.Text, nullable=False),
    sa.Column("expected_output", sa.Text, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),  # file name or tool the cases came from
    sa.Column("tags", sa.String(500), nullable=True),
    sa.Column("imported_by", sa.String(100), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

# The week's production failures clustered, each cluster covered or not by an eval case (migration 0006,
# written by the eval_coverage asset, read by the next weekly batch's priority and `logmine status`).
# Ids, sizes and reason codes only: the texts stay in sanitised_samples.
failure_coverage = sa.Table(
    "failure_coverage",
    metadata,
    sa.Column("week", sa.String(10), primary_key=True),
    sa.Column("cluster_id", sa.String(64), primary_key=True),  # case_id of the cluster's first failure
    sa.Column("day", sa.String(10), nullable=False),  # that failure's day (sanitised_samples key)
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("signals", sa.String(100), nullable=False),  # comma-separated failure signals of the members
    sa.Column("reasons", sa.String(300), nullable=False),  # the most frequent reason codes of the members
    sa.Column("covered", sa.Boolean, nullable=False),
    sa.Column("similarity", sa.Float, nullable=False),  # best similarity of a member to an eval case
    sa.Column("nearest_eval_case", sa.String(64), nullable=True),
    sa.Column("member_ids", sa.Text, nullable=False),  # JSON list of the members' case ids
    sa.Column("eval_cases", sa.Integer, nullable=False),  # eval set size it was measured against
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
)
