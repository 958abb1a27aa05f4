"""A lean BER codec for SNMP v1/v2c messages: the poller's and the lab's hot path.

Only what SNMP community messages use is implemented: INTEGER, OCTET STRING,
NULL, OBJECT IDENTIFIER, the SMIv2 application types (IpAddress, Counter32,
Gauge32, TimeTicks, Opaque, Counter64) and the three varbind exceptions
(noSuchObject, noSuchInstance, endOfMibView). pysnmp/pyasn1 remain the
reference implementation; the differential tests decode the same bytes with
both. Everything here is a pure function over ``bytes``.

Values are plain Python objects, tagged by their BER tag:

======================  ==========================
tag                     Python value
======================  ==========================
INTEGER                 ``int`` (signed)
OCTET_STRING, OPAQUE    ``bytes``
IPADDRESS               ``bytes`` (4 octets)
COUNTER32 .. COUNTER64  ``int`` (unsigned)
OID                     ``tuple[int, ...]``
NULL and exceptions     ``None``
======================  ==========================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

Oid = tuple[int, ...]
Value = int | bytes | Oid | None
VarBind = tuple[Oid, int, Value]  # (oid, tag, value)


class Tag(IntEnum):
    """BER tags of SNMP values."""

    INTEGER = 0x02
    OCTET_STRING = 0x04
    NULL = 0x05
    OID = 0x06
    SEQUENCE = 0x30
    IPADDRESS = 0x40
    COUNTER32 = 0x41
    GAUGE32 = 0x42
    TIMETICKS = 0x43
    OPAQUE = 0x44
    COUNTER64 = 0x46
    NO_SUCH_OBJECT = 0x80
    NO_SUCH_INSTANCE = 0x81
    END_OF_MIB_VIEW = 0x82


class PduType(IntEnum):
    """BER tags of SNMP PDUs."""

    GET = 0xA0
    GETNEXT = 0xA1
    RESPONSE = 0xA2
    SET = 0xA3
    TRAP_V1 = 0xA4
    GETBULK = 0xA5
    INFORM = 0xA6
    TRAP_V2 = 0xA7
    REPORT = 0xA8


VERSION_V1 = 0
VERSION_V2C = 1

_UNSIGNED = frozenset({Tag.COUNTER32, Tag.GAUGE32, Tag.TIMETICKS, Tag.COUNTER64})
_UNSIGNED_MAX = {Tag.COUNTER32: 2**32 - 1, Tag.GAUGE32: 2**32 - 1, Tag.TIMETICKS: 2**32 - 1,
                 Tag.COUNTER64: 2**64 - 1}
_EXCEPTIONS = frozenset({Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW})
_SEQ = 0x30


class BerError(ValueError):
    """Raised for bytes that are not a well-formed SNMP message."""


@dataclass(frozen=True, slots=True)
class Message:
    """A decoded SNMP v1/v2c message.

    For GETBULK requests ``error_status`` holds non-repeaters and
    ``error_index`` holds max-repetitions, as on the wire.
    """

    version: int
    community: bytes
    pdu_type: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: list[VarBind]


# --------------------------------------------------------------------------- encoding


def encode_length(n: int) -> bytes:
    """BER definite length octets for a content of ``n`` octets."""
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def tlv(tag: int, content: bytes) -> bytes:
    """Wrap ``content`` in a tag and a length."""
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    return bytes((tag,)) + encode_length(n) + content


def _int_content(value: int) -> bytes:
    # Minimal two's complement (X.690 8.3.2): a negative value needs the bits of ~value
    # plus a sign bit, so -128 is one octet (0x80), not two (0xff80).
    bits = value.bit_length() if value >= 0 else (~value).bit_length()
    return value.to_bytes(bits // 8 + 1, "big", signed=True)


def encode_integer(value: int, tag: int = Tag.INTEGER) -> bytes:
    """A signed INTEGER (or an unsigned application type when ``tag`` says so)."""
    if tag in _UNSIGNED and not 0 <= value <= _UNSIGNED_MAX[Tag(tag)]:
        raise BerError(f"value {value} out of range for tag 0x{tag:02x}")
    return tlv(tag, _int_content(value))


@lru_cache(maxsize=4096)
def encode_oid(oid: Oid) -> bytes:
    """An OBJECT IDENTIFIER TLV (cached: pollers send the same roots again and again)."""
    if len(oid) < 2 or oid[0] > 2 or (oid[0] < 2 and oid[1] >= 40):
        raise BerError(f"invalid OID {oid!r}")
    out = bytearray()
    for arc in (oid[0] * 40 + oid[1], *oid[2:]):
        if arc < 0x80:
            if arc < 0:
                raise BerError(f"negative arc in OID {oid!r}")
            out.append(arc)
            continue
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return tlv(Tag.OID, bytes(out))


def encode_value(tag: int, value: Value) -> bytes:
    """A value TLV of the given tag."""
    if tag == Tag.INTEGER or tag in _UNSIGNED:
        if not isinstance(value, int):
            raise BerError(f"tag 0x{tag:02x} needs an int, got {type(value).__name__}")
        return encode_integer(value, tag)
    if tag in (Tag.OCTET_STRING, Tag.OPAQUE, Tag.IPADDRESS):
        if not isinstance(value, bytes):
            raise BerError(f"tag 0x{tag:02x} needs bytes, got {type(value).__name__}")
        if tag == Tag.IPADDRESS and len(value) != 4:
            raise BerError("IpAddress needs 4 octets")
        return tlv(tag, value)
    if tag == Tag.OID:
        if not isinstance(value, tuple):
            raise BerError("OID value needs a tuple")
        return encode_oid(value)
    if tag == Tag.NULL or tag in _EXCEPTIONS:
        return bytes((tag, 0))
    raise BerError(f"unsupported tag 0x{tag:02x}")


NULL_TLV = b"\x05\x00"


def encode_varbind(oid_tlv: bytes, value_tlv: bytes) -> bytes:
    """One varbind from an encoded OID and an encoded value."""
    return tlv(_SEQ, oid_tlv + value_tlv)


def encode_message(
    version: int,
    community: bytes,
    pdu_type: int,
    request_id: int,
    error_status: int,
    error_index: int,
    varbinds: bytes,
) -> bytes:
    """A whole message; ``varbinds`` is the concatenation of encoded varbinds."""
    pdu = tlv(
        pdu_type,
        tlv(Tag.INTEGER, _int_content(request_id))
        + tlv(Tag.INTEGER, _int_content(error_status))
        + tlv(Tag.INTEGER, _int_content(error_index))
        + tlv(_SEQ, varbinds),
    )
    return tlv(_SEQ, tlv(Tag.INTEGER, _int_content(version)) + tlv(Tag.OCTET_STRING, community)
               + pdu)


def encode_request(
    version: int,
    community: bytes,
    pdu_type: int,
    request_id: int,
    oids: list[Oid] | tuple[Oid, ...],
    non_repeaters: int = 0,
    max_repetitions: int = 0,
) -> bytes:
    """A GET/GETNEXT/GETBULK request for ``oids`` (values NULL)."""
    body = b"".join(encode_varbind(encode_oid(o), NULL_TLV) for o in oids)
    return encode_message(version, community, pdu_type, request_id, non_repeaters,
                          max_repetitions, body)


# --------------------------------------------------------------------------- decoding


def read_header(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """Read a tag and a length at ``pos``; return (tag, content start, content end)."""
    if pos + 2 > end:
        raise BerError(f"truncated TLV at offset {pos}")
    tag = data[pos]
    n = data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or pos + k > end:
            raise BerError(f"bad length at offset {pos - 1}")
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    if pos + n > end:
        raise BerError(f"length {n} at offset {pos} runs past the end")
    return tag, pos, pos + n


def decode_oid(content: bytes) -> Oid:
    """The arcs of an OBJECT IDENTIFIER's content octets."""
    if not content:
        raise BerError("empty OID")
    arcs: list[int] = []
    acc = 0
    for b in content:
        acc = (acc << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(acc)
            acc = 0
    if content[-1] & 0x80:
        raise BerError("truncated OID arc")
    first = arcs[0]
    if first < 80:
        return (first // 40, first % 40, *arcs[1:])
    return (2, first - 80, *arcs[1:])


def _decode_value(tag: int, content: bytes) -> Value:
    if tag == Tag.INTEGER:
        if not content:
            raise BerError("empty INTEGER")
        return int.from_bytes(content, "big", signed=True)
    if tag in _UNSIGNED:
        if not content:
            raise BerError("empty unsigned integer")
        return int.from_bytes(content, "big", signed=False)
    if tag in (Tag.OCTET_STRING, Tag.IPADDRESS, Tag.OPAQUE):
        return content
    if tag == Tag.OID:
        return decode_oid(content)
    if tag == Tag.NULL or tag in _EXCEPTIONS:
        return None
    raise BerError(f"unsupported value tag 0x{tag:02x}")


def decode_varbinds(data: bytes, pos: int, end: int) -> list[VarBind]:
    """Decode the varbinds of a VarBindList's content."""
    out: list[VarBind] = []
    while pos < end:
        tag, vpos, vend = read_header(data, pos, end)
        if tag != _SEQ:
            raise BerError(f"varbind is not a SEQUENCE at offset {pos}")
        otag, opos, oend = read_header(data, vpos, vend)
        if otag != Tag.OID:
            raise BerError(f"varbind name is not an OID at offset {vpos}")
        ttag, tpos, tend = read_header(data, oend, vend)
        out.append((decode_oid(data[opos:oend]), ttag, _decode_value(ttag, data[tpos:tend])))
        pos = vend
    return out


def _read_int(data: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    tag, cpos, cend = read_header(data, pos, end)
    if tag != Tag.INTEGER or cpos == cend:
        raise BerError(f"{what} is not an INTEGER")
    return int.from_bytes(data[cpos:cend], "big", signed=True), cend


def decode_message(data: bytes) -> Message:
    """Decode a v1/v2c message (any PDU but the v1 trap); raise :class:`BerError`."""
    tag, pos, end = read_header(data, 0, len(data))
    if tag != _SEQ:
        raise BerError("message is not a SEQUENCE")
    version, pos = _read_int(data, pos, end, "version")
    if version not in (VERSION_V1, VERSION_V2C):
        raise BerError(f"unsupported SNMP version {version}")
    tag, cpos, pos = read_header(data, pos, end)
    if tag != Tag.OCTET_STRING:
        raise BerError("community is not an OCTET STRING")
    community = data[cpos:pos]
    pdu_type, pos, pend = read_header(data, pos, end)
    if pdu_type not in (0xA0, 0xA1, 0xA2, 0xA3, 0xA5, 0xA6, 0xA7, 0xA8):
        raise BerError(f"unsupported PDU type 0x{pdu_type:02x}")
    request_id, pos = _read_int(data, pos, pend, "request-id")
    error_status, pos = _read_int(data, pos, pend, "error-status")
    error_index, pos = _read_int(data, pos, pend, "error-index")
    tag, vpos, vend = read_header(data, pos, pend)
    if tag != _SEQ:
        raise BerError("varbind list is not a SEQUENCE")
    return Message(version, bytes(community), pdu_type, request_id, error_status, error_index,
                   decode_varbinds(data, vpos, vend))


def peek_request_id(data: bytes) -> int | None:
    """The request-id of a v1/v2c message without decoding its varbinds (None if unreadable)."""
    try:
        _, pos, end = read_header(data, 0, len(data))
        _, pos = _read_int(data, pos, end, "version")
        _, _, pos = read_header(data, pos, end)
        _, pos, pend = read_header(data, pos, end)
        rid, _ = _read_int(data, pos, pend, "request-id")
    except BerError:
        return None
    return rid
