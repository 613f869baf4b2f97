"""The daily job on a Dask cluster whose scheduler and two workers are separate "machines": each in a
network namespace and a mount namespace of its own (logmine_dagster_tests/namespaced_hosts.py), reaching
PostgreSQL over a veth pair, sharing no folder with the run process but the log root (read-only).

Needs root and `ip netns` (as in .ci/run); elsewhere it skips and says why."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from logmine_dagster_tests import postgres_server
from logmine_dagster_tests.conftest import FIRST_DAY, TEST_HASH_KEY
from logmine_dagster_tests.helpers import read_tree_bytes, run_daily

REPO = Path(__file__).resolve().parents[2]
DAY = FIRST_DAY.isoformat()
WORKERS = ["worker-0", "worker-1"]


def published_partition(url: str) -> dict[str, list[str]]:
    """Every row of DAY in every table keyed by day, without the columns that differ run to run."""
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import metadata

    db = Database(url)
    try:
        out = {}
        for table in metadata.sorted_tables:
            if "day" not in table.c:
                continue
            rows = db.fetch_all(sa.select(table).where(table.c.day == DAY))
            out[table.name] = sorted(
                json.dumps({k: str(v) for k, v in row.items() if k not in ("id", "run_id") and not k.endswith("_at")}, sort_keys=True)
                for row in rows
            )
        return out
    finally:
        db.dispose()


def _create_database(admin_url: str, name: str) -> str:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def what_a_worker_can_touch(run_home: str, log_root: str, loopback_port: int) -> dict[str, object]:
    """Runs on each worker: which of the run process's places it can see, write or reach."""
    def write(path: str) -> str:
        try:
            with open(path, "w"):
                pass
            return "written"
        except OSError as error:
            return errno.errorcode.get(error.errno, str(error.errno))

    probe = socket.socket()
    probe.settimeout(3)
    try:
        probe.connect(("127.0.0.1", loopback_port))
        loopback = "reached"
    except OSError:
        loopback = "unreachable"
    finally:
        probe.close()
    with open("/proc/self/mountinfo") as mounts:
        tmp_fs = [line.split(" - ")[1].split()[0] for line in mounts if line.split()[4] == "/tmp"]
    return {
        "sees_run_home": os.path.exists(run_home),
        "log_root_readable": bool(os.listdir(log_root)),
        "write_log_root": write(os.path.join(log_root, "probe")),
        "write_checkout": write(str(REPO / "probe")),
        "write_root_home": write("/root/probe"),
        "tmp_fs": tmp_fs[-1] if tmp_fs else None,
        "logmine_home": os.environ["LOGMINE_HOME"],
        "loopback_postgres": loopback,
    }


def _run_job(env: dict[str, str]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "dagster", "job", "execute", "-m", "logmine_dagster.definitions", "-a", "defs",
         "-j", "daily_mining_job", "--tags", json.dumps({"dagster/partition": DAY})],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]


def test_the_daily_job_on_workers_in_their_own_namespaces_matches_the_in_process_run(
    tmp_path, log_root, dagster_instance, code_location, monkeypatch
):
    import dask.distributed

    from logmine_dagster.defs.resources import _database
    from logmine_dagster.storage.schema import shard_staging
    from logmine_dagster_tests.lib.test_scale_out import _dagster_yaml, _last_run_steps
    from logmine_dagster_tests.namespaced_hosts import isolated_network, namespaced_dask_cluster, namespaces_refused, postgres_on

    if reason := namespaces_refused():
        print(f"SKIP multi-host test: {reason}")
        pytest.skip(reason)
    if reason := postgres_server._cannot_start():
        print(f"SKIP multi-host test: {reason}")
        pytest.skip(reason)

    log_root_before = read_tree_bytes(log_root)
    dagster_home = tmp_path / "dagster_home"
    with isolated_network(["scheduler", *WORKERS]) as network, postgres_on(network) as admin_url:
        reference_url = _create_database(admin_url, "logmine_in_process")
        scaled_url = _create_database(admin_url, "logmine_multi_host")
        instance_url = _create_database(admin_url, "dagster_instance")
        try:
            # The reference: every step in this process.
            monkeypatch.setenv("LOGMINE_DATABASE_URL", reference_url)
            monkeypatch.setenv("LOGMINE_LOG_ROOT", str(log_root))
            monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
            monkeypatch.setenv("LOGMINE_HASH_KEY", TEST_HASH_KEY)
            assert run_daily(code_location, dagster_instance, DAY).success
            in_process = published_partition(reference_url)
            assert in_process["sanitised_samples"] and in_process["candidates"]

            common = {
                "PATH": os.environ["PATH"],
                "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
                "LOGMINE_DATABASE_URL": scaled_url,
                "LOGMINE_LOG_ROOT": str(log_root),
                "LOGMINE_HASH_KEY": TEST_HASH_KEY,
                "LOGMINE_SANITISE_SHARDS": "4",
            }
            _dagster_yaml(dagster_home, instance_url)
            with namespaced_dask_cluster(network, "scheduler", WORKERS, common, read_only=[log_root]) as cluster:
                with dask.distributed.Client(cluster.address, timeout=30) as client:
                    worker_pids = set(client.run(os.getpid).values())
                    seen = client.run(what_a_worker_can_touch, str(dagster_home), str(log_root), _loopback_port())
                assert len(worker_pids) == 2 and seen
                for view in seen.values():
                    assert view == {
                        "sees_run_home": False, "log_root_readable": True, "write_log_root": "EROFS", "write_checkout": "EROFS",
                        "write_root_home": "EROFS", "tmp_fs": "tmpfs", "logmine_home": "/tmp/logmine-home",
                        "loopback_postgres": "unreachable",
                    }, view
                _run_job({**os.environ, **common, "LOGMINE_HOME": str(tmp_path / "run-home"), "DAGSTER_HOME": str(dagster_home),
                          "LOGMINE_EXECUTOR": "dask", "LOGMINE_DASK_SCHEDULER": cluster.address})
                worker_tmp = {host: sorted(p.name for p in cluster.private_tmp_of(host).iterdir()) for host in WORKERS}

            steps, checks = _last_run_steps(dagster_home)
            step_pids = {key: pid for key, (pid, _, _) in steps.items()}
            shard_steps = {key for key in step_pids if ".sanitise_shard_" in key}
            assert len(shard_steps) == 4 and "sanitised_samples.publish_sanitised" in step_pids
            assert set(step_pids.values()) <= worker_pids  # every step ran on a namespaced worker
            assert {step_pids[key] for key in shard_steps} == worker_pids  # and the shards used both
            assert checks == {"sanitised_samples_no_residual_pii": True, "sanitiser_canaries_removed": True}

            assert published_partition(scaled_url) == in_process
            from logmine_dagster.storage import Database

            scaled_db = Database(scaled_url)
            assert scaled_db.count(shard_staging) == 0
            scaled_db.dispose()
            # Nothing written to the one shared folder; what the workers wrote stayed on their own tmpfs.
            assert read_tree_bytes(log_root) == log_root_before
            assert not (log_root / "probe").exists()
            assert all("dask" in names for names in worker_tmp.values()), worker_tmp
        finally:
            _database.cache_clear()


def _loopback_port() -> int:
    """The port of the suite's PostgreSQL on this machine's loopback (a worker must not reach it)."""
    from sqlalchemy.engine import make_url

    url = os.environ.get(postgres_server.ENV) or ""
    return make_url(url).port if url else 5432
