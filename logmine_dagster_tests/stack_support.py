"""The production-like stack for tests: `scripts/stack.sh` (the repository's dagster.yaml on PostgreSQL,
the daemon, the web UI) in a temporary state folder, and a small GraphQL client for its web UI.

Shared by test_ops_stack.py, test_ops_backfill.py and test_ops_faults.py; each module starts one stack.
Everything is real: PostgreSQL, `dagster-daemon`, `dagster-webserver`, run workers launched by the daemon.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlparse

import pytest

from logmine_dagster_tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_SKIP_REASON, _postgres_database

REPO = Path(__file__).resolve().parent.parent
STACK = REPO / "scripts" / "stack.sh"
SENSOR = "new_log_partitions_sensor"
DAILY_ASSETS = ("sampled_logs", "sanitised_samples", "categorised_candidates")
SANITISED_CHECKS = ("sanitised_samples_no_residual_pii", "sanitiser_canaries_removed")
STACK_HASH_KEY = "stack-test-hash-key-0123456789abcdef"


def skip_unless_stack_can_run() -> None:
    """Module-level skip: the stack needs PostgreSQL and the Dagster and shell tools on PATH."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip(f"the stack tests need PostgreSQL: {POSTGRES_SKIP_REASON}", allow_module_level=True)
    for tool in ("dagster-daemon", "dagster-webserver", "curl", "setsid"):
        if not shutil.which(tool):
            pytest.skip(f"the stack tests need `{tool}` on PATH", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """scripts/stack.sh in a temporary state folder, and a GraphQL client for its web UI."""

    def __init__(self, env: dict[str, str], state: Path, port: int):
        self.env, self.state, self.base = env, state, f"http://127.0.0.1:{port}"

    def run(self, cmd: str, timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run([str(STACK), cmd], env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout)

    def down(self) -> None:
        try:
            self.run("down", timeout=90)
        finally:
            # Whatever happened to the script: no process group it started survives the test.
            for pid_file in self.state.glob("*.pid"):
                try:
                    os.killpg(int(pid_file.read_text().strip()), signal.SIGKILL)
                except (ValueError, ProcessLookupError, PermissionError):
                    pass

    def graphql(self, query: str, retry_s: float = 60, **variables) -> dict:
        """One GraphQL request; a server error (the web UI answers 500 for a while after its PostgreSQL
        restarted, until its pooled connections are replaced) is retried for up to `retry_s`."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        deadline = time.monotonic() + retry_s
        while True:
            request = urllib.request.Request(f"{self.base}/graphql", data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    answer = json.load(response)
                break
            except urllib.error.HTTPError as error:
                if error.code < 500 or time.monotonic() > deadline:
                    detail = error.read().decode(errors="replace")[-2000:]
                    raise AssertionError(f"GraphQL answered {error.code}: {detail}\n{self.log_tail('webserver')}") from None
                time.sleep(2)
        assert not answer.get("errors"), answer["errors"]
        return answer["data"]

    def log_tail(self, name: str, lines: int = 25) -> str:
        path = self.state / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"

    def wait(self, what: str, timeout_s: float, probe: Callable, every: float = 2.0):
        """Poll `probe` until it returns something truthy; fail with the daemon's log after `timeout_s`."""
        last_error = None
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                value = probe()
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                # The web UI answers 500 for a moment while PostgreSQL restarts (test_ops_faults).
                value, last_error = None, error
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(
                    f"timed out after {timeout_s:.0f}s waiting for {what} (last GraphQL error: {last_error}); "
                    f"daemon log:\n{self.log_tail('daemon')}"
                )
            time.sleep(every)

    # -- GraphQL helpers ------------------------------------------------------------------------------

    def stop_sensor(self, name: str = SENSOR) -> None:
        sensor = self.graphql(SENSOR_ID, name=name)["sensorOrError"]
        assert sensor["__typename"] == "Sensor", sensor
        stopped = self.graphql(STOP_SENSOR, id=sensor["id"])["stopSensor"]
        assert stopped["__typename"] == "StopSensorMutationResult", stopped
        assert stopped["instigationState"]["status"] == "STOPPED", stopped
        # A tick already in flight when the sensor stops still finishes, and on a loaded machine it may
        # list the log root after the caller has written new days: wait until no tick is running.
        def idle():
            state = self.graphql(SENSOR_TICKS, name=name)["sensorOrError"]["sensorState"]
            return all(tick["status"] != "STARTED" for tick in state["ticks"]) or None

        self.wait(f"sensor {name}'s last tick to end", 120, idle, every=2)

    def launch_asset_backfill(self, assets: tuple[str, ...], partitions: list[str], title: str = "") -> str:
        params = {"assetSelection": [{"path": [asset]} for asset in assets], "partitionNames": partitions}
        if title:
            params["title"] = title
        launched = self.graphql(LAUNCH_BACKFILL, params=params)["launchPartitionBackfill"]
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        return launched["backfillId"]

    def backfill(self, backfill_id: str) -> dict:
        backfill = self.graphql(BACKFILL_STATUS, id=backfill_id)["partitionBackfillOrError"]
        assert backfill["__typename"] == "PartitionBackfill", backfill
        return backfill

    def wait_backfill(self, backfill_id: str, timeout_s: float) -> dict:
        def finished():
            backfill = self.backfill(backfill_id)
            return backfill if backfill["status"] not in ("REQUESTED", "CANCELING", "FAILING") else None

        return self.wait(f"backfill {backfill_id}", timeout_s, finished, every=3)

    def runs(self, tags: dict[str, str] | None = None) -> list[dict]:
        tag_filter = [{"key": key, "value": value} for key, value in (tags or {}).items()]
        answer = self.graphql(RUNS, tags=tag_filter)["runsOrError"]
        assert answer["__typename"] == "Runs", answer
        return answer["results"]

    def wait_run(self, run_id: str, timeout_s: float) -> dict:
        def finished():
            run = self.graphql(RUN, runId=run_id)["runOrError"]
            return run if run.get("status") in ("SUCCESS", "FAILURE", "CANCELED") else None

        return self.wait(f"run {run_id}", timeout_s, finished, every=2)

    def run_messages(self, run_id: str) -> list[str]:
        events = self.graphql(RUN_EVENTS, runId=run_id)["logsForRun"]["events"]
        return [f"{e['__typename']}: {e.get('message')}" for e in events]

    def materialisations(self, asset: str, partitions: list[str]) -> list[dict]:
        asset_node = self.graphql(MATERIALISATIONS, path=[asset], partitions=partitions)["assetOrError"]
        if asset_node["__typename"] == "AssetNotFoundError":  # never materialised yet
            return []
        return asset_node["assetMaterializations"]

    def check_executions(self, asset: str, check: str, partition: str) -> list[dict]:
        return self.graphql(CHECK_EXECUTIONS, path=[asset], check=check, partition=partition)["assetCheckExecutions"]

    def launch_partition_run(self, partition: str, assets: tuple[str, ...], job: str = "daily_mining_job", tags: dict | None = None) -> str:
        """One run of `job` for one partition, through the run queue (like the UI's Materialize button)."""
        all_tags = {"dagster/partition": partition, **(tags or {})}
        params = {
            "selector": {
                "repositoryLocationName": "logmine",
                "repositoryName": "__repository__",
                "jobName": job,
                "assetSelection": [{"path": [asset]} for asset in assets],
            },
            "executionMetadata": {"tags": [{"key": key, "value": value} for key, value in all_tags.items()]},
            "mode": "default",
        }
        launched = self.graphql(LAUNCH_RUN, params=params)["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        return launched["run"]["runId"]


SENSOR_TICKS = """query($name: String!) {
  sensorOrError(sensorSelector: {repositoryLocationName: "logmine", repositoryName: "__repository__", sensorName: $name}) {
    ... on Sensor { sensorState { ticks(limit: 3) { status } } }
  }
}"""

SENSOR_ID = """query($name: String!) {
  sensorOrError(sensorSelector: {repositoryLocationName: "logmine", repositoryName: "__repository__", sensorName: $name}) {
    __typename ... on Sensor { id sensorState { status } }
  }
}"""

STOP_SENSOR = """mutation($id: String!) {
  stopSensor(id: $id) {
    __typename ... on StopSensorMutationResult { instigationState { status } }
    ... on PythonError { message }
  }
}"""

LAUNCH_BACKFILL = """mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on InvalidStepError { invalidStepKey }
    ... on InvalidOutputError { invalidOutputName }
    ... on PartitionSetNotFoundError { message }
    ... on UnauthorizedError { message }
  }
}"""

BACKFILL_STATUS = """query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { id status isAssetBackfill numPartitions runs(limit: 50) { runId status tags { key value } } }
    ... on PythonError { message }
  }
}"""

RUNS = """query($tags: [ExecutionTag!]) {
  runsOrError(filter: {tags: $tags}) {
    __typename ... on Runs { results { runId jobName status tags { key value } } }
  }
}"""

RUN = """query($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { runId status tags { key value } } }
}"""

RUN_EVENTS = """query($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename ... on EventConnection { events { __typename ... on MessageEvent { message } } }
  }
}"""

MATERIALISATIONS = """query($path: [String!]!, $partitions: [String!]) {
  assetOrError(assetKey: {path: $path}) {
    __typename ... on Asset { assetMaterializations(partitions: $partitions) { partition runId timestamp } }
  }
}"""

CHECK_EXECUTIONS = """query($path: [String!]!, $check: String!, $partition: String) {
  assetCheckExecutions(assetKey: {path: $path}, checkName: $check, partition: $partition, limit: 20) {
    runId status partition
  }
}"""

LAUNCH_RUN = """mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message stack }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
  }
}"""


def stack_env(tmp: Path, port: int, log_root: Path, start_date: dt.date, **overrides: str) -> dict[str, str]:
    """The environment of a stack under `tmp`: no LOGMINE_/DAGSTER_ variable leaks in from the caller."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LOGMINE_", "DAGSTER_"))}
    env.update(
        LOGMINE_STACK_DIR=str(tmp / "stack"),
        LOGMINE_STACK_PORT=str(port),
        LOGMINE_STACK_WAIT_S="150",
        LOGMINE_HOME=str(tmp / "home"),
        LOGMINE_DATABASE_URL=f"sqlite:///{tmp / 'home' / 'logmine.db'}",
        LOGMINE_LOG_ROOT=str(log_root),
        LOGMINE_START_DATE=start_date.isoformat(),
        LOGMINE_HASH_KEY=STACK_HASH_KEY,
        LOGMINE_ALLOW_TERMS="Northwind,Northwind Telecom,Nova",
        TLDEXTRACT_CACHE=str(tmp / "tldextract"),
        LOGMINE_SENSOR_INTERVAL_S="5",
    )
    env.update(overrides)
    return env


@contextlib.contextmanager
def running_stack(tmp: Path, *, own_postgres: bool = False, **overrides: str) -> Iterator[tuple[Stack, Path]]:
    """`scripts/stack.sh up` under `tmp`, torn down whatever happens; yields the stack and its log root.

    Dagster's storage goes to a fresh database on LOGMINE_TEST_POSTGRES_URL's server, or, with
    `own_postgres`, to a PostgreSQL server that stack.sh starts under the state folder (a test may then
    restart it without disturbing anyone else's server).
    """
    port = free_port()
    log_root = tmp / "logs"
    log_root.mkdir(parents=True, exist_ok=True)
    (tmp / "home").mkdir(exist_ok=True)
    start_date = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=20)
    env = stack_env(tmp, port, log_root, start_date, **overrides)
    drop_db = None
    state = tmp / "stack"
    if own_postgres:
        env.setdefault("LOGMINE_STACK_PG_PORT", str(free_port()))
        # The server runs as the `postgres` OS user, which cannot enter pytest's private (0700) folders.
        state = Path(tempfile.mkdtemp(prefix="logmine-stack-"))
        state.chmod(0o755)
        env["LOGMINE_STACK_DIR"] = str(state)
    else:
        dagster_db_url, drop_db = _postgres_database()
        pg = urlparse(dagster_db_url)
        env.update(
            DAGSTER_PG_USERNAME=pg.username or "postgres",
            DAGSTER_PG_PASSWORD=pg.password or "",
            DAGSTER_PG_HOST=pg.hostname,
            DAGSTER_PG_PORT=str(pg.port),
            DAGSTER_PG_DB=pg.path.lstrip("/"),
        )
    deployment = Stack(env, state, port)
    try:
        started = deployment.run("up", timeout=200)
        assert started.returncode == 0, f"stack.sh up failed:\n{started.stderr}\n{deployment.log_tail('webserver')}"
        assert started.stdout.strip() == deployment.base
        yield deployment, log_root
    finally:
        deployment.down()
        if drop_db is not None:
            drop_db()
        if own_postgres:
            shutil.rmtree(state, ignore_errors=True)
