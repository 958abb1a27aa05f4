"""What every collector shares: the device it is given and the results it returns.

A collector knows protocols, not the database or the web. It receives a
:class:`PollDevice` (address, port, credentials already resolved) and returns
typed results; the state module turns them into up/down transitions and rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """SNMPv2-MIB system group values of one device."""

    descr: str = ""
    object_id: str = ""
    uptime_ticks: int = 0  # hundredths of a second
    name: str = ""
    location: str = ""
    contact: str = ""


@dataclass(slots=True)
class InterfaceSample:
    """One interface's row of ifTable + ifXTable at one poll.

    Counters are raw agent values; ``counter_bits`` says whether the octet
    counters came from the 64-bit ifXTable (64) or the 32-bit ifTable (32).
    """

    if_index: int
    name: str = ""
    descr: str = ""
    alias: str = ""
    if_type: int = 0
    speed_bps: int = 0
    admin_status: int = 0  # 1 up, 2 down, 3 testing
    oper_status: int = 0  # 1 up, 2 down, ... 7 lowerLayerDown
    last_change_ticks: int = 0
    counter_bits: int = 32
    counters: Mapping[str, int] = field(default_factory=dict)  # in_octets, out_octets, ...
    mac: str = ""  # ifPhysAddress as aa:bb:cc:dd:ee:ff ("" when the agent has none)
    discontinuity_ticks: int | None = None  # ifCounterDiscontinuityTime, if the agent has it


@dataclass(slots=True)
class ModuleStats:
    """Self-monitoring of one poll module (system, interfaces...) in one poll."""

    duration: float = 0.0  # seconds
    pdus: int = 0  # requests sent (retransmissions not included)
    retries: int = 0
    timeouts: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class PollResult:
    """Everything one poll of one device returned (or why it failed)."""

    device: str
    ok: bool
    started: float  # wall clock, seconds
    duration: float  # seconds
    error: str = ""
    system: SystemInfo | None = None
    interfaces: tuple[InterfaceSample, ...] = ()
    modules: dict[str, ModuleStats] = field(default_factory=dict)  # by module name


class DeviceLike(Protocol):
    """What a collector needs to know about a device."""

    @property
    def name(self) -> str:
        """Unique device name."""

    @property
    def monitoring(self) -> str:
        """How the device is monitored: snmp, ssh, icmp or none."""


# --------------------------------------------------------------------------- discovery facts


@dataclass(slots=True)
class Sensor:
    """One environmental reading: temperature, fan, power supply, voltage, current...

    ``value`` is in base units (celsius, rpm, volts, amperes, watts) and None
    for sensors that only report a state (a fan or supply "normal").
    """

    kind: str  # temperature | fan | power_supply | voltage | current | power | cpu | other
    name: str
    value: float | None = None
    unit: str = ""  # celsius | rpm | volts | amperes | watts | percent | ""
    status: str = "unknown"  # ok | warning | failed | unknown
    source: str = ""  # the module that read it: entity_sensor, cisco, juniper, huawei


@dataclass(slots=True)
class Neighbor:
    """A device seen on the other end of a local port (LLDP or CDP)."""

    local_port: str
    remote_name: str
    remote_port: str = ""
    protocol: str = "lldp"  # lldp | cdp
    local_if_index: int = 0
    remote_chassis_id: str = ""
    remote_port_descr: str = ""
    platform: str = ""
    remote_address: str = ""


@dataclass(slots=True)
class PhysicalModule:
    """An ENTITY-MIB module (line card, supervisor...) of a device."""

    index: int
    name: str = ""
    descr: str = ""
    model: str = ""
    serial: str = ""
    hardware_rev: str = ""
    firmware_rev: str = ""
    software_rev: str = ""


@dataclass(slots=True)
class Memory:
    """Memory of a device in bytes."""

    total_bytes: int
    used_bytes: int


@dataclass(slots=True)
class Disk:
    """A fixed disk or file system (hrStorageFixedDisk) in bytes."""

    name: str
    total_bytes: int
    used_bytes: int


@dataclass(slots=True)
class ArpEntry:
    """One IP-to-MAC mapping of the device's ARP cache."""

    if_index: int
    ip: str
    mac: str


@dataclass(slots=True)
class DeviceFacts:
    """What :func:`collectors.snmp.discovery.discover` learned about one device.

    Everything is JSON-serialisable with :func:`dataclasses.asdict`. A value a
    device does not have stays empty (``""``, ``None`` or ``[]``); ``errors``
    says which module failed or which values were ignored, and why.
    """

    address: str = ""
    system: SystemInfo = field(default_factory=SystemInfo)
    vendor: str = ""
    model: str = ""
    serial: str = ""
    firmware: str = ""  # the running software version (IOS, JUNOS, VRP, EOS...)
    hardware_rev: str = ""
    manufacturer: str = ""
    interfaces: list[InterfaceSample] = field(default_factory=list)
    modules: list[PhysicalModule] = field(default_factory=list)
    neighbors: list[Neighbor] = field(default_factory=list)
    sensors: list[Sensor] = field(default_factory=list)
    cpu_percent: float | None = None  # average over cores / CPUs
    cpu_cores: list[float] = field(default_factory=list)
    memory: Memory | None = None
    disks: list[Disk] = field(default_factory=list)
    load_average: list[float] = field(default_factory=list)  # 1, 5, 15 minutes
    processes: int | None = None
    arp: list[ArpEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    modules_run: list[str] = field(default_factory=list)
    pdus: int = 0
    duration: float = 0.0
