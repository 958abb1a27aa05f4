"""What every collector shares: the device it is given and the results it returns.

A collector knows protocols, not the database or the web. It receives a
:class:`PollDevice` (address, port, credentials already resolved) and returns
typed results; the state module turns them into up/down transitions and rates.
"""

from __future__ import annotations

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
    counters: dict[str, int] = field(default_factory=dict)  # in_octets, out_octets, ...


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
    pdus: int = 0


class DeviceLike(Protocol):
    """What a collector needs to know about a device."""

    @property
    def name(self) -> str:
        """Unique device name."""

    @property
    def monitoring(self) -> str:
        """How the device is monitored: snmp, ssh, icmp or none."""
