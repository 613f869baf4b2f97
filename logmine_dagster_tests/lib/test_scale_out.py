"""Sanitisation in shards, and the daily job on a real Dask cluster (a scheduler and two worker
processes started here) against PostgreSQL instance storage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest.sampling import SamplingPolicy
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.sanitise.sanitise_day import StagingError, publish_day, sanitise_day, sanitise_shard, shard_of
from logmine_dagster.sanitise.shard_staging import ShardStaging
from logmine_dagster.storage.schema import candidates, raw_samples, sanitised_samples, sanitiser_quarantine, shard_staging
from logmine_dagster_tests.conftest import FIRST_DAY, POSTGRES_ADMIN_URL, POSTGRES_SKIP_REASON, TEST_HASH_KEY, _postgres_database
from logmine_dagster_tests.helpers import leaked_values, manifest_values, read_tree_bytes, run_daily

REPO = Path(__file__).resolve().parents[2]
DAY = FIRST_DAY.isoformat()
KEY = TEST_HASH_KEY.encode()


def _rows(db, table, day, drop=("sampled_at", "quarantined_at", "id")):
    rows = db.fetch_all(sa.select(table).where(table.c.day == day))
    return sorted(json.dumps({k: str(v) for k, v in r.items() if k not in drop}, sort_keys=True) for r in rows)


def _partition(db, day=DAY):
    return {t.name: _rows(db, t, day) for t in (raw_samples, sanitised_samples, sanitiser_quarantine, candidates)}


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser()


@pytest.fixture
def sampled_day(db, log_root):
    sample_day(db, log_root, DAY, SamplingPolicy())
    # The sampler may not fill inclusion probabilities yet: give every row a distinct one to follow.
    with db.transaction() as conn:
        for index, row in enumerate(conn.execute(sa.select(raw_samples.c.request_id).where(raw_samples.c.day == DAY)).all()):
            conn.execute(
                raw_samples.update()
                .where(raw_samples.c.day == DAY, raw_samples.c.request_id == row.request_id)
                .values(inclusion_probability=round(0.005 + index / 10_000, 6))
            )
    return db


def test_shards_split_the_day_by_keyed_hash():
    ids = [f"req-{n}" for n in range(2000)]
    shards = [shard_of(KEY, request_id, 4) for request_id in ids]
    assert set(shards) == {0, 1, 2, 3}
    assert min(shards.count(s) for s in range(4)) > 400  # roughly even
    assert shards == [shard_of(KEY, request_id, 4) for request_id in ids]  # stable
    assert shards != [shard_of(b"another-key-0123456789", request_id, 4) for request_id in ids]


def test_sharded_sanitisation_publishes_exactly_the_single_process_rows(sampled_day, sanitiser):
    """Shards hand over through the database (SQLite and PostgreSQL): no folder is involved."""
    db = sampled_day
    single = sanitise_day(db, sanitiser, KEY, DAY)
    expected = _partition(db)
    assert single.read > 20 and single.written > 0

    staging = ShardStaging(db, DAY, "run-a")
    results = [sanitise_shard(db, sanitiser, KEY, DAY, shard, 3) for shard in range(3)]
    assert all(r.report.read > 0 for r in results)
    assert sum(r.report.read for r in results) == single.read
    for result in results:
        staging.write(result)
    assert db.count(shard_staging) > 3
    report = publish_day(db, DAY, staging.read(3), also_in_transaction=staging.discard_in)

    assert (report.read, report.written, report.quarantined) == (single.read, single.written, single.quarantined)
    assert _partition(db) == expected
    assert db.count(shard_staging) == 0  # collected in the publishing transaction
    # Inclusion probabilities follow each record from the raw tier.
    probability_by_case = {
        r["case_id"]: r["inclusion_probability"] for r in db.fetch_all(sa.select(sanitised_samples).where(sanitised_samples.c.day == DAY))
    }
    assert probability_by_case and all(p is not None and 0.005 <= p < 1 for p in probability_by_case.values())
    assert len(set(probability_by_case.values())) == len(probability_by_case)


def test_a_missing_or_foreign_shard_publishes_nothing(sampled_day, sanitiser, generated_logs):
    db = sampled_day
    sanitise_day(db, sanitiser, KEY, DAY)
    before = _partition(db)

    staging = ShardStaging(db, DAY, "run-b")
    staging.write(sanitise_shard(db, sanitiser, KEY, DAY, 0, 2))
    with pytest.raises(StagingError, match="shard 1 of 2 left no output"):
        staging.read(2)
    # Another run's shard, or this run's shard staged for another shard count, is not this run's output.
    ShardStaging(db, DAY, "run-c").write(sanitise_shard(db, sanitiser, KEY, DAY, 1, 2))
    staging.write(sanitise_shard(db, sanitiser, KEY, DAY, 1, 3))
    with pytest.raises(StagingError, match="shard 1 of 2 left no output"):
        staging.read(2)
    with pytest.raises(StagingError):
        publish_day(db, DAY, [sanitise_shard(db, sanitiser, KEY, DAY, 0, 2)])
    assert _partition(db) == before

    # Staged parts hold gate-passed rows only: no planted PII value.
    staged_text = "\n".join(r["payload_json"] for r in db.fetch_all(sa.select(shard_staging.c.payload_json)))
    assert staged_text and leaked_values(manifest_values(generated_logs[1]), staged_text) == []


def test_a_restaged_shard_replaces_its_earlier_output(sampled_day, sanitiser):
    db = sampled_day
    staging = ShardStaging(db, DAY, "run-d")
    first = sanitise_shard(db, sanitiser, KEY, DAY, 0, 1)
    staging.write(first)
    staging.write(first)  # a retried shard step
    (again,) = staging.read(1)
    assert (again.rows, again.report.read) == (first.rows, first.report.read)


_KILLED_WRITER = """
import sys, time, datetime as dt
import sqlalchemy as sa
from logmine_dagster.storage import Database
from logmine_dagster.storage import staging
from logmine_dagster.sanitise.sanitise_day import SanitiseReport, ShardResult
from logmine_dagster.sanitise.shard_staging import ShardStaging

db = Database(sys.argv[1])
staging.ITEMS_PER_PART = 2

@sa.event.listens_for(db.engine, "after_execute")
def _hang_inside_the_transaction(conn, clause, *args):
    if getattr(clause, "table", None) is not None and clause.table.name == "shard_staging" and clause.is_insert:
        open(sys.argv[2], "w").close()  # parts inserted, not committed: the parent kills us now
        time.sleep(600)

rows = [{"case_id": f"case-{n}", "output": "x"} for n in range(50)]
ShardStaging(db, sys.argv[3], "run-killed").write(ShardResult(sys.argv[3], 0, 1, rows, [], SanitiseReport(day=sys.argv[3], read=50)))
"""


def test_a_shard_killed_while_staging_leaves_nothing_visible(db, tmp_path):
    """SIGKILL in the middle of a shard's staging transaction: neither while it hangs nor after it
    died can the publish step (or anyone) see a part of that shard."""
    import signal
    import time

    marker = tmp_path / "inserted"
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, db.url, str(marker), DAY],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert writer.poll() is None, writer.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the writer never reached its insert"
            time.sleep(0.1)
        staging = ShardStaging(db, DAY, "run-killed")
        assert db.count(shard_staging) == 0
        with pytest.raises(StagingError, match="shard 0 of 1 left no output"):
            staging.read(1)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert db.count(shard_staging) == 0
    with pytest.raises(StagingError, match="shard 0 of 1 left no output"):
        staging.read(1)
    # The database is not left locked: the next shard stages and is read whole.
    from logmine_dagster.sanitise.sanitise_day import SanitiseReport, ShardResult

    staging.write(ShardResult(DAY, 0, 1, [{"case_id": "c"}], [], SanitiseReport(day=DAY, read=1)))
    assert [r.rows for r in staging.read(1)] == [[{"case_id": "c"}]]


def test_retention_removes_what_dead_runs_staged_long_ago(db, tmp_path):
    import datetime as dt

    from logmine_dagster.retention.deletion import apply_retention
    from logmine_dagster.sanitise.sanitise_day import SanitiseReport, ShardResult
    from logmine_dagster.storage.schema import retention_log

    ShardStaging(db, DAY, "run-dead").write(ShardResult(DAY, 0, 2, [{"case_id": "c"}], [], SanitiseReport(day=DAY, read=1)))
    ShardStaging(db, DAY, "run-live").write(ShardResult(DAY, 0, 2, [{"case_id": "c"}], [], SanitiseReport(day=DAY, read=1)))
    with db.transaction() as conn:
        long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)
        conn.execute(shard_staging.update().where(shard_staging.c.run_id == "run-dead").values(staged_at=long_ago))
    (tmp_path / "logs").mkdir()
    apply_retention(db, tmp_path / "logs", FIRST_DAY, 30)
    assert {r["run_id"] for r in db.fetch_all(sa.select(shard_staging.c.run_id))} == {"run-live"}
    logged = db.fetch_all(sa.select(retention_log).where(retention_log.c.target == "shard_staging"))
    assert [(r["item_key"], r["item_count"]) for r in logged] == [(DAY, 2)]


def test_the_executor_is_chosen_by_environment():
    import dagster as dg

    from logmine_dagster.core.config import ConfigError
    from logmine_dagster.lib.executors import FORKSERVER_PRELOAD, executor_from_env

    multiprocess = executor_from_env({})
    assert multiprocess.name == "multiprocess"
    # steps fork from a server that loaded the code location and the sanitiser once (`step_preload`)
    start = multiprocess.apply_config_mapping({}).value["config"]["start_method"]
    assert start == {"forkserver": {"preload_modules": list(FORKSERVER_PRELOAD)}}
    assert executor_from_env({"LOGMINE_EXECUTOR": "in_process"}) is dg.in_process_executor
    assert executor_from_env({"LOGMINE_EXECUTOR": "dask"}).name == "dask"
    with pytest.raises(ConfigError, match="LOGMINE_EXECUTOR"):
        executor_from_env({"LOGMINE_EXECUTOR": "celery"})


def test_the_shard_count_comes_from_the_environment():
    from logmine_dagster.core.config import ConfigError
    from logmine_dagster.defs.sanitise.assets import shard_count_from_env

    assert shard_count_from_env({"LOGMINE_SANITISE_SHARDS": "3"}) == 3
    assert 1 <= shard_count_from_env({}) <= 8
    for bad in ("0", "-2", "many", "1000"):
        with pytest.raises(ConfigError):
            shard_count_from_env({"LOGMINE_SANITISE_SHARDS": bad})


def _dagster_yaml(home: Path, postgres_url: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(
        "storage:\n"
        "  postgres:\n"
        f"    postgres_url: \"{postgres_url}\"\n"
        "compute_logs:\n"
        "  module: dagster.core.storage.noop_compute_log_manager\n"
        "  class: NoOpComputeLogManager\n"
        "telemetry:\n"
        "  enabled: false\n"
    )


def _execute_daily_job(env: dict[str, str]) -> None:
    """The daily job for DAY through the CLI, as a run worker would start it."""
    run = subprocess.run(
        [sys.executable, "-m", "dagster", "job", "execute", "-m", "logmine_dagster.definitions", "-a", "defs",
         "-j", "daily_mining_job", "--tags", json.dumps({"dagster/partition": DAY})],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]


def _last_run_steps(dagster_home: Path) -> tuple[dict[str, tuple[int, float, float]], dict[str, bool]]:
    """step key -> (pid, start, end) of the newest run, and its check results."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        record = instance.get_run_records(limit=1)[0]
        assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        assert record.dagster_run.tags["dagster/partition"] == DAY
        steps: dict[str, list] = {}
        checks = {}
        for entry in instance.all_logs(record.dagster_run.run_id):
            if not entry.is_dagster_event:
                continue
            kind = entry.dagster_event.event_type_value
            if kind == "STEP_START":
                steps[entry.step_key] = [entry.dagster_event.pid, entry.timestamp, None]
            elif kind == "STEP_SUCCESS":
                steps[entry.step_key][2] = entry.timestamp
            elif kind == "ASSET_CHECK_EVALUATION":
                checks[entry.dagster_event.event_specific_data.check_name] = entry.dagster_event.event_specific_data.passed
    assert all(end is not None for _, _, end in steps.values())
    return {key: tuple(value) for key, value in steps.items()}, checks


@pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason=POSTGRES_SKIP_REASON)
def test_the_daily_job_on_all_cores_and_on_two_dask_workers_matches_the_in_process_run(
    tmp_path, log_root, generated_logs, dagster_instance, code_location, monkeypatch
):
    from logmine_dagster.lib.dask_executor import local_dask_cluster
    from logmine_dagster.storage import Database

    logmine_url, drop_logmine = _postgres_database()
    instance_url, drop_instance = _postgres_database()
    dagster_home = tmp_path / "dagster_home"
    try:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "LOGMINE_DATABASE_URL": logmine_url,
            "LOGMINE_LOG_ROOT": str(log_root),
            "LOGMINE_HOME": str(tmp_path / "home"),
            "LOGMINE_HASH_KEY": TEST_HASH_KEY,
            "LOGMINE_SANITISE_SHARDS": "4",
            "DAGSTER_HOME": str(dagster_home),
        }
        for name in ("LOGMINE_DATABASE_URL", "LOGMINE_LOG_ROOT", "LOGMINE_HOME", "LOGMINE_HASH_KEY"):
            monkeypatch.setenv(name, env[name])
        _dagster_yaml(dagster_home, instance_url)
        all_passed = {"sanitised_samples_no_residual_pii": True, "sanitiser_canaries_removed": True}

        # The reference: the same partition with every step in one process.
        assert run_daily(code_location, dagster_instance, DAY).success
        db = Database(logmine_url)
        in_process = _partition(db)
        assert in_process["sanitised_samples"] and in_process["candidates"]

        # One machine, default executor: shard steps in parallel processes.
        _execute_daily_job({**env, "LOGMINE_EXECUTOR": "multiprocess"})
        steps, checks = _last_run_steps(dagster_home)
        shards = sorted((start, end, pid) for key, (pid, start, end) in steps.items() if ".sanitise_shard_" in key)
        assert len(shards) == 4 and len({pid for _, _, pid in shards}) == 4
        assert any(later_start < end for (_, end, _), (later_start, _, _) in zip(shards, shards[1:]))  # overlapping
        assert checks == all_passed
        assert _partition(db) == in_process

        # Several machines' worth: a scheduler and two worker processes, each with a home folder of its
        # own (as on other machines): the shards hand over through the database, not a shared folder.
        homes = [{"LOGMINE_HOME": str(tmp_path / f"worker-{n}-home")} for n in range(2)]
        with local_dask_cluster(2, env, tmp_path / "dask", worker_env=homes) as cluster:
            worker_pids = set(cluster.worker_pids().values())
            assert len(worker_pids) == 2
            _execute_daily_job({**env, "LOGMINE_EXECUTOR": "dask", "LOGMINE_DASK_SCHEDULER": cluster.address})
        steps, checks = _last_run_steps(dagster_home)
        step_pids = {key: pid for key, (pid, _, _) in steps.items()}
        shard_steps = {k for k in step_pids if ".sanitise_shard_" in k}
        assert len(shard_steps) == 4 and "sanitised_samples.publish_sanitised" in step_pids
        assert {"sampled_logs", "categorised_candidates"} <= set(step_pids)
        # Every step ran on a worker, none in the process that launched the run; the shards used both.
        assert set(step_pids.values()) <= worker_pids
        assert {step_pids[k] for k in shard_steps} == worker_pids
        assert checks == all_passed

        assert _partition(db) == in_process
        assert db.count(shard_staging) == 0
        assert not [p for p in tmp_path.rglob("staging") if p.is_dir()]
        # The instance storage (PostgreSQL) holds no planted PII value either.
        with sa.create_engine(instance_url).connect() as conn:
            event_text = "\n".join(str(r[0]) for r in conn.exec_driver_sql("SELECT event FROM event_logs"))
        assert leaked_values(manifest_values(generated_logs[1]), event_text) == []
        db.dispose()
    finally:
        drop_logmine()
        drop_instance()


def test_a_step_whose_upstream_step_did_not_succeed_is_not_run_on_the_worker(code_location):
    """Dask starts a task when its upstream tasks end, failed or not: a step after a failed blocking
    check must not run (the sealed arguments are never touched)."""
    from dagster._core.execution.api import create_execution_plan

    from logmine_dagster.lib.dask_worker import run_step_on_worker

    assert run_step_on_worker([[]], sealed=None) == []
    # The blocking checks are upstream tasks of categorised_candidates, so their failure skips it.
    plan = create_execution_plan(code_location.resolve_job_def("daily_mining_job"), tags={"dagster/partition": DAY})
    categorise = plan.get_step_by_key("categorised_candidates")
    upstream = {key for step_input in categorise.step_inputs for key in step_input.dependency_keys}
    assert {"sanitised_samples_sanitised_samples_no_residual_pii", "sanitised_samples_sanitiser_canaries_removed"} <= upstream


@pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason=POSTGRES_SKIP_REASON)
def test_a_retry_from_failure_publishes_what_the_original_run_staged(tmp_path, log_root, monkeypatch):
    """The publish step fails for real (its database role may not insert into sanitised_samples); after
    the grant, Dagster's re-execution from failure runs only the steps that did not succeed, in a new
    run, and the publish step finds the shards' output by the root run id."""
    import uuid

    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from sqlalchemy.engine import make_url

    from logmine_dagster.storage import Database

    logmine_url, drop_logmine = _postgres_database()
    role = f"logmine_limited_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(logmine_url, isolation_level="AUTOCOMMIT")
    try:
        Database(logmine_url).dispose()  # migrated by the owner
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
            conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA public TO "{role}"')
            conn.exec_driver_sql(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
            conn.exec_driver_sql(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            conn.exec_driver_sql(f'REVOKE INSERT ON sanitised_samples FROM "{role}"')
        limited_url = make_url(logmine_url).set(username=role).render_as_string(hide_password=False)
        monkeypatch.setenv("LOGMINE_DATABASE_URL", limited_url)
        monkeypatch.setenv("LOGMINE_LOG_ROOT", str(log_root))
        monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("LOGMINE_HASH_KEY", TEST_HASH_KEY)
        monkeypatch.setenv("LOGMINE_EXECUTOR", "in_process")
        job = ReconstructableRepository.for_module(
            "logmine_dagster.definitions", "defs", working_directory=str(REPO)
        ).get_reconstructable_job("daily_mining_job")

        (tmp_path / "dagster_home").mkdir()
        with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
            first = dg.execute_job(job, instance=instance, tags={"dagster/partition": DAY})
            assert not first.success
            failed = {e.step_key for e in first.all_events if e.event_type_value == "STEP_FAILURE"}
            assert failed == {"sanitised_samples.publish_sanitised"}
            db = Database(logmine_url)
            staged_by_first = shard_staging.c.run_id == first.run_id
            assert db.count(shard_staging, staged_by_first) >= 1
            assert db.count(sanitised_samples, sanitised_samples.c.day == DAY) == 0

            with admin.connect() as conn:
                conn.exec_driver_sql(f'GRANT INSERT ON sanitised_samples TO "{role}"')
            retry = dg.execute_job(  # as the daemon's run retries do: same tags, from failure
                job,
                instance=instance,
                tags={"dagster/partition": DAY},
                reexecution_options=dg.ReexecutionOptions.from_failure(first.run_id, instance),
            )
            assert retry.success
            assert instance.get_run_by_id(retry.run_id).root_run_id == first.run_id
            ran = {e.step_key for e in retry.all_events if e.event_type_value == "STEP_START"}
            assert "sanitised_samples.publish_sanitised" in ran
            assert not {k for k in ran if "sanitise_shard" in k or k == "sampled_logs"}
        written = db.count(sanitised_samples, sanitised_samples.c.day == DAY)
        refused = db.count(sanitiser_quarantine, sanitiser_quarantine.c.day == DAY)
        assert written > 0 and written + refused == db.count(raw_samples, raw_samples.c.day == DAY)
        assert db.count(shard_staging) == 0
        db.dispose()
    finally:
        from logmine_dagster.defs.resources import _database

        _database.cache_clear()
        admin.dispose()
        drop_logmine()
        cluster_admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with cluster_admin.connect() as conn:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        cluster_admin.dispose()


def test_a_retry_from_failure_of_the_ready_step_finds_the_publish_report_again(tmp_path, log_root, monkeypatch):
    """`sanitised_samples_ready` fails after reading the publish step's report (here: building its
    metadata fails once); Dagster's re-execution from failure runs that step again, in a new run, and it
    must find the report again. Nothing is left staged once the run's blocking check has run."""
    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    from logmine_dagster.defs.sanitise import residual_scan
    from logmine_dagster.storage import Database

    monkeypatch.setenv("LOGMINE_LOG_ROOT", str(log_root))
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOGMINE_HASH_KEY", TEST_HASH_KEY)
    monkeypatch.setenv("LOGMINE_EXECUTOR", "in_process")
    monkeypatch.delenv("LOGMINE_DATABASE_URL", raising=False)
    real_counts_markdown, calls = residual_scan.counts_markdown, []

    def fails_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OSError("the step's process lost its connection")
        return real_counts_markdown(*args, **kwargs)

    monkeypatch.setattr(residual_scan, "counts_markdown", fails_once)
    job = ReconstructableRepository.for_module(
        "logmine_dagster.definitions", "defs", working_directory=str(REPO)
    ).get_reconstructable_job("daily_mining_job")
    (tmp_path / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        first = dg.execute_job(job, instance=instance, tags={"dagster/partition": DAY})
        assert not first.success
        assert {e.step_key for e in first.all_events if e.event_type_value == "STEP_FAILURE"} == {"sanitised_samples.sanitised_samples_ready"}
        retry = dg.execute_job(
            job, instance=instance, tags={"dagster/partition": DAY},
            reexecution_options=dg.ReexecutionOptions.from_failure(first.run_id, instance),
        )
        assert retry.success
        ran = {e.step_key for e in retry.all_events if e.event_type_value == "STEP_START"}
        assert "sanitised_samples.sanitised_samples_ready" in ran and "sanitised_samples.publish_sanitised" not in ran
        materialised = [e for e in retry.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
                        and e.asset_key == dg.AssetKey("sanitised_samples")]
        db = Database(f"sqlite:///{tmp_path / 'home' / 'logmine.db'}")
        written = db.count(sanitised_samples, sanitised_samples.c.day == DAY)
        assert written > 0
        assert materialised[0].step_materialization_data.materialization.metadata["records_written"].value == written
        assert db.count(shard_staging) == 0
        db.dispose()
    from logmine_dagster.defs.resources import _database

    _database.cache_clear()
