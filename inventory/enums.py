"""Closed choice sets of the inventory, stored as their string values.

Each set is a :class:`~enum.StrEnum` so the database, CSV and YAML files and
the API all carry readable words (``access_switch``, ``in_repair``), and an
unknown word is refused with the list of allowed ones.
"""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    """What level of the city administration an agency belongs to."""

    CITY = "city"  # the city data center / IT department that runs the core
    DEPARTMENT = "department"  # Sở/ngành
    DISTRICT = "district"  # Quận/huyện
    WARD = "ward"  # Phường/xã/thị trấn (belongs to a district)
    OTHER = "other"  # anything else connected to the Metronet


class SiteRole(StrEnum):
    """What a site is used for."""

    DATACENTER = "datacenter"  # the city data center
    AGENCY_OFFICE = "agency_office"  # the seat of an agency
    ONE_STOP_DESK = "one_stop_desk"  # bộ phận một cửa: where citizens file paperwork
    POP = "pop"  # a point of presence of the network (cabinet, exchange)
    OTHER = "other"


class DeviceClass(StrEnum):
    """What kind of device or asset something is."""

    ROUTER = "router"
    CORE_SWITCH = "core_switch"
    DISTRIBUTION_SWITCH = "distribution_switch"
    ACCESS_SWITCH = "access_switch"
    FIREWALL = "firewall"
    SERVER = "server"
    UPS = "ups"
    WORKSTATION = "workstation"
    KIOSK = "kiosk"  # public information kiosk
    PRINTER = "printer"
    BARCODE_READER = "barcode_reader"
    OTHER = "other"


class DeviceStatus(StrEnum):
    """Lifecycle status of a device or asset."""

    PLANNED = "planned"
    ACTIVE = "active"
    SPARE = "spare"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


class Monitoring(StrEnum):
    """How the NOC watches a device."""

    SNMP = "snmp"
    SSH = "ssh"
    ICMP = "icmp"  # reachability only
    NONE = "none"  # recorded, not monitored


class Network(StrEnum):
    """Which network a link or circuit belongs to."""

    METRONET = "metronet"  # the city's own fiber WAN
    TSLCD = "tslcd"  # specialized data network of Party and State agencies
    INTERNET_VPN = "internet-vpn"  # VPN over a commercial internet line
    MEGAWAN = "megawan"  # a carrier's leased MPLS service
    LAN = "lan"  # inside a site
    OTHER = "other"


class Via(StrEnum):
    """Through which path a change reached the inventory (recorded in the audit log)."""

    UI = "ui"
    API = "api"
    IMPORT = "import"
    DISCOVERY = "discovery"
    LAB = "lab"  # the simulated city writing its own inventory
    CLI = "cli"


class Action(StrEnum):
    """What a change did (recorded in the audit log)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RETIRE = "retire"
    ADOPT = "adopt"  # a discovered value replaced the recorded one
    EXPECT = "expect"  # a discovered difference was marked as expected
