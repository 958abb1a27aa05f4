"""What one /metrics scrape costs: render 1,000 devices x 48 interfaces, ours vs a naive exporter.

    .venv/bin/python bench/metrics_render.py [--devices 1000] [--interfaces 48] [--renders 20]

Builds a State fed two polls of every synthetic device (so rates exist, as in
bench/snmp_bench_fleet.py) plus facts (CPU, memory, disks, sensors), then times
our /metrics rendering (plain and gzip) and, as a
peer reference, the same series as prometheus-client ``Gauge``/``Counter``
objects with ``.labels(...).set()`` per sample on every scrape. /metrics renders
with :func:`noc.metrics_text.write_text`; ``generate_latest`` over the same
collector is shown too. Prints median
ms per scrape (process CPU time), µs per device and bytes. Target: ≤ 1 ms per
device. About 3-4 minutes.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from snmp_bench_fleet import synthetic_result

from collectors.base import DeviceFacts, Disk, Memory, Sensor
from inventory.catalog import CatAgency, Catalog, CatDevice
from noc.metrics import GZIP_LEVEL, NocCollector, Scope, Snapshot, render
from noc.scheduler import SchedulerStats
from noc.state import State
from noc.status import agency_statuses


def build_snapshot(devices: int, interfaces: int) -> Snapshot:
    """A snapshot of ``devices`` polled twice 60 s apart, with facts."""
    state, now = State(), time.time()
    for round_ in (0, 1):
        for k in range(devices):
            state.apply(synthetic_result(k, round_, interfaces, now + 60 * round_))
    agencies = {f"A{a:03d}": CatAgency(f"A{a:03d}", "ward", f"Phường {a}", f"Ward {a}", None)
                for a in range(max(1, devices // 4))}
    codes = list(agencies)
    cat_devices = {}
    for k in range(devices):
        name, agency = f"dev-{k:05d}", codes[k % len(codes)]
        cat_devices[name] = CatDevice(name, agency, agency, "access_switch", f"127.30.0.{k % 250}",
                                      161, "lab", "snmp", "Cisco", "C9300")
        state.apply_facts(name, _facts(k), now + 60)
    catalog = Catalog(agencies, cat_devices)
    devs = state.devices()
    return Snapshot(catalog, devs, agency_statuses(catalog, devs),
                    SchedulerStats(started=2 * devices), {"requests": 10 * devices})


def _facts(k: int) -> DeviceFacts:
    sensors = [Sensor("temperature", f"temp{i}", 40.0 + i, "celsius", "ok") for i in range(4)]
    return DeviceFacts(cpu_percent=float(k % 100), memory=Memory(8 << 30, (k % 8) << 30),
                       disks=[Disk("flash", 4 << 30, 1 << 30)], sensors=sensors)


def naive_registry(snap: Snapshot) -> Callable[[], bytes]:
    """The peer reference: client objects, every label set re-set on every scrape."""
    reg = CollectorRegistry(auto_describe=False)
    labels = ["device", "interface"]
    counters = {key: Counter(f"naive_if_{key}", key, labels, registry=reg)
                for key in ("in_octets", "out_octets", "in_errors", "out_errors",
                            "in_discards", "out_discards")}
    gauges = {key: Gauge(f"naive_if_{key}", key, labels, registry=reg)
              for key in ("oper", "admin", "speed", "rx", "tx")}

    def scrape() -> bytes:
        for name, dev in snap.devices.items():
            for iface in dev.interfaces.values():
                s = iface.sample
                lv = (name, s.name or str(s.if_index))
                for key, c in counters.items():
                    # a Counter only goes up: mimic "set" the way naive exporters do
                    c.labels(*lv)._value.set(float(s.counters.get(key, 0)))
                gauges["oper"].labels(*lv).set(1 if s.oper_status == 1 else 0)
                gauges["admin"].labels(*lv).set(1 if s.admin_status == 1 else 0)
                gauges["speed"].labels(*lv).set(s.speed_bps / 8)
                gauges["rx"].labels(*lv).set((iface.in_bps or 0) / 8)
                gauges["tx"].labels(*lv).set((iface.out_bps or 0) / 8)
        return generate_latest(reg)
    return scrape


def timed(fn: Callable[[], bytes], renders: int) -> tuple[float, int]:
    """Median CPU ms of ``fn`` over ``renders`` calls, and the size of its output."""
    times, size = [], 0
    for _ in range(renders):
        t0 = time.process_time()
        size = len(fn())
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times), size


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--interfaces", type=int, default=48)
    ap.add_argument("--renders", type=int, default=20)
    ap.add_argument("--ref-renders", type=int, default=5,
                    help="renders of the two slow references (5-10 s each)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    snap = build_snapshot(args.devices, args.interfaces)
    print(f"state: {args.devices} devices x {args.interfaces} interfaces "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    collector = NocCollector(lambda: snap)
    reg = CollectorRegistry(auto_describe=False)
    reg.register(collector)

    def ours() -> bytes:
        return render(collector, Scope())[0]

    text = ours()
    series = sum(1 for line in text.splitlines() if line and not line.startswith(b"#"))
    n, ref = args.renders, args.ref_renders
    rows = [("ours: /metrics text (render: families + write_text)", ours, n),
            (f"ours: + gzip level {GZIP_LEVEL} (what /metrics sends)",
             lambda: render(collector, Scope(), "gzip")[0], n),
            ("ours: + gzip level 6", lambda: gzip.compress(ours(), 6), n),
            ("same collector via generate_latest(registry)", lambda: generate_latest(reg), ref),
            ("naive: Gauge.labels().set() per sample (interfaces only)", naive_registry(snap),
             ref)]
    print(f"{series} samples per scrape; median CPU time of {n} renders ({ref} for references)")
    print(f"{'':58} {'ms/scrape':>10} {'µs/device':>10} {'bytes':>11}")
    for label, fn, renders in rows:
        ms, size = timed(fn, renders)
        print(f"{label:58} {ms:10.1f} {ms * 1000 / args.devices:10.1f} {size:11,}")


if __name__ == "__main__":
    main()
