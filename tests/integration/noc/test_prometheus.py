"""A real Prometheus scraping the NOC on the small lab: rates, shards, agency scopes, gzip.

The NOC (``noc run --lab --scale small``, 2 s polls) is started by the ``noc``
fixture of :mod:`tests.integration.noc.test_end_to_end`; Prometheus (Debian's
2.42, :class:`tests.peers.prometheus.PrometheusPeer`) scrapes ``/metrics``
every second, with gzip, as it always does. The lab's traffic is a pure
function of wall-clock time (:meth:`noc.lab.live.DeviceView.rate_bps`), so a
view built here gives the exact rate the lab process is sending.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from noc.lab.live import DeviceView, build_views
from tests.helpers import wait_for
from tests.integration.noc.test_end_to_end import Noc, noc  # noqa: F401 - the fixture
from tests.peers.prometheus import PrometheusPeer

pytestmark = pytest.mark.integration
IF_NAME = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1)
WINDOW = 20  # seconds of rate() values averaged: smooths the 2 s poll steps


@pytest.fixture(scope="module")
def prom(noc: Noc) -> Iterator[PrometheusPeer]:  # noqa: F811 - the imported fixture
    with PrometheusPeer({"noc": f"{noc.base}/metrics"}, scrape_interval="1s") as peer:
        peer.wait_up(30)
        yield peer


def _busiest_link_port(noc: Noc) -> tuple[DeviceView, int, str]:  # noqa: F811
    now = time.time()
    best: tuple[float, DeviceView, int] | None = None
    for view in build_views(noc.topo):
        for ifindex in view.link_ports:
            rate = view.rate_bps(ifindex, now, "out")
            if rate > 0 and (best is None or rate > best[0]):
                best = (rate, view, ifindex)
    assert best is not None, "the small lab has no link port with traffic"
    _, view, ifindex = best
    found = view.get((*IF_NAME, ifindex), now)
    assert found is not None
    name = found[1]
    return view, ifindex, name.decode() if isinstance(name, bytes) else str(name)


def _series(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def test_prometheus_rate_matches_the_lab_traffic(noc: Noc, prom: PrometheusPeer):  # noqa: F811
    view, ifindex, if_name = _busiest_link_port(noc)
    sel = f'{{device="{view.name}",interface="{if_name}"}}'
    counter = f"noc_interface_transmit_bytes_total{sel}"
    wait_for("15 s + a window of samples", lambda: (prom.value(
        f"count_over_time({counter}[{15 + WINDOW}s])") or 0) >= 15 + WINDOW - 2, 90, every=1)
    at = time.time()
    prom_rate = prom.value(f"avg_over_time(rate({counter}[15s])[{WINDOW}s:1s])", at)
    noc_rate = prom.value(
        f"avg_over_time(noc_interface_transmit_bytes_per_second{sel}[{WINDOW}s])", at)
    # rate() over [15s] evaluated in [at - WINDOW, at] covers [at - WINDOW - 15, at]
    times = [at - WINDOW - 7.5 + k for k in range(WINDOW + 1)]
    lab_rate = sum(view.rate_bps(ifindex, t, "out") / 8 for t in times) / len(times)
    assert prom_rate is not None and noc_rate is not None
    assert prom_rate == pytest.approx(lab_rate, rel=0.03), (prom_rate, noc_rate, lab_rate)
    # the NOC's own gauge is a rate over one 2 s poll interval between poll start times:
    # responder and scheduler jitter on a busy host shows in it (seen: +3.8 %)
    assert noc_rate == pytest.approx(lab_rate, rel=0.08), (prom_rate, noc_rate, lab_rate)


def test_shards_hold_exactly_the_series_of_the_full_scrape(noc: Noc):  # noqa: F811
    wait_for("interface series", lambda: "noc_interface_transmit_bytes_total{" in httpx.get(
        f"{noc.base}/metrics", timeout=10).text, 60)
    def scrapes() -> tuple[set[Any], set[Any], set[Any]]:
        return tuple(set(_series(httpx.get(f"{noc.base}/metrics{q}", timeout=10).text))
                     for q in ("", "?shard=1&of=2", "?shard=2&of=2"))  # type: ignore[return-value]

    # three scrapes are three instants: a series may appear in between (a device's
    # first ICMP reply, a new sensor); take a trio in which nothing changed
    def quiet() -> tuple[set[Any], set[Any], set[Any]] | None:
        trio = scrapes()
        return trio if trio[1] | trio[2] == trio[0] else None

    full, one, two = wait_for("a quiet trio of scrapes", quiet, 30)
    assert one | two == full
    assert not one & two
    device_series = {k for k in full if "device" in dict(k[1])}
    assert device_series & one and device_series & two  # both shards carry devices
    assert full - device_series <= one  # agency and self metrics: shard 1 only


def test_agency_scope_and_bad_parameters(noc: Noc):  # noqa: F811
    agency = noc.topo.agencies[0].code
    series = _series(httpx.get(f"{noc.base}/metrics?agency={agency}", timeout=10).text)
    devices = {dict(k[1])["device"] for k in series if "device" in dict(k[1])}
    sites = {s.code: s.agency for s in noc.topo.sites}
    assert devices == {d.name for d in noc.topo.devices if sites[d.site] == agency}
    assert not any(name.startswith("noc_polls") for name, _ in series)
    for bad in ("shard=0&of=2", "shard=3&of=2", "shard=1", "of=2", "shard=x&of=2",
                "agency=NOPE", "device=x"):
        reply = httpx.get(f"{noc.base}/metrics?{bad}", timeout=10)
        assert reply.status_code == 400, bad
        assert "bad /metrics parameters" in reply.text


def test_gzip_when_the_scraper_accepts_it(noc: Noc):  # noqa: F811
    plain = httpx.get(f"{noc.base}/metrics", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "content-encoding" not in plain.headers
    with httpx.stream("GET", f"{noc.base}/metrics", headers={"Accept-Encoding": "gzip"},
                      timeout=10) as reply:
        assert reply.headers["content-encoding"] == "gzip"
        raw = b"".join(reply.iter_raw())
    text = gzip.decompress(raw).decode()
    assert set(_series(text)) == set(_series(plain.text))
    assert len(raw) * 3 < len(plain.content)
