"""The lab's simulated devices send traps: SNMPv2c notifications from their own addresses.

A simulated device has its own loopback address (127.x.y.z); the trap leaves
a UDP socket bound to that address, so the NOC's trap receiver sees the
device itself as the sender, exactly as with a real router. Sending never
blocks and never raises on network errors (they are logged at debug level).
"""

from __future__ import annotations

import logging
import secrets
import socket

from collectors.snmp import ber
from collectors.snmp.ber import PduType, Tag

log = logging.getLogger(__name__)

SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
_IF_ENTRY = "1.3.6.1.2.1.2.2.1"
_UP, _DOWN = 1, 2  # ifAdminStatus / ifOperStatus values


def _oid(text: str) -> ber.Oid:
    return tuple(int(arc) for arc in text.strip(".").split("."))


def _value(tag: int, value: object) -> ber.Value:
    if tag == Tag.OID and isinstance(value, str):
        return _oid(value)
    if tag == Tag.IPADDRESS and isinstance(value, str):
        return bytes(int(part) for part in value.split("."))
    if isinstance(value, str):
        return value.encode()
    if value is None or isinstance(value, int | bytes | tuple):
        return value
    raise ValueError(f"cannot encode a {type(value).__name__} as tag 0x{tag:02x}")


def encode_v2c_trap(community: bytes, trap_oid: str, uptime_ticks: int,
                    varbinds: list[tuple[str, int, object]]) -> bytes:
    """An SNMPv2-Trap message: sysUpTime.0, snmpTrapOID.0, then ``(oid, ber tag, value)``.

    Values: ``int`` for integer tags, ``str`` or ``bytes`` for octet strings,
    dotted ``str`` for OIDs and IpAddress.
    """
    body = [ber.encode_varbind(ber.encode_oid(SYS_UPTIME),
                               ber.encode_value(Tag.TIMETICKS, uptime_ticks % 2**32)),
            ber.encode_varbind(ber.encode_oid(SNMP_TRAP_OID),
                               ber.encode_value(Tag.OID, _oid(trap_oid)))]
    for oid, tag, value in varbinds:
        body.append(ber.encode_varbind(ber.encode_oid(_oid(oid)),
                                       ber.encode_value(tag, _value(tag, value))))
    request_id = secrets.randbelow(2**31 - 1)
    return ber.encode_message(ber.VERSION_V2C, community, PduType.TRAP_V2, request_id, 0, 0,
                              b"".join(body))


def link_trap_varbinds(up: bool, if_index: int, if_name: str) -> list[tuple[str, int, object]]:
    """The IF-MIB linkUp/linkDown varbinds: ifIndex, ifAdminStatus, ifOperStatus, ifDescr."""
    return [(f"{_IF_ENTRY}.1.{if_index}", Tag.INTEGER, if_index),
            (f"{_IF_ENTRY}.7.{if_index}", Tag.INTEGER, _UP),
            (f"{_IF_ENTRY}.8.{if_index}", Tag.INTEGER, _UP if up else _DOWN),
            (f"{_IF_ENTRY}.2.{if_index}", Tag.OCTET_STRING, if_name)]


def send_datagram(source: str, target: tuple[str, int], data: bytes) -> bool:
    """Send ``data`` from a UDP socket bound to ``source``; False (logged) on a network error."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.bind((source, 0))
            sock.sendto(data, target)
    except OSError as exc:
        log.debug("trap from %s to %s:%d not sent: %s", source, target[0], target[1], exc)
        return False
    return True


def send_link_trap(source: str, target: tuple[str, int], community: bytes, up: bool,
                   if_index: int, if_name: str, uptime_ticks: int) -> None:
    """Send a v2c linkUp/linkDown of one interface from the device address ``source``."""
    message = encode_v2c_trap(community, LINK_UP if up else LINK_DOWN, uptime_ticks,
                              link_trap_varbinds(up, if_index, if_name))
    send_datagram(source, target, message)
