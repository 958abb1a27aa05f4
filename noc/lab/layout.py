"""The OID layout a lab device serves: a recording plus which OIDs are live.

A :class:`Layout` is shared by every device with the same recording and counter
width. It is the recording's sorted OID list (minus the ifXTable HC columns for
32-bit devices, plus the identity scalars a recording may lack) and a map from
position to *slot*: the positions whose value a device computes (uptime,
identity, counters, link status and speed, CPU/memory/temperature) instead of
serving the recorded bytes. Everything else is served pre-encoded as recorded.

A slot is ``(kind, a, b)``: see the ``*_SLOT`` constants.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass

from collectors.snmp.ber import Oid, Tag, encode_oid, encode_value
from noc.lab.recordings import (
    ETHERNET_IF_TYPES,
    IF_TYPE,
    Recording,
    decode_value_tlv,
    load_recording,
)
from noc.lab.traffic import IDLE, PERCENT, SCALED, TEMPERATURE

Slot = tuple[int, int, int]

UPTIME_SLOT = 0  # sysUpTime.0
IDENT_SLOT = 1  # a: one of the *_FIELD constants
COUNTER_SLOT = 2  # a: index into COUNTERS, b: ifIndex
STATUS_SLOT = 3  # ifAdminStatus/ifOperStatus of an Ethernet port; a: column (7/8), b: ifIndex
SPEED_SLOT = 4  # ifSpeed (bit/s) of an Ethernet port; b: ifIndex
HIGH_SPEED_SLOT = 5  # ifHighSpeed (Mbit/s) of an Ethernet port; b: ifIndex
GAUGE_SLOT = 6  # a: gauge kind (noc.lab.traffic), b: recorded base value

NAME_FIELD, LOCATION_FIELD, CONTACT_FIELD, SERIAL_FIELD, DESCR_FIELD = range(5)
SERIAL_IN_DESCR = re.compile(rb"(SN: ?)(\w+)")  # APC & co. put the serial in sysDescr

SYSTEM: Oid = (1, 3, 6, 1, 2, 1, 1)
SYS_UPTIME: Oid = (*SYSTEM, 3, 0)
IDENTITY: dict[Oid, int] = {
    (*SYSTEM, 4, 0): CONTACT_FIELD,
    (*SYSTEM, 5, 0): NAME_FIELD,
    (*SYSTEM, 6, 0): LOCATION_FIELD,
}
SYS_DESCR: Oid = (*SYSTEM, 1, 0)
SCALAR_SERIALS: tuple[Oid, ...] = (  # vendors whose chassis serial is not in ENTITY-MIB
    (1, 3, 6, 1, 4, 1, 2636, 3, 1, 3, 0),  # JUNIPER-MIB jnxBoxSerialNo
)
IF_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
ENT_PHYSICAL_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
CHASSIS = 3  # entPhysicalClass chassis(3)

IN, OUT = 0, 1
OCTETS, PACKETS, ERRORS = 0, 1, 2
#: Live counter columns: (column OID, metric, direction, bits).
COUNTERS: tuple[tuple[Oid, int, int, int], ...] = (
    ((*IF_ENTRY, 10), OCTETS, IN, 32),  # ifInOctets
    ((*IF_ENTRY, 11), PACKETS, IN, 32),  # ifInUcastPkts
    ((*IF_ENTRY, 14), ERRORS, IN, 32),  # ifInErrors
    ((*IF_ENTRY, 16), OCTETS, OUT, 32),  # ifOutOctets
    ((*IF_ENTRY, 17), PACKETS, OUT, 32),  # ifOutUcastPkts
    ((*IFX_ENTRY, 6), OCTETS, IN, 64),  # ifHCInOctets
    ((*IFX_ENTRY, 7), PACKETS, IN, 64),  # ifHCInUcastPkts
    ((*IFX_ENTRY, 10), OCTETS, OUT, 64),  # ifHCOutOctets
    ((*IFX_ENTRY, 11), PACKETS, OUT, 64),  # ifHCOutUcastPkts
)
HC_COLUMNS = range(6, 14)  # ifXTable HC counters: absent on 32-bit devices

#: CPU/memory/temperature columns (or scalars) that move: (OID prefix, gauge kind).
#: A recorded 0 stays 0 (idle slots, absent sensors) except for hrProcessorLoad.
GAUGES: tuple[tuple[Oid, int], ...] = (
    ((1, 3, 6, 1, 2, 1, 25, 3, 3, 1, 2), PERCENT),  # hrProcessorLoad
    ((1, 3, 6, 1, 2, 1, 33, 1, 4, 4, 1, 5), PERCENT),  # upsOutputPercentLoad
    *(((1, 3, 6, 1, 4, 1, 9, 9, 109, 1, 1, 1, 1, c), PERCENT) for c in range(3, 9)),
    ((1, 3, 6, 1, 4, 1, 9, 2, 1, 57), PERCENT),  # Cisco avgBusy1
    ((1, 3, 6, 1, 4, 1, 9, 2, 1, 58), PERCENT),  # Cisco avgBusy5
    ((1, 3, 6, 1, 4, 1, 9, 9, 13, 1, 3, 1, 3), TEMPERATURE),  # ciscoEnvMonTemperature
    ((1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 7), TEMPERATURE),  # jnxOperatingTemp
    ((1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 8), PERCENT),  # jnxOperatingCPU
    ((1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 11), PERCENT),  # jnxOperatingBuffer
    ((1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 1, 1, 5), PERCENT),  # hwEntityCpuUsage
    ((1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 1, 1, 7), PERCENT),  # hwEntityMemUsage
    ((1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 1, 1, 11), TEMPERATURE),  # hwEntityTemperature
    ((1, 3, 6, 1, 4, 1, 25506, 2, 6, 1, 1, 1, 1, 6), PERCENT),  # hh3cEntityExtCpuUsage
    ((1, 3, 6, 1, 4, 1, 25506, 2, 6, 1, 1, 1, 1, 8), PERCENT),  # hh3cEntityExtMemUsage
    ((1, 3, 6, 1, 4, 1, 25506, 2, 6, 1, 1, 1, 1, 12), TEMPERATURE),  # hh3cEntityExtTemperature
    *(((1, 3, 6, 1, 4, 1, 4881, 1, 1, 10, 2, 36, 1, 1, c), PERCENT) for c in (1, 2, 3)),
    *(((1, 3, 6, 1, 4, 1, 171, 12, 1, 1, 6, c), PERCENT) for c in (1, 2, 3)),  # D-Link CPU
    *(((1, 3, 6, 1, 4, 1, 1991, 1, 1, 2, 1, c), PERCENT) for c in (50, 51, 52, 53)),
    ((1, 3, 6, 1, 4, 1, 2021, 10, 1, 5), SCALED),  # laLoadInt
    ((1, 3, 6, 1, 4, 1, 2021, 11, 9), PERCENT),  # ssCpuUser
    ((1, 3, 6, 1, 4, 1, 2021, 11, 10), PERCENT),  # ssCpuSystem
    ((1, 3, 6, 1, 4, 1, 2021, 11, 11), IDLE),  # ssCpuIdle
    ((1, 3, 6, 1, 4, 1, 318, 1, 1, 1, 2, 2, 2), TEMPERATURE),  # upsAdvBatteryTemperature
    ((1, 3, 6, 1, 4, 1, 318, 1, 1, 1, 4, 2, 3), PERCENT),  # upsAdvOutputLoad
)
_HR_PROCESSOR_LOAD = GAUGES[0][0]
_EXTRAS: tuple[tuple[Oid, bytes], ...] = (
    (SYS_UPTIME, encode_value(Tag.TIMETICKS, 0)),
    *((oid, encode_value(Tag.OCTET_STRING, b"")) for oid in IDENTITY),
)


@dataclass(slots=True, eq=False)
class Layout:
    """What a device with this recording and counter width serves."""

    recording: Recording
    counter_bits: int
    oids: list[Oid]
    oid_tlvs: list[bytes]
    value_tlvs: list[bytes]  # as recorded (placeholders for added OIDs)
    live: dict[int, Slot]
    ethernet: tuple[int, ...]  # ifIndexes of Ethernet ports, in order
    interfaces: tuple[int, ...]  # every ifIndex with a live counter
    oper_up: frozenset[int]  # ifIndexes the recording says are oper up

    def index(self, oid: Oid) -> int | None:
        """The position of ``oid``, or None."""
        i = bisect_left(self.oids, oid)
        return i if i < len(self.oids) and self.oids[i] == oid else None

    def position(self, oid: Oid) -> int:
        """The position of ``oid`` (KeyError when the layout does not have it)."""
        i = self.index(oid)
        if i is None:
            raise KeyError(oid)
        return i

    def span(self, prefix: Oid) -> range:
        """Positions of the OIDs at or under ``prefix``."""
        return range(bisect_left(self.oids, prefix),
                     bisect_left(self.oids, (*prefix[:-1], prefix[-1] + 1)))


def _is_hc(oid: Oid) -> bool:
    return oid[:10] == IFX_ENTRY and len(oid) > 10 and oid[10] in HC_COLUMNS


def _entries(rec: Recording, counter_bits: int) -> tuple[list[Oid], list[bytes], list[bytes]]:
    """The recording's lists, minus HC columns for 32-bit devices, plus missing scalars."""
    missing = [(oid, value) for oid, value in _EXTRAS if rec.index(oid) is None]
    if counter_bits == 64 and not missing:
        return rec.oids, rec.oid_tlvs, rec.value_tlvs
    rows = [(o, ot, vt) for o, ot, vt in zip(rec.oids, rec.oid_tlvs, rec.value_tlvs, strict=True)
            if counter_bits == 64 or not _is_hc(o)]
    rows.extend((oid, encode_oid(oid), value) for oid, value in missing)
    rows.sort(key=lambda row: row[0])
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _int_at(layout: Layout, i: int) -> int | None:
    value = decode_value_tlv(layout.value_tlvs[i])
    return value if isinstance(value, int) else None


def _column(layout: Layout, column: Oid) -> dict[int, int]:
    """ifIndex-style column (single-arc index) -> position."""
    n = len(column)
    return {layout.oids[i][n]: i for i in layout.span(column) if len(layout.oids[i]) == n + 1}


def _chassis_serial(layout: Layout) -> int | None:
    """Position of the serial number of the first chassis entity (or first entity)."""
    classes = _column(layout, (*ENT_PHYSICAL_ENTRY, 5))
    serials = _column(layout, (*ENT_PHYSICAL_ENTRY, 11))
    chassis = [ent for ent in sorted(classes) if _int_at(layout, classes[ent]) == CHASSIS]
    for ent in (*chassis, *sorted(serials)):
        if ent in serials:
            return serials[ent]
    return None


def _interface_slots(layout: Layout) -> None:
    live, ethernet = layout.live, frozenset(layout.ethernet)
    for code, (column, _metric, _direction, _bits) in enumerate(COUNTERS):
        for ifindex, i in _column(layout, column).items():
            live[i] = (COUNTER_SLOT, code, ifindex)
    for column, kind in (((*IF_ENTRY, 7), STATUS_SLOT), ((*IF_ENTRY, 8), STATUS_SLOT),
                         ((*IF_ENTRY, 5), SPEED_SLOT), ((*IFX_ENTRY, 15), HIGH_SPEED_SLOT)):
        for ifindex, i in _column(layout, column).items():
            if ifindex in ethernet:
                live[i] = (kind, column[-1], ifindex)


def _gauge_slots(layout: Layout) -> None:
    for prefix, kind in GAUGES:
        for i in layout.span(prefix):
            base = _int_at(layout, i)
            if base is None or base < 0:
                continue
            if base > 0 or prefix == _HR_PROCESSOR_LOAD or kind == IDLE:
                layout.live[i] = (GAUGE_SLOT, kind, base)


@functools.cache
def load_layout(recording_path: str, counter_bits: int = 64) -> Layout:
    """The (cached) layout of devices serving ``recording_path`` with ``counter_bits``."""
    if counter_bits not in (32, 64):
        raise ValueError(f"counter_bits must be 32 or 64, not {counter_bits}")
    rec = load_recording(recording_path)
    oids, oid_tlvs, value_tlvs = _entries(rec, counter_bits)
    ethernet = tuple(sorted(k[0] for k, v in rec.column(IF_TYPE).items()
                            if len(k) == 1 and v in ETHERNET_IF_TYPES))
    oper = rec.column((*IF_ENTRY, 8))
    layout = Layout(rec, counter_bits, oids, oid_tlvs, value_tlvs, {}, ethernet, (),
                    frozenset(k[0] for k, v in oper.items() if len(k) == 1 and v == 1))
    layout.live[layout.position(SYS_UPTIME)] = (UPTIME_SLOT, 0, 0)
    for oid, field in IDENTITY.items():
        layout.live[layout.position(oid)] = (IDENT_SLOT, field, 0)
    serial = _chassis_serial(layout)
    if serial is not None:
        layout.live[serial] = (IDENT_SLOT, SERIAL_FIELD, 0)
    for oid in SCALAR_SERIALS:
        if (i := layout.index(oid)) is not None:
            layout.live[i] = (IDENT_SLOT, SERIAL_FIELD, 0)
    if (i := layout.index(SYS_DESCR)) is not None and SERIAL_IN_DESCR.search(
            layout.value_tlvs[i]):
        layout.live[i] = (IDENT_SLOT, DESCR_FIELD, 0)
    _interface_slots(layout)
    _gauge_slots(layout)
    layout.interfaces = tuple(sorted({slot[2] for slot in layout.live.values()
                                      if slot[0] == COUNTER_SLOT}))
    return layout
