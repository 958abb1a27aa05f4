"""Neighbours: LLDP-MIB (IEEE 802.1AB) lldpRemTable and CISCO-CDP-MIB cdpCacheTable.

LLDP collects, per remote entry (index timeMark.localPortNum.remIndex),
lldpRemChassisIdSubtype/ChassisId, lldpRemPortIdSubtype/PortId, lldpRemPortDesc
and lldpRemSysName, and names the local port from lldpLocPortTable
(lldpLocPortDesc, else lldpLocPortId). lldpLocPortNum is often, not always,
the ifIndex; it is kept as ``local_if_index``. MAC chassis/port ids (subtype
macAddress) read as ``aa:bb:...``, network addresses as dotted IPv4.

CDP (Cisco only) collects cdpCacheDeviceId, cdpCacheDevicePort,
cdpCachePlatform and cdpCacheAddress per ifIndex.deviceIndex; the local port
is named from the interfaces found by :mod:`.interfaces`.

Any vendor speaking LLDP needs nothing; a proprietary discovery protocol
(Huawei HGMP, Foundry FDP) would get a module of its own producing
:class:`collectors.base.Neighbor` with its ``protocol``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Neighbor
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first, mac_text
from collectors.snmp.parsers import text

LLDP = (1, 0, 8802, 1, 1, 2, 1)
LOC_PORT_ENTRY = (*LLDP, 3, 7, 1)
LOC_PORT_ID_SUBTYPE, LOC_PORT_ID, LOC_PORT_DESC = ((*LOC_PORT_ENTRY, c) for c in (2, 3, 4))
REM_ENTRY = (*LLDP, 4, 1, 1)
REM_CHASSIS_SUBTYPE, REM_CHASSIS_ID, REM_PORT_SUBTYPE, REM_PORT_ID, REM_PORT_DESC, \
    REM_SYS_NAME = ((*REM_ENTRY, c) for c in (4, 5, 6, 7, 8, 9))
CDP_ENTRY = (1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1)
CDP_ADDRESS, CDP_DEVICE_ID, CDP_DEVICE_PORT, CDP_PLATFORM = ((*CDP_ENTRY, c) for c in (4, 6, 7, 8))
CHASSIS_MAC, CHASSIS_NETWORK = 4, 5  # LldpChassisIdSubtype
PORT_MAC, PORT_NETWORK = 3, 4  # LldpPortIdSubtype


@dataclass(kw_only=True)
class Neighbors(ModuleResult):
    """The neighbours seen on a device's ports."""

    neighbors: list[Neighbor] = field(default_factory=list)


def lldp_id(raw: bytes, subtype: int | None, mac: int, network: int) -> str:
    """A chassis or port id as text by its subtype (MAC, network address, else a string)."""
    if subtype == mac and len(raw) == 6:
        return mac_text(raw)
    if subtype == network and len(raw) == 5 and raw[0] == 1:  # IANA family 1: IPv4
        return ".".join(map(str, raw[1:]))
    return text(raw)


def _local_ports(read: Reader) -> dict[int, str]:
    descrs = by_first(read.texts(LOC_PORT_DESC))
    ids, subtypes = by_first(read.octets(LOC_PORT_ID)), by_first(read.ints(LOC_PORT_ID_SUBTYPE))
    ports = {i: lldp_id(raw, subtypes.get(i), PORT_MAC, PORT_NETWORK) for i, raw in ids.items()}
    ports.update((i, d) for i, d in descrs.items() if d.strip())
    return ports


class LldpModule:
    """lldpRemTable with local port names from lldpLocPortTable."""

    name = "lldp"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (REM_CHASSIS_SUBTYPE, REM_CHASSIS_ID, REM_PORT_SUBTYPE, REM_PORT_ID,
                                REM_PORT_DESC, REM_SYS_NAME, LOC_PORT_ID_SUBTYPE, LOC_PORT_ID,
                                LOC_PORT_DESC)
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> Neighbors:
        """One :class:`Neighbor` per lldpRemTable entry."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        local = _local_ports(read)
        chassis, chassis_type = read.octets(REM_CHASSIS_ID), read.ints(REM_CHASSIS_SUBTYPE)
        ports, port_type = read.octets(REM_PORT_ID), read.ints(REM_PORT_SUBTYPE)
        descrs, names = read.texts(REM_PORT_DESC), read.texts(REM_SYS_NAME)
        neighbors = []
        for index in sorted(set(chassis) | set(names)):
            if len(index) != 3:
                continue
            chassis_id = lldp_id(chassis.get(index, b""), chassis_type.get(index), CHASSIS_MAC,
                                 CHASSIS_NETWORK)
            port = lldp_id(ports.get(index, b""), port_type.get(index), PORT_MAC, PORT_NETWORK)
            neighbors.append(Neighbor(
                local_port=local.get(index[1], str(index[1])),
                remote_name=names.get(index, "").strip() or chassis_id,
                remote_port=port or descrs.get(index, ""), protocol="lldp",
                local_if_index=index[1], remote_chassis_id=chassis_id,
                remote_port_descr=descrs.get(index, "")))
        return Neighbors(neighbors=neighbors, errors=errors)

    def apply(self, result: Neighbors, facts: DeviceFacts) -> None:
        """Add the neighbours; a local port number that is the ifIndex gets the ifName."""
        interfaces = {i.if_index: i for i in facts.interfaces}
        for neighbor in result.neighbors:
            iface = interfaces.get(neighbor.local_if_index)
            if iface is not None and iface.name and neighbor.local_port in (
                    iface.name, iface.descr, iface.alias, str(iface.if_index)):
                neighbor.local_port = iface.name
        facts.neighbors.extend(result.neighbors)


class CdpModule:
    """cdpCacheTable of Cisco devices."""

    name = "cdp"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (CDP_ADDRESS, CDP_DEVICE_ID, CDP_DEVICE_PORT, CDP_PLATFORM)
    vendors: frozenset[str] = frozenset({"Cisco"})
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> Neighbors:
        """One :class:`Neighbor` per cdpCacheTable entry (local port: ``ifIndex N``)."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        ids, ports = read.texts(CDP_DEVICE_ID), read.texts(CDP_DEVICE_PORT)
        platforms, addresses = read.texts(CDP_PLATFORM), read.octets(CDP_ADDRESS)
        neighbors = []
        for index in sorted(ids):
            if len(index) != 2:
                continue
            address = addresses.get(index, b"")
            neighbors.append(Neighbor(
                local_port=f"ifIndex {index[0]}", remote_name=ids[index].strip(),
                remote_port=ports.get(index, ""), protocol="cdp", local_if_index=index[0],
                platform=platforms.get(index, "").strip(),
                remote_address=".".join(map(str, address)) if len(address) == 4 else ""))
        return Neighbors(neighbors=neighbors, errors=errors)

    def apply(self, result: Neighbors, facts: DeviceFacts) -> None:
        """Add the neighbours, naming local ports after the interfaces found."""
        names = {i.if_index: i.name for i in facts.interfaces if i.name}
        for neighbor in result.neighbors:
            neighbor.local_port = names.get(neighbor.local_if_index, neighbor.local_port)
        facts.neighbors.extend(result.neighbors)


LLDP_MODULE = LldpModule()
CDP_MODULE = CdpModule()
