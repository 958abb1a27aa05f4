from collectors.base import InterfaceSample
from inventory.catalog import CatAgency, Catalog, CatDevice, CatLink
from noc.state import DeviceState, InterfaceState
from noc.status import agency_statuses, busiest_links, connected_counts, link_loads


def catalog() -> Catalog:
    agencies = {
        "Q7": CatAgency("Q7", "district", "Quận 7", "District 7", None),
        "Q7-TP": CatAgency("Q7-TP", "ward", "Phường Tân Phong", "Tan Phong Ward", "Q7"),
        "SO-TC": CatAgency("SO-TC", "department", "Sở Tài chính", "Department of Finance", None),
        "DC": CatAgency("DC", "city", "Trung tâm Dữ liệu", "Data Center", None),
    }
    dev = {
        "core": CatDevice("core", "DC", "DC", "router", "127.20.0.1", 161, "lab", "snmp"),
        "q7-sw1": CatDevice("q7-sw1", "Q7", "Q7", "distribution_switch", "127.22.7.1", 161,
                            "lab", "snmp"),
        "q7-tp-sw1": CatDevice("q7-tp-sw1", "Q7-TP", "Q7-TP", "access_switch", "127.23.0.1",
                               161, "lab", "snmp"),
        "so-tc-sw1": CatDevice("so-tc-sw1", "SO-TC", "SO-TC", "access_switch", "127.21.1.1",
                               161, "lab", "snmp"),
    }
    links = (
        CatLink("q7-uplink", "core", 1, "q7-sw1", 1, "metronet", 1000),
        CatLink("q7-tp-uplink", "q7-sw1", 2, "q7-tp-sw1", 1, "metronet", 100),
        CatLink("so-tc-metronet", "core", 3, "so-tc-sw1", 1, "metronet", 1000),
        CatLink("so-tc-tslcd", "core", 4, "so-tc-sw1", 2, "tslcd", 100),
    )
    return Catalog(agencies, dev, links)


def iface(index: int, oper: int = 1, in_rate: float = 0.0) -> InterfaceState:
    state = InterfaceState(InterfaceSample(if_index=index, oper_status=oper, admin_status=1))
    state.rates = {"in_octets": in_rate, "out_octets": in_rate / 2}
    return state


def states(**up: bool) -> dict[str, DeviceState]:
    out = {}
    for name, is_up in up.items():
        dev = DeviceState(name.replace("_", "-"), up=is_up, since=100.0)
        dev.interfaces = {1: iface(1), 2: iface(2), 3: iface(3), 4: iface(4)}
        out[dev.name] = dev
    return out


def by_code(cat: Catalog, devs: dict[str, DeviceState]) -> dict[str, tuple[str, str]]:
    return {s.code: (s.status, s.reason) for s in agency_statuses(cat, devs)}


def test_all_up_all_connected():
    cat = catalog()
    devs = states(core=True, q7_sw1=True, q7_tp_sw1=True, so_tc_sw1=True)
    assert {c: s for c, (s, _) in by_code(cat, devs).items()} == dict.fromkeys(
        ["Q7", "Q7-TP", "SO-TC", "DC"], "up")
    counts = connected_counts(agency_statuses(cat, devs))
    assert counts == {"department": (1, 1), "district": (1, 1), "ward": (1, 1)}


def test_ward_behind_dead_district_is_down_because_of_upstream():
    cat = catalog()
    result = by_code(cat, states(core=True, q7_sw1=False, q7_tp_sw1=False, so_tc_sw1=True))
    assert result["Q7"][0] == "down"
    assert "upstream" not in result["Q7"][1]
    assert result["Q7-TP"] == ("down", "upstream q7-sw1 down")
    assert result["SO-TC"][0] == "up"


def test_dual_homed_agency_losing_one_path_is_degraded_not_down():
    cat = catalog()
    devs = states(core=True, q7_sw1=True, q7_tp_sw1=True, so_tc_sw1=True)
    devs["so-tc-sw1"].interfaces[2] = iface(2, oper=2)
    devs["so-tc-sw1"].interfaces[2].oper_since = 1234.0
    status, reason = by_code(cat, devs)["SO-TC"]
    assert status == "degraded"
    assert next(s for s in agency_statuses(cat, devs) if s.code == "SO-TC").since == 1234.0
    assert "redundancy lost" in reason and "so-tc-tslcd" in reason


def test_never_polled_is_unknown_and_not_counted_connected():
    cat = catalog()
    statuses = agency_statuses(cat, {})
    assert {s.status for s in statuses} == {"unknown"}
    assert connected_counts(statuses)["ward"] == (0, 1)


def test_busiest_links_ordered_by_utilization_of_link_bandwidth():
    cat = catalog()
    devs = states(core=True, q7_sw1=True, q7_tp_sw1=True, so_tc_sw1=True)
    devs["core"].interfaces[1] = iface(1, in_rate=100e6 / 8)  # 100 Mbit/s on a 1 Gbit/s link
    devs["q7-sw1"].interfaces[2] = iface(2, in_rate=50e6 / 8)  # 50 Mbit/s on a 100 Mbit/s link
    top = busiest_links(link_loads(cat, devs), 2)
    assert [ld.link.name for ld in top] == ["q7-tp-uplink", "q7-uplink"]
    assert abs((top[0].utilization or 0) - 0.5) < 1e-9
