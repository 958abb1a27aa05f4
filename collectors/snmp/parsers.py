"""Pure parsers from SNMP varbinds to collector results (no network, easy to test).

``parse_system`` reads the SNMPv2-MIB system scalars; ``parse_interfaces``
joins walked ifTable and ifXTable columns into one :class:`InterfaceSample`
per ifIndex, preferring 64-bit HC counters whenever the agent has them, and
with the MAC address when ifPhysAddress was walked too (discovery walks it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from collectors.base import InterfaceSample, SystemInfo
from collectors.snmp import mibs
from collectors.snmp.ber import Oid, Tag, Value, VarBind

_EXCEPTION_TAGS = (Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW)
# counter name in the sample -> (64-bit column, 32-bit column)
_COUNTERS: dict[str, tuple[str | None, str]] = {
    "in_octets": ("hc_in_octets", "in_octets"),
    "out_octets": ("hc_out_octets", "out_octets"),
    "in_ucast_pkts": ("hc_in_ucast_pkts", "in_ucast_pkts"),
    "out_ucast_pkts": ("hc_out_ucast_pkts", "out_ucast_pkts"),
    "in_errors": (None, "in_errors"),
    "out_errors": (None, "out_errors"),
    "in_discards": (None, "in_discards"),
    "out_discards": (None, "out_discards"),
}


def text(value: Value) -> str:
    """A DisplayString as text: UTF-8 when valid (Vietnamese names), else Latin-1."""
    if isinstance(value, bytes):
        raw = value.rstrip(b"\x00")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    if isinstance(value, tuple):
        return ".".join(map(str, value))
    return "" if value is None else str(value)


def _int(value: Value) -> int:
    return value if isinstance(value, int) else 0


def parse_system(varbinds: Iterable[VarBind]) -> SystemInfo:
    """SystemInfo from a GET of :data:`mibs.SYSTEM_SCALARS` (missing values stay empty)."""
    got = {oid: value for oid, tag, value in varbinds if tag not in _EXCEPTION_TAGS}
    return SystemInfo(
        descr=text(got.get(mibs.SYS_DESCR)),
        object_id=text(got.get(mibs.SYS_OBJECT_ID)),
        uptime_ticks=_int(got.get(mibs.SYS_UPTIME)),
        name=text(got.get(mibs.SYS_NAME)),
        location=text(got.get(mibs.SYS_LOCATION)),
        contact=text(got.get(mibs.SYS_CONTACT)),
    )


def _by_index(column: Oid, varbinds: Iterable[VarBind]) -> dict[int, Value]:
    """Column values keyed by the single-arc row index (ifIndex)."""
    depth = len(column)
    out: dict[int, Value] = {}
    for oid, tag, value in varbinds:
        if len(oid) == depth + 1 and tag not in _EXCEPTION_TAGS:
            out[oid[depth]] = value
    return out


def parse_interfaces(walked: Mapping[Oid, list[VarBind]]) -> list[InterfaceSample]:
    """Join walked IF-MIB columns (column OID -> varbinds) into samples by ifIndex."""
    cols: dict[str, dict[int, Value]] = {}
    for name, oid in (*mibs.IF_COLUMNS.items(), *mibs.IFX_COLUMNS.items(),
                      ("phys_address", mibs.IF_PHYS_ADDRESS)):
        cols[name] = _by_index(oid, walked.get(oid, []))
    indexes = sorted(set(cols["descr"]) | set(cols["oper_status"]) | set(cols["name"]))
    return [_sample(i, cols) for i in indexes]


def _sample(index: int, cols: Mapping[str, Mapping[int, Value]]) -> InterfaceSample:
    high_speed = _int(cols["high_speed"].get(index))
    speed = _int(cols["speed"].get(index))
    has_hc = index in cols["hc_in_octets"] and index in cols["hc_out_octets"]
    counters: dict[str, int] = {}
    for name, (hc_col, col) in _COUNTERS.items():
        source = hc_col if has_hc and hc_col is not None else col
        value = cols[source].get(index)
        if isinstance(value, int):
            counters[name] = value
    # interned: the same port names repeat on every device of a model and every
    # poll, and a large fleet keeps hundreds of thousands of them in memory
    descr = sys.intern(text(cols["descr"].get(index)))
    return InterfaceSample(
        if_index=index,
        name=sys.intern(text(cols["name"].get(index))) or descr,
        descr=descr,
        alias=sys.intern(text(cols["alias"].get(index))),
        if_type=_int(cols["type"].get(index)),
        # ifSpeed saturates at 4294967295; ifHighSpeed (Mbit/s) is right above that
        speed_bps=_speed(speed, high_speed),
        admin_status=_int(cols["admin_status"].get(index)),
        oper_status=_int(cols["oper_status"].get(index)),
        last_change_ticks=_int(cols["last_change"].get(index)),
        counter_bits=64 if has_hc else 32,
        counters=counters,
        discontinuity_ticks=_optional_int(cols["discontinuity"].get(index)),
        mac=_mac(cols["phys_address"].get(index)),
    )


def _mac(value: Value) -> str:
    """``aa:bb:cc:dd:ee:ff`` for a 6-octet ifPhysAddress, else ""."""
    if isinstance(value, bytes) and len(value) == 6:
        return ":".join(f"{b:02x}" for b in value)
    return ""


def _speed(speed: int, high_speed_mbps: int) -> int:
    """Interface speed in bit/s: ifSpeed saturates at 2^32-1, ifHighSpeed takes over."""
    if high_speed_mbps and (speed >= 4_294_967_295 or not speed):
        return high_speed_mbps * 1_000_000
    return speed


def _optional_int(value: Value) -> int | None:
    return value if isinstance(value, int) else None
