"""Reading the BER framing of trap messages in place: TLV headers, INTEGERs, OCTET STRINGs.

The value and varbind codec itself is :mod:`collectors.snmp.ber`; this module
only walks the outer structure (which differs between v1 traps, v2c and v3)
by offsets into the received datagram, so the v3 digest can be checked over
the original bytes. Errors are :class:`TrapDecodeError` (malformed) and
:class:`TrapAuthError` (unknown community or user, bad digest); neither ever
carries a secret.
"""

from __future__ import annotations

from collectors.snmp.ber import BerError, read_header

SEQUENCE = 0x30
INTEGER = 0x02
OCTET_STRING = 0x04


class TrapDecodeError(ValueError):
    """The datagram is not a well-formed trap message."""


class TrapAuthError(Exception):
    """The datagram is well formed but not authentic (community, user or digest)."""


def read_tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """The tag at ``pos`` and its content's (start, end); raise :class:`TrapDecodeError`."""
    try:
        return read_header(data, pos, end)
    except BerError as exc:
        raise TrapDecodeError(str(exc)) from None


def expect(data: bytes, pos: int, end: int, tag: int, what: str) -> tuple[int, int]:
    """Content (start, end) of a TLV that must have ``tag``."""
    found, start, stop = read_tlv(data, pos, end)
    if found != tag:
        raise TrapDecodeError(f"{what}: tag 0x{found:02x}, expected 0x{tag:02x}")
    return start, stop


def read_int(data: bytes, pos: int, end: int, what: str,
             tag: int = INTEGER) -> tuple[int, int]:
    """An INTEGER (or another integer-typed tag) at ``pos``: (value, next offset)."""
    start, stop = expect(data, pos, end, tag, what)
    if start == stop or stop - start > 9:
        raise TrapDecodeError(f"{what}: bad integer length")
    return int.from_bytes(data[start:stop], "big", signed=tag == INTEGER), stop


def read_octets(data: bytes, pos: int, end: int, what: str) -> tuple[bytes, int]:
    """An OCTET STRING at ``pos``: (value, next offset)."""
    start, stop = expect(data, pos, end, OCTET_STRING, what)
    return bytes(data[start:stop]), stop
