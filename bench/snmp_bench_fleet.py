"""The State RSS part of bench/snmp_poll.py: 10,000 synthetic devices in a fresh process."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from typing import Any

from snmp_bench_peers import FLEET_INTERVAL, MAIN_SCRIPT, rss_mb

from collectors.base import InterfaceSample, PollResult, SystemInfo
from noc.state import State


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
    out = subprocess.run([sys.executable, MAIN_SCRIPT, "--rss", str(devices), str(interfaces)],
                         capture_output=True, text=True, check=True, timeout=600)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# --------------------------------------------------------------------------- report

