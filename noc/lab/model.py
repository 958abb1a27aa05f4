"""Plain data types describing a lab city network.

The topology generator (:mod:`noc.lab.topology`) produces a :class:`LabTopology`;
the SNMP responder (:mod:`noc.lab.agent`) serves its devices; the fault logic
(:mod:`noc.lab.faults`) walks its links; the inventory loader copies it into the
database. Everything here is immutable and free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AgencyKind(StrEnum):
    """What level of the city administration an agency belongs to."""

    CITY = "city"  # the city data center / IT department that runs the core
    DEPARTMENT = "department"  # Sở/ngành
    DISTRICT = "district"  # Quận/huyện
    WARD = "ward"  # Phường/xã/thị trấn


class DeviceRole(StrEnum):
    """The class of a device, as the inventory knows it."""

    ROUTER = "router"
    CORE_SWITCH = "core_switch"
    DISTRIBUTION_SWITCH = "distribution_switch"
    ACCESS_SWITCH = "access_switch"
    FIREWALL = "firewall"
    SERVER = "server"
    UPS = "ups"
    WORKSTATION = "workstation"
    KIOSK = "kiosk"
    PRINTER = "printer"


class Network(StrEnum):
    """Which network a link belongs to."""

    METRONET = "metronet"  # the city's own fiber WAN
    TSLCD = "tslcd"  # specialized data network of Party and State agencies
    INTERNET_VPN = "internet-vpn"  # VPN over a commercial internet line
    LAN = "lan"  # inside a site (switch to server)


@dataclass(frozen=True, slots=True)
class LabAgency:
    """An agency: a department, a district, a ward, or the city IT itself."""

    code: str  # stable short identifier, ASCII, e.g. "SO-TTTT", "Q1", "Q1-BN"
    kind: AgencyKind
    name_vi: str  # "Sở Thông tin và Truyền thông"
    name_en: str  # "Department of Information and Communications"
    parent: str | None = None  # agency code of the district a ward belongs to
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True, slots=True)
class LabSite:
    """A physical site of an agency."""

    code: str  # e.g. "DC", "SO-TTTT", "Q1", "Q1-BN"
    agency: str  # agency code
    name: str  # display name, Vietnamese
    address: str
    role: str  # "datacenter" | "agency_office" | "one_stop_desk"
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class LabDevice:
    """A device of the lab.

    ``address`` is a unique 127.x.y.z loopback address. ``recording`` is the
    snmpsim-data path (relative to ``snmpsim_data/data``, e.g.
    ``network/switch/cisco-c3750.snmprec.bz2``) whose data the device serves, or
    ``None`` for assets that do not speak SNMP (monitored by ICMP only).
    """

    name: str  # hostname, ASCII, unique, e.g. "q1-bn-sw1"
    site: str  # site code
    role: DeviceRole
    address: str
    recording: str | None
    vendor: str = ""
    model: str = ""
    serial: str = ""
    snmp_version: str = "2c"  # "2c" or "3" (v3 devices use the lab's authPriv user)
    counter_bits: int = 64  # 32: only 32-bit ifTable counters that wrap
    traffic_mbps: float = 5.0  # mean traffic on the busiest port (day/night profile on top)

    @property
    def snmp(self) -> bool:
        """Whether this device answers SNMP."""
        return self.recording is not None


@dataclass(frozen=True, slots=True)
class LabLink:
    """A link between two devices; ``a`` is the upstream (core side) end.

    Ports are *ordinals*, not ifIndexes: port ``n`` is the n-th (1-based)
    Ethernet interface of the device's recording, counting interfaces with
    ifType 6, 62 or 117 in ifIndex order. :func:`noc.lab.recordings.port_ifindex`
    turns an ordinal into the recording's ifIndex.
    """

    name: str  # unique, e.g. "q1-uplink-metronet"
    a_device: str
    a_port: int  # port ordinal on the A device (see below)
    b_device: str
    b_port: int  # port ordinal on the B device
    network: Network
    bandwidth_mbps: int


@dataclass(frozen=True, slots=True)
class LabTopology:
    """A whole simulated city network."""

    scale: str
    agencies: tuple[LabAgency, ...]
    sites: tuple[LabSite, ...]
    devices: tuple[LabDevice, ...]
    links: tuple[LabLink, ...]
    core_devices: tuple[str, ...] = field(default=())  # names of the roots of reachability

    def device(self, name: str) -> LabDevice:
        """The device called ``name`` (KeyError if there is none)."""
        for dev in self.devices:
            if dev.name == name:
                return dev
        raise KeyError(name)
