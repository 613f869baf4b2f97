"""The sanitised tier: every text field through Presidio, ids replaced by keyed pseudonyms.

Sanitising is the heavy step of a day, so the asset is a graph: the day's samples are split by a
keyed hash of the request id into shard steps that the executor runs in parallel (the multiprocess
executor: every core of this machine; the Dask executor: workers on other machines), then one
publish step replaces the day's partition in a single transaction.
"""

import os
import socket
from pathlib import Path

import dagster as dg

from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.core.config import ConfigError, Settings, parse_positive_int
from logmine_dagster.defs.ingest.assets import sampled_logs
from logmine_dagster.lib.metadata import counts_markdown, per_key_counts
from logmine_dagster.defs.partitions import daily_partitions
from logmine_dagster.defs.resources import LogmineDatabase, PresidioSanitiser
from logmine_dagster.sanitise.sanitise_day import RawTierGone, ShardStaging, StagingError, publish_day, sanitise_shard

MAX_SHARDS = 64


def shard_count_from_env(environ=os.environ) -> int:
    """LOGMINE_SANITISE_SHARDS, else one shard per core (at most 8).

    The count shapes the job's steps, so every process that loads this code location must see the
    same value: set it explicitly when steps run on other machines.
    """
    raw = environ.get("LOGMINE_SANITISE_SHARDS")
    if raw is None or raw.strip() == "":
        return max(1, min(os.cpu_count() or 1, 8))
    count = parse_positive_int("LOGMINE_SANITISE_SHARDS", raw)
    if count > MAX_SHARDS:
        raise ConfigError(f"LOGMINE_SANITISE_SHARDS must be at most {MAX_SHARDS}, got {count}")
    return count


SHARD_COUNT = shard_count_from_env()


def staging_root(presidio: PresidioSanitiser) -> Path:
    """LOGMINE_STAGING_DIR, else LOGMINE_HOME/staging. Shared by every worker when steps run on
    more than one machine."""
    configured = presidio.staging_dir or os.environ.get("LOGMINE_STAGING_DIR")
    return Path(configured).expanduser().resolve() if configured else Settings.from_env().home / "staging"


def _staging(context: dg.OpExecutionContext, presidio: PresidioSanitiser) -> ShardStaging:
    # Keyed by the root run: a retry "from failure" re-runs only the failed steps, in a new run, and
    # must still find what the original run's shards staged.
    return ShardStaging(staging_root(presidio), context.partition_key, context.run.root_run_id or context.run_id)


def _shard_op(shard: int, shard_count: int) -> dg.OpDefinition:
    @dg.op(
        name=f"sanitise_shard_{shard}",
        ins={"sampled_logs": dg.In(dg.Nothing)},
        out=dg.Out(dg.Nothing),
        tags={"logmine/shard": str(shard)},
        description=f"Sanitises shard {shard + 1} of {shard_count} of the day's samples and stages the result.",
    )
    @retry_on_transient_database_errors
    def sanitise_shard_op(context: dg.OpExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser) -> None:
        day = context.partition_key
        result = sanitise_shard(database.get(), presidio.sanitiser(), presidio.key(), day, shard, shard_count)
        _staging(context, presidio).write(result)
        context.log.info(
            f"shard {shard + 1}/{shard_count} of {day} on {socket.gethostname()} pid {os.getpid()}: "
            f"{result.report.read} read, {result.report.written} passed, {result.report.quarantined} refused"
        )

    return sanitise_shard_op


SHARD_OPS = [_shard_op(shard, SHARD_COUNT) for shard in range(SHARD_COUNT)]


@dg.op(
    ins={"shards_done": dg.In(dg.Nothing)},
    out=dg.Out(dg.Nothing),
    description="Replaces the day's sanitised rows and quarantine rows with every shard's output, in one transaction.",
)
@retry_on_transient_database_errors
def publish_sanitised(context: dg.OpExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser) -> dg.Output:
    day = context.partition_key
    staging = _staging(context, presidio)
    try:
        report = publish_day(database.get(), day, staging.read(SHARD_COUNT))
    except RawTierGone as error:
        staging.discard()
        raise dg.Failure(description=str(error), allow_retries=False) from None
    except StagingError as error:
        raise dg.Failure(description=f"{error}; the day's published rows are unchanged") from None
    staging.discard()
    if report.quarantined:
        context.log.warning(f"{report.quarantined} record(s) refused by the residual-PII gate, see sanitiser_quarantine")
    return dg.Output(
        None,
        metadata={
            "records_read": report.read,
            "records_written": report.written,
            "records_quarantined": report.quarantined,
            "entities_masked": int(sum(report.entity_counts.values())),
            "shards": SHARD_COUNT,
            **per_key_counts(report.entity_counts, "masked"),
            "masked_by_type": counts_markdown(report.entity_counts, "entity type"),
            "quarantined_by_reason": counts_markdown(report.quarantine_reasons, "reason"),
        },
    )


@dg.graph_asset(
    ins={"sampled_logs": dg.AssetIn(key=sampled_logs.key, dagster_type=dg.Nothing)},
    partitions_def=daily_partitions,
    group_name="sanitise",
    kinds={"presidio", "sqlalchemy"},
    tags={"tier": "sanitised"},
    description="Sampled records with every text field sanitised (typed placeholders) and ids pseudonymised. "
    "The asset re-scans its own output and refuses to write any record that still shows PII. Sanitised in "
    "parallel shard steps (LOGMINE_SANITISE_SHARDS), published in one transaction.",
)
def sanitised_samples(sampled_logs):
    return publish_sanitised(shards_done=[shard_op(sampled_logs=sampled_logs) for shard_op in SHARD_OPS])
