"""Answer decoded SNMP v1/v2c requests from a :class:`~noc.lab.live.DeviceView`.

Pure functions over bytes (no sockets): :func:`answer` turns a request message
into the encoded response, or None when nothing should be sent. The common
path is a bisect on the layout's shared sorted OID list and a concatenation
of pre-encoded bytes; only live OIDs compute a value.

Semantics follow RFC 3416 (v2c) and RFC 1157 (v1) as net-snmp implements them:
v2c answers noSuchObject/noSuchInstance/endOfMibView, v1 answers noSuchName
(and never returns Counter64 values: GETNEXT skips them); GET whose response
exceeds the size limit gets tooBig; GETBULK stops adding repetitions before the
limit; SET gets notWritable (v2c) or readOnly (v1).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from collectors.snmp.ber import (
    VERSION_V1,
    BerError,
    Message,
    Oid,
    PduType,
    Tag,
    VarBind,
    encode_message,
    encode_oid,
    encode_value,
    encode_varbind,
)
from noc.lab.live import DeviceView

NO_ERROR, TOO_BIG, NO_SUCH_NAME, READ_ONLY, NOT_WRITABLE = 0, 1, 2, 4, 17
DEFAULT_MAX_SIZE = 1472  # an Ethernet frame's worth of UDP payload, like most devices
UDP_MAX = 65507
_COUNTER64 = Tag.COUNTER64
_END = encode_value(Tag.END_OF_MIB_VIEW, None)
_NO_SUCH_OBJECT = encode_value(Tag.NO_SUCH_OBJECT, None)
_NO_SUCH_INSTANCE = encode_value(Tag.NO_SUCH_INSTANCE, None)
_NULL = encode_value(Tag.NULL, None)

_SEQ_HEADERS = [bytes((0x30, k)) for k in range(128)]  # short varbind headers, pre-built
Result = tuple[int, int, list[bytes]]  # error-status, error-index, encoded varbinds


def _overhead(msg: Message) -> int:
    """A safe upper bound of a response's size without its varbinds."""
    return 40 + len(msg.community)


def _echo(varbinds: list[VarBind]) -> list[bytes]:
    """The request's varbinds, re-encoded (for error responses)."""
    out = []
    for oid, tag, value in varbinds:
        try:
            encoded = encode_value(tag, value)
        except BerError:
            encoded = _NULL
        out.append(encode_varbind(encode_oid(oid), encoded))
    return out


def _missing(oids: list[Oid], i: int, oid: Oid) -> bytes:
    """The exception for a missing OID: noSuchInstance when its object seems to exist.

    Without MIBs, "the object exists" is guessed from the neighbours: one of the
    same length differing only in the last arc (another instance), or one under
    ``oid`` (``oid`` names the object itself).
    """
    n = len(oid)
    for j in (i - 1, i):
        if 0 <= j < len(oids):
            other = oids[j]
            if (len(other) == n and other[:n - 1] == oid[:n - 1]) or other[:n] == oid:
                return _NO_SUCH_INSTANCE
    return _NO_SUCH_OBJECT


def _get(view: DeviceView, msg: Message, t: float) -> Result:
    layout = view.layout
    oids, oid_tlvs, values, live = layout.oids, layout.oid_tlvs, layout.value_tlvs, layout.live
    v1 = msg.version == VERSION_V1
    out = []
    for k, (oid, _tag, _value) in enumerate(msg.varbinds):
        i = bisect_left(oids, oid)
        if i < len(oids) and oids[i] == oid:
            slot = live.get(i)
            value = values[i] if slot is None else view.compute(slot, i, t)
            if not (v1 and value[0] == _COUNTER64):
                out.append(encode_varbind(oid_tlvs[i], value))
                continue
        if v1:
            return NO_SUCH_NAME, k + 1, _echo(msg.varbinds)
        out.append(encode_varbind(encode_oid(oid), _missing(oids, i, oid)))
    return NO_ERROR, 0, out


def _next_index(view: DeviceView, oid: Oid, v1: bool) -> int:
    """Position of the first OID after ``oid`` (skipping Counter64 for v1)."""
    layout = view.layout
    i = bisect_right(layout.oids, oid)
    if v1:
        values, n = layout.value_tlvs, len(layout.oids)
        while i < n and values[i][0] == _COUNTER64:
            i += 1
    return i


def _getnext(view: DeviceView, msg: Message, t: float) -> Result:
    layout = view.layout
    n, live = len(layout.oids), layout.live
    v1 = msg.version == VERSION_V1
    out = []
    for k, (oid, _tag, _value) in enumerate(msg.varbinds):
        i = _next_index(view, oid, v1)
        if i >= n:
            if v1:
                return NO_SUCH_NAME, k + 1, _echo(msg.varbinds)
            out.append(encode_varbind(encode_oid(oid), _END))
            continue
        slot = live.get(i)
        value = layout.value_tlvs[i] if slot is None else view.compute(slot, i, t)
        out.append(encode_varbind(layout.oid_tlvs[i], value))
    return NO_ERROR, 0, out


def _bulk(view: DeviceView, msg: Message, t: float, limit: int) -> Result:
    layout = view.layout
    oids, oid_tlvs, values, live = layout.oids, layout.oid_tlvs, layout.value_tlvs, layout.live
    n = len(oids)
    non_rep = min(max(msg.error_status, 0), len(msg.varbinds))
    reps = max(msg.error_index, 0)
    head = _getnext(view, Message(msg.version, msg.community, PduType.GETNEXT, 0, 0, 0,
                                  msg.varbinds[:non_rep]), t)[2]
    size = sum(len(vb) for vb in head)
    if size > limit:
        return TOO_BIG, 0, []
    out = head
    repeaters = msg.varbinds[non_rep:]
    pos = [bisect_right(oids, oid) for oid, _t, _v in repeaters]
    last = [encode_oid(oid) for oid, _t, _v in repeaters]
    for _ in range(reps if repeaters else 0):
        ended = 0
        for j, i in enumerate(pos):
            if i >= n:
                vb = encode_varbind(last[j], _END)
                ended += 1
            else:
                slot = live.get(i)
                content = oid_tlvs[i] + (values[i] if slot is None else view.compute(slot, i, t))
                k = len(content)
                vb = _SEQ_HEADERS[k] + content if k < 128 else encode_varbind(content, b"")
                last[j] = oid_tlvs[i]
                pos[j] = i + 1
            size += len(vb)
            if size > limit:
                return (TOO_BIG, 0, []) if not out else (NO_ERROR, 0, out)
            out.append(vb)
        if ended == len(pos):
            break
    return NO_ERROR, 0, out


def answer(view: DeviceView, msg: Message, t: float,
           max_size: int = DEFAULT_MAX_SIZE) -> bytes | None:
    """The encoded response to ``msg`` at time ``t``, or None to stay silent."""
    pdu = msg.pdu_type
    limit = max_size - _overhead(msg)
    if pdu == PduType.GET:
        status, index, varbinds = _get(view, msg, t)
    elif pdu == PduType.GETNEXT:
        status, index, varbinds = _getnext(view, msg, t)
    elif pdu == PduType.GETBULK and msg.version != VERSION_V1:
        status, index, varbinds = _bulk(view, msg, t, limit)
    elif pdu == PduType.SET:
        status = READ_ONLY if msg.version == VERSION_V1 else NOT_WRITABLE
        index, varbinds = (1 if msg.varbinds else 0), _echo(msg.varbinds)
    else:
        return None
    if status == NO_ERROR and sum(len(vb) for vb in varbinds) > limit:
        status, index = TOO_BIG, 0
        varbinds = _echo(msg.varbinds) if msg.version == VERSION_V1 else []
    return encode_message(msg.version, msg.community, PduType.RESPONSE, msg.request_id,
                          status, index, b"".join(varbinds))
