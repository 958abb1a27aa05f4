"""Points per second into an InfluxDB-compatible server: serialize-only and end to end.

Target of the "Metrics out" issue: serialize + send at least 200,000 points/s
on one core. Builds a synthetic fleet (``--devices`` x ``--interfaces``, with
Vietnamese site names, so escaping is exercised) as :class:`noc.state.DeviceState`
objects, then, per run:

* ``ours-serialize``: :class:`noc.influx.points.PointBuilder` lines for the fleet;
* ``client-serialize``: the same points as influxdb-client ``Point`` objects and
  its ``to_line_protocol()`` (the library's own default serialization);
* ``ours-e2e-v2``: serialize + :class:`~noc.influx.transport.V2Transport` (influxdb-client
  write API, its gzip level 9) to a VictoriaMetrics started here, ``/api/v2/write``;
* ``ours-e2e-v1``: serialize + :class:`~noc.influx.transport.V1Transport` (our gzip
  level 1) to the same server's ``/write``.

Rates are points per CPU second of this process (all threads: one core's
worth of work) and per wall second; medians over ``--runs``. Nothing here runs
under ``make test``.

    .venv/bin/python bench/influx_write.py [--devices 500] [--interfaces 48] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from collectors.base import InterfaceSample, SystemInfo
from inventory.catalog import CatDevice
from noc.counterset import CounterSet
from noc.influx.points import PointBuilder
from noc.influx.transport import Transport, V1Transport, V2Transport
from noc.settings import InfluxSettings
from noc.state import DeviceState, InterfaceState
from tests.peers.victoriametrics import VictoriaMetricsPeer

BATCH = 5000
Fleet = list[tuple[DeviceState, CatDevice]]


def fleet(devices: int, interfaces: int) -> Fleet:
    out = []
    t0 = time.time() - 600
    for d in range(devices):
        name = f"sw-{d:05d}"
        cat = CatDevice(name, f"SỞ {d % 30}", f"Phường Bến Nghé {d % 97}", "switch",
                        "127.0.0.1", 161, "p", "snmp")
        dev = DeviceState(name, up=True, last_poll=t0 + d * 0.001, last_duration=0.2,
                          system=SystemInfo(uptime_ticks=123456 + d))
        for i in range(1, interfaces + 1):
            sample = InterfaceSample(i, name=f"GigabitEthernet0/{i}", oper_status=1,
                                     counters=CounterSet({"in_octets": 10**12 + i * d,
                                                          "out_octets": 10**11,
                                                          "in_errors": i, "out_errors": 0}))
            state = InterfaceState(sample)
            state.rates = {"in_octets": 1.25e6 + i, "out_octets": 2.5e5}
            dev.interfaces[i] = state
        out.append((dev, cat))
    return out


def ours(devs: Fleet) -> list[str]:
    builder = PointBuilder()
    lines: list[str] = []
    for dev, cat in devs:
        lines.extend(builder.device_lines(dev, cat))
    return lines


def client_lines(devs: Fleet) -> list[str]:
    from influxdb_client import Point, WritePrecision

    lines = []
    for dev, cat in devs:
        ts = int((dev.last_poll or 0) * 1000)
        base = {"agency": cat.agency, "device": dev.name, "site": cat.site}
        p = Point("device").field("up", 1).field("poll_duration_seconds", dev.last_duration)
        for k, v in base.items():
            p = p.tag(k, v)
        lines.append(p.field("uptime_seconds", 1.0).time(ts, WritePrecision.MS)
                     .to_line_protocol())
        for iface in dev.interfaces.values():
            q = Point("interface").tag("interface", iface.sample.name)
            for k, v in base.items():
                q = q.tag(k, v)
            for k, c in iface.sample.counters.items():
                q = q.field(k, c)
            q = q.field("in_bps", iface.in_bps).field("out_bps", iface.out_bps).field("oper_up", 1)
            lines.append(q.time(ts, WritePrecision.MS).to_line_protocol())
    return lines


def measure(work: Callable[[], int]) -> tuple[float, float]:
    """(points per CPU second, points per wall second) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    points = work()
    return points / (time.process_time() - c0), points / (time.perf_counter() - w0)


def e2e(devs: Fleet, transport: Transport) -> int:
    lines = ours(devs)
    for i in range(0, len(lines), BATCH):
        transport.send("\n".join(lines[i:i + BATCH]).encode())
    return len(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=500)
    ap.add_argument("--interfaces", type=int, default=48)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    devs = fleet(args.devices, args.interfaces)
    print(f"fleet: {args.devices} devices x {args.interfaces} interfaces = "
          f"{len(ours(devs))} points per round; {args.runs} runs, medians")
    with VictoriaMetricsPeer() as vm:
        v2 = V2Transport(InfluxSettings(url=vm.url, org="o", bucket="b",
                                        token=SecretStr("bench-token")))
        v1 = V1Transport(InfluxSettings(url=vm.url, kind="v1", database="noc"))
        cases: dict[str, Callable[[], int]] = {
            "ours-serialize": lambda: len(ours(devs)),
            "client-serialize": lambda: len(client_lines(devs)),
            "ours-e2e-v2": lambda: e2e(devs, v2),
            "ours-e2e-v1": lambda: e2e(devs, v1),
        }
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for _ in range(args.runs):
            for name, work in cases.items():
                results[name].append(measure(work))
        v1.close()
        v2.close()
    for name, runs in results.items():
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        print(f"{name:18s} {cpu:>12,.0f} points/CPU-s {wall:>12,.0f} points/wall-s")


if __name__ == "__main__":
    main()
