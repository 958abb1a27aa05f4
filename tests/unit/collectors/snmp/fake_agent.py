"""A tiny SNMP agent built on ber.py for the client unit tests (loopback UDP)."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable
from typing import cast

from collectors.snmp import ber
from collectors.snmp.ber import Message, Oid, PduType, Tag, Value
from collectors.snmp.client import (
    SnmpTarget,
)

IF_DESCR: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)
IF_IN_OCTETS: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 10)
IF_HC_IN: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)
SYS_DESCR: Oid = (1, 3, 6, 1, 2, 1, 1, 1, 0)
SECRET = b"s3cr3t-community"


def build_mib(rows: int = 48) -> dict[Oid, tuple[int, Value]]:
    mib: dict[Oid, tuple[int, Value]] = {SYS_DESCR: (Tag.OCTET_STRING, b"test agent")}
    for i in range(1, rows + 1):
        mib[(*IF_DESCR, i)] = (Tag.OCTET_STRING, f"eth{i}".encode())
        mib[(*IF_IN_OCTETS, i)] = (Tag.COUNTER32, i * 1000)
        mib[(*IF_HC_IN, i)] = (Tag.COUNTER64, 2**64 - i)
    mib[(1, 3, 6, 1, 2, 1, 2, 2, 1, 3, 1)] = (Tag.INTEGER, 6)  # a 1-row column (ifType)
    return mib


class Agent(asyncio.DatagramProtocol):
    """Answers GET/GETNEXT/GETBULK from a dict, with knobs to misbehave."""

    def __init__(self, mib: dict[Oid, tuple[int, Value]]) -> None:
        self.mib = mib
        self.oids = sorted(mib)
        self.requests: list[Message] = []
        self.datagrams: list[bytes] = []
        self.drop = 0  # drop this many requests silently
        self.delay = 0.0  # answer this late
        self.too_big_above: int | None = None  # tooBig when max-repetitions is larger
        self.silent_above: int | None = None  # drop GETBULKs asking for more repetitions
        self.max_varbinds: int | None = None  # truncate responses (agents do)
        self.rewrite: Callable[[Message], Message] | None = None
        self.reply_via: asyncio.DatagramTransport | None = None  # answer from another socket
        self.mangle: list[Callable[[bytes], bytes]] = []  # applied to the next responses' bytes
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.datagrams.append(data)
        req = ber.decode_message(data)
        self.requests.append(req)
        if self.drop:
            self.drop -= 1
            return
        if (self.silent_above is not None and req.pdu_type == PduType.GETBULK
                and req.error_index > self.silent_above):
            return
        rsp = self.respond(req)
        if self.rewrite is not None:
            rsp = self.rewrite(rsp)
        out = _encode(rsp)
        if self.mangle:
            out = self.mangle.pop(0)(out)
        via = self.reply_via or self.transport
        assert via is not None
        asyncio.get_running_loop().call_later(self.delay, via.sendto, out, addr)

    def respond(self, req: Message) -> Message:
        def reply(status: int = 0, index: int = 0,
                  vbs: list[ber.VarBind] | None = None) -> Message:
            return Message(req.version, req.community, PduType.RESPONSE, req.request_id,
                           status, index, req.varbinds if vbs is None else vbs)

        if req.pdu_type == PduType.GET:
            return reply(vbs=[(o, *self.mib.get(o, (Tag.NO_SUCH_OBJECT, None)))
                              for o, _, _ in req.varbinds])
        if req.pdu_type == PduType.GETNEXT:
            out = []
            for i, (o, _, _) in enumerate(req.varbinds):
                nxt = self.next(o)
                if nxt[1] == Tag.END_OF_MIB_VIEW and req.version == ber.VERSION_V1:
                    return reply(2, i + 1)  # v1 noSuchName
                out.append(nxt)
            return reply(vbs=out)
        if self.too_big_above is not None and req.error_index > self.too_big_above:
            return reply(1, 0)
        return reply(vbs=self.bulk(req)[:self.max_varbinds])

    def next(self, oid: Oid) -> ber.VarBind:
        i = bisect.bisect_right(self.oids, oid)
        if i == len(self.oids):
            return oid, Tag.END_OF_MIB_VIEW, None
        nxt = self.oids[i]
        return (nxt, *self.mib[nxt])

    def bulk(self, req: Message) -> list[ber.VarBind]:
        current = [o for o, _, _ in req.varbinds]
        out: list[ber.VarBind] = []
        for _ in range(req.error_index):
            row = [self.next(o) for o in current]
            out += row
            current = [vb[0] for vb in row]
        return out


def _encode(m: Message) -> bytes:
    body = b"".join(ber.encode_varbind(ber.encode_oid(o), ber.encode_value(t, v))
                    for o, t, v in m.varbinds)
    return ber.encode_message(m.version, m.community, m.pdu_type, m.request_id,
                              m.error_status, m.error_index, body)


async def _udp(protocol: asyncio.DatagramProtocol, address: str) -> asyncio.DatagramTransport:
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: protocol, local_addr=(address, 0))
    return transport


def target(agent: Agent, **kw: object) -> SnmpTarget:
    return SnmpTarget("127.0.0.1", agent.port, **kw)  # type: ignore[arg-type]
