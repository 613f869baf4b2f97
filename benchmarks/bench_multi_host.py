"""The daily job in one process vs on 2 Dask workers that are separate "machines" (each in a network and
mount namespace of its own, sharing only the read-only log root; logmine_dagster_tests/namespaced_hosts.py).
Issue 18's target: on 2 cores, the 2 namespaced workers are no slower than in-process by more than 15%.
Prints JSON lines; the last one is

    {"records", "sampled", "in_process": {"wall_s", "cpu_s"}, "multi_host": {"wall_s", "cpu_s", "cpu_s_by_process", "idle_cpu_s_per_min"},
     "wall_ratio": multi_host wall / in_process wall, "cpu_ratio": the same for CPU, "target_wall_ratio": 1.15,
     "same_rows": true, "cpus", "load_avg_1m"}

    python benchmarks/bench_multi_host.py [--records 3000] [--shards 4]

wall_s is the run's own start-to-end time (Dagster's run record): model loading included (the workers are
started fresh, so each loads spaCy inside the run, as the in-process run does), Python start-up excluded.
cpu_s is the CPU time (user + system) of every process of the mode during the run: the run process, and for
multi_host also the scheduler and both workers; idle_cpu_s_per_min is what scheduler and workers burn doing
nothing (measured for IDLE_S before the run), so part of the multi-host CPU grows with wall time, not work. The machine may be loaded by other work: read wall_s next to
load_avg_1m, and cpu_s as the load-independent figure. Both runs use the same throwaway PostgreSQL (listening
on the bridge address) for logmine's database and the Dagster instance, and must publish the same rows.
Needs root and `ip netns`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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


def _run_job(env: dict[str, str], log: Path) -> float:
    """The daily job in a child process; returns its CPU seconds."""
    from logmine_dagster_tests.lib.test_multi_host import DAY

    command = [sys.executable, "-m", "dagster", "job", "execute", "-m", "logmine_dagster.definitions", "-a", "defs",
               "-j", "daily_mining_job", "--tags", json.dumps({"dagster/partition": DAY})]
    with open(log, "wb") as out:
        child = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the run failed; see {log}")
    return usage.ru_utime + usage.ru_stime


def _run_wall_s(dagster_home: Path) -> float:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        record = instance.get_run_records(limit=1)[0]
        return record.end_time - record.start_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=3000, help="records in the generated day")
    parser.add_argument("--shards", type=int, default=4, help="LOGMINE_SANITISE_SHARDS for both runs")
    args = parser.parse_args()

    from logmine_dagster.generator import generate
    from logmine_dagster_tests.lib.test_multi_host import WORKERS, _create_database, published_partition
    from logmine_dagster_tests.lib.test_scale_out import _dagster_yaml
    from logmine_dagster_tests.namespaced_hosts import isolated_network, namespaced_dask_cluster, namespaces_refused, postgres_on

    if reason := namespaces_refused():
        raise SystemExit(f"cannot make namespaced hosts: {reason}")
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
            results, rows = {}, {}
            for mode in ("in_process", "multi_host"):
                url = _create_database(admin_url, f"logmine_{mode}")
                home = tmp / f"dagster_home_{mode}"
                _dagster_yaml(home, _create_database(admin_url, f"dagster_{mode}"))
                env = {**os.environ, **common, "LOGMINE_DATABASE_URL": url, "DAGSTER_HOME": str(home),
                       "LOGMINE_HOME": str(tmp / f"home_{mode}"), "LOGMINE_EXECUTOR": mode.replace("multi_host", "dask")}
                if mode == "in_process":
                    results[mode] = {"cpu_s": round(_run_job(env, tmp / f"{mode}.log"), 1)}
                else:
                    with namespaced_dask_cluster(network, "scheduler", WORKERS, {**common, "LOGMINE_DATABASE_URL": url},
                                                 read_only=[tmp / "logs"]) as cluster:
                        before = {host: _cpu_s(p.pid) for host, p in cluster.processes.items()}
                        time.sleep(IDLE_S)  # what the cluster costs doing nothing: heartbeats, event loops
                        idle = sum(_cpu_s(p.pid) - before[host] for host, p in cluster.processes.items())
                        before = {host: _cpu_s(p.pid) for host, p in cluster.processes.items()}
                        by_process = {"run": _run_job({**env, "LOGMINE_DASK_SCHEDULER": cluster.address}, tmp / f"{mode}.log")}
                        by_process |= {host: _cpu_s(p.pid) - before[host] for host, p in cluster.processes.items()}
                    results[mode] = {"cpu_s": round(sum(by_process.values()), 1), "idle_cpu_s_per_min": round(idle * 60 / IDLE_S, 1),
                                     "cpu_s_by_process": {k: round(v, 1) for k, v in by_process.items()}}
                results[mode]["wall_s"] = round(_run_wall_s(home), 1)
                rows[mode] = published_partition(url)
                print(json.dumps({"mode": mode, **results[mode], "load_avg_1m": round(os.getloadavg()[0], 2)}), flush=True)
            if rows["multi_host"] != rows["in_process"]:
                raise SystemExit("the multi-host run published different rows from the in-process run")
    inp, multi = results["in_process"], results["multi_host"]
    print(json.dumps({"records": args.records, "sampled": len(rows["in_process"]["raw_samples"]), **results,
                      "wall_ratio": round(multi["wall_s"] / inp["wall_s"], 2), "cpu_ratio": round(multi["cpu_s"] / inp["cpu_s"], 2),
                      "target_wall_ratio": 1.15, "same_rows": True, "cpus": os.cpu_count(),
                      "load_avg_1m": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
