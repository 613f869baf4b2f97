"""Several "machines" on this one: each a network namespace and a mount namespace of its own.

A test (or benchmark) asks for named hosts; each gets a Linux network namespace wired by a veth pair to
a bridge that lives in a namespace made for the purpose, on a private 10.x.y.0/24 network. The root
namespace gets a veth pair to the same bridge (address .1), so a PostgreSQL started here on that address
is reachable from every host and nothing goes near a real interface. A process started on a host also
gets a private mount namespace in which every mount it shares with this machine is read-only, /tmp and
/dev/shm are private tmpfs, and only the folders named (the log root) are bound in, read-only: anything
it writes lands on its own tmpfs or fails, so a forgotten shared-disk dependency fails loudly. The
checkout (the code, as a machine image would carry it) is always visible, read-only, even when it lives
under /tmp (CI may clone there).

Everything is made by `isolated_network` and removed when it ends; this needs root and `ip netns`.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from logmine_dagster.lib.dask_executor import WORKER_PRELOAD, stop_processes
from logmine_dagster.lib.dask_worker import DASK_SETTINGS

CHECKOUT = Path(__file__).resolve().parent.parent  # the code: every host has it, read-only
PRIVATE_TMP_SIZE = "2g"
HOST_HOME = "/tmp/home"  # a host's HOME and LOGMINE_HOME: on its private tmpfs
HOST_LOGMINE_HOME = "/tmp/logmine-home"
PROCESS_LOG = "/tmp/process.log"  # read from outside through /proc/PID/root

# Runs inside a host's fresh mount namespace before the program: see the module docstring.
# Arguments: read-only paths to bind into the private /tmp, then "--", then the program.
_HOST_SETUP = r"""
set -euo pipefail
shared=()
while [ "$1" != "--" ]; do shared+=("$1"); shift; done
shift
findmnt -rn -o TARGET,OPTIONS | while read -r target options; do
  case "$target" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  case "$options" in ro,*|ro) continue ;; esac
  mount -n -o remount,bind,ro "$(printf '%b' "$target")"
done
# Build the private /tmp on /media first, so that shared folders under the old /tmp can still be bound.
mount -n -t tmpfs -o "size=$PRIVATE_TMP_SIZE,mode=1777" logmine-private-tmp /media
for path in "${shared[@]}"; do
  case "$path" in /tmp/*) inside="/media/${path#/tmp/}" ;; *) continue ;; esac  # elsewhere: visible, read-only
  mkdir -p "$inside"
  mount -n --bind "$path" "$inside"
  mount -n -o remount,bind,ro "$inside"
done
mount -n --move /media /tmp
mount -n -t tmpfs -o size=256m logmine-private-shm /dev/shm
mkdir -p "$HOST_HOME" "$HOST_LOGMINE_HOME"
cd /tmp
exec "$@" >"$PROCESS_LOG" 2>&1
"""


def namespaces_refused() -> str:
    """Why this machine cannot make namespaced hosts, or "" when it can."""
    if os.geteuid() != 0:
        return "network and mount namespaces need root (run as root, as .ci/run does)"
    for tool in ("ip", "unshare", "findmnt", "mount"):
        if not shutil.which(tool):
            return f"`{tool}` is not installed"
    probe = f"logmine-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` was refused: {made.stderr.strip() or made.returncode}"
    try:
        bridge = subprocess.run(["ip", "netns", "exec", probe, "ip", "link", "add", "probe-br", "type", "bridge"],
                                capture_output=True, text=True)
        if bridge.returncode != 0:
            return f"a bridge cannot be made in a network namespace: {bridge.stderr.strip()}"
        mount = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True)
        if mount.returncode != 0:
            return f"`unshare --mount` was refused: {mount.stderr.strip()}"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return ""


def _ip(*args: str, netns: str | None = None) -> None:
    command = ["ip", *args] if netns is None else ["ip", "netns", "exec", netns, "ip", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")


def _free_subnet() -> str:
    """A 10.x.y.0/24 prefix no interface of this machine uses."""
    used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    for _ in range(100):
        prefix = f"10.{random.randint(64, 250)}.{random.randint(1, 250)}"
        if f" {prefix}." not in used:
            return prefix
    raise RuntimeError("no free private 10.x.y.0/24 network")


@dataclass
class HostNetwork:
    """The namespaced hosts: name -> (network namespace, address); `host_address` is this machine's side."""

    prefix: str
    tag: str
    netns: dict[str, str] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)

    @property
    def host_address(self) -> str:
        return f"{self.prefix}.1"

    @property
    def cidr(self) -> str:
        return f"{self.prefix}.0/24"

    def command(self, host: str, argv: Sequence[str], read_only: Sequence[Path] = ()) -> list[str]:
        """`argv` as a process on `host`: its network namespace and a private mount namespace."""
        return ["ip", "netns", "exec", self.netns[host], "unshare", "--mount", "--propagation", "private",
                "bash", "-c", _HOST_SETUP, "host-setup", str(CHECKOUT), *[str(p) for p in read_only], "--", *argv]

    def environment(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "HOME": HOST_HOME, "TMPDIR": "/tmp", "LOGMINE_HOME": HOST_LOGMINE_HOME,
                "PRIVATE_TMP_SIZE": PRIVATE_TMP_SIZE, "HOST_HOME": HOST_HOME, "HOST_LOGMINE_HOME": HOST_LOGMINE_HOME,
                "PROCESS_LOG": PROCESS_LOG}


@contextlib.contextmanager
def isolated_network(hosts: Sequence[str]) -> Iterator[HostNetwork]:
    """A bridge in a namespace of its own, one namespace per host and this machine on it; all removed after."""
    tag = f"{os.getpid() % 100000}{random.randint(0, 99):02d}"
    network = HostNetwork(prefix=_free_subnet(), tag=tag)
    hub = f"logmine-hub-{tag}"
    made: list[str] = []
    root_link = f"lmr{tag}"
    try:
        _ip("netns", "add", hub)
        made.append(hub)
        _ip("link", "add", "br0", "type", "bridge", netns=hub)
        _ip("link", "set", "br0", "up", netns=hub)
        _ip("link", "add", root_link, "type", "veth", "peer", "name", "to-host", "netns", hub)
        _ip("link", "set", "to-host", "master", "br0", "up", netns=hub)
        _ip("addr", "add", f"{network.host_address}/24", "dev", root_link)
        _ip("link", "set", root_link, "up")
        for index, host in enumerate(hosts):
            name = f"logmine-{host}-{tag}"
            _ip("netns", "add", name)
            made.append(name)
            network.netns[host], network.address[host] = name, f"{network.prefix}.{index + 2}"
            _ip("link", "add", "eth0", "netns", name, "type", "veth", "peer", "name", f"to-{index}", "netns", hub)
            _ip("link", "set", f"to-{index}", "master", "br0", "up", netns=hub)
            _ip("addr", "add", f"{network.address[host]}/24", "dev", "eth0", netns=name)
            _ip("link", "set", "eth0", "up", netns=name)
            _ip("link", "set", "lo", "up", netns=name)
        yield network
    finally:
        subprocess.run(["ip", "link", "del", root_link], capture_output=True)
        for name in reversed(made):  # a namespace's veth ends go with it
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


@contextlib.contextmanager
def postgres_on(network: HostNetwork) -> Iterator[str]:
    """A throwaway PostgreSQL (scripts/postgres.sh) listening on this machine's bridge address, trusting the
    hosts' network; yields its admin URL."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "postgres.sh"
    data_dir = Path(tempfile.mkdtemp(prefix="logmine-netns-pg."))
    port = str(random.randint(20000, 60000))
    try:
        done = subprocess.run([str(script), "start", str(data_dir), port, network.host_address, network.cidr],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"scripts/postgres.sh could not start on {network.host_address}: {done.stderr.strip()}")
        yield done.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(script), "stop", str(data_dir)], capture_output=True, timeout=120)
        shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class NamespacedCluster:
    address: str
    processes: dict[str, subprocess.Popen]

    def log_of(self, host: str) -> str:
        """A host's output, read through its own mount namespace (it never reaches a shared folder)."""
        try:
            return Path(f"/proc/{self.processes[host].pid}/root{PROCESS_LOG}").read_text(errors="replace")[-3000:]
        except OSError as error:
            return f"(no log: {error})"

    def private_tmp_of(self, host: str) -> Path:
        return Path(f"/proc/{self.processes[host].pid}/root/tmp")


@contextlib.contextmanager
def namespaced_dask_cluster(
    network: HostNetwork, scheduler: str, workers: Sequence[str], env: dict[str, str], read_only: Sequence[Path],
    start_timeout: float = 180,
) -> Iterator[NamespacedCluster]:
    """`dask scheduler` on one host and a `dask worker` (one thread, no nanny) on each of the others."""
    import dask.distributed

    address = f"tcp://{network.address[scheduler]}:8786"
    host_env = network.environment({**env, **DASK_SETTINGS})
    processes: dict[str, subprocess.Popen] = {}
    cluster = NamespacedCluster(address, processes)
    python = sys.executable
    try:
        processes[scheduler] = subprocess.Popen(
            network.command(scheduler, [python, "-m", "distributed.cli.dask_scheduler", "--host", network.address[scheduler],
                                        "--port", "8786", "--no-dashboard"]),
            env=host_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for worker in workers:
            processes[worker] = subprocess.Popen(
                network.command(worker, [python, "-m", "distributed.cli.dask_worker", address, "--host", network.address[worker],
                                         "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0",
                                         "--local-directory", "/tmp/dask", "--name", worker, *WORKER_PRELOAD], read_only),
                env=host_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with dask.distributed.Client(address, timeout=10) as client:
                    client.wait_for_workers(len(workers), timeout=max(1.0, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                ended = {host: p.stderr.read().decode(errors="replace")[-2000:] for host, p in processes.items() if p.poll() is not None}
                if time.monotonic() > deadline or ended:
                    logs = {host: cluster.log_of(host) for host in processes}
                    raise RuntimeError(f"the namespaced Dask cluster did not start: exited {ended}; logs {logs}") from None
        yield cluster
    finally:
        stop_processes([p for host, p in processes.items() if host != scheduler])
        stop_processes([p for host, p in processes.items() if host == scheduler])
