"""OIDs the SNMP collectors ask for, in one place (numeric: Debian ships no MIB files).

SNMPv2-MIB system group (RFC 3418), IF-MIB ifTable and ifXTable (RFC 2863).
To collect a new column, add it to the mapping here and to the parser that
reads it; the walk asks only for the columns listed.
"""

from __future__ import annotations

from collectors.snmp.ber import Oid

SYSTEM: Oid = (1, 3, 6, 1, 2, 1, 1)
SYS_DESCR: Oid = (*SYSTEM, 1, 0)
SYS_OBJECT_ID: Oid = (*SYSTEM, 2, 0)
SYS_UPTIME: Oid = (*SYSTEM, 3, 0)
SYS_CONTACT: Oid = (*SYSTEM, 4, 0)
SYS_NAME: Oid = (*SYSTEM, 5, 0)
SYS_LOCATION: Oid = (*SYSTEM, 6, 0)
SYSTEM_SCALARS: tuple[Oid, ...] = (SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_CONTACT, SYS_NAME,
                                   SYS_LOCATION)

IF_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)

# column name -> OID of the column (rows are indexed by ifIndex)
IF_COLUMNS: dict[str, Oid] = {
    "descr": (*IF_ENTRY, 2),
    "type": (*IF_ENTRY, 3),
    "speed": (*IF_ENTRY, 5),
    "admin_status": (*IF_ENTRY, 7),
    "oper_status": (*IF_ENTRY, 8),
    "last_change": (*IF_ENTRY, 9),
    "in_octets": (*IF_ENTRY, 10),
    "in_ucast_pkts": (*IF_ENTRY, 11),
    "in_discards": (*IF_ENTRY, 13),
    "in_errors": (*IF_ENTRY, 14),
    "out_octets": (*IF_ENTRY, 16),
    "out_ucast_pkts": (*IF_ENTRY, 17),
    "out_discards": (*IF_ENTRY, 19),
    "out_errors": (*IF_ENTRY, 20),
}
#: ifPhysAddress: walked by discovery (MAC of each interface), not by every poll
IF_PHYS_ADDRESS: Oid = (*IF_ENTRY, 6)
IFX_COLUMNS: dict[str, Oid] = {
    "name": (*IFX_ENTRY, 1),
    "hc_in_octets": (*IFX_ENTRY, 6),
    "hc_in_ucast_pkts": (*IFX_ENTRY, 7),
    "hc_out_octets": (*IFX_ENTRY, 10),
    "hc_out_ucast_pkts": (*IFX_ENTRY, 11),
    "high_speed": (*IFX_ENTRY, 15),
    "alias": (*IFX_ENTRY, 18),
    "discontinuity": (*IFX_ENTRY, 19),  # ifCounterDiscontinuityTime (TimeTicks)
}
