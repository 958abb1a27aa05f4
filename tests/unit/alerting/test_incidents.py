"""Incidents: suppression behind dead uplinks, stable roots, redundancy, titles."""

from __future__ import annotations

from inventory.catalog import Catalog
from noc.alerting.incidents import assign, title_vi
from noc.alerting.model import Alert, AlertState, Contact, Incident, fingerprint
from noc.alerting.topology import Topology
from tests.unit.alerting.test_topology import WARDS, city

CAT = city()
TOPO = Topology.build(CAT)
Q7_ALL = ["q7-sw1", "q7-srv1", "q7-ws1",
          *(f"{c.lower()}-{d}" for c, _ in WARDS for d in ("sw1", "ws1"))]


def alert(rule: str, subject: str, *, device: str | None = None, agency: str | None = None,
          labels: dict[str, str] | None = None, at: float = 100.0, severity: str = "critical",
          state: AlertState = AlertState.FIRING, summary: str = "") -> Alert:
    return Alert(fingerprint(rule, subject), rule, subject, severity,
                 summary or f"{rule} {subject}", device, agency, labels or {}, state=state,
                 active_since=at,
                 fired_at=at if state is AlertState.FIRING else None, last_true=at)


def down(device: str, at: float = 100.0) -> Alert:
    agency = CAT.devices[device].agency if device in CAT.devices else None
    return alert("device_unreachable", device, device=device, agency=agency, at=at,
                 summary=f"{device} does not answer ping or SNMP")


def link_down(name: str, at: float = 100.0) -> Alert:
    link = next(ln for ln in CAT.links if ln.name == name)
    return alert("link_down", name, device=link.b_device,
                 agency=CAT.devices[link.b_device].agency, at=at,
                 labels={"link": name, "a_device": link.a_device, "b_device": link.b_device},
                 summary=f"link {name} down")


def health(rule: str, device: str, at: float = 100.0) -> Alert:
    return alert(rule, device, device=device, agency=CAT.devices[device].agency, at=at,
                 severity="warning")


def run(alerts: list[Alert]) -> list[Incident]:
    return assign(alerts, TOPO, CAT)


def test_dead_district_uplink_is_one_incident_with_wards_and_contacts() -> None:
    root = link_down("q7-uplink-metronet", at=100.0)
    others = [down(name, at=101.0) for name in Q7_ALL]
    others += [health("cpu_high", "q7-srv1"), alert("snmp_not_answering", "q7-tp-sw1",
                                                     device="q7-tp-sw1", severity="major")]
    incidents = run(list(reversed([root, *others])))  # children first: order must not matter
    assert len(incidents) == 1
    inc = incidents[0]
    assert inc.root is root and root.suppressed_by is None and root.incident == root.fingerprint
    assert all(a.suppressed_by == root.fingerprint and a.incident == root.fingerprint
               for a in others)
    assert len(inc.members) == len(others)
    assert inc.affected_devices == len(Q7_ALL)
    assert inc.affected_agencies == ["Q7", "Q7-PM", "Q7-TP", "Q7-TT"]
    assert inc.title == ("Quận 7 isolated: uplink q7-uplink-metronet down, 3 wards and "
                         "9 devices affected")
    assert title_vi(inc, CAT) == ("Quận 7 mất kết nối: đường truyền q7-uplink-metronet bị đứt, "
                                  "ảnh hưởng 3 phường/xã và 9 thiết bị")
    assert inc.contacts[0] == Contact("Q7", "Lê Văn Bảy", "028 3777 0007", "q7@example.org")
    assert [c.agency for c in inc.contacts] == inc.affected_agencies
    assert inc.severity == "critical"


def test_device_root_titles_the_agencies_it_isolates() -> None:
    alerts = [down(name) for name in Q7_ALL]
    [inc] = run(alerts)
    assert inc.root.subject == "q7-sw1"
    assert inc.title == "q7-sw1 unreachable: Quận 7 and 3 wards isolated, 9 devices affected"
    assert title_vi(inc, CAT) == ("q7-sw1 không phản hồi: Quận 7 và 3 phường/xã mất kết nối, "
                                  "ảnh hưởng 9 thiết bị")


def test_isolation_propagates_through_devices_without_an_alert_yet() -> None:
    root = link_down("q7-uplink-metronet")
    ward = down("q7-tp-ws1")  # q7-sw1 and q7-tp-sw1 have not alerted yet
    [inc] = run([ward, root])
    assert ward.suppressed_by == root.fingerprint
    assert inc.affected_devices == len(Q7_ALL)  # everything cut off counts


def test_older_cut_alert_is_the_root_and_link_down_wins_ties() -> None:
    link, dev = link_down("q7-uplink-metronet", at=105.0), down("q7-sw1", at=100.0)
    run([link, dev])
    assert dev.suppressed_by is None and link.suppressed_by == dev.fingerprint
    link2, dev2 = link_down("q7-uplink-metronet", at=100.0), down("q7-sw1", at=100.0)
    run([dev2, link2])
    assert link2.suppressed_by is None and dev2.suppressed_by == link2.fingerprint


def test_notified_link_down_stays_root_when_older_unreachable_arrives() -> None:
    link = link_down("q7-uplink-metronet", at=105.0)
    run([link])
    link.notified = True
    dev = down("q7-sw1", at=90.0)
    [inc] = run([link, dev])
    assert inc.root is link and dev.suppressed_by == link.fingerprint


def test_notified_unreachable_stays_root_when_link_down_comes_later() -> None:
    dev = down("q7-sw1", at=105.0)
    run([dev])
    dev.notified = True
    link, ward = link_down("q7-uplink-metronet", at=100.0), down("q7-tp-sw1", at=106.0)
    [inc] = run([link, dev, ward])
    assert inc.root is dev
    assert link.suppressed_by == dev.fingerprint and ward.suppressed_by == dev.fingerprint
    assert inc.title == "q7-sw1 unreachable: Quận 7 and 3 wards isolated, 9 devices affected"


def test_later_upstream_root_takes_only_alerts_not_yet_notified() -> None:
    ward, ward_ws = down("q7-tp-sw1", at=100.0), down("q7-tp-ws1", at=100.0)
    run([ward, ward_ws])
    ward.notified = True  # the ward already paged, as a root
    district = down("q7-sw1", at=110.0)
    other_ward = down("q7-tt-sw1", at=100.0)
    incidents = run([ward, ward_ws, district, other_ward])
    assert {i.root.subject for i in incidents} == {"q7-tp-sw1", "q7-sw1"}
    assert ward.suppressed_by is None and ward_ws.suppressed_by == ward.fingerprint
    assert other_ward.suppressed_by == district.fingerprint


def test_dual_homed_site_losing_one_path_is_one_redundancy_incident() -> None:
    link = link_down("so-tc-uplink-tslcd")
    red = alert("redundancy_lost", "SO-TC", agency="SO-TC", severity="major",
                labels={"links": "so-tc-uplink-tslcd"}, summary="SO-TC redundancy lost")
    cpu = health("cpu_high", "so-tc-sw1")
    incidents = run([link, red, cpu])
    by_root = {i.root.rule: i for i in incidents}
    assert set(by_root) == {"redundancy_lost", "cpu_high"}
    inc = by_root["redundancy_lost"]
    assert inc.members == [link] and link.suppressed_by == red.fingerprint
    assert cpu.suppressed_by is None
    assert inc.title == "Redundancy lost at Sở Tài chính: so-tc-uplink-tslcd down"
    assert title_vi(inc, CAT) == "Mất dự phòng tại Sở Tài chính: so-tc-uplink-tslcd bị đứt"
    assert inc.affected_agencies == []
    assert [c.agency for c in inc.contacts] == ["SO-TC"]


def test_dual_homed_site_losing_both_paths_is_isolated() -> None:
    links = [link_down("so-tc-uplink-metronet", at=100.0),
             link_down("so-tc-uplink-tslcd", at=102.0)]
    devs = [down("so-tc-sw1", at=103.0), down("so-tc-ws1", at=103.0)]
    [inc] = run([*devs, *links])
    assert inc.root is links[0]
    assert inc.affected_agencies == ["SO-TC"]
    assert inc.title == ("Sở Tài chính isolated: uplinks so-tc-uplink-metronet, "
                         "so-tc-uplink-tslcd down, 2 devices affected")


def test_dual_homed_device_with_one_dead_upstream_is_not_suppressed() -> None:
    core, sw = down("core2"), health("cpu_high", "so-tc-sw1")
    red = alert("redundancy_lost", "SO-TC", agency="SO-TC", labels={"links": "so-tc-uplink-tslcd"})
    run([core, sw, red])
    assert sw.suppressed_by is None
    assert red.suppressed_by == core.fingerprint  # the lost path is explained by core2


def test_core_router_down_isolates_single_homed_agencies_only() -> None:
    core = down("core1")
    alerts = [core, link_down("q7-uplink-metronet"), *(down(n) for n in Q7_ALL),
              alert("redundancy_lost", "SO-TC", agency="SO-TC",
                    labels={"links": "so-tc-uplink-metronet"})]
    [inc] = run(alerts)
    assert inc.root is core
    assert inc.affected_agencies == ["Q7", "Q7-PM", "Q7-TP", "Q7-TT"]
    assert inc.title == ("core1 unreachable: 1 district and 3 wards isolated, "
                         "10 devices affected")


def test_health_alerts_of_an_unreachable_device_join_its_incident() -> None:
    dev, cpu, iface = (down("q7-srv1"), health("memory_high", "q7-srv1"),
                       alert("interface_down", "q7-srv1/3", device="q7-srv1"))
    [inc] = run([cpu, iface, dev])
    assert inc.root is dev and {cpu.suppressed_by, iface.suppressed_by} == {dev.fingerprint}
    assert inc.title == "q7-srv1 does not answer ping or SNMP, 2 related alerts"
    assert inc.affected_agencies == [] and inc.affected_devices == 1


def test_interface_down_at_a_link_end_joins_the_link_down() -> None:
    link = link_down("q7-tp-uplink-metronet")
    iface = alert("interface_down", "q7-sw1/3", device="q7-sw1")
    run([iface, link])
    assert iface.suppressed_by == link.fingerprint


def test_unknown_topology_keeps_plain_alerts() -> None:
    empty = Catalog(CAT.agencies, CAT.devices, ())
    alerts = [down("q7-sw1"), down("q7-tp-sw1"), down("elsewhere"),
              alert("poller_lagging", "noc:poller", severity="warning"),
              alert("snmp_auth_failure", "trap:127.0.0.9", severity="info")]
    incidents = assign(alerts, Topology.build(empty), empty)
    assert len(incidents) == 5 and all(a.suppressed_by is None for a in alerts)
    assert [i.root.severity for i in incidents] == ["critical"] * 3 + ["warning", "info"]


def test_resolved_alerts_are_left_alone_and_sorting_is_worst_then_oldest() -> None:
    old = alert("cpu_high", "q7-srv1", device="q7-srv1", severity="warning", at=50.0)
    new = alert("disk_full", "q7-sw1", device="q7-sw1", severity="warning", at=90.0)
    crit = down("q7-tp-sw1", at=95.0)
    gone = down("q7-sw1", at=10.0)
    gone.state, gone.suppressed_by, gone.incident = AlertState.RESOLVED, "x", "x"
    incidents = run([new, gone, old, crit])
    assert [i.root for i in incidents] == [crit, old, new]
    assert (gone.suppressed_by, gone.incident) == ("x", "x")


def test_pending_upstream_suppresses_too() -> None:
    upstream = down("q7-sw1")
    upstream.state, upstream.fired_at = AlertState.PENDING, None
    ward = down("q7-pm-sw1")
    run([ward, upstream])
    assert ward.suppressed_by == upstream.fingerprint
