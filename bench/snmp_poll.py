"""CPU per SNMP target: our poller vs prometheus-snmp-exporter, side by side in one run.

The speed target of the SNMP-collection issue: polling one "if_mib target"
(sysUpTime + a walk of ifTable and ifXTable of a 48-interface agent, ~1,922
varbinds) must cost our poller at most half the CPU the Go snmp_exporter
spends, and 10,000 devices every 5 minutes must fit in half a core.

Everything runs inside a network namespace this script creates (and deletes):
one net-snmp ``snmpd`` answering at N loopback addresses 127.30.x.y, with
veth interfaces added so its ifTable has 48 rows (lo + 47 veth ends), the
exporter (upstream's generated ``if_mib`` module, unchanged), and a worker
process running our client. Each pass polls all N targets once per poller,
with the same concurrency; the CPU of the exporter process and of our worker
is read from /proc before and after (the scraping driver's own CPU is not
counted). Passes alternate pollers and are repeated: medians and min/max
are reported, since the machine is shared and noisy.

Our pollers:

* ``ours-columns``: GET sysUpTime.0 + ifNumber.0, then ``walk_columns`` of all
  41 ifTable/ifXTable columns side by side: the same varbinds as the module.
* ``ours-subtrees``: GET sysUpTime.0, then ``walk_columns`` of the module's two
  walk roots (1.3.6.1.2.1.2 and ifXTable), side by side where the exporter
  walks one after the other.
* ``production``: :class:`SnmpCollector` (system group + the IF-MIB columns the NOC
  uses), the poll job ``noc run`` runs.

Also measured: the RSS of :class:`noc.state.State` for 10,000 synthetic
devices x 48 interfaces (two rounds, so readings and rates exist), and the
:class:`noc.scheduler.Scheduler` polling a few thousand targets at a short
interval (lag, skipped cycles).

    .venv/bin/python bench/snmp_poll.py [--targets N] [--passes P] [--quick]

Needs root (network namespace, veth). Nothing here runs under ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from collectors.base import InterfaceSample, PollResult, SystemInfo
from collectors.snmp import mibs
from collectors.snmp.client import SnmpClient, SnmpError, SnmpTarget
from collectors.snmp.collector import SnmpCollector
from noc.scheduler import Scheduler
from noc.state import State

TICK = os.sysconf("SC_CLK_TCK")
AGENT_PORT = 16100  # inside our own namespace: no other user of the port
EXPORTER_PORT = 9116
EXPORTER_CONFIG = Path(__file__).resolve().parents[2] / "shared/peers/snmp_exporter-if_mib.yml"
SNMP_IN_PKTS = "1.3.6.1.2.1.11.1.0"  # SNMPv2-MIB snmpInPkts: the agent's own PDU count
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_MIB_SUBTREES = ((1, 3, 6, 1, 2, 1, 2), (1, 3, 6, 1, 2, 1, 31, 1, 1))  # the module's walk
IF_MIB_COLUMNS = (*((1, 3, 6, 1, 2, 1, 2, 2, 1, c) for c in range(1, 23)),
                  *((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, c) for c in range(1, 20)))
MODES = ("exporter", "ours-columns", "ours-subtrees", "production")
OURS_HEADLINE = "ours-columns"
FLEET, FLEET_INTERVAL = 10_000, 300.0  # 10,000 devices every 5 minutes
SNMP_TIMEOUT, SNMP_RETRIES = 2.0, 1  # the NOC's defaults (noc.settings.PollSettings)


# --------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs of the machine spent not idle (every process, ours included)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(slots=True)
class CpuWindow:
    """CPU seconds of some processes and the wall time between start() and stop().

    PID 0 stands for the whole machine: ``others()`` is what processes not
    listed used meanwhile (the shared machine's noise).
    """

    pids: dict[str, int]
    cpu: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0

    def start(self) -> CpuWindow:
        """Take the 'before' readings."""
        self.cpu = {k: _cpu(p) for k, p in self.pids.items()}
        self.wall = time.monotonic()
        return self

    def stop(self) -> CpuWindow:
        """Replace the readings by the deltas since start()."""
        self.wall = time.monotonic() - self.wall
        self.cpu = {k: _cpu(p) - self.cpu[k] for k, p in self.pids.items()}
        return self

    def cores(self, name: str) -> float:
        """Average cores one process used in the window."""
        return self.cpu[name] / self.wall

    def others(self) -> float:
        """Average cores used by processes outside the window's list."""
        listed = sum(self.cpu[k] for k, p in self.pids.items() if p)
        return max(0.0, (self.cpu["machine"] - listed) / self.wall)


def _cpu(pid: int) -> float:
    return machine_busy_seconds() if pid == 0 else cpu_seconds(pid)


# --------------------------------------------------------------------------- namespace


def run_ip(*args: str, stdin: str | None = None) -> None:
    """Run ``ip ARGS`` (raises on failure)."""
    subprocess.run(["ip", *args], input=stdin, text=True, check=True, capture_output=True)


def create_netns(name: str, interfaces: int) -> None:
    """A namespace with lo up and veth ends so that it has ``interfaces`` interfaces.

    Both ends of a pair count; an odd remainder gets a pair whose peer lives in
    a second namespace ``NAME-peer``.
    """
    run_ip("netns", "add", name)
    veths = max(0, interfaces - 1)
    lines = ["link set lo up"]
    for i in range(veths // 2):
        lines += [f"link add nbA{i} type veth peer name nbB{i}", f"link set nbA{i} up",
                  f"link set nbB{i} up"]
    if veths % 2:
        run_ip("netns", "add", f"{name}-peer")
        lines += [f"link add nbA{veths} type veth peer name nbB{veths} netns {name}-peer",
                  f"link set nbA{veths} up"]
    run_ip("-n", name, "-batch", "-", stdin="\n".join(lines) + "\n")


def delete_netns(name: str) -> None:
    """Stop what still runs in the namespaces (by PID) and delete them with their veths."""
    for ns in (name, f"{name}-peer"):
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
        for pid in pids.stdout.split():
            with suppress(ProcessLookupError):
                os.kill(int(pid), 9)
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)


def run_in_netns(args: argparse.Namespace) -> int:
    """Create the namespace, run this script inside it (``--inside``), delete it."""
    if os.geteuid() != 0:
        raise SystemExit("bench/snmp_poll.py needs root (network namespace, veth pairs)")
    for tool in ("snmpd", "snmpget", "prometheus-snmp-exporter", "ip"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: make deps (Debian packages snmp, snmpd, "
                             "prometheus-snmp-exporter, iproute2)")
    if not args.exporter_config.is_file():
        raise SystemExit(f"no snmp_exporter config at {args.exporter_config}")
    name = f"nocbench-{os.getpid()}"
    try:
        create_netns(name, args.interfaces)
        cmd = ["ip", "netns", "exec", name, sys.executable, __file__, "--inside", *sys.argv[1:]]
        return subprocess.run(cmd).returncode
    finally:
        delete_netns(name)


# --------------------------------------------------------------------------- peers


def snmp_env(directory: Path) -> dict[str, str]:
    """Environment for snmpd and the net-snmp tools: no MIBs, a private state dir."""
    return {**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(directory / "persist")}


def start_snmpd(directory: Path, addresses: list[str]) -> subprocess.Popen[bytes]:
    """One snmpd answering at every address (community ``public``), like tests/peers/snmpd."""
    (directory / "persist").mkdir(parents=True, exist_ok=True)
    listen = ",".join(f"udp:{a}:{AGENT_PORT}" for a in addresses)
    conf = directory / "snmpd.conf"
    conf.write_text(f"[snmp] persistentDir {directory / 'persist'}\nagentAddress {listen}\n"
                    "rocommunity public 127.0.0.0/8\nmaster no\nsysName noc-bench-agent\n")
    with (directory / "snmpd.log").open("wb") as log:
        return subprocess.Popen(
            ["snmpd", "-f", "-Lo", "-C", "-c", str(conf), "-p", str(directory / "snmpd.pid"),
             "-m", "", "-I", "-smux"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=snmp_env(directory))


def snmp_get(directory: Path, address: str, oid: str) -> int | None:
    """One integer value by ``snmpget`` (None when the agent does not answer)."""
    out = subprocess.run(["snmpget", "-m", "", "-v2c", "-c", "public", "-On", "-Oqv", "-t", "1",
                          "-r", "1", f"{address}:{AGENT_PORT}", oid],
                         capture_output=True, text=True, env=snmp_env(directory))
    try:
        return int(out.stdout.split()[0])
    except (IndexError, ValueError):
        return None


def start_exporter(directory: Path, config: Path) -> subprocess.Popen[bytes]:
    """prometheus-snmp-exporter with upstream's if_mib module, unchanged."""
    with (directory / "exporter.log").open("wb") as log:
        return subprocess.Popen(
            ["prometheus-snmp-exporter", f"--config.file={config}",
             f"--web.listen-address=127.0.0.1:{EXPORTER_PORT}"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll ``check`` until true; SystemExit after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not come up in {timeout:g} s")


def exporter_ready() -> bool:
    """Whether the exporter answers HTTP."""
    try:
        return httpx.get(f"http://127.0.0.1:{EXPORTER_PORT}/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate one process we started (by its PID), kill it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --------------------------------------------------------------------------- worker (ours)


async def ours_columns(client: SnmpClient, target: SnmpTarget) -> int:
    """The module's varbinds, our way: GET two scalars, walk 41 columns side by side."""
    got = await client.get(target, (SYS_UPTIME, IF_NUMBER))
    walked = await client.walk_columns(target, IF_MIB_COLUMNS)
    return len(got) + sum(map(len, walked.values()))


async def ours_subtrees(client: SnmpClient, target: SnmpTarget) -> int:
    """The module's requests: GET sysUpTime, walk its two roots side by side."""
    got = await client.get(target, (SYS_UPTIME,))
    walked = await client.walk_columns(target, IF_MIB_SUBTREES)
    return len(got) + sum(map(len, walked.values()))


async def production(client: SnmpClient, target: SnmpTarget) -> int:
    """The NOC's poll job; varbinds used = system scalars + its columns per interface."""
    result = await SnmpCollector(client).collect(target.address, target)
    if not result.ok:
        return -1
    per_if = len(mibs.IF_COLUMNS) + len(mibs.IFX_COLUMNS)
    return len(mibs.SYSTEM_SCALARS) + per_if * len(result.interfaces)


JOBS = {"ours-columns": ours_columns, "ours-subtrees": ours_subtrees, "production": production}


def make_target(address: str) -> SnmpTarget:
    """Our SnmpTarget for an agent address (v2c, the NOC's timeout/retries)."""
    return SnmpTarget(address, AGENT_PORT, timeout=SNMP_TIMEOUT, retries=SNMP_RETRIES)


async def worker_pass(req: dict[str, Any]) -> dict[str, Any]:
    """Poll every address once with one job, ``concurrency`` at a time."""
    job = JOBS[req["mode"]]
    sem = asyncio.Semaphore(req["concurrency"])

    async def one(target: SnmpTarget) -> int:
        async with sem:
            try:
                return await job(client, target)
            except SnmpError:
                return -1

    async with SnmpClient("127.0.0.1") as client:
        counts = await asyncio.gather(*(one(make_target(a)) for a in req["addresses"]))
    return {"pdus": client.stats.requests, "bytes": client.stats.bytes_received,
            "varbinds": sum(c for c in counts if c >= 0), "failed": sum(c < 0 for c in counts)}


class GcTimer:
    """Time spent in Python's cyclic garbage collector, per generation (a gc callback)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.counts = [0, 0, 0]
        self.max_pause = 0.0
        self._t0 = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        pause, gen = time.perf_counter() - self._t0, info["generation"]
        self.seconds[gen] += pause
        self.counts[gen] += 1
        self.max_pause = max(self.max_pause, pause)

    def close(self) -> dict[str, Any]:
        """Stop timing; the totals."""
        gc.callbacks.remove(self._callback)
        return {"seconds": sum(self.seconds), "full": self.counts[2],
                "full_seconds": self.seconds[2], "max_pause": self.max_pause}


async def worker_schedule(req: dict[str, Any]) -> dict[str, Any]:
    """Run the NOC's Scheduler + SnmpCollector + State over many devices for a while."""
    addresses = req["addresses"]
    targets = {f"dev-{k:05d}": make_target(addresses[k % len(addresses)])
               for k in range(req["devices"])}
    state, lags, failed, gc_timer = State(), [], 0, GcTimer()
    async with SnmpClient("127.0.0.1") as client:
        collector = SnmpCollector(client)

        async def poll(name: str) -> None:
            nonlocal failed
            lags.append(sched.stats.lag_seconds)  # set just before this poll was called
            result = await collector.collect(name, targets[name])
            failed += not result.ok
            state.apply(result)

        sched = Scheduler(poll, req["interval"], req["concurrency"])
        sched.set_devices(targets)
        task = asyncio.create_task(sched.run())
        await asyncio.sleep(req["duration"])
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    stats = sched.stats
    return {"started": stats.started, "completed": stats.completed, "skipped": stats.skipped,
            "failed": failed, "max_lag": stats.max_lag_seconds, "lags": percentiles(lags),
            "devices_seen": len(state.devices()), "gc": gc_timer.close()}


def worker_main() -> None:
    """Serve JSON requests on stdin (one per line) until EOF; answers on stdout."""
    for line in sys.stdin:
        req = json.loads(line)
        run = worker_schedule if req["cmd"] == "schedule" else worker_pass
        print(json.dumps(asyncio.run(run(req))), flush=True)


class Worker:
    """Our poller in its own process, so that its CPU is read from /proc like the exporter's."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker"], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.proc.pid

    def ask(self, **req: Any) -> dict[str, Any]:
        """Send one request, wait for its answer."""
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the worker died")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        """End the worker (EOF on stdin, then by PID)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            stop(self.proc)


# --------------------------------------------------------------------------- exporter driver


def scrape(client: httpx.Client, address: str) -> tuple[int, int, bool]:
    """One /snmp scrape: (packets sent, varbinds returned, ok) as the exporter reports them."""
    resp = client.get(f"http://127.0.0.1:{EXPORTER_PORT}/snmp",
                      params={"target": f"{address}:{AGENT_PORT}", "module": "if_mib"})
    values = {}
    for line in resp.text.splitlines():
        if line.startswith(("snmp_scrape_packets_sent ", "snmp_scrape_pdus_returned ")):
            name, value = line.split()
            values[name] = int(float(value))
    ok = resp.status_code == 200 and "\nifNumber " in resp.text
    return (values.get("snmp_scrape_packets_sent", 0),
            values.get("snmp_scrape_pdus_returned", 0), ok)


def exporter_pass(addresses: list[str], concurrency: int) -> dict[str, Any]:
    """Scrape every target once through the exporter, ``concurrency`` threads at a time."""
    limits = httpx.Limits(max_connections=concurrency)
    with httpx.Client(timeout=60, limits=limits) as client, \
            ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda a: scrape(client, a), addresses))
    return {"pdus": sum(r[0] for r in results), "varbinds": sum(r[1] for r in results),
            "failed": sum(not r[2] for r in results), "bytes": 0}


# --------------------------------------------------------------------------- measurement


@dataclass(slots=True)
class Lab:
    """The running peers and our worker, inside the namespace."""

    directory: Path
    addresses: list[str]
    snmpd: subprocess.Popen[bytes]
    exporter: subprocess.Popen[bytes]
    worker: Worker
    concurrency: int

    def check_alive(self) -> None:
        """SystemExit (with the log's tail) if snmpd, the exporter or the worker has died."""
        for name, proc in (("snmpd", self.snmpd), ("exporter", self.exporter),
                           ("worker", self.worker.proc)):
            if proc.poll() is not None:
                log = self.directory / f"{name}.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise SystemExit(f"{name} exited (status {proc.returncode}):\n{tail}")

    def agent_pdus(self) -> int:
        """The agent's snmpInPkts (each reading adds one)."""
        return snmp_get(self.directory, self.addresses[0], SNMP_IN_PKTS) or 0


def one_pass(lab: Lab, mode: str) -> dict[str, Any]:
    """Poll all targets once with ``mode``; per-target figures, CPU from /proc."""
    lab.check_alive()
    poller = lab.exporter.pid if mode == "exporter" else lab.worker.pid
    in0 = lab.agent_pdus()
    window = CpuWindow({"poller": poller, "snmpd": lab.snmpd.pid, "driver": os.getpid(),
                        "machine": 0}).start()
    if mode == "exporter":
        got = exporter_pass(lab.addresses, lab.concurrency)
    else:
        got = lab.worker.ask(cmd="pass", mode=mode, addresses=lab.addresses,
                             concurrency=lab.concurrency)
    window.stop()
    n = len(lab.addresses)
    return {"cpu_ms": window.cpu["poller"] / n * 1000, "snmpd_ms": window.cpu["snmpd"] / n * 1000,
            "wall_tps": n / window.wall, "snmpd_cores": window.cores("snmpd"),
            "others": window.others(),
            "pdus": got["pdus"] / n, "agent_pdus": (lab.agent_pdus() - in0 - 1) / n,
            "varbinds": got["varbinds"] / n, "kbytes": got["bytes"] / n / 1024,
            "failed": got["failed"]}


def run_passes(lab: Lab, passes: int) -> dict[str, list[dict[str, Any]]]:
    """One warm-up pass per mode, then ``passes`` rounds, modes rotated each round."""
    for mode in MODES:
        one_pass(lab, mode)
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in MODES}
    for p in range(passes):
        for i in range(len(MODES)):
            mode = MODES[(p + i) % len(MODES)]
            runs[mode].append(one_pass(lab, mode))
        line = "  ".join(f"{m} {runs[m][-1]['cpu_ms']:.2f}" for m in MODES)
        print(f"pass {p + 1}/{passes}: ms CPU/target  {line}", flush=True)
    return runs


def run_schedule(lab: Lab, devices: int, interval: float, duration: float) -> dict[str, Any]:
    """The Scheduler over ``devices`` names (addresses reused) for ``duration`` seconds."""
    window = CpuWindow({"worker": lab.worker.pid, "snmpd": lab.snmpd.pid, "driver": os.getpid(),
                        "machine": 0}).start()
    got = lab.worker.ask(cmd="schedule", addresses=lab.addresses, devices=devices,
                         interval=interval, duration=duration, concurrency=64)
    window.stop()
    lab.check_alive()
    got.update(devices=devices, interval=interval, duration=window.wall,
               expected=devices * duration / interval,
               worker_cores=window.cores("worker"), snmpd_cores=window.cores("snmpd"),
               others=window.others())
    return got


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p99 and max (zeros when empty)."""
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)
    return {"p50": ordered[len(ordered) // 2], "p99": ordered[int(len(ordered) * 0.99)],
            "max": ordered[-1]}


# --------------------------------------------------------------------------- RSS of State


def synthetic_result(k: int, round_: int, interfaces: int, started: float) -> PollResult:
    """A successful poll of device ``k`` with fresh objects, as a real poll makes them."""
    system = SystemInfo(descr=f"Cisco IOS Software, C9300 Software, Version 17.9.{k % 9}",
                        object_id="1.3.6.1.4.1.9.1.2494", uptime_ticks=10_000_000 + round_ * 30_000,
                        name=f"sw-{k:05d}.metronet.example", location=f"Agency {k % 700} rack 2",
                        contact="noc@metronet.example")
    names = ("in_octets", "out_octets", "in_ucast_pkts", "out_ucast_pkts", "in_errors",
             "out_errors", "in_discards", "out_discards")
    samples = []
    for i in range(1, interfaces + 1):
        base = (k * 100 + i) * 10**9 + round_ * 7_500_000
        samples.append(InterfaceSample(
            if_index=i, name=f"Gi1/0/{i}", descr=f"GigabitEthernet1/0/{i}",
            alias=f"to agency {k}-{i} ({'uplink' if i < 3 else 'access'})", if_type=6,
            speed_bps=1_000_000_000, admin_status=1, oper_status=1 + (i % 5 == 0),
            last_change_ticks=12_345 + i, counter_bits=64,
            counters={n: base + j * 1_234_567 for j, n in enumerate(names)}))
    return PollResult(f"dev-{k:05d}", True, started, 0.05, system=system,
                      interfaces=tuple(samples))


def rss_main(devices: int, interfaces: int) -> None:
    """Print (JSON) the RSS growth of a State fed two rounds of polls of every device."""
    synthetic_result(0, 0, 1, 0.0)
    gc.collect()
    base, t0 = rss_mb(), time.perf_counter()
    state, now, after = State(), time.time(), []
    for round_ in (0, 1):
        for k in range(devices):
            state.apply(synthetic_result(k, round_, interfaces, now + round_ * FLEET_INTERVAL))
        gc.collect()
        after.append(rss_mb() - base)
    rated = sum(bool(i.rates) for d in state.devices().values() for i in d.interfaces.values())
    print(json.dumps({"devices": devices, "interfaces": interfaces, "base_mb": base,
                      "round1_mb": after[0], "growth_mb": after[1], "rated_interfaces": rated,
                      "seconds": time.perf_counter() - t0}))


def run_rss(devices: int, interfaces: int) -> dict[str, Any]:
    """RSS figures from a fresh process (so nothing else is in its heap)."""
    out = subprocess.run([sys.executable, __file__, "--rss", str(devices), str(interfaces)],
                         capture_output=True, text=True, check=True, timeout=600)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# --------------------------------------------------------------------------- report


def med(runs: list[dict[str, Any]], key: str) -> float:
    """Median of one figure over the passes."""
    return float(statistics.median(r[key] for r in runs))


def print_table(runs: dict[str, list[dict[str, Any]]]) -> None:
    """Per-poller medians: CPU [min-max], ratio, targets/s/core, PDUs, varbinds, snmpd, noise."""
    ref = med(runs["exporter"], "cpu_ms")
    print(f"\n{'poller':<14} {'ms CPU/target':>21} {'/exp':>5} {'tgt/s/core':>10} "
          f"{'PDUs':>11} {'varbinds':>8} {'snmpd ms':>8} {'wall tgt/s':>10} {'snmpd':>5} "
          f"{'other':>5} {'failed':>6}")
    for mode, rs in runs.items():
        cpu = sorted(r["cpu_ms"] for r in rs)
        spread = f"{med(rs, 'cpu_ms'):.2f} [{cpu[0]:.2f}-{cpu[-1]:.2f}]"
        pdus = f"{med(rs, 'pdus'):.1f}/{med(rs, 'agent_pdus'):.1f}"
        print(f"{mode:<14} {spread:>21} {med(rs, 'cpu_ms') / ref:>5.2f} "
              f"{1000 / med(rs, 'cpu_ms'):>10.0f} {pdus:>11} {med(rs, 'varbinds'):>8.0f} "
              f"{med(rs, 'snmpd_ms'):>8.2f} {med(rs, 'wall_tps'):>10.0f} "
              f"{med(rs, 'snmpd_cores'):>5.2f} {med(rs, 'others'):>5.2f} "
              f"{sum(r['failed'] for r in rs):>6}")
    print("(medians over the passes. PDUs: requests the poller sent / snmpInPkts the agent "
          "counted, per target.\n snmpd ms: agent CPU per target. wall tgt/s: one pass at the "
          "given concurrency; snmpd, other:\n cores used meanwhile by the agent and by "
          "processes outside this bench.)")


def print_fleet(runs: dict[str, list[dict[str, Any]]]) -> None:
    """The 10,000-devices-every-5-minutes extrapolation per poller."""
    rate = FLEET / FLEET_INTERVAL
    print(f"\n{FLEET:,} devices every {FLEET_INTERVAL / 60:g} min = {rate:.1f} targets/s ->")
    for mode, rs in runs.items():
        cores = rate * med(rs, "cpu_ms") / 1000
        verdict = "" if mode == "exporter" else ("  (target < 0.5: met)" if cores < 0.5
                                                 else "  (target < 0.5: NOT met)")
        print(f"  {mode:<14} {cores:.3f} cores{verdict}")


def print_summary(runs: dict[str, list[dict[str, Any]]], sched: dict[str, Any],
                  rss: dict[str, Any], args: argparse.Namespace) -> None:
    """The final report."""
    print(f"\n== SNMP poll bench, {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()}, "
          f"{os.cpu_count()} CPUs; {args.targets} targets x {args.interfaces} interfaces, "
          f"{args.passes} passes, concurrency {args.concurrency}")
    print_table(runs)
    ratio = med(runs[OURS_HEADLINE], "cpu_ms") / med(runs["exporter"], "cpu_ms")
    print(f"\nratio {OURS_HEADLINE}/exporter = {ratio:.2f} (target <= 0.5: "
          f"{'met' if ratio <= 0.5 else 'NOT met'}); production/exporter = "
          f"{med(runs['production'], 'cpu_ms') / med(runs['exporter'], 'cpu_ms'):.2f}")
    print_fleet(runs)
    print(f"\nState RSS: {rss['devices']:,} devices x {rss['interfaces']} interfaces, 2 rounds "
          f"({rss['rated_interfaces']:,} interfaces with rates): +{rss['growth_mb']:.0f} MiB "
          f"(target <= 500: {'met' if rss['growth_mb'] <= 500 else 'NOT met'}; "
          f"+{rss['round1_mb']:.0f} MiB after round 1; "
          f"{rss['growth_mb'] * 1024 / (rss['devices'] * rss['interfaces']):.2f} KiB/interface), "
          f"built in {rss['seconds']:.1f} s")
    lags = sched["lags"]
    print(f"Scheduler: {sched['devices']:,} devices every {sched['interval']:g} s for "
          f"{sched['duration']:.0f} s: {sched['started']:,} polls started "
          f"(~{sched['expected']:,.0f} due), {sched['completed']:,} completed, "
          f"{sched['failed']} failed, skipped {sched['skipped']}; lag p50 {lags['p50']:.3f} s, "
          f"p99 {lags['p99']:.3f} s, max {lags['max']:.3f} s; poller {sched['worker_cores']:.2f} "
          f"cores, snmpd {sched['snmpd_cores']:.2f} cores, other processes "
          f"{sched['others']:.2f} cores")
    gc_ = sched["gc"]
    print(f"  Python GC in the poller: {gc_['seconds']:.1f} s CPU ({gc_['full']} full "
          f"collections, {gc_['full_seconds']:.1f} s), longest pause {gc_['max_pause']:.3f} s")
    per_poll = sched["worker_cores"] * sched["duration"] / max(1, sched["completed"])
    print(f"  poll job + State.apply + scheduler: {per_poll * 1000:.2f} ms CPU/poll -> "
          f"{per_poll * FLEET / FLEET_INTERVAL:.3f} cores for {FLEET:,} devices every "
          f"{FLEET_INTERVAL / 60:g} min")


# --------------------------------------------------------------------------- main


@contextmanager
def lab_running(args: argparse.Namespace) -> Iterator[Lab]:
    """snmpd, the exporter and our worker, stopped (by PID) on the way out."""
    directory = Path(tempfile.mkdtemp(prefix="noc-snmp-bench-"))
    addresses = [f"127.30.{k // 250}.{k % 250 + 1}" for k in range(args.targets)]
    procs: list[subprocess.Popen[Any]] = []
    worker = None
    try:
        procs.append(snmpd := start_snmpd(directory, addresses))
        wait_until(lambda: snmp_get(directory, addresses[-1], SNMP_IN_PKTS) is not None, "snmpd")
        procs.append(exporter := start_exporter(directory, args.exporter_config))
        wait_until(exporter_ready, "prometheus-snmp-exporter")
        worker = Worker()
        yield Lab(directory, addresses, snmpd, exporter, worker, args.concurrency)
    finally:
        if worker is not None:
            worker.close()
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


def inside(args: argparse.Namespace) -> None:
    """The measurement proper (runs in the namespace)."""
    with lab_running(args) as lab:
        print(f"snmpd at {len(lab.addresses)} addresses, "
              f"{snmp_get(lab.directory, lab.addresses[0], '1.3.6.1.2.1.2.1.0')} interfaces; "
              f"exporter and worker up", flush=True)
        runs = run_passes(lab, args.passes)
        print(f"scheduler: {args.sched_devices} devices every {args.sched_interval:g} s "
              f"for {args.sched_duration:g} s ...", flush=True)
        sched = run_schedule(lab, args.sched_devices, args.sched_interval, args.sched_duration)
    print(f"State RSS: {args.rss_devices} synthetic devices ...", flush=True)
    rss = run_rss(args.rss_devices, args.interfaces)
    print_summary(runs, sched, rss, args)


def parse_args() -> argparse.Namespace:
    """Command line; ``--quick`` shrinks every default to finish in under a minute."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", type=int, help="agent addresses polled per pass (100; quick 32)")
    ap.add_argument("--passes", type=int, help="measured passes per poller (7; quick 5)")
    ap.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    ap.add_argument("--concurrency", type=int, default=8, help="targets in flight per poller")
    ap.add_argument("--interfaces", type=int, default=48, help="interfaces of the agent")
    ap.add_argument("--sched-devices", type=int, help="scheduler devices (2500; quick 2000)")
    ap.add_argument("--sched-interval", type=float, help="scheduler interval s (60; quick 40)")
    ap.add_argument("--sched-duration", type=float, help="scheduler run s (90; quick 12)")
    ap.add_argument("--rss-devices", type=int, default=FLEET, help="devices in the RSS test")
    ap.add_argument("--exporter-config", type=Path, default=EXPORTER_CONFIG,
                    help="snmp_exporter config with the if_mib module")
    for hidden in ("--inside", "--worker"):
        ap.add_argument(hidden, action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--rss", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    defaults = {"targets": (100, 32), "passes": (7, 5), "sched_devices": (2500, 2000),
                "sched_interval": (60.0, 40.0), "sched_duration": (90.0, 12.0)}
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if not 1 <= args.targets <= 250 * 250 or args.passes < 1:
        ap.error("--targets must be 1..62500 and --passes >= 1")
    return args


def main() -> None:
    """Dispatch: outer run (namespace), inside the namespace, worker, or RSS child."""
    args = parse_args()
    try:
        if args.worker:
            worker_main()
        elif args.rss:
            rss_main(*args.rss)
        elif args.inside:
            inside(args)
        else:
            sys.exit(run_in_netns(args))
    except KeyboardInterrupt:
        sys.exit(130)  # everything started was stopped on the way out (finally blocks)


if __name__ == "__main__":
    main()
