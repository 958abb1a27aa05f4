"""The operators' pages over a Runtime holding the small lab city (no pollers running).

The state is built by applying poll results by hand: every SNMP device
answers twice (so interfaces have rates), except Quận 3's switch, which
stops answering (Quận 3 down, its wards down because of upstream). The
status history of Quận 1 is seeded: down 36 minutes within the last day.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from collectors.base import InterfaceSample, PollResult, SystemInfo
from inventory.records import StatusChange
from noc.app import create_app
from noc.lab.inventory import write_lab_inventory
from noc.lab.topology import build_topology
from noc.runtime import Runtime
from noc.settings import CredentialProfile, load_settings

COMMUNITY = "lab-secret-community-7731"
DOWN_SWITCH = "q3-sw1"


def _ifaces(rt: Runtime, name: str, step: int) -> tuple[InterfaceSample, ...]:
    """The device's link interfaces, counters grown by ``step`` polls of traffic."""
    indexes = sorted({i for link in rt.catalog.links
                      for dev, i in ((link.a_device, link.a_if_index),
                                     (link.b_device, link.b_if_index))
                      if dev == name and i is not None}) or [1]
    return tuple(InterfaceSample(
        if_index=i, name=f"GigabitEthernet0/{i}", admin_status=1, oper_status=1,
        speed_bps=1_000_000_000, counter_bits=64,
        counters={"in_octets": step * 60 * 150_000 * i, "out_octets": step * 60 * 90_000,
                  "in_errors": step * 3 if i == 1 else 0, "out_errors": 0})
        for i in indexes)


def build_runtime(data_dir: Path, at: float | None = None) -> Runtime:
    """A Runtime with the small lab inventory and a state as described above."""
    settings = load_settings(None, data_dir=data_dir)
    rt = Runtime(settings, {"lab": CredentialProfile(community=SecretStr(COMMUNITY))}, lab=True)
    with rt.sessions.begin() as session:
        write_lab_inventory(session, build_topology("small"), 16161)
    rt.reload_inventory()
    now = time.time() if at is None else at
    for step, t in ((1, now - 120.0), (2, now - 60.0)):
        for dev in rt.catalog.devices.values():
            if not dev.snmp_polled:
                continue
            if dev.name == DOWN_SWITCH and step == 2:
                rt.state.apply(PollResult(dev.name, False, t, 5.0, error="timeout"))
                continue
            rt.state.apply(PollResult(
                dev.name, True, t, 0.05, system=SystemInfo(name=dev.name, uptime_ticks=
                                                           int(86400 * 12 * 100 + step * 6000)),
                interfaces=_ifaces(rt, dev.name, step)))
    for ward in ("Q3-VTS", "Q3-P01", "Q3-P02", "Q3-P03", "Q3-P04"):
        for dev in rt.catalog.devices.values():
            if dev.agency == ward and dev.snmp_polled:
                rt.state.apply(PollResult(dev.name, False, now - 30, 5.0, error="timeout"))
    seed_history(rt, now)
    return rt


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def seed_history(rt: Runtime, now: float) -> None:
    """Quận 1: up 40 days ago, down for 36 minutes two hours ago, up since."""
    rows = [("agency", "Q1", "up", now - 40 * 86400), ("agency", "Q1", "down", now - 7200),
            ("agency", "Q1", "up", now - 7200 + 36 * 60),
            ("device", "q1-sw1", "up", now - 40 * 86400),
            ("device", "dc-core-r1", "up", now - 40 * 86400),
            ("device", "dc-core-r2", "up", now - 40 * 86400),
            ("device", "q1-sw1", "down", now - 7200), ("device", "q1-sw1", "up", now - 5040)]
    with rt.sessions.begin() as session:
        session.add_all(StatusChange(kind=k, subject=s, status=st, at=_utc(at))
                        for k, s, st, at in rows)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return build_runtime(tmp_path_factory.mktemp("ops"))


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as c:
        yield c


def text_of(page: str) -> str:
    """The visible text of a page, roughly."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# ---------- agencies ----------


def test_agency_list_shows_every_agency_with_status(client: TestClient, runtime: Runtime) -> None:
    page = client.get("/agencies")
    assert page.status_code == 200
    text = text_of(page.text)
    assert f"Đơn vị {len(runtime.catalog.agencies)}" in text
    for name in ("Quận 1", "Huyện Củ Chi", "Phường Bến Nghé", "Sở Nội vụ"):
        assert name in text
    assert page.text.count('href="/agencies/') >= len(runtime.catalog.agencies)


def test_agency_list_filters_by_kind_and_status(client: TestClient) -> None:
    wards = text_of(client.get("/agencies?kind=ward").text)
    assert "Phường Bến Nghé" in wards
    assert "Sở Nội vụ" not in wards
    down = client.get("/agencies?status=down").text
    assert "/agencies/Q3" in down and "/agencies/Q3-P01" in down
    assert "/agencies/Q1\"" not in down


def test_agency_list_sorts_by_name_both_ways(client: TestClient) -> None:
    page = client.get("/agencies?kind=district&sort=name").text
    order = re.findall(r'href="/agencies/(Q1|Q3|CUCHI)"', page)
    assert order == ["CUCHI", "Q1", "Q3"]  # Huyện Củ Chi, Quận 1, Quận 3
    page = client.get("/agencies?kind=district&sort=name&desc=1").text
    assert re.findall(r'href="/agencies/(Q1|Q3|CUCHI)"', page) == ["Q3", "Q1", "CUCHI"]
    assert 'aria-sort="descending"' in page


def test_agency_page_lists_devices_links_contacts(client: TestClient) -> None:
    page = client.get("/agencies/Q1")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Quận 1" in text
    assert 'href="/devices/q1-sw1"' in page.text
    assert 'href="/links/' in page.text
    assert re.search(r'href="tel:028\d+"', page.text)
    assert "mailto:" in page.text
    assert "Phường Bến Nghé" in text  # its wards


def test_agency_availability_from_seeded_history(client: TestClient) -> None:
    text = text_of(client.get("/agencies/Q1").text)
    # down 36 min of 24 h: 97.50 %; of 7 d: 99.64 %; of 30 d: 99.92 %
    assert "97.50" in text
    assert "99.64" in text
    assert "99.92" in text
    assert "1 lần gián đoạn" in text


def test_agency_without_history_says_so(client: TestClient) -> None:
    text = text_of(client.get("/agencies/CUCHI").text)
    assert "chưa có lịch sử" in text


def test_down_district_shows_its_problem(client: TestClient) -> None:
    page = client.get("/agencies/Q3").text
    assert "pill-down" in page
    assert f'href="/devices/{DOWN_SWITCH}"' in page
    ward = client.get("/agencies/Q3-P01").text
    assert "do tuyến trên" in text_of(ward)


def test_unknown_agency_is_404(client: TestClient) -> None:
    assert client.get("/agencies/NOPE").status_code == 404


# ---------- devices ----------


def test_device_page_shows_identity_interfaces_and_rates(client: TestClient) -> None:
    page = client.get("/devices/q1-sw1")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "127.22.1.1" in text
    assert "GigabitEthernet0/1" in text
    assert "Mbit/s" in text  # live rates
    assert "12d 0h" in text  # uptime
    assert 'href="/agencies/Q1"' in page.text
    assert "Chưa lưu cấu hình nào" in text


def test_device_page_charts_say_no_history_without_a_store(
        client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "series", None)
    page = client.get("/devices/q1-sw1?range=7d").text
    assert "Chưa có dữ liệu lịch sử" in page
    assert 'href="?range=7d" aria-current="true"' in page


def test_device_page_charts_draw_the_recorded_history(client: TestClient,
                                                      runtime: Runtime) -> None:
    now = time.time()
    for i in range(30):
        runtime.series.record(("dev", "q1-sw1", "cpu"), now - 3600 + 120 * i, 20.0 + i)
    page = client.get("/devices/q1-sw1?range=6h").text
    assert "Chưa có dữ liệu lịch sử" not in page
    assert "<svg" in page and "<path" in page


def test_device_list_filters_and_search(client: TestClient, runtime: Runtime) -> None:
    everything = client.get("/devices").text
    assert 'href="/devices/q1-sw1"' in everything
    down = client.get("/devices?status=down").text
    assert f'href="/devices/{DOWN_SWITCH}"' in down
    assert 'href="/devices/q1-sw1"' not in down
    by_ip = client.get("/devices?q=127.22.1.1").text
    assert 'href="/devices/q1-sw1"' in by_ip
    assert 'href="/devices/q3-sw1"' not in by_ip
    routers = text_of(client.get("/devices?class=router").text)
    assert "dc-core-r1" in routers and "q1-sw1" not in routers
    q1 = client.get("/devices?agency=Q1").text
    assert 'href="/devices/q1-srv1"' in q1 and 'href="/devices/q3-srv1"' not in q1


def test_unknown_device_is_404(client: TestClient) -> None:
    assert client.get("/devices/nope").status_code == 404


# ---------- links ----------


def test_link_list_sorted_by_utilization(client: TestClient, runtime: Runtime) -> None:
    page = client.get("/links").text
    pcts = [int(p) for p in re.findall(r'class="ubar-pct">(\d+)', page)]
    assert pcts and pcts == sorted(pcts, reverse=True)
    assert page.count('href="/links/') >= len(runtime.catalog.links)


def test_link_page_shows_both_ends(client: TestClient, runtime: Runtime) -> None:
    link = next(lk for lk in runtime.catalog.links if lk.b_device == "q1-sw1")
    page = client.get(f"/links/{link.name}")
    assert page.status_code == 200
    assert f'href="/devices/{link.a_device}"' in page.text
    assert 'href="/devices/q1-sw1"' in page.text
    assert "GigabitEthernet0/" in page.text
    text = text_of(page.text)
    assert "Đầu A" in text and "Đầu B" in text
    assert "97.50" in text  # both ends up except q1-sw1's 36 minutes


def test_unknown_link_is_404(client: TestClient) -> None:
    assert client.get("/links/nope").status_code == 404


# ---------- alerts, overview, language, secrets ----------


def test_alerts_page_has_its_sections_and_empty_state(client: TestClient) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    text = text_of(page.text)
    for phrase in ("Sự cố đang cảnh báo", "Không có sự cố nào đang cảnh báo"):
        assert phrase in text
    assert 'aria-current="page">Cảnh báo' in page.text


def test_overview_has_picture_alerts_and_poller_health(client: TestClient,
                                                       runtime: Runtime) -> None:
    page = client.get("/").text
    assert '<svg class="topo"' in page
    assert page.count('class="n n-') == len(runtime.catalog.agencies)
    assert 'href="/agencies/Q3"' in page
    assert "Không có sự cố đang hoạt động" in page  # alerting is on in the lab, nothing fires
    assert 'class="health"' in page
    fragment = client.get("/fragments/overview").text
    assert '<svg class="topo"' in fragment
    assert "s-down" in fragment  # Quận 3


def test_topology_layout_is_computed_once_per_catalog(runtime: Runtime) -> None:
    from dashboards import topology

    first = topology.layout(runtime.catalog)
    assert topology.layout(runtime.catalog) is first


def test_english_toggle(client: TestClient) -> None:
    client.get("/lang?to=en")
    try:
        text = text_of(client.get("/agencies/Q1").text)
        assert "Availability" in text and "Contact" in text
        assert "Quận 1" in text  # names keep their diacritics
        assert "Độ sẵn sàng" not in text
        assert "Network map" in client.get("/").text
    finally:
        client.get("/lang?to=vi")


@pytest.mark.parametrize("path", ["/", "/agencies", "/agencies/Q1", "/devices", "/devices/q1-sw1",
                                  "/links", "/alerts", "/fragments/overview"])
def test_no_community_string_anywhere(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert COMMUNITY not in page.text


def test_scoped_viewer_sees_only_its_agency(runtime: Runtime) -> None:
    from fastapi import FastAPI

    from dashboards.pages_ops import make_ops_router
    from noc.auth.roles import Principal, Role

    app = FastAPI()  # the ops router alone: the user is set by hand, not by a login
    app.include_router(make_ops_router(runtime))

    @app.middleware("http")
    async def as_viewer(request, call_next):  # type: ignore[no-untyped-def]
        request.state.user = Principal("viewer-q1", Role.VIEWER, agency="Q1")
        return await call_next(request)

    with TestClient(app) as c:
        listing = c.get("/agencies").text
        assert 'href="/agencies/Q1"' in listing and 'href="/agencies/Q1-BN"' in listing
        assert 'href="/agencies/Q3"' not in listing
        assert c.get("/agencies/Q3").status_code == 404
        assert c.get("/devices/q3-sw1").status_code == 404
        assert 'href="/devices/q3-sw1"' not in c.get("/devices").text
