"""Live behaviour of lab devices on top of their shared recordings.

A :class:`DeviceView` answers "the value of OID X at time t" for one device:
the recording's bytes for most OIDs, and a computed value for the live ones
(see :mod:`noc.lab.layout`): sysUpTime since the device's (per-device) boot,
its own identity (sysName, sysLocation, sysContact, chassis serial), interface
counters that grow with the day/night traffic profile, link ports up at the
link's speed, and CPU/memory/temperature that move a little.

Everything is a pure function of the time passed in (no timers, no clock
reads): counters are the closed-form integral of the traffic rate since boot,
so :meth:`DeviceView.expected_octets` tells a test exactly what two polls will
see. Build the views of a topology with :func:`build_views`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from typing import Literal

from collectors.snmp.ber import Oid, Tag, Value, encode_integer, encode_value
from noc.lab.demand import PortRates, port_rates
from noc.lab.layout import (
    CONTACT_FIELD,
    COUNTER_SLOT,
    COUNTERS,
    DESCR_FIELD,
    ERRORS,
    GAUGE_SLOT,
    HIGH_SPEED_SLOT,
    IDENT_SLOT,
    IN,
    LOCATION_FIELD,
    NAME_FIELD,
    OCTETS,
    OUT,
    SERIAL_FIELD,
    SERIAL_IN_DESCR,
    SPEED_SLOT,
    STATUS_SLOT,
    SYS_DESCR,
    UPTIME_SLOT,
    Layout,
    Slot,
    load_layout,
)
from noc.lab.model import LabDevice, LabTopology
from noc.lab.recordings import decode_value_tlv, port_ifindex
from noc.lab.traffic import PROFILE_PEAK, gauge, profile, profile_wave, seeded

Direction = Literal["in", "out"]

WRAP32_MIN_MBPS = 10.0  # busiest port of a 32-bit device: ifInOctets wraps about hourly
PACKET_BYTES = (800, 600)  # mean unicast packet size in, out
ERROR_BYTES = 20_000_000  # one input error per this many octets on a noisy port
NOISY_SHARE = 0.15  # share of busy ports that see input errors
DEFAULT_CONTACT = "Trung tâm Giám sát Metronet (NOC)"
_UP = encode_value(Tag.INTEGER, 1)
_DOWN = encode_value(Tag.INTEGER, 2)
_OPER_STATUS = 8  # ifOperStatus column
_GAUGE32_MAX = 2**32 - 1


def boot_offset(name: str) -> float:
    """How long before the lab's epoch device ``name`` booted (2 hours to 40 days)."""
    return 3600.0 * (2 + seeded(name, "boot") * 24 * 40)


class DeviceView:
    """What one lab device answers, as a function of time.

    ``link_ports`` maps the ifIndex of each port used by a topology link to the
    link's bandwidth in Mbit/s (or None): those ports are up with traffic
    around ``device.traffic_mbps`` times the day profile.
    """

    def __init__(self, device: LabDevice, *, epoch: float,
                 link_ports: Mapping[int, int | None] | None = None,
                 location: str = "", contact: str = DEFAULT_CONTACT,
                 port_rates: PortRates | None = None) -> None:
        if device.recording is None:
            raise ValueError(f"{device.name} has no recording: it does not speak SNMP")
        self.device = device
        self.name = device.name
        self.address = device.address
        self.layout: Layout = load_layout(device.recording, device.counter_bits)
        self.link_ports: dict[int, int | None] = dict(link_ports or {})
        self.ports_down: set[int] = set()  # link ports whose link is broken: oper down
        self._identity = {
            NAME_FIELD: encode_value(Tag.OCTET_STRING, device.name.encode()),
            LOCATION_FIELD: encode_value(Tag.OCTET_STRING, (location or device.site).encode()),
            CONTACT_FIELD: encode_value(Tag.OCTET_STRING, contact.encode()),
            SERIAL_FIELD: encode_value(Tag.OCTET_STRING, device.serial.encode()),
        }
        if (descr := self.layout.index(SYS_DESCR)) is not None:
            recorded = decode_value_tlv(self.layout.value_tlvs[descr])
            if isinstance(recorded, bytes):
                text = SERIAL_IN_DESCR.sub(lambda m: m.group(1) + device.serial.encode(),
                                           recorded)
                self._identity[DESCR_FIELD] = encode_value(Tag.OCTET_STRING, text)
        self._rates = self._port_rates()
        self._rates.update(port_rates or {})  # link traffic from the demand behind each link
        self._noisy = frozenset(i for i in self._rates if seeded(self.name, i, "err") < NOISY_SHARE)
        self._seeds: dict[int, float] = {}
        self._boot = self._wave_boot = 0.0
        self.reboot(epoch - boot_offset(device.name))

    # ------------------------------------------------------------------ time

    @property
    def boot_time(self) -> float:
        """Unix time the device (last) booted."""
        return self._boot

    def reboot(self, at: float) -> None:
        """Reboot the device at time ``at``: uptime and counters restart from zero."""
        self._boot = at
        self._wave_boot = profile_wave(at)
        self._cache_t = math.nan
        self._cache_elapsed = 0.0

    def uptime_ticks(self, t: float) -> int:
        """The sysUpTime at ``t`` in hundredths of a second (wraps like TimeTicks)."""
        return int(max(0.0, t - self._boot) * 100) % 2**32

    def _elapsed(self, t: float) -> float:
        """Profile-weighted seconds since boot (the integral of the profile)."""
        if t != self._cache_t:
            self._cache_t = t
            self._cache_elapsed = max(0.0, (t - self._boot) + profile_wave(t) - self._wave_boot)
        return self._cache_elapsed

    # ------------------------------------------------------------------ traffic

    def _port_rates(self) -> dict[int, tuple[float, float]]:
        """Mean in/out rates in bytes/s of every interface that carries traffic."""
        dev = self.device
        mean = max(dev.traffic_mbps, WRAP32_MIN_MBPS) if dev.counter_bits == 32 else (
            dev.traffic_mbps)
        rates: dict[int, tuple[float, float]] = {}
        for n, ifindex in enumerate(sorted(self.link_ports)):
            mbps = mean * (1.0 if n == 0 else 0.25 + 0.6 * seeded(self.name, ifindex, "f"))
            bandwidth = self.link_ports[ifindex]
            if bandwidth:
                mbps = min(mbps, 0.9 * bandwidth / PROFILE_PEAK)
            rates[ifindex] = (mbps * 125_000, mbps * 125_000 * (0.4 + 0.5 * seeded(
                self.name, ifindex, "o")))
        for ifindex in self.layout.interfaces:
            if ifindex not in rates and ifindex in self.layout.oper_up:
                mbps = mean * (0.01 + 0.04 * seeded(self.name, ifindex, "f"))
                rates[ifindex] = (mbps * 125_000, mbps * 125_000 * 0.7)
        return rates

    def rate_bps(self, ifindex: int, t: float, direction: Direction) -> float:
        """Instantaneous traffic rate of an interface at ``t``, in bit/s."""
        rate = self._rates.get(ifindex)
        return 0.0 if rate is None else 8 * rate[direction == "out"] * profile(t)

    def _octets(self, ifindex: int, t: float, direction: int) -> int:
        rate = self._rates.get(ifindex)
        return 0 if rate is None else int(rate[direction] * self._elapsed(t))

    def octets(self, ifindex: int, t: float, direction: Direction) -> int:
        """Octets through an interface from boot to ``t`` (not wrapped)."""
        return self._octets(ifindex, t, OUT if direction == "out" else IN)

    def expected_octets(self, ifindex: int, t0: float, t1: float, direction: Direction) -> int:
        """Octets an interface counts between ``t0`` and ``t1`` (no reboot between).

        Two polls at ``t0`` and ``t1`` see exactly this delta, modulo the
        counter width (2**32 for ifInOctets, 2**64 for ifHCInOctets).
        """
        return self.octets(ifindex, t1, direction) - self.octets(ifindex, t0, direction)

    def counter(self, code: int, ifindex: int, t: float) -> int:
        """The (wrapped) value of live counter column ``COUNTERS[code]``."""
        _column, metric, direction, bits = COUNTERS[code]
        if metric == OCTETS:
            total = self._octets(ifindex, t, direction)
        elif metric == ERRORS:
            total = self._octets(ifindex, t, IN) // ERROR_BYTES if ifindex in self._noisy else 0
        else:
            total = self._octets(ifindex, t, direction) // PACKET_BYTES[direction]
        return total % (1 << bits)

    # ------------------------------------------------------------------ answering

    def value_tlv(self, i: int, t: float) -> bytes:
        """The encoded value at layout position ``i`` at time ``t``."""
        slot = self.layout.live.get(i)
        if slot is None:
            return self.layout.value_tlvs[i]
        return self.compute(slot, i, t)

    def compute(self, slot: Slot, i: int, t: float) -> bytes:
        """The encoded value of a live slot at position ``i``."""
        kind, a, b = slot
        if kind == COUNTER_SLOT:
            return encode_integer(self.counter(a, b, t),
                                  Tag.COUNTER32 if COUNTERS[a][3] == 32 else Tag.COUNTER64)
        if kind == UPTIME_SLOT:
            return encode_integer(self.uptime_ticks(t), Tag.TIMETICKS)
        if kind == IDENT_SLOT:
            return self._identity[a]
        if kind == GAUGE_SLOT:
            return encode_integer(gauge(a, b, t, self._seed(i)), self.layout.value_tlvs[i][0])
        return self._link_value(kind, a, b, self.layout.value_tlvs[i])

    def _link_value(self, kind: int, column: int, ifindex: int, recorded: bytes) -> bytes:
        if ifindex not in self.link_ports:
            return recorded
        if kind == STATUS_SLOT:
            return _DOWN if column == _OPER_STATUS and ifindex in self.ports_down else _UP
        bandwidth = self.link_ports[ifindex]
        if not bandwidth:
            return recorded
        if kind == SPEED_SLOT:
            return encode_integer(min(bandwidth * 1_000_000, _GAUGE32_MAX), Tag.GAUGE32)
        if kind == HIGH_SPEED_SLOT:
            return encode_integer(bandwidth, Tag.GAUGE32)
        return recorded

    def _seed(self, i: int) -> float:
        seed = self._seeds.get(i)
        if seed is None:
            seed = self._seeds[i] = seeded(self.name, i)
        return seed

    def get(self, oid: Oid, t: float) -> tuple[int, Value] | None:
        """(tag, decoded value) of ``oid`` at ``t``, or None when the device lacks it."""
        i = self.layout.index(oid)
        if i is None:
            return None
        encoded = self.value_tlv(i, t)
        return encoded[0], decode_value_tlv(encoded)

    def walk(self, prefix: Oid, t: float) -> list[tuple[Oid, int, Value]]:
        """Every (oid, tag, value) at or under ``prefix`` at ``t``."""
        out = []
        for i in self.layout.span(prefix):
            encoded = self.value_tlv(i, t)
            out.append((self.layout.oids[i], encoded[0], decode_value_tlv(encoded)))
        return out


def expected_octets(view: DeviceView, ifindex: int, t0: float, t1: float,
                    direction: Direction) -> int:
    """Octets ``view``'s interface counts between ``t0`` and ``t1`` (see the method)."""
    return view.expected_octets(ifindex, t0, t1, direction)


def link_ports(topology: LabTopology) -> dict[str, dict[int, int | None]]:
    """Device name -> {ifIndex of a link port: link bandwidth in Mbit/s}."""
    ports: dict[str, dict[int, int | None]] = {}
    recordings = {dev.name: dev.recording for dev in topology.devices}
    for link in topology.links:
        for name, ordinal in ((link.a_device, link.a_port), (link.b_device, link.b_port)):
            recording = recordings[name]
            if recording is None:
                continue
            ifindex = port_ifindex(recording, ordinal)
            known = ports.setdefault(name, {}).get(ifindex) or 0
            ports[name][ifindex] = max(known, link.bandwidth_mbps)
    return ports


def build_views(topology: LabTopology, devices: Iterable[LabDevice] | None = None,
                epoch: float | None = None) -> list[DeviceView]:
    """Views of ``devices`` (default: every SNMP device of the topology).

    ``epoch`` is the lab's start time (default: now); each device booted a
    different while before it.
    """
    start = time.time() if epoch is None else epoch
    sites = {site.code: site for site in topology.sites}
    agencies = {agency.code: agency for agency in topology.agencies}
    ports = link_ports(topology)
    rates = port_rates(topology)
    views = []
    for dev in topology.devices if devices is None else devices:
        if not dev.snmp:
            continue
        site = sites.get(dev.site)
        agency = agencies.get(site.agency) if site else None
        contact = ", ".join(part for part in (agency.contact_name, agency.contact_phone,
                                              agency.contact_email) if part) if agency else ""
        location = f"{site.name}, {site.address}" if site else dev.site
        views.append(DeviceView(dev, epoch=start, link_ports=ports.get(dev.name, {}),
                                location=location, contact=contact or DEFAULT_CONTACT,
                                port_rates=rates.get(dev.name)))
    return views
