"""One day of generated traffic through sample -> sanitise -> categorise (the daily_mining_job, with its
blocking checks), in one process, with the default multiprocess executor (every core of one machine), and
on a Dask cluster with 2 workers. Prints JSON lines; the last one is

    {"records": N, "in_process": {"wall_s", "records_per_s", "peak_rss_mb", "breakdown_s": {read, sample,
     sanitise, gate, write, check, categorise}, "sanitise_stage": {texts, stage_wall_s, texts_per_s,
     texts_per_s_sanitiser_own, shard_cpu_s, texts_per_s_shard_cpu, vs_sanitiser_alone, vs_sanitiser_alone_cpu}},
     "multiprocess": {same}, "scaled": {same},
     "speedup_vs_multiprocess": multiprocess wall / scaled wall, "speedup_vs_in_process": in_process wall / scaled wall,
     "sanitiser_alone": {records, texts, wall_s, cpu_s, texts_per_s, texts_per_s_cpu}}

`sanitiser_alone` is bench_sanitise.py's record figure on the same records: the day's raw samples (pruned to
the declared schema, as the shard steps do) through `sanitise_record(record, pseudonym_key=...)`, in a child
process pinned to one core, the model loaded and warmed up first; `texts_per_s` over wall time, `texts_per_s_cpu`
over CPU time (bench_sanitise.py's own measure). It runs right after the in-process run, in the same load
window. Each mode's `sanitise_stage.vs_sanitiser_alone` is its stage texts/s (wall, model loading included)
over `sanitiser_alone.texts_per_s`: issue 18's target is at least 0.7. `vs_sanitiser_alone_cpu` divides
the texts by the shard functions' own CPU seconds (`shard_cpu` in `seconds_by_part`: reading, the day's
terms, sanitising and the gate, not Dagster's step set-up nor model loading) over `texts_per_s_cpu`: on a
shared machine wall clock measures the neighbours, CPU the work. The in-process run is the like-for-like
one (the stage on one core, as the sanitiser alone); the multiprocess and Dask runs use both cores.

The baseline that matters is `multiprocess`: it is what a run uses unless told otherwise, and it already runs the
shard steps in parallel; `in_process` (the debugging executor) is kept to show what parallel steps buy at all.

    python benchmarks/bench_pipeline.py [--records 200000] [--workers 2] [--shards 4] [--rate 0.005]
                                        [--postgres-url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]
                                        [--modes in_process,multiprocess,scaled]

`--modes` runs only the modes named (in_process always runs first: the other modes' rows are compared with
its rows and the sanitiser alone reads its raw samples); speedups are printed when both modes ran.

Each mode runs the job with `dagster job execute` in a fresh process, against the same logmine
database and Dagster instance (PostgreSQL when an admin URL is given, or LOGMINE_TEST_POSTGRES_URL is
set: a throwaway database is created for each and dropped; SQLite otherwise). wall_s is the run's
own start-to-end time (Dagster's run record): model loading included, Python start-up excluded. The
Dask cluster (scheduler + workers, one thread each) is started fresh, so the workers load spaCy
inside the measured run too. peak_rss_mb is the largest peak resident set of any single process of
the mode (the run process; for `scaled` also every worker and the scheduler); each process's own
figure is on the line before. The sampling policy is logmine's default (rate 0.005 plus every error,
low-confidence, escalated or thumbs-down record), which on the generator's traffic samples about 13%
of the records: real sanitisation work. Both modes must publish exactly the same rows, or the script fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's logmine_dagster, also when run as a script
DAY = dt.date(2026, 3, 2)


@contextlib.contextmanager
def _databases(admin_url: str | None, tmp: Path):
    """(logmine URL, dagster.yaml storage section) on PostgreSQL when an admin URL is given."""
    if not admin_url:
        yield f"sqlite:///{tmp / 'logmine.db'}", ""
        return
    names = [f"logmine_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f'storage:\n  postgres:\n    postgres_url: "{base}/{names[1]}"\n'
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _run_job(env: dict[str, str]) -> tuple[int, float]:
    """Runs the daily job in a child process; returns its peak RSS (KiB) and its wall time."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "dagster", "job", "execute", "-m", "logmine_dagster.definitions", "-a", "defs",
               "-j", "daily_mining_job", "--tags", json.dumps({"dagster/partition": DAY.isoformat()})]
    with open(Path(env["LOGMINE_HOME"]) / f"run-{env['LOGMINE_EXECUTOR']}.log", "wb") as log:
        child = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not all children's
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the {env['LOGMINE_EXECUTOR']} run failed; see {log.name}")
    return usage.ru_maxrss, time.perf_counter() - started


def _last_run(dagster_home: Path) -> tuple[float, dict[str, float], dict[str, dict], dict[str, tuple[float, float]]]:
    """The last run's wall time; the seconds each step's own work took (STEP_START to STEP_SUCCESS);
    each asset's `seconds_by_part` metadata; and each step's (start, end) timestamps."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        record = instance.get_run_records(limit=1)[0]
        if record.dagster_run.status != dg.DagsterRunStatus.SUCCESS:
            raise SystemExit(f"run {record.dagster_run.run_id} ended {record.dagster_run.status}")
        started: dict[str, float] = {}
        steps: dict[str, float] = {}
        spans: dict[str, tuple[float, float]] = {}
        parts: dict[str, dict] = {}
        for entry in instance.all_logs(record.dagster_run.run_id):
            if not entry.is_dagster_event or not entry.step_key:
                continue
            kind = entry.dagster_event.event_type_value
            name = entry.step_key.replace("sanitised_samples.", "")
            if kind == "STEP_START":
                started[name] = entry.timestamp
            elif kind == "STEP_SUCCESS" and name in started:
                steps[name] = round(entry.timestamp - started[name], 1)
                spans[name] = (started[name], entry.timestamp)
            elif kind == "ASSET_MATERIALIZATION":
                materialization = entry.dagster_event.event_specific_data.materialization
                value = materialization.metadata.get("seconds_by_part")
                if value is not None:
                    parts[materialization.asset_key.to_user_string()] = value.value
        return record.end_time - record.start_time, steps, parts, spans


def breakdown(steps: dict[str, float], parts: dict[str, dict]) -> dict[str, float]:
    """Where the day's time went, by pipeline part (seconds). read/sample/sanitise/gate are the work
    the assets timed themselves (sanitise and gate added over the shards, model loading excluded);
    write, check and categorise are step times (the check: every scan shard plus the check step)."""
    sampled, sanitised = parts.get("sampled_logs", {}), parts.get("sanitised_samples", {})
    check_steps = [v for k, v in steps.items() if k.startswith("residual_scan_shard_") or k.endswith("no_residual_pii")]
    return {
        "read": round(sampled.get("read", 0.0), 1),
        "sample": round(sampled.get("sample", 0.0), 1),
        "sanitise": round(sanitised.get("sanitise", 0.0), 1),
        "gate": round(sanitised.get("gate", 0.0), 1),
        "write": steps.get("publish_sanitised", 0.0),
        "check": round(sum(check_steps), 1),
        "categorise": steps.get("categorised_candidates", 0.0),
    }


def with_ratio(stage: dict[str, float], alone: dict) -> dict[str, float]:
    """The stage's texts/s over the sanitiser's own on the same records: wall clock (same load window), and
    CPU (the shard functions' own CPU seconds over the sanitiser's; steadier on a shared machine)."""
    def ratio(mine: str, theirs: str) -> float | None:
        return round(stage[mine] / alone[theirs], 2) if stage.get(mine) and alone.get(theirs) else None

    return {**stage, "vs_sanitiser_alone": ratio("texts_per_s", "texts_per_s"), "vs_sanitiser_alone_cpu": ratio("texts_per_s_shard_cpu", "texts_per_s_cpu")}


def sanitise_stage(texts: int, spans: dict[str, tuple[float, float]], parts: dict[str, dict]) -> dict[str, float]:
    """Texts per second through the sanitise stage: over its wall time (first shard start to last shard
    end, model loading included), and over the sanitiser's own seconds (what bench_sanitise.py times)."""
    shards = [span for name, span in spans.items() if name.startswith("sanitise_shard_")]
    wall = max(end for _, end in shards) - min(start for start, _ in shards) if shards else 0.0
    own = sum(parts.get("sanitised_samples", {}).get(part, 0.0) for part in ("sanitise", "gate"))
    cpu = parts.get("sanitised_samples", {}).get("shard_cpu", 0.0)
    return {
        "texts": texts,
        "stage_wall_s": round(wall, 1),
        "texts_per_s": round(texts / wall, 1) if wall else 0.0,
        "texts_per_s_sanitiser_own": round(texts / own, 1) if own else 0.0,
        "shard_cpu_s": round(cpu, 1),
        "texts_per_s_shard_cpu": round(texts / cpu, 1) if cpu else 0.0,
    }


def _texts_sanitised(database_url: str) -> int:
    """Text fields the sanitiser saw on the day's raw samples (the record pruned to the declared schema,
    as the shard steps do): the same count bench_sanitise.py divides by."""
    from logmine_dagster.sanitise import schema
    from logmine_dagster.sanitise.record_fields import RecordFields
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import raw_samples

    db = Database(database_url)
    texts = 0
    for row in db.fetch_all(sa.select(raw_samples.c.record_json).where(raw_samples.c.day == DAY.isoformat())):
        texts += len(RecordFields(schema.prune(json.loads(row["record_json"]))[0]).texts())
    db.dispose()
    return texts


def _sanitiser_alone_child(database_url: str, key: str, out: str) -> None:
    """In the child: the day's raw samples through the sanitiser alone (see the module docstring)."""
    import logging

    if hasattr(os, "sched_setaffinity"):  # one core, as bench_sanitise.py's engines
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    logging.disable(logging.WARNING)
    from logmine_dagster.sanitise import schema
    from logmine_dagster.sanitise.record_fields import RecordFields
    from logmine_dagster.sanitise.sanitiser import get_sanitiser
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import raw_samples

    db = Database(database_url)
    statement = sa.select(raw_samples.c.record_json).where(raw_samples.c.day == DAY.isoformat()).order_by(raw_samples.c.request_id)
    records = [schema.prune(json.loads(row["record_json"]))[0] for row in db.fetch_all(statement)]
    db.dispose()
    texts = sum(len(RecordFields(record).texts()) for record in records)
    sanitiser = get_sanitiser()
    sanitiser.sanitise_texts(["warm-up so that lazy loading is not timed, Jane Doe"])
    wall, cpu = time.perf_counter(), time.process_time()
    for record in records:
        sanitiser.sanitise_record(record, pseudonym_key=key.encode("utf-8"))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    Path(out).write_text(json.dumps({
        "records": len(records), "texts": texts, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "texts_per_s": round(texts / wall, 1), "texts_per_s_cpu": round(texts / cpu, 1),
    }))


def _sanitiser_alone(env: dict[str, str]) -> dict:
    out = Path(env["LOGMINE_HOME"]) / "sanitiser_alone.json"
    subprocess.run([sys.executable, __file__, "--sanitiser-alone", env["LOGMINE_DATABASE_URL"], env["LOGMINE_HASH_KEY"], str(out)],
                   env=env, cwd=REPO, check=True)
    return json.loads(out.read_text())


def _published(database_url: str) -> dict[str, list[str]]:
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import candidates, sanitised_samples, sanitiser_quarantine

    db = Database(database_url)
    out = {}
    for table in (sanitised_samples, sanitiser_quarantine, candidates):
        rows = db.fetch_all(sa.select(table).where(table.c.day == DAY.isoformat()))
        out[table.name] = sorted(json.dumps({k: str(v) for k, v in r.items() if k not in ("id", "quarantined_at")}) for r in rows)
    db.dispose()
    return out


def _worker_peaks(cluster) -> dict[str, float]:
    import dask.distributed

    def peak_mb() -> float:
        import resource as r

        return round(r.getrusage(r.RUSAGE_SELF).ru_maxrss / 1024, 1)

    with dask.distributed.Client(cluster.address, timeout=30) as client:
        peaks = {f"worker_{i}": mb for i, mb in enumerate(client.run(peak_mb).values())}
        peaks["scheduler"] = client.run_on_scheduler(peak_mb)
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000, help="records in the generated day")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes for the scaled run")
    parser.add_argument("--shards", type=int, default=4, help="LOGMINE_SANITISE_SHARDS for both runs")
    parser.add_argument("--rate", type=float, default=0.005, help="LOGMINE_SAMPLE_RATE (interesting records are always sampled)")
    parser.add_argument("--postgres-url", default=os.environ.get("LOGMINE_TEST_POSTGRES_URL"), help="admin URL; SQLite if unset")
    parser.add_argument("--modes", default="in_process,multiprocess,scaled", help="modes to run, comma-separated (in_process always runs)")
    parser.add_argument("--sanitiser-alone", nargs=3, metavar=("URL", "KEY", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sanitiser_alone:
        _sanitiser_alone_child(*args.sanitiser_alone)
        return
    modes = set(args.modes.split(",")) | {"in_process"}
    if modes - {"in_process", "multiprocess", "scaled"}:
        parser.error(f"unknown mode(s): {', '.join(sorted(modes - {'in_process', 'multiprocess', 'scaled'}))}")

    from logmine_dagster.generator import generate
    from logmine_dagster.lib.dask_executor import local_dask_cluster

    with tempfile.TemporaryDirectory(prefix="logmine-bench-") as tmp_name:
        tmp = Path(tmp_name)
        generate(tmp / "logs", DAY, 1, args.records, 7, write_manifest=False)
        with _databases(args.postgres_url, tmp) as (database_url, storage_yaml):
            dagster_home = tmp / "dagster_home"
            dagster_home.mkdir()
            (dagster_home / "dagster.yaml").write_text(
                storage_yaml
                + "compute_logs:\n  module: dagster.core.storage.noop_compute_log_manager\n  class: NoOpComputeLogManager\n"
                + "telemetry:\n  enabled: false\n"
            )
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
                "DAGSTER_HOME": str(dagster_home),
                "LOGMINE_HOME": str(tmp / "home"),
                "LOGMINE_DATABASE_URL": database_url,
                "LOGMINE_LOG_ROOT": str(tmp / "logs"),
                "LOGMINE_HASH_KEY": "benchmark-hash-key-0123456789",
                "LOGMINE_START_DATE": "2026-01-01",
                "LOGMINE_SAMPLE_RATE": str(args.rate),
                "LOGMINE_SANITISE_SHARDS": str(args.shards),
            }
            (tmp / "home").mkdir()

            rss_kib, process_wall = _run_job({**env, "LOGMINE_EXECUTOR": "in_process"})
            in_process_wall, in_process_steps, in_process_parts, in_process_spans = _last_run(dagster_home)
            in_process_rows = _published(database_url)
            texts = _texts_sanitised(database_url)
            sampled = len(in_process_rows["sanitised_samples"]) + len(in_process_rows["sanitiser_quarantine"])
            # Right after the in-process run: the same records, the nearest load window.
            alone = _sanitiser_alone(env)
            in_process = {"wall_s": round(in_process_wall, 1), "records_per_s": round(args.records / in_process_wall, 1),
                          "peak_rss_mb": round(rss_kib / 1024, 1), "breakdown_s": breakdown(in_process_steps, in_process_parts),
                          "sanitise_stage": with_ratio(sanitise_stage(texts, in_process_spans, in_process_parts), alone)}
            print(json.dumps({"mode": "in_process", "sampled": sampled, "process_wall_s": round(process_wall, 1),
                              "peak_rss_mb_by_process": {"run": in_process["peak_rss_mb"]}, "load_avg_1m": round(os.getloadavg()[0], 2),
                              "step_s": in_process_steps, "sanitiser_alone": alone}), flush=True)
            last = {"records": args.records, "in_process": in_process}

            if "multiprocess" in modes:
                rss_kib, process_wall = _run_job({**env, "LOGMINE_EXECUTOR": "multiprocess"})
                multiprocess_wall, multiprocess_steps, multiprocess_parts, multiprocess_spans = _last_run(dagster_home)
                if _published(database_url) != in_process_rows:
                    raise SystemExit("the multiprocess run published different rows from the in-process run")
                # ru_maxrss of the run process only: the step subprocesses are its children, not counted here.
                last["multiprocess"] = {
                    "wall_s": round(multiprocess_wall, 1), "records_per_s": round(args.records / multiprocess_wall, 1),
                    "peak_rss_mb": round(rss_kib / 1024, 1), "breakdown_s": breakdown(multiprocess_steps, multiprocess_parts),
                    "sanitise_stage": with_ratio(sanitise_stage(texts, multiprocess_spans, multiprocess_parts), alone),
                }
                print(json.dumps({"mode": "multiprocess", "same_rows": True, "process_wall_s": round(process_wall, 1),
                                  "speedup_vs_in_process": round(in_process_wall / multiprocess_wall, 2),
                                  "load_avg_1m": round(os.getloadavg()[0], 2), "step_s": multiprocess_steps}), flush=True)

            if "scaled" in modes:
                with local_dask_cluster(args.workers, env, tmp / "dask") as cluster:
                    rss_kib, process_wall = _run_job({**env, "LOGMINE_EXECUTOR": "dask", "LOGMINE_DASK_SCHEDULER": cluster.address})
                    scaled_wall, scaled_steps, scaled_parts, scaled_spans = _last_run(dagster_home)
                    peaks = {"run": round(rss_kib / 1024, 1), **_worker_peaks(cluster)}
                if _published(database_url) != in_process_rows:
                    raise SystemExit("the scaled run published different rows from the in-process run")
                last["scaled"] = {
                    "wall_s": round(scaled_wall, 1), "records_per_s": round(args.records / scaled_wall, 1),
                    "peak_rss_mb": max(peaks.values()), "breakdown_s": breakdown(scaled_steps, scaled_parts),
                    "sanitise_stage": with_ratio(sanitise_stage(texts, scaled_spans, scaled_parts), alone),
                }
                print(json.dumps({"mode": "scaled", "workers": args.workers, "shards": args.shards, "same_rows": True,
                                  "process_wall_s": round(process_wall, 1), "peak_rss_mb_by_process": peaks,
                                  "speedup_vs_in_process": round(in_process_wall / scaled_wall, 2), "cpus": os.cpu_count(),
                                  "load_avg_1m": round(os.getloadavg()[0], 2), "step_s": scaled_steps}), flush=True)
    if "multiprocess" in last and "scaled" in last:
        last["speedup_vs_multiprocess"] = round(last["multiprocess"]["wall_s"] / last["scaled"]["wall_s"], 2)
    if "scaled" in last:
        last["speedup_vs_in_process"] = round(in_process["wall_s"] / last["scaled"]["wall_s"], 2)
    last["sanitiser_alone"] = alone
    print(json.dumps(last))

if __name__ == "__main__":
    main()
