"""Decoding trap datagrams (SNMPv1 Trap-PDU, v2c SNMPv2-Trap and InformRequest, v3 USM).

v1 traps are converted to SNMPv2 notifications as RFC 3584 3.1 says: a
generic trap 0..5 becomes ``1.3.6.1.6.3.1.1.5.{generic+1}``, an
enterprise-specific one ``enterprise.0.specific``. Varbinds are read with
:func:`collectors.snmp.ber.decode_varbinds`. A v2c InformRequest gets a
Response PDU with the same request-id and varbinds (``Decoded.reply``).

:meth:`TrapDecoder.decode` is a pure function of the datagram (and the
configured communities and users): it raises :class:`TrapDecodeError` for a
malformed datagram and :class:`TrapAuthError` for an unknown community, an
unknown v3 user or a digest that does not verify.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from collectors.snmp import ber
from collectors.snmp.ber import PduType, Tag, VarBind
from collectors.snmp.v3 import V3Credentials
from collectors.traps.classify import classify
from collectors.traps.model import IF_INDEX, Trap
from collectors.traps.usm import UsmTable
from collectors.traps.wire import (
    SEQUENCE,
    TrapAuthError,
    TrapDecodeError,
    expect,
    read_int,
    read_octets,
    read_tlv,
)

SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
GENERIC_TRAPS = "1.3.6.1.6.3.1.1.5"
_IF_STATUS = ("1.3.6.1.2.1.2.2.1.7.", "1.3.6.1.2.1.2.2.1.8.")  # ifAdminStatus, ifOperStatus
_MAX_VARBINDS = 128
_MAX_VALUE = 512
_V1, _V2C, _V3 = 0, 1, 3


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded trap and, for an InformRequest, the Response datagram to send back."""

    trap: Trap
    reply: bytes | None = None


def dotted(oid: Sequence[int]) -> str:
    """An OID as dotted text without a leading dot."""
    return ".".join(map(str, oid))


def render_value(tag: int, value: ber.Value) -> str:
    """A varbind value as printable text (non-printable octets as ``0x`` hex)."""
    if value is None:
        return ""
    if tag == Tag.IPADDRESS and isinstance(value, bytes) and len(value) == 4:
        return ".".join(map(str, value))
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        printable = all(ch.isprintable() or ch in "\r\n\t" for ch in text)
        out = text if text and printable else ("0x" + value.hex() if value else "")
        return out[:_MAX_VALUE]
    if isinstance(value, tuple):
        return dotted(value)
    return str(value)


def _if_index(varbinds: Sequence[tuple[str, str]]) -> int | None:
    for oid, value in varbinds:
        if oid.startswith(IF_INDEX + ".") and value.isdigit():
            return int(value)
    for oid, _ in varbinds:
        for column in _IF_STATUS:
            suffix = oid[len(column):]
            if oid.startswith(column) and suffix.isdigit():
                return int(suffix)
    return None


def _payload(varbinds: Sequence[VarBind]) -> tuple[tuple[str, str], ...]:
    if len(varbinds) > _MAX_VARBINDS:
        raise TrapDecodeError(f"{len(varbinds)} varbinds (at most {_MAX_VARBINDS})")
    return tuple((dotted(oid), render_value(tag, value)) for oid, tag, value in varbinds
                 if oid not in (SYS_UPTIME, SNMP_TRAP_OID))


def _build(source: str, port: int, received_at: float, version: str, trap_oid: str,
           uptime: int | None, varbinds: tuple[tuple[str, str], ...], *, user: str = "",
           enterprise: str = "", agent_address: str = "") -> Trap:
    verdict = classify(trap_oid, varbinds)
    if_index = _if_index(varbinds) if verdict.kind in ("link_down", "link_up") else None
    return Trap(received_at=received_at, source=source, port=port, version=version,
                trap_oid=trap_oid, kind=verdict.kind, name=verdict.name,
                severity=verdict.severity, uptime_ticks=uptime, if_index=if_index,
                varbinds=varbinds, clears=verdict.clears, user=user, enterprise=enterprise,
                agent_address=agent_address)


def _varbind_list(data: bytes, pos: int, end: int) -> tuple[list[VarBind], int, int]:
    vpos, vend = expect(data, pos, end, SEQUENCE, "varbind list")
    try:
        return ber.decode_varbinds(data, vpos, vend), vpos, vend
    except ber.BerError as exc:
        raise TrapDecodeError(str(exc)) from None


class TrapDecoder:
    """Turns datagrams into :class:`Trap` objects for the accepted communities and users."""

    def __init__(self, communities: Collection[bytes], v3_users: Sequence[V3Credentials]) -> None:
        self._communities = [bytes(c) for c in communities]
        self._usm = UsmTable(v3_users)

    def _check_community(self, community: bytes) -> None:
        ok = False
        for accepted in self._communities:  # compare with every one: constant time per entry
            ok |= hmac.compare_digest(accepted, community)
        if not ok:
            raise TrapAuthError("unknown community")

    def decode(self, data: bytes, source: str, port: int, received_at: float) -> Decoded:
        """Decode and authenticate one datagram; raise TrapDecodeError or TrapAuthError."""
        pos, end = expect(data, 0, len(data), SEQUENCE, "message")
        version, pos = read_int(data, pos, end, "version")
        where = (source, port, received_at)
        if version == _V3:
            opened = self._usm.open(data, pos, end)
            plain = opened.scoped_pdu
            spos, send = expect(plain, 0, len(plain), SEQUENCE, "scopedPDU")
            _, spos = read_octets(plain, spos, send, "contextEngineID")
            _, spos = read_octets(plain, spos, send, "contextName")
            pdu, ppos, pend = read_tlv(plain, spos, send)
            if pdu != PduType.TRAP_V2:
                raise TrapDecodeError(f"unsupported v3 PDU type 0x{pdu:02x}")
            return Decoded(self._v2(plain, ppos, pend, where, "3", user=opened.user)[0])
        if version not in (_V1, _V2C):
            raise TrapDecodeError(f"unsupported SNMP version {version}")
        community, pos = read_octets(data, pos, end, "community")
        self._check_community(community)
        pdu, ppos, pend = read_tlv(data, pos, end)
        if version == _V1 and pdu == PduType.TRAP_V1:
            return Decoded(self._v1(data, ppos, pend, where))
        if version == _V2C and pdu in (PduType.TRAP_V2, PduType.INFORM):
            trap, request_id, raw = self._v2(data, ppos, pend, where, "2c")
            if pdu == PduType.TRAP_V2:
                return Decoded(trap)
            reply = ber.encode_message(_V2C, community, PduType.RESPONSE, request_id, 0, 0, raw)
            return Decoded(trap, reply)
        raise TrapDecodeError(f"PDU type 0x{pdu:02x} is not a notification")

    @staticmethod
    def _v2(data: bytes, pos: int, end: int, where: tuple[str, int, float], version: str,
            user: str = "") -> tuple[Trap, int, bytes]:
        request_id, pos = read_int(data, pos, end, "request-id")
        _, pos = read_int(data, pos, end, "error-status")
        _, pos = read_int(data, pos, end, "error-index")
        varbinds, vpos, vend = _varbind_list(data, pos, end)
        found = {oid: value for oid, _, value in varbinds if oid in (SYS_UPTIME, SNMP_TRAP_OID)}
        trap_oid, uptime = found.get(SNMP_TRAP_OID), found.get(SYS_UPTIME)
        if not isinstance(trap_oid, tuple):
            raise TrapDecodeError("notification without snmpTrapOID.0")
        trap = _build(*where, version, dotted(trap_oid),
                      uptime if isinstance(uptime, int) else None, _payload(varbinds), user=user)
        return trap, request_id, bytes(data[vpos:vend])

    @staticmethod
    def _v1(data: bytes, pos: int, end: int, where: tuple[str, int, float]) -> Trap:
        epos, eend = expect(data, pos, end, Tag.OID, "enterprise")
        try:
            enterprise = dotted(ber.decode_oid(bytes(data[epos:eend])))
        except ber.BerError as exc:
            raise TrapDecodeError(str(exc)) from None
        apos, pos = expect(data, eend, end, Tag.IPADDRESS, "agent-addr")
        if pos - apos != 4:
            raise TrapDecodeError("agent-addr is not 4 octets")
        agent = ".".join(map(str, data[apos:pos]))
        generic, pos = read_int(data, pos, end, "generic-trap")
        specific, pos = read_int(data, pos, end, "specific-trap")
        stamp, pos = read_int(data, pos, end, "time-stamp", tag=Tag.TIMETICKS)
        varbinds, _, _ = _varbind_list(data, pos, end)
        if 0 <= generic <= 5:
            trap_oid = f"{GENERIC_TRAPS}.{generic + 1}"
        elif generic == 6:
            trap_oid = f"{enterprise}.0.{specific}"
        else:
            raise TrapDecodeError(f"generic-trap {generic} out of range")
        return _build(*where, "1", trap_oid, stamp, _payload(varbinds), enterprise=enterprise,
                      agent_address=agent)
