"""The simulated city network: agencies, sites, devices and links.

:func:`build_topology` is a pure, deterministic function of the scale name. The
network is a two-level star around the city data center ("DC", agency "TTDL"):

* the DC has two core routers ``dc-core-r1``/``dc-core-r2`` (the roots of
  reachability), core switches, a firewall, an internet-VPN edge router, a UPS
  and servers, all linked to the core routers (directly or via a core switch);
* each department (Sở/ngành) has one switch with a metronet uplink to a core
  router (alternating r1/r2); every third department is dual-homed with a second
  uplink on the TSLCD network to the other core router;
* each district (quận/huyện) has a distribution switch with a metronet uplink to
  a core router (alternating), and servers behind it on the LAN;
* each ward (phường/xã/thị trấn) has an access switch uplinked over metronet to
  its district's switch, except about 5% that hang off an internet-VPN link to
  the DC VPN edge router (rural communes are twice as likely).

Workstations, printers and kiosks answer ICMP only: they have no recording and
no links, they just sit at a site.

Addresses (all inside 127.20.0.0/14, host part never 0 or 255):

* ``127.20.0.x``: the data center;
* ``127.21.<d>.x``: department number ``d`` (1-based position in
  :data:`noc.lab.names.DEPARTMENTS`);
* ``127.22.<n>.x``: district number ``n`` (1-based position in
  :data:`noc.lab.names.DISTRICTS`);
* ``127.23.<w // 16>.<16 * (w % 16) + 1..14>``: ward ``w`` (0-based position
  among all wards of all districts), a block of 14 addresses per ward.

Positions are those of the full city, so a device keeps its address whatever
the scale.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from noc.lab import names
from noc.lab.model import AgencyKind, LabAgency, LabSite, LabTopology
from noc.lab.names import CITY_VI, Department, District, Ward
from noc.lab.topology_fleet import (
    CORE_NAMES,
    Fleet,
    build_datacenter,
    build_department,
    build_district,
    build_ward,
    fraction,
    rng,
    ward_has_kiosk,
)

SCALES: tuple[str, ...] = ("small", "medium", "city")

DC_AGENCY = LabAgency("TTDL", AgencyKind.CITY, "Trung tâm Dữ liệu Thành phố", "City Data Center")
DC_ADDRESS = f"Công viên phần mềm Quang Trung, Phường Tân Chánh Hiệp, Quận 12, {CITY_VI}"
DC_POSITION = (10.8538, 106.6286)
CENTER = (10.7780, 106.6950)  # where the departments are, around Quận 1 and Quận 3
VPN_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class _Scale:
    """How much of the city a scale includes."""

    departments: int  # the first N of DEPARTMENTS
    districts: tuple[str, ...] | None  # district codes, None for all
    wards_per_district: int | None  # cap, None for all
    dc_servers: int
    core_switches: int


_SCALES: dict[str, _Scale] = {
    "small": _Scale(3, ("Q1", "Q3", "CUCHI"), 5, 2, 1),
    "medium": _Scale(10, ("Q1", "Q3", "Q5", "Q10", "BTHANH", "TDUC", "CUCHI"), None, 8, 2),
    "city": _Scale(len(names.DEPARTMENTS), None, None, 20, 2),
}


@dataclass(frozen=True, slots=True)
class _PlacedWard:
    """A ward included in a topology, with its district and its city-wide position."""

    ward: Ward
    district: District
    index: int  # 0-based position among all wards of the city


def _agency(code: str, kind: AgencyKind, name_vi: str, name_en: str,
            parent: str | None = None) -> LabAgency:
    """An agency with its (fictional) contact person."""
    contact = names.contact_for(code)
    return LabAgency(code, kind, name_vi, name_en, parent, contact.name, contact.phone,
                     contact.email)


def _jitter(key: str, center: tuple[float, float], spread: float) -> tuple[float, float]:
    """Coordinates within ``spread`` degrees of ``center``, stable for ``key``."""
    r = rng(f"{key}:position")
    return (round(center[0] + r.uniform(-spread, spread), 5),
            round(center[1] + r.uniform(-spread, spread), 5))


def _street_address(key: str, streets: tuple[str, ...], ward: str, district: str) -> str:
    """A plausible street address, stable for ``key``."""
    r = rng(f"{key}:address")
    return f"{r.randint(1, 399)} {r.choice(streets)}, {ward}, {district}, {CITY_VI}"


def _department_site(dept: Department) -> LabSite:
    """The head office of a department, in Quận 1 or Quận 3."""
    district = names.DISTRICTS[0 if fraction(f"{dept.code}:district") < 0.6 else 2]
    ward = rng(f"{dept.code}:ward").choice(district.wards)
    address = _street_address(dept.code, district.streets, ward, district.name_vi)
    lat, lon = _jitter(dept.code, CENTER, 0.012)
    return LabSite(dept.code, dept.code, dept.name_vi, address, "agency_office", lat, lon)


def _district_site(district: District) -> LabSite:
    """The district People's Committee (UBND quận/huyện)."""
    ward = district.wards[0]
    address = _street_address(district.code, district.streets, ward, district.name_vi)
    lat, lon = _jitter(district.code, (district.latitude, district.longitude), 0.003)
    return LabSite(district.code, district.code, f"UBND {district.name_vi}", address,
                   "agency_office", lat, lon)


def _ward_site(placed: _PlacedWard) -> LabSite:
    """The ward People's Committee, a one-stop desk when it has a citizen kiosk."""
    ward, district = placed.ward, placed.district
    address = _street_address(ward.code, district.streets, ward.name_vi, district.name_vi)
    spread = 0.04 if district.rural else 0.012
    lat, lon = _jitter(ward.code, (district.latitude, district.longitude), spread)
    role = "one_stop_desk" if ward_has_kiosk(ward.code) else "agency_office"
    return LabSite(ward.code, ward.code, f"UBND {ward.name_vi}", address, role, lat, lon)


def _select(scale: _Scale) -> tuple[list[Department], list[District], list[_PlacedWard]]:
    """The departments, districts and wards a scale includes."""
    departments = list(names.DEPARTMENTS[: scale.departments])
    districts: list[District] = []
    wards: list[_PlacedWard] = []
    index = 0
    for district in names.DISTRICTS:
        district_wards = names.district_wards(district)
        included = scale.districts is None or district.code in scale.districts
        if included:
            districts.append(district)
            wards += [_PlacedWard(ward, district, index + offset) for offset, ward
                      in enumerate(district_wards[: scale.wards_per_district])]
        index += len(district_wards)
    return departments, districts, wards


def _vpn_wards(wards: list[_PlacedWard]) -> set[str]:
    """Codes of the ~5% of wards on internet VPN (at least one); rural ones favoured."""
    def key(placed: _PlacedWard) -> float:
        weight = 0.5 if placed.district.rural else 1.0
        return fraction(f"{placed.ward.code}:vpn") * weight

    count = max(1, round(len(wards) * VPN_SHARE)) if wards else 0
    return {placed.ward.code for placed in sorted(wards, key=key)[:count]}


def _agencies(departments: list[Department], districts: list[District],
              wards: list[_PlacedWard]) -> list[LabAgency]:
    """All agencies: the city data center, departments, districts, wards."""
    agencies = [_agency(DC_AGENCY.code, AgencyKind.CITY, DC_AGENCY.name_vi, DC_AGENCY.name_en)]
    agencies += [_agency(d.code, AgencyKind.DEPARTMENT, d.name_vi, d.name_en)
                 for d in departments]
    agencies += [_agency(d.code, AgencyKind.DISTRICT, d.name_vi, d.name_en) for d in districts]
    agencies += [_agency(p.ward.code, AgencyKind.WARD, p.ward.name_vi, p.ward.name_en,
                         p.district.code) for p in wards]
    return agencies


def _sites(departments: list[Department], districts: list[District],
           wards: list[_PlacedWard]) -> list[LabSite]:
    """One site per agency."""
    sites = [LabSite("DC", DC_AGENCY.code, DC_AGENCY.name_vi, DC_ADDRESS, "datacenter",
                     *DC_POSITION)]
    sites += [_department_site(d) for d in departments]
    sites += [_district_site(d) for d in districts]
    sites += [_ward_site(p) for p in wards]
    return sites


def _fleet(scale: _Scale, departments: list[Department], districts: list[District],
           wards: list[_PlacedWard]) -> Fleet:
    """Devices and links of every site."""
    fleet = Fleet()
    build_datacenter(fleet, scale.dc_servers, scale.core_switches)
    for dept in departments:
        build_department(fleet, dept, names.DEPARTMENTS.index(dept))
    for district in districts:
        build_district(fleet, district, names.DISTRICTS.index(district))
    vpn = _vpn_wards(wards)
    for position, placed in enumerate(wards):
        build_ward(fleet, placed.ward, placed.district, placed.index,
                   vpn=placed.ward.code in vpn, old_counters=position % 12 == 0)
    return fleet


def build_topology(scale: str = "small") -> LabTopology:
    """The lab network at ``scale`` (one of :data:`SCALES`); deterministic."""
    if scale not in _SCALES:
        raise ValueError(f"unknown scale {scale!r}; accepted: {', '.join(SCALES)}")
    spec = _SCALES[scale]
    departments, districts, wards = _select(spec)
    fleet = _fleet(spec, departments, districts, wards)
    return LabTopology(
        scale=scale,
        agencies=tuple(_agencies(departments, districts, wards)),
        sites=tuple(_sites(departments, districts, wards)),
        devices=tuple(fleet.devices),
        links=tuple(fleet.links),
        core_devices=CORE_NAMES,
    )


def lab_summary(topo: LabTopology) -> dict[str, int]:
    """Counts for display: agencies per kind, devices per role, SNMP devices, links."""
    summary: Counter[str] = Counter()
    summary["agencies"] = len(topo.agencies)
    summary["sites"] = len(topo.sites)
    summary["devices"] = len(topo.devices)
    summary["snmp_devices"] = sum(1 for dev in topo.devices if dev.snmp)
    summary["icmp_devices"] = summary["devices"] - summary["snmp_devices"]
    summary["links"] = len(topo.links)
    summary.update(f"agencies_{agency.kind.value}" for agency in topo.agencies)
    summary.update(f"devices_{dev.role.value}" for dev in topo.devices)
    summary.update(f"links_{link.network.value.replace('-', '_')}" for link in topo.links)
    return dict(summary)
