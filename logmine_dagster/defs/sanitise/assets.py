"""The sanitised tier: every text field through Presidio, ids replaced by keyed pseudonyms.

Sanitising is the heavy step of a day, so the asset is a graph: the day's samples are split by a
keyed hash of the request id into shard steps that the executor runs in parallel (the multiprocess
executor: every core of this machine; the Dask executor: workers on other machines), then one
publish step replaces the day's partition in a single transaction.
"""

import os
import socket

import dagster as dg

from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.core.config import ConfigError, parse_positive_int
from logmine_dagster.defs.sanitise.residual_scan import ready_op, residual_scan_shard_op
from logmine_dagster.defs.resources import LogmineDatabase, PresidioSanitiser
from logmine_dagster.sanitise.sanitise_day import RawTierGone, StagingError, publish_day, sanitise_shard
from logmine_dagster.sanitise.shard_staging import ShardStaging, stage_published_report

MAX_SHARDS = 64


def shard_count_from_env(environ=None) -> int:
    """LOGMINE_SANITISE_SHARDS, else one shard per core (at most 8).

    The count shapes the job's steps, so every process that loads this code location must see the
    same value: set it explicitly when steps run on other machines.
    """
    raw = (os.environ if environ is None else environ).get("LOGMINE_SANITISE_SHARDS")
    if raw is None or raw.strip() == "":
        return max(1, min(os.cpu_count() or 1, 8))
    count = parse_positive_int("LOGMINE_SANITISE_SHARDS", raw)
    if count > MAX_SHARDS:
        raise ConfigError(f"LOGMINE_SANITISE_SHARDS must be at most {MAX_SHARDS}, got {count}")
    return count



def _staging(context: dg.OpExecutionContext, database: LogmineDatabase) -> ShardStaging:
    # In the database, so workers share no folder. Keyed by the root run: a retry "from failure"
    # re-runs only the failed steps, in a new run, and must still find what the original run's shards staged.
    return ShardStaging(database.get(), context.partition_key, context.run.root_run_id or context.run_id)


def _shard_op(shard: int, shard_count: int) -> dg.OpDefinition:
    @dg.op(
        name=f"sanitise_shard_{shard}",
        ins={"sampled_logs": dg.In(dg.Nothing)},
        out=dg.Out(dg.Nothing),
        tags={"logmine/shard": str(shard)},
        description=f"Sanitises shard {shard + 1} of {shard_count} of the day's samples and stages the result in the database.",
    )
    @retry_on_transient_database_errors
    def sanitise_shard_op(context: dg.OpExecutionContext, database: LogmineDatabase, presidio: PresidioSanitiser) -> None:
        day = context.partition_key
        result = sanitise_shard(
            database.get(), presidio.sanitiser(), presidio.key(), day, shard, shard_count, common_term_users=presidio.common_term_users()
        )
        _staging(context, database).write(result)
        context.log.info(
            f"shard {shard + 1}/{shard_count} of {day} on {socket.gethostname()} pid {os.getpid()}: "
            f"{result.report.read} read, {result.report.written} passed, {result.report.quarantined} refused"
        )

    return sanitise_shard_op


def _publish_op(shard_count: int) -> dg.OpDefinition:
    @dg.op(
        name="publish_sanitised",
        ins={"shards_done": dg.In(dg.Nothing)},
        out=dg.Out(dg.Nothing),
        description="Replaces the day's sanitised rows and quarantine rows with every shard's output, in one transaction.",
    )
    @retry_on_transient_database_errors
    def publish_sanitised(context: dg.OpExecutionContext, database: LogmineDatabase) -> None:
        publish_shards(context, database, shard_count)

    return publish_sanitised


def publish_shards(context: dg.OpExecutionContext, database: LogmineDatabase, shard_count: int) -> None:
    day = context.partition_key
    staging = _staging(context, database)
    run_id = staging.key.run_id

    def in_the_same_transaction(conn, report) -> None:
        # The staged shards are deleted, and the report staged for the step that emits the
        # materialisation, in the publishing transaction: all of it happens, or none.
        staging.discard_in(conn)
        stage_published_report(conn, database.get(), day, run_id, report)

    try:
        report = publish_day(database.get(), day, staging.read(shard_count), also_in_transaction=in_the_same_transaction)
    except RawTierGone as error:
        staging.discard()
        raise dg.Failure(description=str(error), allow_retries=False) from None
    except StagingError as error:
        raise dg.Failure(description=f"{error}; the day's published rows are unchanged") from None
    if report.quarantined:
        context.log.warning(f"{report.quarantined} record(s) refused by the residual-PII gate, see sanitiser_quarantine")


def sanitised_samples_asset(daily: dg.PartitionsDefinition, shard_count: int) -> dg.AssetsDefinition:
    """The graph asset with `shard_count` shard steps (LOGMINE_SANITISE_SHARDS, read when the code location loads)."""
    shard_ops = [_shard_op(shard, shard_count) for shard in range(shard_count)]
    publish_sanitised = _publish_op(shard_count)
    scan_ops = [residual_scan_shard_op(shard, shard_count) for shard in range(shard_count)]
    sanitised_samples_ready = ready_op(shard_count)

    @dg.graph_asset(
        name="sanitised_samples",
        ins={"sampled_logs": dg.AssetIn(key=dg.AssetKey("sampled_logs"), dagster_type=dg.Nothing)},
        partitions_def=daily,
        group_name="sanitise",
        kinds={"presidio", "sqlalchemy"},
        tags={"tier": "sanitised"},
        description="Promises: no PII. Every sampled record either appears here, each text field sanitised (typed "
        "placeholders) and ids pseudonymised, or is refused into sanitiser_quarantine with a reason. "
        "The asset re-scans its own output and refuses to write any record that still shows PII. Sanitised in "
        "parallel shard steps (LOGMINE_SANITISE_SHARDS), published in one transaction, then re-read for "
        "residual PII in as many shard steps (the blocking check's verdict).",
    )
    def sanitised_samples(sampled_logs):
        published = publish_sanitised(shards_done=[shard_op(sampled_logs=sampled_logs) for shard_op in shard_ops])
        return sanitised_samples_ready(scans_done=[scan_op(published=published) for scan_op in scan_ops])

    return sanitised_samples
