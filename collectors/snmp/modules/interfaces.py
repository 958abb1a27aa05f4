"""IF-MIB interfaces (RFC 2863) for discovery: ifTable + ifXTable + ifPhysAddress.

Collects, per ifIndex, what the regular poll collects (name, descr, alias,
type, speed, status, counters; see :func:`collectors.snmp.parsers.parse_interfaces`)
plus the MAC address from ifPhysAddress. Rows may be sparse, ifIndexes need not
be contiguous, and interfaces may come and go between polls: each poll parses
what it got. Vendor-neutral: every vendor implements IF-MIB, nothing to add.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, InterfaceSample
from collectors.snmp import mibs
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Scalars
from collectors.snmp.parsers import parse_interfaces


@dataclass(kw_only=True)
class Interfaces(ModuleResult):
    """The interfaces of a device."""

    interfaces: list[InterfaceSample] = field(default_factory=list)


class InterfacesModule:
    """IF-MIB ifTable/ifXTable columns of :mod:`collectors.snmp.mibs` and ifPhysAddress."""

    name = "interfaces"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (*mibs.IF_COLUMNS.values(), mibs.IF_PHYS_ADDRESS,
                                *mibs.IFX_COLUMNS.values())
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> Interfaces:
        """One :class:`InterfaceSample` per ifIndex seen in any column."""
        return Interfaces(interfaces=parse_interfaces(columns))

    def apply(self, result: Interfaces, facts: DeviceFacts) -> None:
        """Set ``facts.interfaces``."""
        facts.interfaces = result.interfaces


MODULE = InterfacesModule()
