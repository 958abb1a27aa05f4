"""ARP/neighbour cache: IP-MIB ipNetToPhysicalTable, else the old ipNetToMediaTable.

Collects (ifIndex, IP address, MAC) from ipNetToPhysicalPhysAddress (RFC
4293; index ifIndex.addressType.length.address, IPv4 and IPv6) or, when an
agent has only the RFC 1213 table, ipNetToMediaPhysAddress (index
ifIndex.a.b.c.d). Only the MAC columns are walked: the index carries the rest.

Optional and kept cheap: a core router's ARP cache can hold tens of thousands
of entries, so the walk stops once the table exceeds :data:`MAX_ROWS` rows and
the module is skipped with a note in ``DeviceFacts.errors`` (a bounded
walk, see :mod:`collectors.snmp.discovery`). Vendor-neutral.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from collectors.base import ArpEntry, DeviceFacts
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, mac_text

IP_NET_TO_PHYSICAL_PHYS_ADDRESS: Oid = (1, 3, 6, 1, 2, 1, 4, 35, 1, 4)
IP_NET_TO_MEDIA_PHYS_ADDRESS: Oid = (1, 3, 6, 1, 2, 1, 4, 22, 1, 2)
MAX_ROWS = 2000
IPV4, IPV6 = 1, 2  # InetAddressType


@dataclass(kw_only=True)
class Arp(ModuleResult):
    """The ARP (IPv4) and neighbour (IPv6) cache of a device."""

    entries: list[ArpEntry] = field(default_factory=list)


def physical_address(index: Oid) -> tuple[int, str] | None:
    """(ifIndex, IP text) of an ipNetToPhysicalTable index (None when malformed)."""
    if len(index) < 3 or index[1] not in (IPV4, IPV6):
        return None
    size = 4 if index[1] == IPV4 else 16
    octets = index[2:]
    if len(octets) == size + 1 and octets[0] == size:
        octets = octets[1:]  # length-prefixed, as RFC 4293 says
    if len(octets) != size or any(not 0 <= b <= 255 for b in octets):
        return None
    return index[0], str(ipaddress.ip_address(bytes(octets)))


def media_address(index: Oid) -> tuple[int, str] | None:
    """(ifIndex, IP text) of an ipNetToMediaTable index (None when malformed)."""
    if len(index) != 5 or any(not 0 <= b <= 255 for b in index[1:]):
        return None
    return index[0], ".".join(map(str, index[1:]))


class ArpModule:
    """ipNetToPhysicalPhysAddress / ipNetToMediaPhysAddress, bounded by :data:`MAX_ROWS`."""

    name = "arp"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (IP_NET_TO_PHYSICAL_PHYS_ADDRESS, IP_NET_TO_MEDIA_PHYS_ADDRESS)
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = MAX_ROWS

    def parse(self, scalars: Scalars, columns: Columns) -> Arp:
        """Entries of the newer table if it has any, else of the older one."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        entries: list[ArpEntry] = []
        for column, decode in ((IP_NET_TO_PHYSICAL_PHYS_ADDRESS, physical_address),
                               (IP_NET_TO_MEDIA_PHYS_ADDRESS, media_address)):
            for index, raw in sorted(read.octets(column).items()):
                where = decode(index)
                mac = mac_text(raw)
                if where is not None and mac:
                    entries.append(ArpEntry(where[0], where[1], mac))
            if entries:
                break
        if len(entries) > MAX_ROWS:
            return Arp(errors=[*errors, f"skipped: more than {MAX_ROWS} entries"])
        return Arp(entries=entries, errors=errors)

    def apply(self, result: Arp, facts: DeviceFacts) -> None:
        """Set the ARP entries."""
        facts.arp = result.entries


MODULE = ArpModule()
