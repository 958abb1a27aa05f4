"""Topology: parents from links, LLDP and sites; order, depth, what a failure cuts off."""

from __future__ import annotations

from collectors.base import Neighbor
from inventory.catalog import CatAgency, Catalog, CatDevice, CatLink
from noc.alerting.topology import Topology

WARDS = (("Q7-TP", "Phường Tân Phong"), ("Q7-TT", "Phường Tân Thuận Tây"),
         ("Q7-PM", "Phường Phú Mỹ"))


def _dev(name: str, agency: str, cls: str, monitoring: str = "snmp",
         site: str | None = None) -> CatDevice:
    return CatDevice(name, agency, site or agency, cls, f"127.9.0.{abs(hash(name)) % 250 + 1}",
                     161, "lab" if monitoring == "snmp" else None, monitoring)


def city() -> Catalog:
    """Two core routers; Quận 7 behind core1 with 3 wards; Sở Tài chính dual-homed."""
    agencies = {
        "TTDL": CatAgency("TTDL", "city", "Trung tâm Dữ liệu", "Data Center", None),
        "Q7": CatAgency("Q7", "district", "Quận 7", "District 7", None, "Lê Văn Bảy",
                        "028 3777 0007", "q7@example.org"),
        "SO-TC": CatAgency("SO-TC", "department", "Sở Tài chính", "Department of Finance",
                           None, "Trần Thị Tư", "", "sotc@example.org"),
    }
    devices = [_dev("core1", "TTDL", "router"), _dev("core2", "TTDL", "router"),
               _dev("q7-sw1", "Q7", "distribution_switch"), _dev("q7-srv1", "Q7", "server"),
               _dev("q7-ws1", "Q7", "workstation", "icmp"),
               _dev("so-tc-sw1", "SO-TC", "access_switch"),
               _dev("so-tc-ws1", "SO-TC", "workstation", "icmp")]
    links = [CatLink("q7-uplink-metronet", "core1", 10, "q7-sw1", 1, "metronet", 1000),
             CatLink("q7-srv1-lan", "q7-sw1", 2, "q7-srv1", 1, "lan", 1000),
             CatLink("so-tc-uplink-metronet", "core1", 11, "so-tc-sw1", 1, "metronet", 1000),
             CatLink("so-tc-uplink-tslcd", "core2", 12, "so-tc-sw1", 2, "tslcd", 100)]
    for number, (code, name) in enumerate(WARDS, start=3):
        prefix = code.lower()
        agencies[code] = CatAgency(code, "ward", name, name, "Q7", f"Contact {code}", "",
                                   f"{prefix}@example.org")
        devices += [_dev(f"{prefix}-sw1", code, "access_switch"),
                    _dev(f"{prefix}-ws1", code, "workstation", "icmp")]
        links.append(CatLink(f"{prefix}-uplink-metronet", "q7-sw1", number, f"{prefix}-sw1", 1,
                             "metronet", 100))
    return Catalog(agencies, {d.name: d for d in devices}, tuple(links))


def with_extra(catalog: Catalog, devices: list[CatDevice], links: list[CatLink]) -> Catalog:
    return Catalog(catalog.agencies, {**catalog.devices, **{d.name: d for d in devices}},
                   catalog.links + tuple(links))


def assert_parents_first(topo: Topology) -> None:
    order = topo.order()
    position = {name: i for i, name in enumerate(order)}
    for name in order:
        for parent, _ in topo.parents(name):
            assert position[parent] < position[name], (parent, name)


def test_inventory_links_make_the_a_end_the_parent() -> None:
    topo = Topology.build(city())
    assert topo.parents("q7-sw1") == [("core1", "q7-uplink-metronet")]
    assert topo.parents("q7-tp-sw1") == [("q7-sw1", "q7-tp-uplink-metronet")]
    assert topo.parents("core1") == []
    assert (topo.depth("core1"), topo.depth("q7-sw1"), topo.depth("q7-tp-sw1")) == (0, 1, 2)
    assert topo.depth("nowhere") == -1 and topo.parents("nowhere") == []
    assert_parents_first(topo)
    assert len(topo.order()) == len(city().devices)


def test_icmp_assets_hang_off_their_site_switch() -> None:
    topo = Topology.build(city())
    assert topo.parents("q7-tp-ws1") == [("q7-tp-sw1", None)]
    assert topo.parents("q7-ws1") == [("q7-sw1", None)]  # servers are not network devices
    assert topo.depth("q7-tp-ws1") == 3


def test_asset_at_a_site_without_network_device_has_no_parent() -> None:
    lone = _dev("kho-ws1", "Q7", "workstation", "icmp", site="Q7-KHO")
    topo = Topology.build(with_extra(city(), [lone], []))
    assert topo.parents("kho-ws1") == []
    assert topo.behind("q7-uplink-metronet").isdisjoint({"kho-ws1"})


def test_behind_a_link_or_device_is_what_it_isolates() -> None:
    topo = Topology.build(city())
    wards = {f"{c.lower()}-{d}" for c, _ in WARDS for d in ("sw1", "ws1")}
    assert topo.behind("q7-uplink-metronet") == {"q7-sw1", "q7-srv1", "q7-ws1", *wards}
    assert topo.behind("q7-sw1") == {"q7-srv1", "q7-ws1", *wards}
    assert topo.behind("q7-tp-sw1") == {"q7-tp-ws1"}
    assert topo.behind("no-such-thing") == set()


def test_dual_homed_device_is_behind_neither_uplink_alone() -> None:
    topo = Topology.build(city())
    assert topo.is_dual_homed("so-tc-sw1") and not topo.is_dual_homed("q7-sw1")
    assert topo.behind("so-tc-uplink-metronet") == set()
    assert topo.behind("core2") == set()
    assert {"so-tc-sw1", "so-tc-ws1"}.isdisjoint(topo.behind("core1"))
    assert sorted(ln.name for ln in topo.uplinks_of_agency("SO-TC")) == [
        "so-tc-uplink-metronet", "so-tc-uplink-tslcd"]
    assert [ln.name for ln in topo.uplinks_of_agency("Q7-TP")] == ["q7-tp-uplink-metronet"]
    assert topo.uplinks_of_agency("TTDL") == []


def test_lldp_neighbour_closer_to_the_core_becomes_the_parent() -> None:
    extra = _dev("q7-kho-sw1", "Q7", "access_switch", site="Q7-KHO")
    catalog = with_extra(city(), [extra], [])
    assert Topology.build(catalog).parents("q7-kho-sw1") == []
    neighbors = {"q7-kho-sw1": [Neighbor("Gi0/1", "Q7-SW1.metronet.local"),
                                Neighbor("Gi0/2", "q7-tp-sw1"),  # deeper: not a parent
                                Neighbor("Gi0/3", "unknown-box")]}
    topo = Topology.build(catalog, neighbors)
    assert topo.parents("q7-kho-sw1") == [("q7-sw1", None)]
    assert "q7-kho-sw1" in topo.behind("q7-uplink-metronet")
    assert_parents_first(topo)


def test_lldp_seen_from_the_other_side_counts_and_does_not_override_links() -> None:
    extra = _dev("q7-kho-sw1", "Q7", "access_switch", site="Q7-KHO")
    neighbors = {"q7-sw1": [Neighbor("Gi0/9", "q7-kho-sw1")],
                 "q7-tp-sw1": [Neighbor("Gi0/9", "core2")]}  # has an inventory uplink
    topo = Topology.build(with_extra(city(), [extra], []), neighbors)
    assert topo.parents("q7-kho-sw1") == [("q7-sw1", None)]
    assert topo.parents("q7-tp-sw1") == [("q7-sw1", "q7-tp-uplink-metronet")]


def test_cycles_and_missing_devices_do_not_crash() -> None:
    loop = [_dev(n, "Q7", "access_switch", site="Q7-LOOP") for n in ("x1", "x2", "x3")]
    island = [_dev(n, "Q7", "access_switch", site="Q7-ISLE") for n in ("y1", "y2")]
    links = [CatLink("to-x1", "q7-sw1", 20, "x1", 1, "lan", 1000),
             CatLink("x1-x2", "x1", 2, "x2", 1, "lan", 1000),
             CatLink("x2-x3", "x2", 2, "x3", 1, "lan", 1000),
             CatLink("x3-x1", "x3", 2, "x1", 3, "lan", 1000),  # closes a loop
             CatLink("y1-y2", "y1", 1, "y2", 1, "lan", 1000),
             CatLink("y2-y1", "y2", 2, "y1", 2, "lan", 1000),  # a loop with no way to a root
             CatLink("ghost", "q7-sw1", 30, "not-in-inventory", 1, "lan", 1000),
             CatLink("self", "x2", 5, "x2", 6, "lan", 1000)]
    topo = Topology.build(with_extra(city(), loop + island, links))
    assert_parents_first(topo)
    assert set(topo.order()) >= {"x1", "x2", "x3", "y1", "y2"}
    assert topo.parents("x1") == [("q7-sw1", "to-x1")]
    assert topo.behind("to-x1") == {"x1", "x2", "x3"}
    assert topo.depth("x3") == 4  # core1 > q7-sw1 > x1 > x2 > x3
    assert len([n for n in ("y1", "y2") if topo.parents(n)]) == 1
    assert topo.behind("not-in-inventory") == set()


def test_link_at_names_the_link_of_an_interface() -> None:
    topo = Topology.build(city())
    assert topo.link_at("core1", 10) == "q7-uplink-metronet"
    assert topo.link_at("q7-sw1", 1) == "q7-uplink-metronet"
    assert topo.link_at("q7-sw1", 99) is None
    assert topo.polled_of_agency("Q7") == {"q7-sw1", "q7-srv1"}


def test_core_pair_interlink_is_a_peer_link_not_an_uplink() -> None:
    interlink = CatLink("core-interlink", "core1", 1, "core2", 1, "lan", 10000)
    topo = Topology.build(with_extra(city(), [], [interlink]))
    assert topo.parents("core2") == [] and topo.depth("core2") == 0
    assert "core2" not in topo.behind("core1")
    assert "so-tc-sw1" not in topo.behind("core1")  # dual-homed to core1 and core2
    assert "q7-sw1" in topo.behind("core1")
    # two switches stacked at one ward site stay parent and child (only one serves others)
    stack = _dev("q7-tp-sw2", "Q7-TP", "access_switch")
    topo = Topology.build(with_extra(city(), [stack], [
        CatLink("q7-tp-stack", "q7-tp-sw1", 24, "q7-tp-sw2", 24, "lan", 1000)]))
    assert topo.parents("q7-tp-sw2") == [("q7-tp-sw1", "q7-tp-stack")]
