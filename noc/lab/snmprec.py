"""Parse snmpsim ``.snmprec`` recordings into (OID, tag, value) records.

A recording line is ``OID|TAG|VALUE``. ``TAG`` is the decimal BER tag of the
value, optionally suffixed with ``x`` (``VALUE`` is hex) and/or with a
``:variation`` name (``65:numeric``, ``4:writecache``). For a variation line the
static value is kept when its parameters carry one (``value=``, ``hexvalue=``,
``initial=``; for ``numeric`` also ``offset=`` or ``min=``), otherwise the line
is skipped. Comment lines (``#...``) and blank lines are ignored; any other
line that cannot be parsed is counted as malformed and skipped, never fatal.

Only :data:`KEEP` subtrees are kept, to bound memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from collectors.snmp.ber import Oid, Tag, Value

#: Subtrees kept from a recording (everything else is dropped while parsing).
#: Keeping all of 1.3.6.1.4.1 costs ~95 MB for the lab's 18 recordings (Juniper's
#: CoS tables alone are 42,000 rows) against ~27 MB with the vendor subtrees
#: below (tracemalloc), so only what a NOC polls is kept: MIB-2 system,
#: interfaces, addresses, host resources, entity, UPS, LLDP, and per vendor the
#: CPU, memory and temperature subtrees.
KEEP: tuple[Oid, ...] = (
    (1, 3, 6, 1, 2, 1, 1),  # system
    (1, 3, 6, 1, 2, 1, 2),  # interfaces (ifTable)
    (1, 3, 6, 1, 2, 1, 4, 20),  # ipAddrTable
    (1, 3, 6, 1, 2, 1, 4, 22),  # ipNetToMediaTable (ARP)
    (1, 3, 6, 1, 2, 1, 4, 35),  # ipNetToPhysicalTable (ARP/ND)
    (1, 3, 6, 1, 2, 1, 25),  # HOST-RESOURCES-MIB
    (1, 3, 6, 1, 2, 1, 31),  # IF-MIB ifXTable & co
    (1, 3, 6, 1, 2, 1, 33),  # UPS-MIB
    (1, 3, 6, 1, 2, 1, 47),  # ENTITY-MIB
    (1, 3, 6, 1, 2, 1, 99),  # ENTITY-SENSOR-MIB (temperatures)
    (1, 0, 8802, 1, 1, 2),  # LLDP-MIB
    (1, 3, 6, 1, 4, 1, 9, 2, 1),  # Cisco OLD-CISCO-SYSTEM (avgBusy1/5)
    (1, 3, 6, 1, 4, 1, 9, 9, 13),  # Cisco ENVMON (temperatures)
    (1, 3, 6, 1, 4, 1, 9, 9, 23),  # Cisco CDP cache (neighbors)
    (1, 3, 6, 1, 4, 1, 9, 9, 48),  # Cisco MEMORY-POOL
    (1, 3, 6, 1, 4, 1, 9, 9, 109),  # Cisco PROCESS-MIB (cpmCPUTotal)
    (1, 3, 6, 1, 4, 1, 9, 9, 221),  # Cisco ENHANCED-MEMPOOL
    (1, 3, 6, 1, 4, 1, 171, 12, 1),  # D-Link agent (CPU, memory)
    (1, 3, 6, 1, 4, 1, 318),  # APC PowerNet (UPS)
    (1, 3, 6, 1, 4, 1, 1991, 1, 1, 2),  # Brocade/Foundry snAgentSys (CPU, memory, temp)
    (1, 3, 6, 1, 4, 1, 2011, 5, 25, 31),  # Huawei hwEntityExtent (CPU, memory, temp)
    (1, 3, 6, 1, 4, 1, 2021),  # net-snmp UCD (load, memory, CPU)
    (1, 3, 6, 1, 4, 1, 2636, 3, 1),  # Juniper jnxBoxAnatomy (jnxOperatingTable)
    (1, 3, 6, 1, 4, 1, 4881, 1, 1, 10, 2, 35),  # Ruijie memory
    (1, 3, 6, 1, 4, 1, 4881, 1, 1, 10, 2, 36),  # Ruijie CPU
    (1, 3, 6, 1, 4, 1, 5651),  # Maipu
    (1, 3, 6, 1, 4, 1, 25461, 2, 1, 2),  # Palo Alto panSys
    (1, 3, 6, 1, 4, 1, 25506, 2, 6),  # H3C hh3cEntityExtend (CPU, memory, temp)
    (1, 3, 6, 1, 4, 1, 30065),  # Arista
)

_TAG_RE = re.compile(rb"^(\d+)(x?)(?::([A-Za-z0-9_-]+))?$")
_UNSIGNED_MAX = {Tag.COUNTER32: 2**32 - 1, Tag.GAUGE32: 2**32 - 1, Tag.TIMETICKS: 2**32 - 1,
                 Tag.COUNTER64: 2**64 - 1}
_INT32 = (-(2**31), 2**31 - 1)


class RecordError(ValueError):
    """A recording line that cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Record:
    """One parsed recording line."""

    oid: Oid
    tag: int
    value: Value


@dataclass(slots=True)
class ParseStats:
    """What parsing a recording skipped."""

    kept: int = 0
    filtered: int = 0  # outside :data:`KEEP`
    variations: int = 0  # variation lines without a static value
    malformed: int = 0


def kept(oid: Oid, keep: Iterable[Oid] = KEEP) -> bool:
    """Whether ``oid`` lies in one of the ``keep`` subtrees."""
    return any(oid[:len(prefix)] == prefix for prefix in keep)


def parse_oid(text: bytes | str) -> Oid:
    """A dotted OID (a leading dot allowed) as a tuple; raise :class:`RecordError`."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    try:
        oid = tuple(int(arc) for arc in text.strip().lstrip(".").split("."))
    except ValueError:
        raise RecordError(f"bad OID {text!r}") from None
    if len(oid) < 2 or oid[0] > 2 or (oid[0] < 2 and oid[1] >= 40) or min(oid) < 0:
        raise RecordError(f"bad OID {text!r}")
    return oid


def _variation_value(variation: str, params: bytes) -> tuple[bytes, bool] | None:
    """The static (value, is_hex) of a variation line, or None when there is none."""
    found: dict[str, bytes] = {}
    for item in params.split(b","):
        name, sep, val = item.partition(b"=")
        if sep:
            found[name.strip().decode("ascii", "replace")] = val
    if "hexvalue" in found:
        return found["hexvalue"], True
    keys = ("value", "initial", "offset", "min") if variation == "numeric" else (
        "value", "initial")
    for key in keys:
        if key in found:
            return found[key], False
    return None


def _unsigned(tag: int, text: bytes) -> int:
    value = int(text)
    if not 0 <= value <= _UNSIGNED_MAX[Tag(tag)]:
        raise RecordError(f"value {value} out of range for tag {tag}")
    return value


def _ipaddress(text: bytes, is_hex: bool) -> bytes:
    if is_hex:
        raw = bytes.fromhex(text.decode("ascii"))
    elif text.count(b".") == 3:
        raw = bytes(int(part) for part in text.split(b"."))
    else:
        raw = text  # some recordings store the four octets raw ("eEij")
    if len(raw) != 4:
        raise RecordError(f"bad IpAddress {text!r}")
    return raw


def convert(tag: int, text: bytes, is_hex: bool) -> Value:
    """The Python value (as :mod:`collectors.snmp.ber` wants it) of a recorded value."""
    try:
        if tag == Tag.INTEGER:
            value = int(text)
            if not _INT32[0] <= value <= _INT32[1]:
                raise RecordError(f"INTEGER {value} out of range")
            return value
        if tag in _UNSIGNED_MAX:
            return _unsigned(tag, text)
        if tag in (Tag.OCTET_STRING, Tag.OPAQUE):
            return bytes.fromhex(text.decode("ascii")) if is_hex else text
        if tag == Tag.IPADDRESS:
            return _ipaddress(text, is_hex)
        if tag == Tag.OID:
            return parse_oid(text)
        if tag == Tag.NULL:
            return None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordError(str(exc)) from None
    raise RecordError(f"unsupported tag {tag}")


def parse_line(line: bytes) -> Record | None:
    """One record, or None for a variation line without a static value.

    Raise :class:`RecordError` for a malformed line.
    """
    parts = line.split(b"|", 2)
    if len(parts) != 3:
        raise RecordError(f"no OID|TAG|VALUE in {line[:60]!r}")
    oid_text, tag_text, text = parts
    match = _TAG_RE.match(tag_text.strip())
    if match is None:
        raise RecordError(f"bad tag {tag_text!r}")
    tag, is_hex = int(match[1]), bool(match[2])
    if match[3] is not None:
        static = _variation_value(match[3].decode("ascii"), text)
        if static is None:
            return None
        text, is_hex = static[0], is_hex or static[1]
    return Record(parse_oid(oid_text), tag, convert(tag, text, is_hex))


def parse_records(data: bytes, stats: ParseStats,
                  keep: Iterable[Oid] | None = KEEP) -> Iterator[Record]:
    """The kept records of a whole recording's bytes (``keep=None`` keeps everything)."""
    texts = None if keep is None else tuple(
        ".".join(map(str, prefix)).encode() + b"." for prefix in keep)
    for raw in data.split(b"\n"):
        line = raw.rstrip(b"\r")
        if not line.strip() or line.startswith(b"#"):
            continue
        if texts is not None and b"|" in line:
            head = line.split(b"|", 1)[0].strip().lstrip(b".") + b"."
            if not head.startswith(texts):
                stats.filtered += 1
                continue
        try:
            record = parse_line(line)
        except RecordError:
            stats.malformed += 1
            continue
        if record is None:
            stats.variations += 1
        else:
            stats.kept += 1
            yield record
