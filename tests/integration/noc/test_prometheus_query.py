"""PrometheusReader against a real Prometheus scraping the NOC's /metrics text of a fixed state.

The exposition is rendered by :func:`noc.metrics.render` from a snapshot built
here (one router, one link port, facts, an ICMP sample), served on loopback;
each key's PromQL from :func:`noc.prometheus_query.promql_for` must give back
the values put in, in the store's units.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collectors.base import DeviceFacts, InterfaceSample, Memory, Sensor, SystemInfo
from collectors.icmp.parse import IcmpSample
from inventory.catalog import CatAgency, Catalog, CatDevice
from noc import prometheus_query
from noc.metrics import NocCollector, Scope, Snapshot, render
from noc.prometheus_query import PrometheusReader, promql_for
from noc.scheduler import SchedulerStats
from noc.state import DeviceState, InterfaceState
from noc.status import agency_statuses
from noc.timeseries import SeriesStore
from noc.timeseries_query import chart_series
from tests.helpers import free_tcp_port, wait_for
from tests.peers.prometheus import PrometheusPeer

pytestmark = pytest.mark.integration
ERRORS_PER_S = 7


def _snapshot() -> Snapshot:
    catalog = Catalog({"HQ": CatAgency("HQ", "department", "Sở", "HQ", None)},
                      {"core1": CatDevice("core1", "HQ", "hq", "router", "127.0.0.2", 161,
                                          "lab", "snmp")})
    sample = InterfaceSample(1, "Gi0/1", speed_bps=10**9, admin_status=1, oper_status=1,
                             counter_bits=64,
                             counters={"in_errors": int(ERRORS_PER_S * time.time())})
    iface = InterfaceState(sample, 0.0)
    iface.rates = {"in_octets": 125_000.0, "out_octets": 250_000.0}
    dev = DeviceState("core1", up=True, since=1.0, system=SystemInfo(uptime_ticks=1000),
                      interfaces={1: iface},
                      icmp=IcmpSample("127.0.0.2", 4, 3, 1.0, 2.5, 4.0), icmp_up=True,
                      facts=DeviceFacts(cpu_percent=37.5, memory=Memory(8 << 30, 2 << 30),
                                        sensors=[Sensor("temperature", "a", 31.0, "celsius"),
                                                 Sensor("temperature", "b", 58.0, "celsius")]))
    devices = {"core1": dev}
    return Snapshot(catalog, devices, agency_statuses(catalog, devices), SchedulerStats(), {})


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = render(NocCollector(_snapshot), Scope())[0]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def prom() -> Iterator[PrometheusPeer]:
    server = ThreadingHTTPServer(("127.0.0.1", free_tcp_port()), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with PrometheusPeer([f"127.0.0.1:{server.server_address[1]}"]) as peer:
            peer.wait_up(30)
            wait_for("5 scrapes", lambda: (peer.value("count_over_time(noc_device_up[1m])")
                                           or 0) >= 5, 30)
            yield peer
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("key", "expected"), [
    (("if", "core1", "Gi0/1", "in_bps"), 1_000_000.0),
    (("if", "core1", "Gi0/1", "out_bps"), 2_000_000.0),
    (("dev", "core1", "cpu"), 37.5),
    (("dev", "core1", "mem_used_ratio"), 0.25),
    (("dev", "core1", "temp_max_c"), 58.0),
    (("dev", "core1", "rtt_ms"), 2.5),
    (("dev", "core1", "loss_ratio"), 0.25),
    (("dev", "core1", "up"), 1.0),
    (("agency", "HQ", "up"), 1.0),
])
async def test_query_range_gives_the_exposed_values(prom: PrometheusPeer, key, expected):
    reader = PrometheusReader(prom.url, 5.0)
    query = promql_for(key)
    assert query is not None
    now = time.time()
    try:
        [series] = await reader.range(query, now - 4, now, 1)
    finally:
        await reader.aclose()
    assert len(series.points) >= 3
    assert all(v == pytest.approx(expected) for _, v in series.points), series.points


async def test_error_counter_becomes_a_rate_per_second(prom: PrometheusPeer,
                                                       monkeypatch: pytest.MonkeyPatch):
    # rate() over 5m divides by 5 minutes until there are 5 minutes of samples
    monkeypatch.setattr(prometheus_query, "RATE_WINDOW", "5s")
    wait_for("10 s of error counter samples", lambda: (prom.value(
        "count_over_time(noc_interface_receive_errors_total[10s])") or 0) >= 9, 30)
    reader = PrometheusReader(prom.url, 5.0)
    query = promql_for(("if", "core1", "Gi0/1", "in_errors"))
    assert query is not None
    now = time.time()
    try:
        [series] = await reader.range(query, now - 2, now, 1)
    finally:
        await reader.aclose()
    assert series.points and all(v == pytest.approx(ERRORS_PER_S, rel=0.15)
                                 for _, v in series.points), series.points


async def test_charts_come_from_prometheus_while_it_answers(prom: PrometheusPeer):
    store, reader = SeriesStore(), PrometheusReader(prom.url, 5.0)
    now = time.time()
    try:
        chart = await chart_series(("dev", "core1", "cpu"), now - 60, now, store, reader,
                                   max_points=60)
    finally:
        await reader.aclose()
    assert chart.source == "prometheus" and chart.points[-1][1] == pytest.approx(37.5)
