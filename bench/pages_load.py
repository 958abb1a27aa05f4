"""Page speed under 50 concurrent viewers at city lab scale (target: p95 <= 200 ms).

Starts ``noc run --lab --scale city`` on free loopback ports, waits until every
SNMP device has been polled once, lets it run one more minute (so state,
charts and status history exist), then drives each page with Debian's ``wrk``
(``-t2 -c50 -d20s --latency`` plus a small Lua script that prints the 50/75/
90/95/99th percentiles, which wrk does not print by itself). Rounds take the
pages in turn so every page sees the same machine noise; the table gives the
median of the rounds per page, with the NOC process's CPU seconds (from
/proc/PID/stat) spent while that page was under load.

    .venv/bin/python bench/pages_load.py [--rounds 3] [--duration 20] [--connections 50]
        [--settle 60] [--target-ms 200]

Needs ``wrk`` (``make deps``). Stops the NOC (and with it the lab) by PID.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab_cost import cpu_seconds, free_port, wait_all_polled

from noc.lab.topology import build_topology

PERCENTILES = (50, 75, 90, 95, 99)
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d status_errors=%d\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status))
  for _, p in ipairs({PCTS}) do
    io.write(string.format("BENCH p%d=%d\\n", p, latency:percentile(p)))
  end
end
""".replace("PCTS", ", ".join(str(p) for p in PERCENTILES))


@dataclass(frozen=True, slots=True)
class Result:
    """One wrk run against one URL."""

    pct_ms: dict[int, float]
    rps: float
    errors: int  # socket errors + non-2xx/3xx answers
    cpu_s: float  # NOC process CPU seconds during the run


def pages() -> list[tuple[str, str]]:
    """(label, path) of the pages measured, picked from the city lab's topology."""
    topo = build_topology("city")
    kinds = {a.code: a.kind.value for a in topo.agencies}
    site_agency = {s.code: s.agency for s in topo.sites}
    ward_switch = next(d.name for d in topo.devices if d.role.value == "access_switch"
                       and kinds.get(site_agency.get(d.site, "")) == "ward")
    district = next(code for code, kind in kinds.items() if kind == "district")
    return [("overview /", "/"), ("fragment", "/fragments/overview"),
            ("core router", f"/devices/{topo.core_devices[0]}"),
            ("ward switch", f"/devices/{ward_switch}"),
            ("district", f"/agencies/{district}"), ("healthz (floor)", "/healthz")]


def run_wrk(url: str, script: Path, args: argparse.Namespace, noc_pid: int) -> Result:
    """One wrk run; the percentiles come from the Lua ``done`` hook."""
    cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
           "--timeout", "10s", "-s", str(script), url]
    cpu0 = cpu_seconds(noc_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60,
                         check=True).stdout
    cpu = cpu_seconds(noc_pid) - cpu0
    values: dict[str, int] = {}
    for line in out.splitlines():
        if line.startswith("BENCH "):
            for item in line.split()[1:]:
                key, _, value = item.partition("=")
                values[key] = int(value)
    rps = values["requests"] / (values["duration_us"] / 1e6)
    return Result({p: values[f"p{p}"] / 1000 for p in PERCENTILES}, rps,
                  values["errors"] + values["status_errors"], cpu)


def start_noc(data_dir: Path, http: int, interval: float) -> subprocess.Popen[bytes]:
    """``noc run --lab --scale city`` on 127.0.0.1:``http``, the lab on a free UDP port."""
    env = dict(os.environ, NOC_LAB__PORT=str(free_port(socket.SOCK_DGRAM)))
    return subprocess.Popen(
        [sys.executable, "-m", "noc", "run", "--lab", "--scale", "city", "--interval",
         str(interval), "--listen", f"127.0.0.1:{http}", "--data-dir", str(data_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes], lab_pid: int | None) -> None:
    """SIGTERM the NOC (it stops its lab) and wait; kill whatever is left, by PID."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    if lab_pid is not None and Path(f"/proc/{lab_pid}").exists():
        os.kill(lab_pid, signal.SIGTERM)


def wait_healthy(base: str, timeout: float) -> None:
    """Wait until /healthz answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("/healthz did not answer in time")


def report(results: dict[str, list[Result]], target: float, load: list[str]) -> None:
    """The table of medians over rounds, PASS/FAIL against the p95 target."""
    print(f"\nmedians of {len(next(iter(results.values())))} rounds; "
          f"load average during the runs: {', '.join(load)}")
    print(f"{'page':<18}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>8}{'errors':>8}"
          f"{'NOC cpu s':>11}  p95 <= {target:g} ms")
    for label, runs in results.items():
        def med(p: int, runs: list[Result] = runs) -> float:
            return statistics.median(r.pct_ms[p] for r in runs)
        p95 = med(95)
        verdict = "-" if label.startswith("healthz") else ("PASS" if p95 <= target else "FAIL")
        print(f"{label:<18}{med(50):>8.1f}{p95:>8.1f}{med(99):>8.1f}"
              f"{statistics.median(r.rps for r in runs):>8.0f}"
              f"{sum(r.errors for r in runs):>8}"
              f"{statistics.median(r.cpu_s for r in runs):>11.1f}  {verdict}")
        print("    p95 per round: " + ", ".join(f"{r.pct_ms[95]:.0f}" for r in runs))


def measure(base: str, args: argparse.Namespace, noc_pid: int, work: Path) -> None:
    """Every page, ``args.rounds`` times, pages in turn within each round."""
    script = work / "percentiles.lua"
    script.write_text(LUA)
    targets = pages()
    for _, path in targets:  # fail early on a wrong page, and warm the caches
        answer = httpx.get(base + path, timeout=30)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}")
    results: dict[str, list[Result]] = {label: [] for label, _ in targets}
    load: list[str] = []
    for n in range(args.rounds):
        load.append(Path("/proc/loadavg").read_text().split()[0])
        for label, path in targets:
            res = run_wrk(base + path, script, args, noc_pid)
            results[label].append(res)
            print(f"round {n + 1} {label:<16} p95 {res.pct_ms[95]:7.1f} ms  "
                  f"{res.rps:6.0f} req/s  cpu {res.cpu_s:5.1f} s", flush=True)
    report(results, args.target_ms, load)


def main() -> None:
    """Start the lab NOC, measure, stop it."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--settle", type=float, default=60.0,
                    help="seconds to run after the first full poll, before measuring")
    ap.add_argument("--interval", type=float, default=60.0)
    ap.add_argument("--target-ms", type=float, default=200.0)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: install the Debian package 'wrk' (make deps)")
    work = Path(tempfile.mkdtemp(prefix="noc-pages-"))
    http = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{http}"
    proc = start_noc(work / "data", http, args.interval)
    lab_pid: int | None = None
    try:
        t0 = time.monotonic()
        wait_healthy(base, 120)
        summary = wait_all_polled(base, args.interval * 3 + 120)
        control = work / "data" / "lab" / "control.json"
        lab_pid = int(json.loads(control.read_text())["pid"])
        print(f"city lab up, {summary['devices_total']} SNMP devices polled after "
              f"{time.monotonic() - t0:.0f} s; settling {args.settle:.0f} s", flush=True)
        time.sleep(args.settle)
        measure(base, args, proc.pid, work)
    finally:
        stop(proc, lab_pid)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
