"""Log roots given as fsspec URLs: listing for the sensor, the sampler's one pass, retention and its
check, the `_SUCCESS` marker, and clear errors for a protocol without a driver.

The filesystems are real fsspec ones that run here: `memory://` (fsspec's in-memory store, so only
in-process code sees it: `build_sensor_context`, `materialize`, `execute_in_process`) and `file://`
(fsspec's local filesystem, the same remote code path as s3:// or gs://, not the local fast path).
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import socket
import uuid
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import zstandard

from logmine_dagster.core import clock
from logmine_dagster.core.config import ConfigError, Settings, parse_log_root, redact_url
from logmine_dagster.defs.resources import LogSource
from logmine_dagster.defs.sensors import new_log_partitions_sensor as build_sensor
from logmine_dagster.ingest.log_reader import display_root, list_partition_days, listing_snapshot, partition_fingerprint
from logmine_dagster.ingest.sampling import SIGNALS, SamplingPolicy
from logmine_dagster.retention.deletion import RetentionIncomplete, apply_retention, retention_violations
from logmine_dagster.ingest.sample_day import sample_day
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples, retention_log
from logmine_dagster_tests.conftest import FIRST_DAY
from logmine_dagster_tests.helpers import check_results

# The code location builds it at load time; the tests' LOGMINE_START_DATE is 2026-01-01 (conftest).
new_log_partitions_sensor = build_sensor(dt.date(2026, 1, 1), 60)

DAY = FIRST_DAY.isoformat()
TODAY = dt.datetime.now(dt.timezone.utc).date()
KEEP_SOME = SamplingPolicy(rate=0.3, signal_caps={s: None for s in SIGNALS}, max_sampled_fraction=None)


@pytest.fixture(autouse=True)
def _sensor_today_is_TODAY(monkeypatch):
    """The sensor reads the clock itself: pinned to this module's TODAY, a run that crosses midnight UTC
    cannot make it see one day more than the test planted."""
    monkeypatch.setattr(clock, "utc_today", lambda: TODAY)


def _write_mixed_day(folder: Path, lines: list[bytes]) -> None:
    """One day in every supported format, plus planted bad lines, from the generated records."""
    folder.mkdir(parents=True, exist_ok=True)
    quarter = len(lines) // 4
    chunks = [lines[i * quarter : (i + 1) * quarter] for i in range(3)] + [lines[3 * quarter :]]
    (folder / "a.jsonl").write_bytes(b"\n".join(chunks[0]) + b"\n" + b'{"not json\n\xff\xfe\n')
    (folder / "b.jsonl.gz").write_bytes(gzip.compress(b"\n".join(chunks[1]) + b"\n"))
    (folder / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(b"\n".join(chunks[2]) + b"\n"))
    rows = []
    for raw in chunks[3]:
        record = json.loads(raw)
        record["input"], record["metadata"] = json.dumps(record["input"]), json.dumps(record["metadata"])
        rows.append(record)
    pq.write_table(pa.Table.from_pylist(rows), folder / "d.parquet")
    # Truncated gzip: the good lines before the cut survive, the break is quarantined.
    (folder / "e.jsonl.gz").write_bytes(gzip.compress(b"\n".join(chunks[0][:20]) + b"\n")[:-30])
    (folder / "notes.txt").write_text("not a log file")


@pytest.fixture
def local_day(generated_logs, tmp_path) -> Path:
    source = sorted((generated_logs[0] / f"dt={DAY}").glob("*.jsonl"))
    lines = [line for path in source for line in path.read_bytes().splitlines() if line.strip()]
    root = tmp_path / "local"
    _write_mixed_day(root / f"dt={DAY}", lines)
    return root


def _copy_to(fs, local_root: Path, remote_path: str) -> None:
    for path in sorted(local_root.rglob("*")):
        if path.is_file():
            fs.pipe(f"{remote_path}/{path.relative_to(local_root).as_posix()}", path.read_bytes())


@pytest.fixture
def memory_url():
    """A private folder of fsspec's in-memory filesystem, removed afterwards."""
    import fsspec

    fs = fsspec.filesystem("memory")
    path = f"/logmine-test-{uuid.uuid4().hex[:10]}/logs"
    yield fs, path, f"memory://{path}"
    if fs.exists(path):
        fs.rm(path, recursive=True)


def _remote_root(kind: str, local_day: Path, memory_url, tmp_path) -> str:
    if kind == "memory":
        fs, path, url = memory_url
        _copy_to(fs, local_day, path)
        return url
    import fsspec

    folder = tmp_path / "via-fsspec"
    _copy_to(fsspec.filesystem("file", auto_mkdir=True), local_day, folder.as_posix())
    return f"file://{folder.as_posix()}"


def _sampled(db) -> list[tuple]:
    columns = [c for c in raw_samples.c if c.name not in ("id", "sampled_at")]
    return sorted(tuple(row[c.name] for c in columns) for row in db.fetch_all(sa.select(*columns)))


def _quarantined(db) -> list[tuple]:
    rows = db.fetch_all(sa.select(ingest_quarantine.c.source_file, ingest_quarantine.c.source_line, ingest_quarantine.c.reason))
    return sorted((r["source_file"], r["source_line"], r["reason"]) for r in rows)


@pytest.mark.parametrize("kind", ["memory", "file"])
def test_a_remote_day_samples_to_the_same_rows_as_the_local_folder(kind, local_day, memory_url, tmp_path, db):
    local = sample_day(db, local_day, DAY, KEEP_SOME)
    local_rows, local_bad = _sampled(db), _quarantined(db)
    assert local.files == 5 and local.sampled > 50
    assert {name.split("/")[-1] for name, _, _ in local_bad} == {"a.jsonl", "e.jsonl.gz"}

    url = _remote_root(kind, local_day, memory_url, tmp_path)
    remote = sample_day(db, url, DAY, KEEP_SOME)
    assert (remote.files, remote.scanned, remote.sampled, remote.quarantined) == (local.files, local.scanned, local.sampled, local.quarantined)
    # Same raw_samples rows (source_file stays relative to the root: dt=DAY/name), same bad lines,
    # whose quarantine rows name the remote file by its URL.
    assert _sampled(db) == local_rows
    shown = display_root(url)
    assert shown == url
    assert _quarantined(db) == sorted((f"{shown}/{name}", line, reason) for name, line, reason in local_bad)
    assert all(name.startswith(f"{kind}://") for name in remote.bad_by_file)


def test_the_sensor_lists_a_memory_root_once_requests_new_and_changed_days_and_waits_for_success(memory_url):
    fs, path, url = memory_url
    days = [(TODAY - dt.timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    for day in days:
        fs.pipe(f"{path}/dt={day}/part-0.jsonl.gz", gzip.compress(b'{"x": 1}\n'))
    fs.pipe(f"{path}/dt={days[0]}/_SUCCESS", b"")
    fs.pipe(f"{path}/dt=not-a-date/part-0.jsonl", b"{}\n")
    fs.pipe(f"{path}/dt={TODAY.isoformat()}/part-0.jsonl", b"{}\n")  # today: still being written

    def tick(cursor, **fields):
        resources = {"log_source": LogSource(root=url, **fields)}
        with dg.instance_for_test() as instance:
            result = new_log_partitions_sensor(dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources))
        return sorted(r.partition_key for r in result.run_requests), result.cursor

    assert tick(None, require_success_marker=True)[0] == [days[0]]
    requested, cursor = tick(None, require_success_marker=False)
    assert requested == sorted(days)
    assert tick(cursor)[0] == []
    # A late file in one day: that day again (the fingerprint comes from the listing's size and mtime).
    fs.pipe(f"{path}/dt={days[1]}/part-1.jsonl", b'{"x": 2}\n')
    requested, cursor = tick(cursor)
    assert requested == [days[1]]
    assert tick(cursor)[0] == []
    # The sensor's one recursive listing and the per-day listing agree on every fingerprint.
    present, fingerprint = listing_snapshot(url, require_success=False)
    assert present == sorted(days + [TODAY.isoformat()])
    assert all(fingerprint(day) == partition_fingerprint(url, day) for day in present)


def test_the_sensor_requests_each_of_a_thousand_remote_days_once(memory_url):
    fs, path, url = memory_url
    days = sorted((TODAY - dt.timedelta(days=n)).isoformat() for n in range(1, 1001))
    for day in days:
        fs.pipe(f"{path}/dt={day}/part-0.jsonl", b'{"x": 1}\n')
    in_range = [day for day in days if day >= "2026-01-01"]  # the test code location's partition start
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"log_source": LogSource(root=url)})
        first = new_log_partitions_sensor(context)
        assert sorted(r.partition_key for r in first.run_requests) == in_range
        assert len({r.run_key for r in first.run_requests}) == len(in_range)
        context = dg.build_sensor_context(instance=instance, cursor=first.cursor, resources={"log_source": LogSource(root=url)})
        assert new_log_partitions_sensor(context).run_requests == []


def test_the_sensor_needs_success_on_a_file_url_too(tmp_path):
    root = tmp_path / "logs"
    day = (TODAY - dt.timedelta(days=1)).isoformat()
    (root / f"dt={day}").mkdir(parents=True)
    (root / f"dt={day}" / "part-0.jsonl").write_text('{"x": 1}\n')
    source = LogSource(root=f"file://{root.as_posix()}", require_success_marker=True)
    assert source.listing()[0] == [] and source.days() == []
    (root / f"dt={day}" / "_SUCCESS").write_text("")
    assert source.listing()[0] == [day] and source.days() == [day]
    assert source.has_day(day) and not source.has_day("2020-01-01")


def test_retention_deletes_whole_remote_day_folders_and_the_check_proves_it(memory_url, db):
    fs, path, url = memory_url
    for day in ("2026-01-01", "2026-01-02", "2026-02-15"):
        fs.pipe(f"{path}/dt={day}/part-0.jsonl.gz", b"x")
        fs.pipe(f"{path}/dt={day}/_SUCCESS", b"")
    today = dt.date(2026, 2, 20)
    assert retention_violations(db, url, today, 30) == ["log partition dt=2026-01-01", "log partition dt=2026-01-02"]

    report = apply_retention(db, url, today, 30)
    assert report.deleted_partitions == ["2026-01-01", "2026-01-02"]
    assert retention_violations(db, url, today, 30) == []
    assert list_partition_days(url) == ["2026-02-15"]
    assert not fs.exists(f"{path}/dt=2026-01-01") and fs.exists(f"{path}/dt=2026-02-15/part-0.jsonl.gz")
    logged = sorted((r["target"], r["item_key"], r["item_count"]) for r in db.fetch_all(sa.select(retention_log)))
    assert logged == [("log_partition", "dt=2026-01-01", 2), ("log_partition", "dt=2026-01-02", 2)]


def test_sampling_and_retention_run_through_dagster_on_a_memory_root(
    logmine_env, local_day, memory_url, dagster_instance, code_location, db, monkeypatch
):
    fs, path, url = memory_url
    _copy_to(fs, local_day, path)
    monkeypatch.setenv("LOGMINE_LOG_ROOT", url)
    result = dg.materialize([code_location.resolve_assets_def("sampled_logs")], partition_key=DAY, instance=dagster_instance, raise_on_error=False)
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["files"].value == 5 and db.count(raw_samples, raw_samples.c.day == DAY) > 0
    assert url.removeprefix("memory://") in metadata["quarantined_by_file"].value

    monkeypatch.setenv("LOGMINE_RETENTION_DAYS", str((TODAY - FIRST_DAY).days - 1))
    result = code_location.resolve_job_def("retention_job").execute_in_process(instance=dagster_instance)
    assert result.success and check_results(result)["raw_logs_within_retention"].passed
    assert not fs.exists(f"{path}/dt={DAY}")
    assert db.count(raw_samples, raw_samples.c.day == DAY) == 0


def test_an_unknown_protocol_or_a_missing_driver_is_one_clear_config_error(monkeypatch):
    with pytest.raises(ConfigError, match=r"unknown protocol nope://") as error:
        parse_log_root("LOGMINE_LOG_ROOT", "nope://bucket/logs")
    assert "\n" not in str(error.value)
    monkeypatch.setenv("LOGMINE_LOG_ROOT", "nope://bucket/logs")
    with pytest.raises(ConfigError, match="LOGMINE_LOG_ROOT"):
        Settings.from_env()
    if importlib.util.find_spec("gcsfs") is None:
        with pytest.raises(ConfigError, match=r"logmine\[gcs\]") as error:
            LogSource(root="gs://user:hunter2@bucket/logs").root_path()
        assert "hunter2" not in str(error.value) and "\n" not in str(error.value)
    # Local paths are still plain pathlib paths: the fast path is unchanged.
    assert type(parse_log_root("LOGMINE_LOG_ROOT", "relative/logs")) is type(Path.cwd())


def test_credentials_never_appear_in_shown_or_stored_names():
    assert redact_url("s3://AKIAXX:s3cr3t@bucket/logs?X-Amz-Signature=abc#x") == "s3://bucket/logs"
    assert redact_url("memory://logs/dt=2026-01-01/a.jsonl") == "memory://logs/dt=2026-01-01/a.jsonl"
    assert redact_url("/plain/path/with:colon@at") == "/plain/path/with:colon@at"
    shown = LogSource(root="ftp://operator:s3cr3t@logs.example.invalid/app/logs").display_root()
    assert shown == "ftp://logs.example.invalid/app/logs"
    assert display_root("memory://operator:s3cr3t@/app/logs").endswith("/app/logs")
    assert "s3cr3t" not in display_root("memory://operator:s3cr3t@/app/logs")
    assert redact_url("s3://key:p@ss@bucket/logs") == "s3://bucket/logs"  # an unescaped @ in a password
    assert redact_url("gs://bucket/a@b/logs") == "gs://bucket/a@b/logs"  # an @ in the path is kept


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def moto_s3(monkeypatch):
    """An S3 API on a local port. moto is a stand-in for S3: AWS cannot be reached from here, so this
    shows the s3:// code path (s3fs listing, ETags, ranged reads, deletes) against S3's API, not AWS."""
    pytest.importorskip("s3fs")
    server_module = pytest.importorskip("moto.server")
    import fsspec

    port = _free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    # fsspec's own configuration (also FSSPEC_S3_* variables or ~/.config/fsspec): no endpoint in the URL.
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": f"http://127.0.0.1:{port}"})
    fs = fsspec.filesystem("s3", endpoint_url=f"http://127.0.0.1:{port}")
    bucket = f"logmine-{uuid.uuid4().hex[:8]}"
    fs.mkdir(bucket)
    try:
        yield fs, bucket
    finally:
        fsspec.filesystem("s3").clear_instance_cache()
        server.stop()


def test_an_s3_root_on_a_local_moto_server_samples_lists_and_expires_like_a_local_folder(moto_s3, local_day, db):
    """moto stands in for S3 (no AWS access here)."""
    fs, bucket = moto_s3
    _copy_to(fs, local_day, f"{bucket}/logs")
    fs.pipe(f"{bucket}/logs/dt={DAY}/_SUCCESS", b"")
    url = f"s3://{bucket}/logs"

    local = sample_day(db, local_day, DAY, KEEP_SOME)
    local_rows = _sampled(db)
    remote = sample_day(db, url, DAY, KEEP_SOME)
    assert (remote.sampled, remote.quarantined) == (local.sampled, local.quarantined)
    assert _sampled(db) == local_rows
    assert all(name.startswith(f"s3://{bucket}/logs/dt={DAY}/") for name, _, _ in _quarantined(db))

    present, fingerprint = listing_snapshot(url, require_success=True)
    assert present == [DAY] and fingerprint(DAY) == partition_fingerprint(url, DAY)
    assert LogSource(root=url).has_day(DAY) and not LogSource(root=url).has_day("2026-01-01")
    report = apply_retention(db, url, FIRST_DAY + dt.timedelta(days=60), 30)
    assert report.deleted_partitions == [DAY]
    assert retention_violations(db, url, FIRST_DAY + dt.timedelta(days=60), 30) == []
    assert fs.find(f"{bucket}/logs", refresh=True) == []


def test_a_remote_delete_that_fails_names_the_url_and_records_nothing(tmp_path, db):
    """A read-only bind mount behind a file:// URL: the fsspec delete fails like a refused object delete."""
    import subprocess

    from logmine_dagster_tests.defs.test_ops_faults import _mounted

    root = tmp_path / "logs"
    (root / "dt=2026-01-01").mkdir(parents=True)
    (root / "dt=2026-01-01" / "part-0.jsonl").write_text("{}\n")
    read_only = tmp_path / "read-only"
    with _mounted(read_only, "--bind", str(root)):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(read_only)], check=True, timeout=30)
        url = f"file://{read_only.as_posix()}"
        with pytest.raises(RetentionIncomplete, match=rf"could not delete 1 expired log partition\(s\) of file://{read_only.as_posix()}: dt=2026-01-01 \(Read-only file system\)"):
            apply_retention(db, url, dt.date(2026, 3, 1), 30)
        assert retention_violations(db, url, dt.date(2026, 3, 1), 30) == ["log partition dt=2026-01-01"]
    assert (root / "dt=2026-01-01" / "part-0.jsonl").exists()
    assert db.count(retention_log) == 0
