"""Incidents over the whole lab city, loaded through the real inventory import into SQLite."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from inventory.catalog import Catalog, CatLink, load_catalog
from noc.alerting.incidents import assign, title_vi
from noc.alerting.model import Alert, AlertState, fingerprint
from noc.alerting.topology import Topology
from noc.db import init_schema, make_engine, session_factory
from noc.lab.faults import unreachable
from noc.lab.inventory import write_lab_inventory
from noc.lab.model import LabTopology
from noc.lab.topology import build_topology


@dataclass(frozen=True)
class City:
    lab: LabTopology
    catalog: Catalog
    topo: Topology
    build_seconds: float


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    lab = build_topology("city")
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('city')}/noc.sqlite3")
    init_schema(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        write_lab_inventory(session, lab, 1161)
        session.commit()
    with sessions() as session:
        catalog = load_catalog(session)
    engine.dispose()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        topo = Topology.build(catalog)
        best = min(best, time.perf_counter() - start)
    return City(lab, catalog, topo, best)


def district_uplinks(catalog: Catalog) -> list[CatLink]:
    """Metronet uplinks of districts, the district with the most wards first."""
    wards = {code: sum(1 for a in catalog.agencies.values() if a.parent == code)
             for code, a in catalog.agencies.items() if a.kind == "district"}
    links = [ln for ln in catalog.links if ln.network == "metronet"
             and catalog.devices[ln.b_device].agency in wards
             and catalog.devices[ln.a_device].agency not in wards]
    return sorted(links, key=lambda ln: (-wards[catalog.devices[ln.b_device].agency], ln.name))


def fault_alerts(catalog: Catalog, link: CatLink, dead: set[str], at: float) -> list[Alert]:
    """What the rules raise when ``link`` is down and every device in ``dead`` is unreachable."""
    b = catalog.devices[link.b_device]
    out = [Alert(fingerprint("link_down", link.name), "link_down", link.name, "critical",
                 f"link {link.name} down ({link.a_device} port oper down)", link.b_device,
                 b.agency, {"link": link.name, "a_device": link.a_device,
                            "b_device": link.b_device}, state=AlertState.FIRING,
                 active_since=at, fired_at=at, last_true=at)]
    if link.a_if_index is not None:
        subject = f"{link.a_device}/{link.a_if_index}"
        out.append(Alert(fingerprint("interface_down", subject), "interface_down", subject,
                         "major", f"{subject} oper down", link.a_device, None,
                         state=AlertState.FIRING, active_since=at, fired_at=at, last_true=at))
    for name in sorted(dead):
        dev = catalog.devices[name]
        out.append(Alert(fingerprint("device_unreachable", name), "device_unreachable", name,
                         "critical", f"{name} does not answer ping or SNMP", name, dev.agency,
                         state=AlertState.FIRING, active_since=at + 5, fired_at=at + 5,
                         last_true=at + 5))
    return out


def test_topology_of_the_city_matches_the_lab_fault_model(city: City) -> None:
    print(f"Topology.build over {len(city.catalog.devices)} devices: "
          f"{city.build_seconds * 1000:.1f} ms")
    assert len(city.topo.order()) == len(city.catalog.devices) > 2000
    assert city.build_seconds < 2.0
    for link in district_uplinks(city.catalog)[:5]:
        assert city.topo.behind(link.name) == unreachable(city.lab, [link.name])


def test_dead_district_uplink_is_exactly_one_incident(city: City) -> None:
    catalog, topo = city.catalog, city.topo
    link = district_uplinks(catalog)[0]
    district = catalog.agencies[catalog.devices[link.b_device].agency]
    dead = topo.behind(link.name)
    assert dead == unreachable(city.lab, [link.name])
    wards = [a.code for a in catalog.agencies.values() if a.parent == district.code
             and topo.polled_of_agency(a.code) <= dead]
    assert len(wards) > 5
    alerts = fault_alerts(catalog, link, dead, 1000.0)
    incidents = assign(alerts, topo, catalog)
    assert len(incidents) == 1
    inc = incidents[0]
    root = alerts[0]
    assert inc.root is root
    assert inc.title == (f"{district.name_vi} isolated: uplink {link.name} down, "
                         f"{len(wards)} wards and {len(dead)} devices affected")
    assert title_vi(inc, catalog).startswith(f"{district.name_vi} mất kết nối: ")
    assert all(a.suppressed_by == root.fingerprint for a in alerts[1:])
    assert len(inc.members) == len(alerts) - 1
    assert inc.affected_agencies[0] == district.code
    assert sorted(inc.affected_agencies[1:]) == sorted(wards)
    assert {c.agency for c in inc.contacts} == set(inc.affected_agencies)


def test_assign_over_500_alerts_is_fast_and_groups_per_uplink(city: City) -> None:
    catalog, topo = city.catalog, city.topo
    alerts: list[Alert] = []
    broken: list[CatLink] = []
    for link in district_uplinks(catalog):
        if len(alerts) >= 500:
            break
        broken.append(link)
        alerts += fault_alerts(catalog, link, topo.behind(link.name), 1000.0 + len(broken))
    assert len(alerts) >= 500
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        incidents = assign(alerts, topo, catalog)
        best = min(best, time.perf_counter() - start)
    print(f"assign over {len(alerts)} active alerts: {best * 1000:.1f} ms")
    assert sorted(i.root.subject for i in incidents) == sorted(ln.name for ln in broken)
    assert best < 0.02
