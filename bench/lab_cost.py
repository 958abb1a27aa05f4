"""What the city lab costs when the NOC polls it every 60 s (target: < 0.2 core).

Starts ``noc run --lab --scale city`` on free loopback ports, waits until every
SNMP device has been polled once, then samples the CPU time of the lab process
and of the NOC process over whole poll cycles (from /proc, so both are
measured in the same run under the same machine noise). Prints cores used
per process, per-device costs and the lab's share of the target.

    .venv/bin/python bench/lab_cost.py [--scale city] [--interval 60] [--cycles 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port(kind: int) -> int:
    """A free port on 127.0.0.1 (UDP ports picked at random above 20000)."""
    for _ in range(100):
        port = random.randint(20000, 60000) if kind == socket.SOCK_DGRAM else 0
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def wait_all_polled(base: str, timeout: float) -> dict[str, int]:
    """Wait until every SNMP device answered once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            summary: dict[str, int] = httpx.get(f"{base}/api/v1/summary", timeout=5).json()
            if summary["devices_total"] and summary["devices_up"] == summary["devices_total"]:
                return summary
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(1)
    raise SystemExit("the lab was not fully polled in time")


def main() -> None:
    """Run the measurement and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="city")
    ap.add_argument("--interval", type=float, default=60.0)
    ap.add_argument("--cycles", type=int, default=2)
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="noc-bench-"))
    http = free_port(socket.SOCK_STREAM)
    env = dict(os.environ, NOC_LAB__PORT=str(free_port(socket.SOCK_DGRAM)))
    base = f"http://127.0.0.1:{http}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "noc", "run", "--lab", "--scale", args.scale, "--interval",
         str(args.interval), "--listen", f"127.0.0.1:{http}", "--data-dir", str(data_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        summary = wait_all_polled(base, args.interval * 3 + 120)
        print(f"lab '{args.scale}' up and fully polled after {time.monotonic() - t0:.0f} s: "
              f"{summary['devices_total']} SNMP devices")
        lab_pid = int(json.loads((data_dir / "lab" / "control.json").read_text())["pid"])
        window = args.interval * args.cycles
        c_lab, c_noc, w0 = cpu_seconds(lab_pid), cpu_seconds(proc.pid), time.monotonic()
        time.sleep(window)
        wall = time.monotonic() - w0
        lab_cores = (cpu_seconds(lab_pid) - c_lab) / wall
        noc_cores = (cpu_seconds(proc.pid) - c_noc) / wall
        polls = summary["devices_total"] * wall / args.interval
        print(f"window {wall:.0f} s ({args.cycles} cycles of {args.interval:g} s)")
        print(f"lab process: {lab_cores:.3f} cores, {lab_cores * wall / polls * 1000:.2f} ms "
              f"CPU per device poll answered, RSS {rss_mb(lab_pid):.0f} MiB "
              f"-> {lab_cores / 0.2:.0%} of the 0.2-core target")
        print(f"NOC process: {noc_cores:.3f} cores, {noc_cores * wall / polls * 1000:.2f} ms "
              f"CPU per device poll, RSS {rss_mb(proc.pid):.0f} MiB")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
