"""The daily job in one process vs on 2 Dask workers that are separate "machines" (each in a network and
mount namespace of its own, sharing only the read-only log root; logmine_dagster_tests/namespaced_hosts.py).
Issue 18's target: on 2 cores, the 2 namespaced workers are no slower than in-process by more than 15%.
Prints JSON lines; the last one is

    {"records", "shards", "sampled", "pairs", "in_process": {"wall_s", "cpu_s"}, "multi_host": {"wall_s", "cpu_s",
     "idle_cpu_s_per_min"}, "runs": {mode: [every run's figures, cpu_s_by_process and cluster_start_cpu_s too]},
     "wall_ratio": multi_host wall / in_process wall, "cpu_ratio": the same for CPU, "target_wall_ratio": 1.15,
     "same_rows": true, "cpus", "load_avg_1m"}

    python benchmarks/bench_multi_host.py [--records 3000] [--shards 4] [--pairs 1] [--profile DIR]

--pairs N runs the two modes alternately N times (in-process, multi-host, in-process, ...) on fresh
databases, so load from other work falls on both; the last line then reports the median of each mode and
every run's figures. --profile DIR samples every process of the multi-host runs with py-spy
(`pip install py-spy`) into DIR/<mode><n>-<process>.txt (collapsed stacks, active threads only).

wall_s is the run's own start-to-end time (Dagster's run record), Python start-up excluded. The in-process
run loads spaCy inside the run (a run process does, for every run); the workers, started fresh for each
multi-host run, load it when they start (`--preload logmine_dagster.lib.dask_worker`), as long-lived workers
do once in their life. cpu_s is the CPU time (user + system) of every process of the mode during the run: the
run process, and for multi_host also the scheduler and both workers. cluster_start_cpu_s is what scheduler and
workers used to start (the workers' preload included), idle_cpu_s_per_min what they burn doing nothing
(measured for IDLE_S before the run): part of the multi-host CPU grows with wall time, not work. The machine
may be loaded by other work: read wall_s next to the load averages, and cpu_s as the less load-dependent
figure. Both modes use the same throwaway PostgreSQL (listening on the bridge address) for logmine's database
and the Dagster instance, and every run must publish the same rows.
Needs root and `ip netns`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's packages, also when run as a script
TICKS = os.sysconf("SC_CLK_TCK")
IDLE_S = 20


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _profiler(pid: int, out: Path | None) -> subprocess.Popen | None:
    """py-spy sampling `pid` (active threads, collapsed stacks) until stopped with SIGINT; None without --profile."""
    if out is None:
        return None
    return subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", "50", "--nonblocking", "--format", "raw",
                             "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop_profilers(profilers: list[subprocess.Popen | None]) -> None:
    for profiler in filter(None, profilers):
        profiler.send_signal(signal.SIGINT)
    for profiler in filter(None, profilers):
        profiler.wait(timeout=60)


def _run_job(env: dict[str, str], log: Path, profile: Path | None = None) -> float:
    """The daily job in a child process; returns its CPU seconds."""
    from logmine_dagster_tests.lib.test_multi_host import DAY

    command = [sys.executable, "-m", "dagster", "job", "execute", "-m", "logmine_dagster.definitions", "-a", "defs",
               "-j", "daily_mining_job", "--tags", json.dumps({"dagster/partition": DAY})]
    with open(log, "wb") as out:
        child = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        profiler = _profiler(child.pid, profile)
        _, status, usage = os.wait4(child.pid, 0)
        _stop_profilers([profiler])
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the run failed; see {log}")
    return usage.ru_utime + usage.ru_stime


def _run_wall_s(dagster_home: Path) -> float:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        record = instance.get_run_records(limit=1)[0]
        return record.end_time - record.start_time


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=3000, help="records in the generated day")
    parser.add_argument("--shards", type=int, default=4, help="LOGMINE_SANITISE_SHARDS for both runs")
    parser.add_argument("--pairs", type=int, default=1, help="alternate the two modes this many times")
    parser.add_argument("--profile", type=Path, help="py-spy every multi-host process into this folder")
    args = parser.parse_args()

    from logmine_dagster.generator import generate
    from logmine_dagster_tests.lib.test_multi_host import WORKERS, _create_database, published_partition
    from logmine_dagster_tests.lib.test_scale_out import _dagster_yaml
    from logmine_dagster_tests.namespaced_hosts import isolated_network, namespaced_dask_cluster, namespaces_refused, postgres_on

    if reason := namespaces_refused():
        raise SystemExit(f"cannot make namespaced hosts: {reason}")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict]] = {"in_process": [], "multi_host": []}
    with tempfile.TemporaryDirectory(prefix="logmine-bench-hosts-") as tmp_name:
        tmp = Path(tmp_name)
        generate(tmp / "logs", dt.date(2026, 3, 2), 1, args.records, 7, write_manifest=False)
        with isolated_network(["scheduler", *WORKERS]) as network, postgres_on(network) as admin_url:
            common = {
                "PATH": os.environ["PATH"],
                "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
                "LOGMINE_LOG_ROOT": str(tmp / "logs"),
                "LOGMINE_HASH_KEY": "benchmark-hash-key-0123456789",
                "LOGMINE_START_DATE": "2026-01-01",
                "LOGMINE_SANITISE_SHARDS": str(args.shards),
            }
            rows: dict[str, dict] = {}
            for pair in range(args.pairs):
                for mode in ("in_process", "multi_host"):
                    name = f"{mode}{pair}"
                    url = _create_database(admin_url, f"logmine_{name}")
                    home = tmp / f"dagster_home_{name}"
                    _dagster_yaml(home, _create_database(admin_url, f"dagster_{name}"))
                    env = {**os.environ, **common, "LOGMINE_DATABASE_URL": url, "DAGSTER_HOME": str(home),
                           "LOGMINE_HOME": str(tmp / f"home_{name}"), "LOGMINE_EXECUTOR": mode.replace("multi_host", "dask")}
                    load_before = round(os.getloadavg()[0], 2)
                    if mode == "in_process":
                        result = {"cpu_s": round(_run_job(env, tmp / f"{name}.log"), 1)}
                    else:
                        with namespaced_dask_cluster(network, "scheduler", WORKERS, {**common, "LOGMINE_DATABASE_URL": url},
                                                     read_only=[tmp / "logs"]) as cluster:
                            before = {host: _cpu_s(p.pid) for host, p in cluster.processes.items()}
                            started = sum(before.values())  # start-up, workers' preload included
                            time.sleep(IDLE_S)  # what the cluster costs doing nothing: heartbeats, event loops
                            idle = sum(_cpu_s(p.pid) - before[host] for host, p in cluster.processes.items())
                            before = {host: _cpu_s(p.pid) for host, p in cluster.processes.items()}
                            profilers = [_profiler(p.pid, args.profile and args.profile / f"{name}-{host}.txt")
                                         for host, p in cluster.processes.items()]
                            by_process = {"run": _run_job({**env, "LOGMINE_DASK_SCHEDULER": cluster.address}, tmp / f"{name}.log",
                                                          args.profile and args.profile / f"{name}-run.txt")}
                            by_process |= {host: _cpu_s(p.pid) - before[host] for host, p in cluster.processes.items()}
                            _stop_profilers(profilers)
                        result = {"cpu_s": round(sum(by_process.values()), 1), "idle_cpu_s_per_min": round(idle * 60 / IDLE_S, 1),
                                  "cluster_start_cpu_s": round(started, 1),
                                  "cpu_s_by_process": {k: round(v, 1) for k, v in by_process.items()}}
                    result["wall_s"] = round(_run_wall_s(home), 1)
                    result |= {"load_avg_1m_before": load_before, "load_avg_1m": round(os.getloadavg()[0], 2)}
                    runs[mode].append(result)
                    published = published_partition(url)
                    if rows.setdefault("first", published) != published:
                        raise SystemExit(f"the {name} run published different rows from the first in-process run")
                    rows[mode] = published
                    print(json.dumps({"mode": mode, "pair": pair, **result}), flush=True)
    summary = {mode: {"wall_s": _median([r["wall_s"] for r in done]), "cpu_s": _median([r["cpu_s"] for r in done])}
               for mode, done in runs.items()}
    summary["multi_host"]["idle_cpu_s_per_min"] = _median([r["idle_cpu_s_per_min"] for r in runs["multi_host"]])
    inp, multi = summary["in_process"], summary["multi_host"]
    print(json.dumps({"records": args.records, "shards": args.shards, "sampled": len(rows["in_process"]["raw_samples"]),
                      "pairs": args.pairs, **summary, "runs": runs,
                      "wall_ratio": round(multi["wall_s"] / inp["wall_s"], 2), "cpu_ratio": round(multi["cpu_s"] / inp["cpu_s"], 2),
                      "target_wall_ratio": 1.15, "same_rows": True, "cpus": os.cpu_count(),
                      "load_avg_1m": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
