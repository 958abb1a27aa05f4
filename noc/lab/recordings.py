"""Real device walks (snmpsim-data recordings), parsed once and pre-encoded.

A :class:`Recording` is a sorted list of OIDs with, parallel to it, the BER
encoding of each OID and of each value, so that the lab's responder answers a
request by concatenating bytes. Recordings are cached per path: the 300
switches of a city that share a recording share one parsed copy.

Recording paths are relative to the ``snmpsim_data/data`` directory of the
installed ``snmpsim-data`` package (e.g. ``network/switch/cisco-c3750.snmprec.bz2``);
an absolute path is used as is.
"""

from __future__ import annotations

import bz2
import functools
import importlib.util
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from collectors.snmp.ber import Oid, Tag, Value, decode_oid, encode_oid, encode_value
from noc.lab.snmprec import KEEP, ParseStats, parse_records

IF_TYPE: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 3)
ETHERNET_IF_TYPES = frozenset({6, 62, 117})  # ethernetCsmacd, fastEther, gigabitEthernet

_encode_oid = encode_oid.__wrapped__  # uncached: loading must not flush the poller's cache


def data_dir() -> Path:
    """The ``snmpsim_data/data`` directory of the installed snmpsim-data package."""
    spec = importlib.util.find_spec("snmpsim_data")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the snmpsim-data package is not installed")
    return Path(spec.origin).parent / "data"


def resolve(path: str) -> Path:
    """The file of a recording path (relative to :func:`data_dir`, or absolute)."""
    p = Path(path)
    return p if p.is_absolute() else data_dir() / p


def decode_value_tlv(encoded: bytes) -> Value:
    """The Python value of a pre-encoded value TLV (the inverse of ``encode_value``)."""
    tag, n = encoded[0], encoded[1]
    start = 2 + (n & 0x7F if n & 0x80 else 0)
    content = encoded[start:]
    if tag == Tag.INTEGER:
        return int.from_bytes(content, "big", signed=True)
    if tag in (Tag.COUNTER32, Tag.GAUGE32, Tag.TIMETICKS, Tag.COUNTER64):
        return int.from_bytes(content, "big")
    if tag == Tag.OID:
        return decode_oid(content)
    if tag == Tag.NULL or tag >= 0x80:
        return None
    return content


@dataclass(frozen=True, slots=True, eq=False)
class Recording:
    """A parsed recording: sorted OIDs and their pre-encoded OID and value TLVs."""

    path: str
    oids: list[Oid]
    oid_tlvs: list[bytes]
    value_tlvs: list[bytes]
    stats: ParseStats

    def __len__(self) -> int:
        return len(self.oids)

    def index(self, oid: Oid) -> int | None:
        """The position of ``oid``, or None when the recording does not have it."""
        i = bisect_left(self.oids, oid)
        return i if i < len(self.oids) and self.oids[i] == oid else None

    def get(self, oid: Oid) -> Value:
        """The decoded value of ``oid`` (None when absent, as for NULL)."""
        i = self.index(oid)
        return None if i is None else decode_value_tlv(self.value_tlvs[i])

    def tag(self, oid: Oid) -> int | None:
        """The BER tag of ``oid``'s value, or None when absent."""
        i = self.index(oid)
        return None if i is None else self.value_tlvs[i][0]

    def subtree(self, prefix: Oid) -> range:
        """The positions of the OIDs strictly under ``prefix``."""
        lo = bisect_left(self.oids, prefix)
        if lo < len(self.oids) and self.oids[lo] == prefix:
            lo += 1
        hi = bisect_left(self.oids, (*prefix[:-1], prefix[-1] + 1))
        return range(lo, hi)

    def column(self, prefix: Oid) -> dict[Oid, Value]:
        """Instance suffix -> decoded value for every OID under ``prefix``."""
        n = len(prefix)
        return {self.oids[i][n:]: decode_value_tlv(self.value_tlvs[i])
                for i in self.subtree(prefix)}


def parse_recording(path: str, data: bytes, keep: tuple[Oid, ...] | None = KEEP) -> Recording:
    """Parse and pre-encode a recording's (decompressed) bytes."""
    stats = ParseStats()
    entries: dict[Oid, bytes] = {}
    for record in parse_records(data, stats, keep):
        entries[record.oid] = encode_value(record.tag, record.value)
    oids = sorted(entries)
    return Recording(path, oids, [_encode_oid(o) for o in oids], [entries[o] for o in oids],
                     stats)


@functools.cache
def load_recording(path: str) -> Recording:
    """The recording at ``path`` (``.snmprec`` or ``.snmprec.bz2``), parsed once per path."""
    raw = resolve(path).read_bytes()
    if path.endswith(".bz2"):
        raw = bz2.decompress(raw)
    return parse_recording(path, raw)


def ethernet_ports(rec: Recording) -> list[int]:
    """The ifIndexes of the recording's Ethernet interfaces (ifType 6/62/117), in ifIndex order."""
    return sorted(index[0] for index, value in rec.column(IF_TYPE).items()
                  if len(index) == 1 and value in ETHERNET_IF_TYPES)


@functools.cache
def _ports(recording_path: str) -> tuple[int, ...]:
    return tuple(ethernet_ports(load_recording(recording_path)))


def port_ifindex(recording_path: str, ordinal: int) -> int:
    """The ifIndex of Ethernet port ``ordinal`` (1-based) of a recording.

    Raise :class:`ValueError` when the recording has fewer Ethernet ports.
    """
    ports = _ports(recording_path)
    if not 1 <= ordinal <= len(ports):
        raise ValueError(f"{recording_path} has {len(ports)} Ethernet ports; "
                         f"port {ordinal} is out of range 1..{len(ports)}")
    return ports[ordinal - 1]
