"""Time from a lab fault to "down" in the NOC, by ICMP and by SNMP, at production intervals.

Starts ``noc run --lab --scale small`` with the default ICMP settings (a cycle
every 10 s, two silent cycles to confirm) and a 60 s SNMP poll interval, then
repeatedly breaks a ward's uplink and measures, from the moment ``noc lab
break`` returns, how long until the NOC's API shows

* an ICMP-only asset of that ward (a workstation) down — the ICMP path, and
* the ward's switch down — the SNMP path (bounded by the poll interval),

heals, waits for recovery, and repeats. Prints each run and the medians. Runs
as root (lab faults use nftables so ICMP and SNMP see the same outage).

    .venv/bin/python bench/fault_to_down.py [--runs 3] [--snmp-interval 60]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab_cost import free_port  # (sibling bench module)

from noc.lab.topology import build_topology


def _device_up(base: str, name: str) -> bool | None:
    reply = httpx.get(f"{base}/api/v1/devices/{name}", timeout=5)
    return reply.json()["up"] if reply.status_code == 200 else None


def _wait(what: str, check: object, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.2)
    raise TimeoutError(f"{what} not seen within {timeout:g} s")


def main() -> None:
    """Run the measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--snmp-interval", type=float, default=60.0)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: lab faults need nftables to silence ICMP too")
    topo = build_topology("small")
    sites = {s.code: s.agency for s in topo.sites}
    kinds = {a.code: a.kind.value for a in topo.agencies}
    link = next(lk for lk in topo.links if lk.network.value == "metronet"
                and kinds[sites[topo.device(lk.b_device).site]] == "ward")
    ward = sites[topo.device(link.b_device).site]
    switch = link.b_device
    asset = next(d.name for d in topo.devices if sites[d.site] == ward and not d.snmp)
    data_dir = Path(tempfile.mkdtemp(prefix="noc-fault-"))
    http = free_port(socket.SOCK_STREAM)
    env = dict(os.environ, NOC_LAB__PORT=str(free_port(socket.SOCK_DGRAM)))
    base = f"http://127.0.0.1:{http}"
    log = (data_dir / "noc.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "noc", "run", "--lab", "--scale", "small", "--listen",
         f"127.0.0.1:{http}", "--data-dir", str(data_dir), "--interval",
         str(args.snmp_interval)], env=env, stdout=log, stderr=subprocess.STDOUT)
    lab = [sys.executable, "-m", "noc", "lab"]
    icmp, snmp = [], []
    try:
        _wait("the NOC", lambda: _healthy(base), 120)
        for run in range(1, args.runs + 1):
            _wait("everything up", lambda: _device_up(base, asset) and _device_up(base, switch),
                  args.snmp_interval * 2 + 30)
            subprocess.run([*lab, "break", link.name, "--data-dir", str(data_dir)],
                           check=True, capture_output=True, timeout=30)
            start = time.monotonic()
            t_icmp = _wait("asset down", lambda: _device_up(base, asset) is False, 60)
            _wait("switch down", lambda: _device_up(base, switch) is False,
                  args.snmp_interval + 60 - (time.monotonic() - start))
            t_snmp = time.monotonic() - start
            icmp.append(t_icmp)
            snmp.append(t_snmp)
            print(f"run {run}: ICMP-only asset down after {t_icmp:.1f} s, "
                  f"SNMP switch down after {t_snmp:.1f} s")
            subprocess.run([*lab, "heal", "--data-dir", str(data_dir)], check=True,
                           capture_output=True, timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    print(f"fault -> down, median of {len(icmp)}: ICMP {statistics.median(icmp):.1f} s "
          f"(budget 30 s at a 10 s cycle, 2 confirmations), SNMP "
          f"{statistics.median(snmp):.1f} s (poll interval {args.snmp_interval:g} s)")


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
