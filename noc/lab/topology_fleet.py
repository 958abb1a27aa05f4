"""Devices and links of the lab topology, site by site.

:mod:`noc.lab.topology` decides which sites the city network has (and documents
its shape and address plan); this module builds the devices and links of each
site: the catalogue of snmpsim recordings (vendor, model and number of Ethernet
ports of each), deterministic per-entity randomness, loopback address blocks,
:class:`Fleet`, which accumulates devices and links while handing out port
ordinals, and one ``build_*`` function per kind of site.

Port ordinals: a device with ``u`` uplinks uses ports ``1..u`` for them (as the
B end of its uplink links); its downstream links (as the A end) get ordinals
``u+1, u+2, ...`` up to the number of Ethernet ports of its recording, after
which they wrap round-robin back to ``u+1`` (it is a simulation).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from noc.lab.model import DeviceRole, LabDevice, LabLink, Network
from noc.lab.names import Department, District, Ward


class Recording(NamedTuple):
    """What an snmpsim recording looks like from the outside."""

    vendor: str
    model: str
    ports: int  # Ethernet interfaces (ifType 6, 62, 117) in the recording


RECORDINGS: dict[str, Recording] = {
    "network/router/juniper-mx960-13-3r9-13.snmprec.bz2": Recording("Juniper", "MX960", 49),
    "network/router/juniper-mx960-12-3r6-6.snmprec.bz2": Recording("Juniper", "MX960", 57),
    "network/router/vyatta-unknown.snmprec.bz2": Recording("Vyatta", "vRouter", 22),
    "network/switch/cisco-n5000.snmprec.bz2": Recording("Cisco", "Nexus 5000", 33),
    "cloud/arista-dcs-7150s-52-cl.snmprec.bz2": Recording("Arista", "DCS-7150S-52-CL", 53),
    "network/firewall/paloalto-pa-5000.snmprec.bz2": Recording(
        "Palo Alto Networks", "PA-5000", 29),
    "network/router/huawei-s5720.snmprec.bz2": Recording("Huawei", "S5720-36C-EI-AC", 33),
    "network/switch/h3c-e528-2.snmprec.bz2": Recording("H3C", "E528", 28),
    "network/switch/ruijie-s5750-24gt12sfp.snmprec.bz2": Recording(
        "Ruijie", "S5750-24GT/12SFP", 24),
    "network/switch/cisco-c3560.snmprec.bz2": Recording("Cisco", "Catalyst 3560", 52),
    "network/switch/cisco-c3750.snmprec.bz2": Recording("Cisco", "Catalyst 3750", 12),
    "network/switch/dlink-des3038.snmprec.bz2": Recording("D-Link", "DES-3028", 28),
    "network/switch/maipu-sm4200-16gef8ge-ac.snmprec.bz2": Recording(
        "Maipu", "SM4200-16GEF8GE-AC", 24),
    "network/switch/brocade-icx6430-24.snmprec.bz2": Recording("Brocade", "ICX6430-24", 29),
    "os/linux/unknown-002.snmprec.bz2": Recording("Linux", "x86_64 server", 9),
    "os/linux/unknown-006.snmprec.bz2": Recording("Linux", "x86_64 server (EL7)", 10),
    "os/linux/ibm-x3550-m3.snmprec.bz2": Recording("IBM", "System x3550 M3", 3),
    "UPS/apc-8641.snmprec": Recording("APC", "AP8641", 1),
}

CORE_ROUTERS = (
    "network/router/juniper-mx960-13-3r9-13.snmprec.bz2",
    "network/router/juniper-mx960-12-3r6-6.snmprec.bz2",
)
VPN_EDGE = ("network/router/vyatta-unknown.snmprec.bz2",)
CORE_SWITCHES = ("network/switch/cisco-n5000.snmprec.bz2",
                 "cloud/arista-dcs-7150s-52-cl.snmprec.bz2")
FIREWALLS = ("network/firewall/paloalto-pa-5000.snmprec.bz2",)
DISTRIBUTION_SWITCHES = (
    "network/router/huawei-s5720.snmprec.bz2",
    "network/switch/h3c-e528-2.snmprec.bz2",
    "network/switch/ruijie-s5750-24gt12sfp.snmprec.bz2",
    "network/switch/cisco-c3560.snmprec.bz2",
)
ACCESS_SWITCHES = (
    "network/switch/cisco-c3750.snmprec.bz2",
    "network/switch/dlink-des3038.snmprec.bz2",
    "network/switch/maipu-sm4200-16gef8ge-ac.snmprec.bz2",
    "network/switch/brocade-icx6430-24.snmprec.bz2",
)
SERVERS = ("os/linux/unknown-002.snmprec.bz2", "os/linux/unknown-006.snmprec.bz2",
           "os/linux/ibm-x3550-m3.snmprec.bz2")
UPSES = ("UPS/apc-8641.snmprec",)

# Mean traffic (Mbit/s) on the busiest port, by tier.
TRAFFIC: dict[str, tuple[float, float]] = {
    "core": (200.0, 800.0),
    "edge": (20.0, 100.0),
    "distribution": (20.0, 100.0),
    "access": (1.0, 10.0),
    "server": (5.0, 50.0),
    "ups": (0.1, 1.0),
}


def _digest(key: str) -> bytes:
    """A stable digest of ``key`` (independent of PYTHONHASHSEED)."""
    return hashlib.sha256(f"metronet-lab:{key}".encode()).digest()


def fraction(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for ``key``."""
    return int.from_bytes(_digest(key)[:4], "big") / 2**32


def rng(key: str) -> random.Random:
    """A pseudo-random generator seeded by ``key``: same key, same sequence."""
    return random.Random(_digest(key))


def serial_for(name: str) -> str:
    """A deterministic serial number: "VN" and 8 hex digits of a hash of ``name``."""
    return "VN" + hashlib.sha256(name.encode()).hexdigest()[:8].upper()


def dc_addresses() -> Iterator[str]:
    """Data center block: 127.20.0.1 - 127.20.0.254."""
    return (f"127.20.0.{host}" for host in range(1, 255))


def department_addresses(index: int) -> Iterator[str]:
    """Department block: 127.21.<index+1>.1 - .254 (``index`` 0-based)."""
    return (f"127.21.{index + 1}.{host}" for host in range(1, 255))


def district_addresses(index: int) -> Iterator[str]:
    """District block: 127.22.<index+1>.1 - .254 (``index`` 0-based)."""
    return (f"127.22.{index + 1}.{host}" for host in range(1, 255))


def ward_addresses(index: int) -> Iterator[str]:
    """Ward block of 14: 127.23.<index // 16>.<16 * (index % 16) + 1..14>."""
    base = 16 * (index % 16)
    return (f"127.23.{index // 16}.{base + host}" for host in range(1, 15))


@dataclass
class Fleet:
    """Accumulates devices and links; hands out recordings and port ordinals."""

    devices: list[LabDevice] = field(default_factory=list)
    links: list[LabLink] = field(default_factory=list)
    _rotation: Counter[tuple[str, ...]] = field(default_factory=Counter)
    _next_port: dict[str, int] = field(default_factory=dict)
    _first_port: dict[str, int] = field(default_factory=dict)
    _ports: dict[str, int] = field(default_factory=dict)

    def snmp_device(self, name: str, site: str, role: DeviceRole, address: str,
                    pool: tuple[str, ...], tier: str, *, uplinks: int = 1,
                    snmp_version: str = "2c", counter_bits: int = 64) -> LabDevice:
        """Add an SNMP device serving the next recording of ``pool`` (round-robin)."""
        recording = pool[self._rotation[pool] % len(pool)]
        self._rotation[pool] += 1
        info = RECORDINGS[recording]
        low, high = TRAFFIC[tier]
        device = LabDevice(
            name=name, site=site, role=role, address=address, recording=recording,
            vendor=info.vendor, model=info.model, serial=serial_for(name),
            snmp_version=snmp_version, counter_bits=counter_bits,
            traffic_mbps=round(low + (high - low) * fraction(f"{name}:traffic"), 1),
        )
        self.devices.append(device)
        self._first_port[name] = self._next_port[name] = uplinks + 1
        self._ports[name] = info.ports
        return device

    def icmp_device(self, name: str, site: str, role: DeviceRole, address: str) -> LabDevice:
        """Add an asset monitored by ICMP only (no recording, no links)."""
        device = LabDevice(name=name, site=site, role=role, address=address, recording=None,
                           serial=serial_for(name), traffic_mbps=0.5)
        self.devices.append(device)
        return device

    def downstream_port(self, name: str) -> int:
        """The next downstream port ordinal of ``name``, wrapping round-robin."""
        first, ports = self._first_port[name], self._ports[name]
        offset = self._next_port[name] - first
        self._next_port[name] += 1
        span = max(ports - first + 1, 1)
        return min(first + offset % span, ports)

    def link(self, name: str, a_device: str, b_device: str, network: Network,
             bandwidth_mbps: int, *, b_port: int = 1) -> LabLink:
        """Link ``a_device`` (upstream, next free port) to ``b_device`` port ``b_port``."""
        link = LabLink(name=name, a_device=a_device, a_port=self.downstream_port(a_device),
                       b_device=b_device, b_port=b_port, network=network,
                       bandwidth_mbps=bandwidth_mbps)
        self.links.append(link)
        return link


CORE_R1 = "dc-core-r1"
CORE_R2 = "dc-core-r2"
CORE_NAMES = (CORE_R1, CORE_R2)
VPN_EDGE_NAME = "dc-vpn-r1"
OLD_COUNTERS_SHARE = 0.08  # share of devices outside the DC with 32-bit counters only


def ward_has_kiosk(code: str) -> bool:
    """Whether the ward ``code`` has a citizen kiosk at its one-stop desk."""
    return fraction(f"{code}:kiosk") < 0.3


def _counter_bits(name: str, force_old: bool = False) -> int:
    """32 for the few devices with old, wrapping counters; 64 otherwise."""
    return 32 if force_old or fraction(f"{name}:bits") < OLD_COUNTERS_SHARE else 64


def _icmp_assets(fleet: Fleet, prefix: str, site: str, addresses: Iterator[str],
                 counts: dict[DeviceRole, int]) -> None:
    """Workstations, printers and kiosks (ICMP only) named ``<prefix>-ws1`` etc."""
    short = {DeviceRole.WORKSTATION: "ws", DeviceRole.PRINTER: "prn", DeviceRole.KIOSK: "kiosk"}
    for role, count in counts.items():
        for number in range(1, count + 1):
            fleet.icmp_device(f"{prefix}-{short[role]}{number}", site, role, next(addresses))


def _servers(fleet: Fleet, switch: str, prefix: str, site: str, addresses: Iterator[str],
             count: int) -> None:
    """``count`` servers on the LAN behind ``switch``."""
    for number in range(1, count + 1):
        name = f"{prefix}-srv{number}"
        fleet.snmp_device(name, site, DeviceRole.SERVER, next(addresses), SERVERS, "server",
                          counter_bits=_counter_bits(name))
        fleet.link(f"{name}-lan", switch, name, Network.LAN, 1000)


def _dc_core(fleet: Fleet, addresses: Iterator[str], core_switches: int) -> list[str]:
    """Core routers, their interconnect and the core switches; returns the switches."""
    for name in CORE_NAMES:
        fleet.snmp_device(name, "DC", DeviceRole.ROUTER, next(addresses), CORE_ROUTERS, "core",
                          uplinks=0)
    fleet.link("dc-core-interlink", CORE_R1, CORE_R2, Network.LAN, 10000,
               b_port=fleet.downstream_port(CORE_R2))
    switches = [f"dc-core-sw{number}" for number in range(1, core_switches + 1)]
    for name in [*switches, "dc-fw1"]:
        role, pool = ((DeviceRole.FIREWALL, FIREWALLS) if name == "dc-fw1"
                      else (DeviceRole.CORE_SWITCH, CORE_SWITCHES))
        fleet.snmp_device(name, "DC", role, next(addresses), pool, "core", uplinks=2)
        fleet.link(f"{name}-uplink-r1", CORE_R1, name, Network.LAN, 10000, b_port=1)
        fleet.link(f"{name}-uplink-r2", CORE_R2, name, Network.LAN, 10000, b_port=2)
    return switches


def build_datacenter(fleet: Fleet, servers: int, core_switches: int) -> None:
    """The city data center: core, firewall, VPN edge, UPS and ``servers`` servers."""
    addresses = dc_addresses()
    switches = _dc_core(fleet, addresses, core_switches)
    fleet.snmp_device(VPN_EDGE_NAME, "DC", DeviceRole.ROUTER, next(addresses), VPN_EDGE, "edge")
    fleet.link(f"{VPN_EDGE_NAME}-uplink", CORE_R2, VPN_EDGE_NAME, Network.LAN, 10000)
    fleet.snmp_device("dc-ups1", "DC", DeviceRole.UPS, next(addresses), UPSES, "ups")
    fleet.link("dc-ups1-lan", switches[0], "dc-ups1", Network.LAN, 100)
    for number in range(1, servers + 1):
        name = f"dc-srv{number}"
        fleet.snmp_device(name, "DC", DeviceRole.SERVER, next(addresses), SERVERS, "server",
                          snmp_version="3" if number % 5 == 1 else "2c")
        fleet.link(f"{name}-lan", switches[(number - 1) % len(switches)], name,
                   Network.LAN, 10000)


def build_department(fleet: Fleet, dept: Department, index: int) -> None:
    """A department office; ``index`` is its position in DEPARTMENTS."""
    prefix, addresses = dept.code.lower(), department_addresses(index)
    switch = f"{prefix}-sw1"
    dual = index % 3 == 0
    role, pool, tier = ((DeviceRole.DISTRIBUTION_SWITCH, DISTRIBUTION_SWITCHES, "distribution")
                        if dept.large else (DeviceRole.ACCESS_SWITCH, ACCESS_SWITCHES, "access"))
    fleet.snmp_device(switch, dept.code, role, next(addresses), pool, tier,
                      uplinks=2 if dual else 1, counter_bits=_counter_bits(switch))
    fleet.link(f"{prefix}-uplink-metronet", CORE_NAMES[index % 2], switch, Network.METRONET,
               1000)
    if dual:
        fleet.link(f"{prefix}-uplink-tslcd", CORE_NAMES[(index + 1) % 2], switch,
                   Network.TSLCD, 100, b_port=2)
    if dept.large:
        _servers(fleet, switch, prefix, dept.code, addresses, 1)
    r = rng(f"{dept.code}:assets")
    _icmp_assets(fleet, prefix, dept.code, addresses, {
        DeviceRole.WORKSTATION: r.randint(3, 8),
        DeviceRole.PRINTER: r.randint(1, 2),
        DeviceRole.KIOSK: 1 if r.random() < 0.3 else 0,
    })


def build_district(fleet: Fleet, district: District, index: int) -> None:
    """A district People's Committee; ``index`` is its position in DISTRICTS."""
    prefix, addresses = district.code.lower(), district_addresses(index)
    switch = f"{prefix}-sw1"
    fleet.snmp_device(switch, district.code, DeviceRole.DISTRIBUTION_SWITCH, next(addresses),
                      DISTRIBUTION_SWITCHES, "distribution", counter_bits=_counter_bits(switch))
    fleet.link(f"{prefix}-uplink-metronet", CORE_NAMES[index % 2], switch, Network.METRONET,
               1000)
    r = rng(f"{district.code}:assets")
    _servers(fleet, switch, prefix, district.code, addresses, r.randint(1, 2))
    _icmp_assets(fleet, prefix, district.code, addresses, {
        DeviceRole.WORKSTATION: r.randint(3, 6),
        DeviceRole.PRINTER: 1,
        DeviceRole.KIOSK: r.randint(1, 2),
    })


def build_ward(fleet: Fleet, ward: Ward, district: District, index: int, *, vpn: bool,
               old_counters: bool) -> None:
    """A ward office; ``index`` is its position among all wards of the city."""
    prefix, addresses = ward.code.lower(), ward_addresses(index)
    switch = f"{prefix}-sw1"
    fleet.snmp_device(switch, ward.code, DeviceRole.ACCESS_SWITCH, next(addresses),
                      ACCESS_SWITCHES, "access", counter_bits=_counter_bits(switch, old_counters))
    if vpn:
        fleet.link(f"{prefix}-uplink-internet-vpn", VPN_EDGE_NAME, switch,
                   Network.INTERNET_VPN, 50)
    else:
        fleet.link(f"{prefix}-uplink-metronet", f"{district.code.lower()}-sw1", switch,
                   Network.METRONET, 100)
    r = rng(f"{ward.code}:assets")
    _icmp_assets(fleet, prefix, ward.code, addresses, {
        DeviceRole.WORKSTATION: r.randint(2, 5),
        DeviceRole.PRINTER: 1,
        DeviceRole.KIOSK: 1 if ward_has_kiosk(ward.code) else 0,
    })
