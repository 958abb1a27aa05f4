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
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from snmp_bench_fleet import rss_main, run_rss
from snmp_bench_peers import (
    AGENT_PORT,
    EXPORTER_CONFIG,
    EXPORTER_PORT,
    FLEET,
    FLEET_INTERVAL,
    MODES,
    OURS_HEADLINE,
    SNMP_IN_PKTS,
    CpuWindow,
    create_netns,
    delete_netns,
    exporter_ready,
    snmp_get,
    start_exporter,
    start_snmpd,
    stop,
    wait_until,
)
from snmp_bench_worker import Worker, worker_main


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



# --------------------------------------------------------------------------- RSS of State



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
