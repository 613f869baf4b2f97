"""Faults the deployment survives (issue 8 item 6).

Real parts, per test:
- Stack tests (`fault_stack`): `scripts/stack.sh up` with its OWN PostgreSQL server (started by stack.sh
  under the test's folder, so restarting it disturbs nobody) holding both Dagster's storage and logmine's
  database; the daemon launches every run; runs are launched and read through the web UI's GraphQL API.
  Processes are killed with real SIGKILL, PostgreSQL is really stopped and started.
  * SIGKILL of the step process while it writes `sampled_logs` (its open transaction is seen in
    pg_locks): readers never see a partial partition; the re-run leaves exactly a clean run's rows.
  * PostgreSQL restarted while `sampled_logs` writes: the step's transient error is retried
    (logmine_dagster.lib.retries) or the run fails and the daemon's run retry succeeds; the partition
    ends complete and readers never saw part of it.
  * Two runs of the same partition at once: both succeed, no duplicate rows.
- Writer tests on the dev PostgreSQL (LOGMINE_TEST_POSTGRES_URL): two concurrent `sample_day` calls on one
  day are serialised by the partition writer's advisory lock (one waits for the other's commit).
- Disk tests (root only, they mount filesystems): logmine's SQLite database on a 1 MiB tmpfs (a real
  ENOSPC) makes `sampled_logs` fail with "database or disk is full" in a real Dagster instance and leaves
  the partition's earlier rows intact; a read-only bind mount of the log root makes retention fail with
  the path in the message and delete nothing. A day folder the sampler may not read (the sampler run in
  a forked child as user `nobody`, since root reads everything) fails with a PermissionError naming the
  folder, and the partition's earlier rows stay.
- Retry classification: real errors from the dev PostgreSQL (a terminated backend, a refused
  connection, a wrong statement) through `logmine_dagster.lib.retries`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa

from logmine_dagster_tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_SKIP_REASON, TEST_HASH_KEY
from logmine_dagster_tests.stack_support import REPO, running_stack, skip_unless_stack_can_run

skip_unless_stack_can_run()

RUN_S = 300  # one sampled_logs run: queue, process start, a large day; generous for 2 shared cores
WRITE_WINDOW_S = 240  # how long to wait for a run to start writing
BIG_DAY_RECORDS = 40_000  # about 100 MB of JSONL: the sampler's transaction stays open for seconds


# -- helpers -------------------------------------------------------------------------------------------


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, pool_pre_ping=True)


def _counts(engine: sa.Engine, day: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE day = %s", (day,)).scalar_one()
            for table in ("raw_samples", "ingest_quarantine")
        }


def _duplicates(engine: sa.Engine, day: str) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT request_id FROM raw_samples WHERE day = %s GROUP BY request_id HAVING count(*) > 1) d",
            (day,),
        ).scalar_one()


def _writer_holding(engine: sa.Engine, table: str) -> int | None:
    """The OS pid of the logmine process whose open transaction has written to `table`, if any."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            """SELECT a.application_name FROM pg_locks l
               JOIN pg_class c ON c.oid = l.relation
               JOIN pg_stat_activity a ON a.pid = l.pid
               WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted
                 AND a.application_name LIKE 'logmine pid %%' AND a.xact_start IS NOT NULL
               LIMIT 1""",
            (table,),
        ).first()
    return int(row[0].rsplit(" ", 1)[1]) if row else None


def _reference_counts(env: dict[str, str], log_root: Path, day: str, tmp: Path) -> dict[str, int]:
    """What a clean, uninterrupted sampler writes for `day` under the stack's settings (own SQLite file)."""
    from logmine_dagster.defs.resources import MiningPolicy
    from logmine_dagster.ingest.sample_day import sample_day
    from logmine_dagster.storage import Database

    logmine_env = {key: value for key, value in env.items() if key.startswith("LOGMINE_")}
    with mock.patch.dict(os.environ, logmine_env):
        policy = MiningPolicy().sampling()
    database = Database(f"sqlite:///{tmp / f'reference-{day}.db'}")
    try:
        report = sample_day(database, log_root, day, policy)
    finally:
        database.dispose()
    return {"raw_samples": report.sampled, "ingest_quarantine": report.quarantined}


def _write_big_day(log_root: Path, day: dt.date) -> str:
    from logmine_dagster.generator import generate

    generate(log_root, day, 1, BIG_DAY_RECORDS, 47 + day.toordinal() % 97, write_manifest=False)
    # A few bad lines, so the quarantine table (no natural key) is part of every partition write.
    (log_root / f"dt={day.isoformat()}" / "zz-bad.jsonl").write_text('{"not json\n\xff\n{"request_id": 1}\n')
    return day.isoformat()


def _run_children(deployment, run_id: str) -> list[dict]:
    return [r for r in deployment.runs({"dagster/parent_run_id": run_id})]


def _final_outcome(deployment, run_id: str) -> tuple[dict, list[dict]]:
    """The run's end state and any automatic run retries (the daemon's run_retries), each waited for."""
    run = deployment.wait_run(run_id, RUN_S)
    retries = []
    if run["status"] == "FAILURE":
        # The daemon decides about a retry within a few seconds of the failure.
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not retries:
            retries = _run_children(deployment, run_id)
            time.sleep(3)
        retries = [deployment.wait_run(r["runId"], RUN_S) for r in retries]
    return run, retries


# -- the stack with its own PostgreSQL -------------------------------------------------------------


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory):
    from logmine_dagster_tests.stack_support import free_port

    tmp = tmp_path_factory.mktemp("faults")
    pg_port = free_port()
    app_url = f"postgresql+psycopg2://postgres@127.0.0.1:{pg_port}/logmine"
    with running_stack(tmp, own_postgres=True, LOGMINE_STACK_PG_PORT=str(pg_port), LOGMINE_DATABASE_URL=app_url) as (
        deployment,
        log_root,
    ):
        admin = sa.create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{pg_port}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql('CREATE DATABASE "logmine"')
        admin.dispose()
        from logmine_dagster.storage import Database

        Database(app_url).dispose()  # migrated up front, so readers can poll before the first run
        deployment.stop_sensor()  # every run here is launched by the test
        engine = _engine(app_url)
        try:
            yield deployment, log_root, engine, tmp
        finally:
            engine.dispose()
            shutil.rmtree(log_root, ignore_errors=True)  # about 100 MB per large day


def _restart_postgres(deployment) -> float:
    """Stop (fast: open connections are terminated) and start the stack's own server; seconds it was down."""
    pg_dir = deployment.state / "pg"
    port = deployment.env["LOGMINE_STACK_PG_PORT"]
    began = time.monotonic()
    subprocess.run([str(REPO / "scripts" / "postgres.sh"), "stop", str(pg_dir)], check=True, timeout=60)
    subprocess.run([str(REPO / "scripts" / "postgres.sh"), "start", str(pg_dir), port], check=True, timeout=60, capture_output=True)
    return time.monotonic() - began


def _watch_partition(engine: sa.Engine, day: str, stop: threading.Event, seen: set) -> None:
    """A reader polling the partition's row count (connection errors during a restart are expected)."""
    while not stop.is_set():
        try:
            seen.add(_counts(engine, day)["raw_samples"])
        except sa.exc.OperationalError:
            pass
        time.sleep(0.2)


@contextlib.contextmanager
def _reader(engine: sa.Engine, day: str):
    stop, seen = threading.Event(), set()
    thread = threading.Thread(target=_watch_partition, args=(engine, day, stop, seen), daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(timeout=10)


def test_sigkill_mid_write_then_rerun_leaves_a_clean_partition(fault_stack):
    deployment, log_root, engine, tmp = fault_stack
    day = _write_big_day(log_root, dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=10))
    expected = _reference_counts(deployment.env, log_root, day, tmp)
    assert expected["raw_samples"] > 1000 and expected["ingest_quarantine"] > 0

    with _reader(engine, day) as seen:
        run_id = deployment.launch_partition_run(day, ("sampled_logs",))
        writer = deployment.wait("sampled_logs to start writing", WRITE_WINDOW_S, lambda: _writer_holding(engine, "raw_samples"), every=0.1)
        os.kill(writer, 9)  # SIGKILL: no cleanup, no rollback from the client side
        run, retries = _final_outcome(deployment, run_id)
        assert run["status"] == "FAILURE", run
    # Everything a reader saw: the partition empty, or (once a retry ran) complete; never a part of it.
    assert 0 in seen and seen <= {0, expected["raw_samples"]}, seen
    print(f"killed pid {writer}; run {run['status']}, run retries {[r['status'] for r in retries]}")
    # An automatic run retry may have repaired it already; otherwise the operator re-runs the partition.
    if not retries:
        assert _counts(engine, day) == {"raw_samples": 0, "ingest_quarantine": 0}
        rerun = deployment.wait_run(deployment.launch_partition_run(day, ("sampled_logs",)), RUN_S)
        assert rerun["status"] == "SUCCESS", deployment.run_messages(rerun["runId"])[-10:]
    else:
        assert [r["status"] for r in retries] == ["SUCCESS"], retries
    assert _counts(engine, day) == expected
    assert _duplicates(engine, day) == 0


def test_postgres_restart_during_a_write_is_retried_and_never_half_visible(fault_stack):
    deployment, log_root, engine, tmp = fault_stack
    day = _write_big_day(log_root, dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=11))
    expected = _reference_counts(deployment.env, log_root, day, tmp)

    with _reader(engine, day) as seen:
        run_id = deployment.launch_partition_run(day, ("sampled_logs",))
        deployment.wait("sampled_logs to start writing", WRITE_WINDOW_S, lambda: _writer_holding(engine, "raw_samples"), every=0.1)
        down_s = _restart_postgres(deployment)
        run, retries = _final_outcome(deployment, run_id)
    messages = deployment.run_messages(run_id)
    # Either the step's transient database error was retried inside the run, or the run failed and the
    # daemon's run retry ran it again; in both cases the partition ends complete.
    if run["status"] == "SUCCESS":
        assert any("STEP_UP_FOR_RETRY" in m or "ExecutionStepUpForRetryEvent" in m for m in messages), messages[-20:]
    else:
        assert [r["status"] for r in retries] == ["SUCCESS"], (run, retries, messages[-20:])
    assert seen <= {0, expected["raw_samples"]}, seen  # never a partial partition
    assert _counts(engine, day) == expected
    assert _duplicates(engine, day) == 0
    print(f"postgres was down {down_s:.1f}s; run {run['status']}, run retries {[r['status'] for r in retries]}")


def test_two_runs_of_one_partition_at_once_never_duplicate(fault_stack):
    deployment, log_root, engine, tmp = fault_stack
    day = _write_big_day(log_root, dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=12))
    expected = _reference_counts(deployment.env, log_root, day, tmp)

    run_ids = [deployment.launch_partition_run(day, ("sampled_logs",)) for _ in range(2)]
    runs = [deployment.wait_run(run_id, RUN_S) for run_id in run_ids]
    assert [r["status"] for r in runs] == ["SUCCESS", "SUCCESS"], [deployment.run_messages(r["runId"])[-10:] for r in runs]
    assert _counts(engine, day) == expected
    assert _duplicates(engine, day) == 0


# -- concurrent partition writers on the dev PostgreSQL ----------------------------------------------


@pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason=POSTGRES_SKIP_REASON)
def test_concurrent_writers_of_one_partition_are_serialised(generated_logs, tmp_path, monkeypatch):
    """Two `sample_day` calls of one day, each with its own engine (like two run processes): both read
    the logs at once, but the second's write waits on the partition's advisory lock until the first
    commits, and the result is one clean copy."""
    from logmine_dagster.ingest.sampling import SamplingPolicy
    from logmine_dagster.ingest.sample_day import sample_day
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import ingest_quarantine, raw_samples
    from logmine_dagster_tests.conftest import FIRST_DAY, _postgres_database

    log_root, _ = generated_logs
    day = FIRST_DAY.isoformat()
    policy = SamplingPolicy(rate=0.05, low_confidence_threshold=0.5)
    url, drop = _postgres_database()
    spans: dict[str, list[float]] = {}
    errors: list[BaseException] = []
    first_writing = threading.Event()
    real_replace_rows = Database.replace_rows

    def timed_replace_rows(self, table, where, rows, **kwargs):
        if table is not raw_samples:
            return real_replace_rows(self, table, where, rows, **kwargs)
        name = threading.current_thread().name

        def slow_rows():
            # Runs inside the locked transaction: the first row comes after the lock was granted.
            for index, row in enumerate(rows):
                if index == 0:
                    spans[name] = [time.monotonic()]
                    first_writing.set()
                if index % 10 == 0:
                    time.sleep(0.05)  # keep the transaction open long enough for the other writer to arrive
                yield row
            spans[name].append(time.monotonic())  # its last row is in; the commit comes after this

        return real_replace_rows(self, table, where, slow_rows(), **kwargs)

    monkeypatch.setattr(Database, "replace_rows", timed_replace_rows)

    def writer():
        database = Database(url)
        try:
            sample_day(database, log_root, day, policy)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            database.dispose()

    try:
        first = threading.Thread(target=writer, name="first")
        first.start()
        assert first_writing.wait(120)
        second = threading.Thread(target=writer, name="second")
        second.start()
        first.join(180)
        second.join(180)
        assert not errors, errors
        # The second writer inserted its first row only after the first had inserted its last (and committed).
        assert spans["second"][0] >= spans["first"][1], spans
        monkeypatch.undo()
        reference = Database(f"sqlite:///{tmp_path / 'reference.db'}")
        expected = sample_day(reference, log_root, day, policy)
        database = Database(url)
        assert database.count(raw_samples, raw_samples.c.day == day) == expected.sampled
        assert database.count(ingest_quarantine, ingest_quarantine.c.day == day) == expected.quarantined
        database.dispose()
    finally:
        drop()


# -- a full disk and a read-only log root (real mounts; root only) -------------------------------------


@contextlib.contextmanager
def _mounted(target: Path, *args: str):
    target.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True, timeout=30)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount here (needs root): {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], timeout=30)


@pytest.fixture
def sqlite_env(monkeypatch, log_root, tmp_path):
    """The code location's resources on `log_root` and a SQLite database the test places (set the URL)."""
    monkeypatch.setenv("LOGMINE_LOG_ROOT", str(log_root))
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOGMINE_HASH_KEY", TEST_HASH_KEY)
    yield monkeypatch
    from logmine_dagster.defs.resources import _database

    _database.cache_clear()  # the next test's URL must not meet this test's cached engine


def test_a_full_disk_fails_the_write_clearly_and_keeps_the_earlier_rows(sqlite_env, log_root, tmp_path, code_location, dagster_instance):
    import dagster as dg

    from logmine_dagster.generator import generate
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import raw_samples
    from logmine_dagster_tests.conftest import FIRST_DAY

    day = FIRST_DAY.isoformat()
    sampled_logs = code_location.resolve_assets_def("sampled_logs")
    with _mounted(tmp_path / "small-disk", "-t", "tmpfs", "-o", "size=1m", "tmpfs") as disk:
        url = f"sqlite:///{disk / 'logmine.db'}"
        sqlite_env.setenv("LOGMINE_DATABASE_URL", url)
        first = dg.materialize([sampled_logs], partition_key=day, instance=dagster_instance, raise_on_error=False)
        assert first.success
        database = Database(url)
        kept = database.count(raw_samples, raw_samples.c.day == day)
        assert kept > 0

        # The day is rewritten much larger (late data): its sample no longer fits on the 1 MiB disk.
        bigger = tmp_path / "bigger"
        generate(bigger, FIRST_DAY, 1, 20_000, 5, write_manifest=False)
        for old in (log_root / f"dt={day}").iterdir():
            old.unlink()
        for new in (bigger / f"dt={day}").iterdir():
            new.rename(log_root / f"dt={day}" / new.name)

        failed = dg.materialize([sampled_logs], partition_key=day, instance=dagster_instance, raise_on_error=False)
        assert not failed.success
        failure = next(e for e in failed.all_events if e.event_type_value == "STEP_FAILURE")
        message = failure.event_specific_data.error.to_string()  # with its causes
        assert "database or disk is full" in message, message
        assert "SQL parameters hidden" in message  # no row values (raw log text) in the event log
        # The earlier partition is intact and the file is not corrupt.
        assert database.count(raw_samples, raw_samples.c.day == day) == kept
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"

        # Space is added: the same run now succeeds and replaces the partition.
        subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True, timeout=30)
        again = dg.materialize([sampled_logs], partition_key=day, instance=dagster_instance, raise_on_error=False)
        assert again.success
        assert database.count(raw_samples, raw_samples.c.day == day) > kept
        database.dispose()


def test_a_read_only_log_root_fails_retention_clearly_and_deletes_the_rest(sqlite_env, log_root, tmp_path, code_location, dagster_instance):
    import dagster as dg

    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import raw_samples, retention_log
    from logmine_dagster_tests.conftest import FIRST_DAY

    url = f"sqlite:///{tmp_path / 'logmine.db'}"
    sqlite_env.setenv("LOGMINE_DATABASE_URL", url)
    day = FIRST_DAY.isoformat()  # months older than the 30-day retention period
    assert dg.materialize(
        [code_location.resolve_assets_def("sampled_logs")], partition_key=day, instance=dagster_instance
    ).success
    database = Database(url)
    kept = database.count(raw_samples)
    files_before = sorted(p.name for p in (log_root / f"dt={day}").iterdir())

    read_only = tmp_path / "read-only-logs"
    with _mounted(read_only, "--bind", str(log_root)):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(read_only)], check=True, timeout=30)
        sqlite_env.setenv("LOGMINE_LOG_ROOT", str(read_only))
        result = dg.materialize(
            [code_location.resolve_assets_def("raw_log_retention")], instance=dagster_instance, raise_on_error=False
        )
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        message = failure.event_specific_data.error.to_string()
        assert f"of {read_only}: dt={day} (Read-only file system)" in message, message
    # The folder survives (and fails the run); the raw_samples rows of the expired day were still
    # deleted and logged (issue 18: one undeletable folder no longer stops the rest).
    assert sorted(p.name for p in (log_root / f"dt={day}").iterdir()) == files_before
    assert kept > 0 and database.count(raw_samples) == 0
    logged = {(r["target"], r["item_key"]) for r in database.fetch_all(sa.select(retention_log))}
    assert logged == {("raw_samples", day)}
    database.dispose()


# -- which database errors are retried ------------------------------------------------------------------


def test_only_transient_database_errors_request_a_step_retry():
    """Real errors from the dev PostgreSQL: a terminated connection and a refused connection are
    transient (the step is retried); a wrong statement is not (the step fails at once)."""
    import dagster as dg

    from logmine_dagster.lib.retries import is_transient_database_error, retry_on_transient_database_errors
    from logmine_dagster_tests.stack_support import free_port

    def error_of(fn) -> BaseException:
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - the error is the result
            return error
        raise AssertionError("no error")

    engine = sa.create_engine(POSTGRES_ADMIN_URL)
    refused_engine = sa.create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/postgres")
    try:

        def terminated():
            with engine.connect() as conn, engine.connect() as killer:
                pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
                killer.exec_driver_sql("SELECT pg_terminate_backend(%s)", (pid,))
                conn.exec_driver_sql("SELECT 1")

        def refused():
            with refused_engine.connect():
                pass

        def wrong_statement():
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT * FROM no_such_table")

        assert is_transient_database_error(error_of(terminated))
        assert is_transient_database_error(error_of(refused))
        assert not is_transient_database_error(error_of(wrong_statement))
        assert not is_transient_database_error(ValueError("not a database error"))

        wrapped = retry_on_transient_database_errors(lambda: refused())
        assert isinstance(error_of(wrapped), dg.RetryRequested)
        wrapped = retry_on_transient_database_errors(lambda: wrong_statement())
        assert isinstance(error_of(wrapped), sa.exc.ProgrammingError)
        # Opening logmine's database turns a refused connection into one line; still retried.
        from logmine_dagster.storage import Database

        opening = error_of(lambda: Database(str(refused_engine.url)))
        assert type(opening).__name__ == "DatabaseUnavailable" and "\n" not in str(opening)
        wrapped = retry_on_transient_database_errors(lambda: Database(str(refused_engine.url)))
        assert isinstance(error_of(wrapped), dg.RetryRequested)
    finally:
        engine.dispose()
        refused_engine.dispose()


def _sample_as_nobody(url: str, log_root: str, day: str, result) -> None:
    """In a forked child: drop root (which reads any file) and run the sampler as an unprivileged user."""
    from logmine_dagster.ingest.sampling import SamplingPolicy
    from logmine_dagster.ingest.sample_day import sample_day
    from logmine_dagster.storage import Database

    try:
        os.setgid(65534)
        os.setuid(65534)
        sample_day(Database(url), Path(log_root), day, SamplingPolicy(rate=0.05, low_confidence_threshold=0.5))
        result.send("no error")
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        result.send(f"{type(error).__name__}: {error}")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to an unprivileged user")
def test_an_unreadable_log_folder_fails_naming_it_and_keeps_the_partition(generated_logs):
    """The sampler run by an unprivileged user (root reads everything) on a day folder it may not read."""
    import multiprocessing
    import tempfile

    from logmine_dagster.ingest.sampling import SamplingPolicy
    from logmine_dagster.ingest.sample_day import sample_day
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import raw_samples
    from logmine_dagster_tests.conftest import FIRST_DAY

    day = FIRST_DAY.isoformat()
    shared = Path(tempfile.mkdtemp(prefix="logmine-unreadable-"))  # pytest's folders are private to root
    try:
        shared.chmod(0o777)
        log_root = shared / "logs"
        shutil.copytree(generated_logs[0] / f"dt={day}", log_root / f"dt={day}")
        log_root.chmod(0o755)
        url = f"sqlite:///{shared / 'logmine.db'}"
        database = Database(url)
        sample_day(database, log_root, day, SamplingPolicy(rate=0.05, low_confidence_threshold=0.5))
        kept = database.count(raw_samples, raw_samples.c.day == day)
        database.dispose()
        for path in shared.glob("logmine.db*"):
            path.chmod(0o666)
        (log_root / f"dt={day}").chmod(0o700)  # root's own: nobody may list it

        receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(target=_sample_as_nobody, args=(url, str(log_root), day, send))
        child.start()
        assert receive.poll(120), "the child did not answer"
        message = receive.recv()
        child.join(30)
        assert message.startswith("PermissionError") and f"{log_root}/dt={day}" in message, message
        database = Database(url)
        assert database.count(raw_samples, raw_samples.c.day == day) == kept > 0
        database.dispose()
    finally:
        shutil.rmtree(shared, ignore_errors=True)
