"""Behaviour of the lab city topology generator."""

from __future__ import annotations

import bz2
import ipaddress
import unicodedata
from collections import Counter, defaultdict, deque
from pathlib import Path

import pytest

from noc.lab.model import AgencyKind, DeviceRole, LabTopology, Network
from noc.lab.topology import SCALES, build_topology, lab_summary
from noc.lab.topology_fleet import RECORDINGS

LAB_NET = ipaddress.ip_network("127.20.0.0/14")
FORBIDDEN_NET = ipaddress.ip_network("127.0.0.0/16")

# Ethernet ports (ifType 6/62/117) of each recording, counted in the snmpsim-data files:
# port ordinals must not exceed them.
PORT_LIMITS = {
    "network/router/juniper-mx960-13-3r9-13.snmprec.bz2": 49,
    "network/router/juniper-mx960-12-3r6-6.snmprec.bz2": 57,
    "network/router/vyatta-unknown.snmprec.bz2": 22,
    "network/switch/cisco-n5000.snmprec.bz2": 33,
    "cloud/arista-dcs-7150s-52-cl.snmprec.bz2": 53,
    "network/firewall/paloalto-pa-5000.snmprec.bz2": 29,
    "network/router/huawei-s5720.snmprec.bz2": 33,
    "network/switch/h3c-e528-2.snmprec.bz2": 28,
    "network/switch/ruijie-s5750-24gt12sfp.snmprec.bz2": 24,
    "network/switch/cisco-c3560.snmprec.bz2": 52,
    "network/switch/cisco-c3750.snmprec.bz2": 12,
    "network/switch/dlink-des3038.snmprec.bz2": 28,
    "network/switch/maipu-sm4200-16gef8ge-ac.snmprec.bz2": 24,
    "network/switch/brocade-icx6430-24.snmprec.bz2": 29,
    "os/linux/unknown-002.snmprec.bz2": 9,
    "os/linux/unknown-006.snmprec.bz2": 10,
    "os/linux/ibm-x3550-m3.snmprec.bz2": 3,
    "UPS/apc-8641.snmprec": 1,
}


@pytest.fixture(scope="module")
def small() -> LabTopology:
    return build_topology("small")


@pytest.fixture(scope="module")
def city() -> LabTopology:
    return build_topology("city")


@pytest.fixture(scope="module", params=SCALES)
def topo(request: pytest.FixtureRequest) -> LabTopology:
    scale: str = request.param
    return build_topology(scale)


def snmp_count(topo: LabTopology) -> int:
    return sum(1 for dev in topo.devices if dev.snmp)


def has_diacritics(text: str) -> bool:
    return "đ" in text.lower() or any(
        unicodedata.category(ch) == "Mn" for ch in unicodedata.normalize("NFD", text)
    )


def reachable(topo: LabTopology) -> set[str]:
    neighbours: defaultdict[str, set[str]] = defaultdict(set)
    for link in topo.links:
        neighbours[link.a_device].add(link.b_device)
        neighbours[link.b_device].add(link.a_device)
    seen = set(topo.core_devices)
    queue = deque(topo.core_devices)
    while queue:
        for other in neighbours[queue.popleft()] - seen:
            seen.add(other)
            queue.append(other)
    return seen


def test_scales_are_named() -> None:
    assert SCALES == ("small", "medium", "city")


def test_default_scale_is_small() -> None:
    assert build_topology().scale == "small"


def test_unknown_scale_raises_naming_accepted_ones() -> None:
    with pytest.raises(ValueError, match=r"small.*medium.*city"):
        build_topology("galaxy")


@pytest.mark.parametrize("scale", SCALES)
def test_deterministic(scale: str) -> None:
    assert build_topology(scale) == build_topology(scale)


def test_unique_identifiers(topo: LabTopology) -> None:
    for values in (
        [dev.name for dev in topo.devices],
        [dev.address for dev in topo.devices],
        [site.code for site in topo.sites],
        [agency.code for agency in topo.agencies],
        [link.name for link in topo.links],
    ):
        assert len(values) == len(set(values))


def test_addresses_in_lab_range(topo: LabTopology) -> None:
    for dev in topo.devices:
        address = ipaddress.ip_address(dev.address)
        assert address in LAB_NET, dev
        assert address not in FORBIDDEN_NET, dev
        assert dev.address.rsplit(".", 1)[1] not in ("0", "255"), dev


def test_hostnames_ascii_lowercase(topo: LabTopology) -> None:
    for dev in topo.devices:
        assert dev.name.isascii(), dev.name
        assert dev.name == dev.name.lower(), dev.name
        assert " " not in dev.name


def test_codes_ascii(topo: LabTopology) -> None:
    assert all(agency.code.isascii() for agency in topo.agencies)
    assert all(site.code.isascii() for site in topo.sites)


def test_every_site_and_device_belongs_somewhere(topo: LabTopology) -> None:
    agencies = {agency.code for agency in topo.agencies}
    sites = {site.code for site in topo.sites}
    assert {site.agency for site in topo.sites} == agencies
    assert {dev.site for dev in topo.devices} <= sites


def test_wards_have_existing_district_parent(topo: LabTopology) -> None:
    kinds = {agency.code: agency.kind for agency in topo.agencies}
    wards = [agency for agency in topo.agencies if agency.kind is AgencyKind.WARD]
    assert wards
    for ward in wards:
        assert ward.parent is not None
        assert kinds.get(ward.parent) is AgencyKind.DISTRICT, ward


def test_single_city_agency_owns_datacenter(topo: LabTopology) -> None:
    city_agencies = [a for a in topo.agencies if a.kind is AgencyKind.CITY]
    assert [a.code for a in city_agencies] == ["TTDL"]
    dc = next(site for site in topo.sites if site.code == "DC")
    assert dc.agency == "TTDL"
    assert dc.role == "datacenter"


def test_site_roles_and_coordinates(topo: LabTopology) -> None:
    for site in topo.sites:
        assert site.role in ("datacenter", "agency_office", "one_stop_desk")
        assert 10.3 < site.latitude < 11.2, site
        assert 106.3 < site.longitude < 107.1, site
        assert "Thành phố Hồ Chí Minh" in site.address


def test_wards_near_their_district(city: LabTopology) -> None:
    sites = {site.code: site for site in city.sites}
    for agency in city.agencies:
        if agency.kind is AgencyKind.WARD:
            ward, district = sites[agency.code], sites[str(agency.parent)]
            assert abs(ward.latitude - district.latitude) < 0.06
            assert abs(ward.longitude - district.longitude) < 0.06


def test_city_counts(city: LabTopology) -> None:
    kinds = Counter(agency.kind for agency in city.agencies)
    assert kinds[AgencyKind.DEPARTMENT] == 34
    assert kinds[AgencyKind.DISTRICT] == 24
    assert 300 <= kinds[AgencyKind.WARD] <= 330
    assert snmp_count(city) >= 400
    assert len(city.devices) - snmp_count(city) >= 1000


def test_small_counts(small: LabTopology) -> None:
    kinds = Counter(agency.kind for agency in small.agencies)
    assert kinds[AgencyKind.DEPARTMENT] == 3
    assert kinds[AgencyKind.DISTRICT] == 3
    assert 30 <= snmp_count(small) <= 50


def test_medium_between_small_and_city(small: LabTopology, city: LabTopology) -> None:
    medium = build_topology("medium")
    assert snmp_count(small) < snmp_count(medium) < snmp_count(city)
    assert 120 <= snmp_count(medium) <= 180


def test_core_devices_are_core_routers(topo: LabTopology) -> None:
    assert len(topo.core_devices) == 2
    for name in topo.core_devices:
        dev = topo.device(name)
        assert dev.role is DeviceRole.ROUTER
        assert dev.site == "DC"


def test_every_snmp_device_reachable_from_core(topo: LabTopology) -> None:
    seen = reachable(topo)
    missing = [dev.name for dev in topo.devices if dev.snmp and dev.name not in seen]
    assert missing == []


def test_link_endpoints_are_snmp_devices(topo: LabTopology) -> None:
    snmp = {dev.name for dev in topo.devices if dev.snmp}
    for link in topo.links:
        assert link.a_device in snmp, link
        assert link.b_device in snmp, link
        assert link.a_device != link.b_device


def test_icmp_only_assets(topo: LabTopology) -> None:
    icmp_roles = {DeviceRole.WORKSTATION, DeviceRole.KIOSK, DeviceRole.PRINTER}
    for dev in topo.devices:
        assert (dev.recording is None) == (dev.role in icmp_roles), dev


def test_port_ordinals_within_recording(topo: LabTopology) -> None:
    recordings = {dev.name: dev.recording for dev in topo.devices}
    for link in topo.links:
        for name, port in ((link.a_device, link.a_port), (link.b_device, link.b_port)):
            assert 1 <= port <= PORT_LIMITS[str(recordings[name])], (link, name)


def _ethernet_ports(path: Path) -> int:
    raw = path.read_bytes()
    if path.suffix == ".bz2":
        raw = bz2.decompress(raw)
    fields = (line.split("|") for line in raw.decode("latin-1").splitlines())
    return sum(
        1 for parts in fields
        if len(parts) == 3 and parts[0].startswith("1.3.6.1.2.1.2.2.1.3.")
        and parts[2] in ("6", "62", "117")
    )


def test_catalogue_matches_recordings() -> None:
    import snmpsim_data as data
    root = Path(data.__file__).parent / "data"
    assert set(RECORDINGS) == set(PORT_LIMITS)
    for recording, ports in PORT_LIMITS.items():
        assert RECORDINGS[recording].ports == ports
        assert _ethernet_ports(root / recording) == ports, recording


def test_uplink_ports(topo: LabTopology) -> None:
    leaves = (DeviceRole.SERVER, DeviceRole.UPS)
    for link in topo.links:
        if topo.device(link.b_device).role in leaves or link.network in (
            Network.METRONET, Network.INTERNET_VPN
        ):
            assert link.b_port == 1, link
        if link.network is Network.TSLCD:
            assert link.b_port == 2, link
        assert topo.device(link.a_device).role not in leaves


def test_ports_not_shared_when_room(small: LabTopology) -> None:
    used = Counter((name, port) for link in small.links
                   for name, port in ((link.a_device, link.a_port), (link.b_device, link.b_port)))
    assert max(used.values()) == 1


def test_dual_homed_department(topo: LabTopology) -> None:
    networks: defaultdict[str, set[Network]] = defaultdict(set)
    for link in topo.links:
        networks[topo.device(link.b_device).site].add(link.network)
    dual = [site for site, nets in networks.items() if {Network.METRONET, Network.TSLCD} <= nets]
    kinds = {agency.code: agency.kind for agency in topo.agencies}
    assert dual
    assert all(kinds[site] is AgencyKind.DEPARTMENT for site in dual)


def test_internet_vpn_ward(topo: LabTopology) -> None:
    kinds = {agency.code: agency.kind for agency in topo.agencies}
    vpn = [link for link in topo.links if link.network is Network.INTERNET_VPN]
    assert vpn
    for link in vpn:
        assert kinds[topo.device(link.b_device).site] is AgencyKind.WARD
        assert topo.device(link.a_device).site == "DC"


def test_vpn_wards_are_few(city: LabTopology) -> None:
    wards = sum(1 for agency in city.agencies if agency.kind is AgencyKind.WARD)
    vpn = sum(1 for link in city.links if link.network is Network.INTERNET_VPN)
    assert 0.02 * wards <= vpn <= 0.08 * wards


def test_ward_uplinks_go_to_own_district(city: LabTopology) -> None:
    parents = {agency.code: agency.parent for agency in city.agencies}
    for link in city.links:
        if link.network is Network.METRONET and parents.get(city.device(link.b_device).site):
            assert city.device(link.a_device).site == parents[city.device(link.b_device).site]


def test_counter_bits_and_snmp_versions(small: LabTopology, city: LabTopology) -> None:
    assert any(d.counter_bits == 32 and d.role is DeviceRole.ACCESS_SWITCH for d in small.devices)
    assert any(d.snmp_version == "3" and d.site == "DC" and d.snmp for d in small.devices)
    snmp = [dev for dev in city.devices if dev.snmp]
    assert 0.04 <= sum(dev.counter_bits == 32 for dev in snmp) / len(snmp) <= 0.2
    assert {dev.counter_bits for dev in city.devices} == {32, 64}
    assert {dev.snmp_version for dev in city.devices} == {"2c", "3"}


def test_mixed_vendor_fleet(city: LabTopology) -> None:
    vendors = {dev.vendor for dev in city.devices if dev.snmp}
    assert {"Juniper", "Cisco", "D-Link", "Huawei", "Palo Alto Networks", "APC"} <= vendors
    for dev in city.devices:
        if dev.snmp:
            assert dev.vendor, dev
            assert dev.model, dev
            assert dev.serial.startswith("VN"), dev


def test_traffic_ranges(city: LabTopology) -> None:
    for dev in city.devices:
        if dev.name in city.core_devices:
            assert 200 <= dev.traffic_mbps <= 800
        elif dev.role is DeviceRole.DISTRIBUTION_SWITCH:
            assert 20 <= dev.traffic_mbps <= 100
        elif dev.role is DeviceRole.ACCESS_SWITCH:
            assert 1 <= dev.traffic_mbps <= 10
        elif dev.role is DeviceRole.SERVER:
            assert 5 <= dev.traffic_mbps <= 50


def test_vietnamese_names_with_diacritics(city: LabTopology) -> None:
    names_vi = {agency.name_vi for agency in city.agencies}
    assert "Phường Bến Nghé" in names_vi
    assert "Sở Thông tin và Truyền thông" in names_vi
    assert "Huyện Củ Chi" in names_vi
    assert "Thị trấn Củ Chi" in names_vi
    assert sum(has_diacritics(name) for name in names_vi) > 0.9 * len(names_vi)


def test_english_names_ascii(city: LabTopology) -> None:
    by_code = {agency.code: agency for agency in city.agencies}
    assert by_code["Q1"].name_en == "District 1"
    assert by_code["BTHANH"].name_en == "Binh Thanh District"
    assert by_code["CUCHI"].name_en == "Cu Chi District"
    assert by_code["Q1-BN"].name_en == "Ben Nghe Ward"
    assert by_code["Q3-P01"].name_en == "Ward 1, District 3"
    assert all(agency.name_en.isascii() for agency in city.agencies)


def test_contacts_fictional(topo: LabTopology) -> None:
    for agency in topo.agencies:
        assert agency.contact_email.endswith("@tphcm.gov.vn.example"), agency
        assert agency.contact_phone.startswith("028 3"), agency
        assert len(agency.contact_name.split()) >= 3


def test_lab_summary(small: LabTopology) -> None:
    summary = lab_summary(small)
    assert summary["agencies_department"] == 3
    assert summary["agencies_district"] == 3
    assert summary["agencies_city"] == 1
    assert summary["snmp_devices"] == snmp_count(small)
    assert summary["links"] == len(small.links)
    assert summary["devices_router"] == 3
    assert summary["links_internet_vpn"] >= 1
    assert sum(v for k, v in summary.items() if k.startswith("devices_")) == len(small.devices)
