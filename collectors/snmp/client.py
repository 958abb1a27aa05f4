"""A thin asyncio SNMP client on the lean BER codec: the poller's hot path.

One UDP socket serves every target. A response is accepted only when its
request-id *and* its source address match an outstanding request (and its
version and community match what was sent); anything else is counted in
:class:`ClientStats` and dropped. Versions "1" and "2c" go through
:mod:`collectors.snmp.ber`; version "3" is delegated to :mod:`collectors.snmp.v3`
(pysnmp), which is imported only when a v3 target is polled.

Walks (GETBULK for 2c and v3, GETNEXT for v1) stop when a column leaves its
subtree, on any varbind exception (endOfMibView, noSuchObject,
noSuchInstance) and, for v1, on error-status noSuchName. A column whose OIDs
do not increase is a broken agent: the walk raises :class:`SnmpProtocolError`
(it does not return partial data).
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import random
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from collectors.snmp import ber
from collectors.snmp.ber import Oid, PduType, VarBind
from collectors.snmp.errors import (
    SnmpError,
    SnmpProtocolError,
    SnmpTimeout,
    error_status_name,
)

if TYPE_CHECKING:
    from collectors.snmp.v3 import V3Credentials

__all__ = [
    "ClientStats", "SnmpClient", "SnmpError", "SnmpProtocolError", "SnmpTarget", "SnmpTimeout",
    "next_request_id", "walk_columns_with",
]

_MAX_REQUEST_ID = 2**31 - 1
_request_ids = itertools.count(random.randrange(_MAX_REQUEST_ID))
_TOO_BIG = 1
_NO_SUCH_NAME = 2
_VERSIONS = {"1": ber.VERSION_V1, "2c": ber.VERSION_V2C}
_RCVBUF = 4 << 20

#: One walk step: (OIDs to continue from, max-repetitions) -> (error-status, error-index, varbinds)
WalkStep = Callable[[list[Oid], int], Awaitable[tuple[int, int, list[VarBind]]]]


def next_request_id() -> int:
    """The next process-wide request-id: 1 .. 2**31-1, wrapping, never 0."""
    return next(_request_ids) % _MAX_REQUEST_ID + 1


@dataclass(frozen=True, slots=True)
class SnmpTarget:
    """Where and how to poll one agent. Secrets are kept out of ``repr``."""

    address: str
    port: int = 161
    version: str = "2c"
    community: bytes = field(default=b"public", repr=False)
    v3: V3Credentials | None = field(default=None, repr=False)
    timeout: float = 1.0
    retries: int = 1
    max_repetitions: int = 25

    def __post_init__(self) -> None:
        ipaddress.IPv4Address(self.address)  # raises ValueError for anything but an IPv4 literal
        if self.version not in ("1", "2c", "3"):
            raise ValueError(f"unsupported SNMP version {self.version!r}")
        if self.version == "3" and self.v3 is None:
            raise ValueError("SNMPv3 target without v3 credentials")
        if self.timeout <= 0 or self.retries < 0 or self.max_repetitions < 1:
            raise ValueError("timeout must be > 0, retries >= 0, max_repetitions >= 1")


@dataclass(slots=True)
class ClientStats:
    """Counters of one :class:`SnmpClient` (datagrams and bytes on its socket)."""

    requests: int = 0
    responses: int = 0
    retries: int = 0
    timeouts: int = 0
    malformed: int = 0
    unmatched: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class Tally(Protocol):
    """Anything with pdus/retries/timeouts counters (e.g. collectors.base.ModuleStats)."""

    pdus: int
    retries: int
    timeouts: int


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[ber.Message]
    address: tuple[str, int]
    version: int
    community: bytes


class _Protocol(asyncio.DatagramProtocol):
    """Matches datagrams to outstanding requests; never raises."""

    def __init__(self, pending: dict[int, _Pending], stats: ClientStats) -> None:
        self._pending = pending
        self._stats = stats

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        stats = self._stats
        stats.bytes_received += len(data)
        rid = ber.peek_request_id(data)
        if rid is None:
            stats.malformed += 1
            return
        entry = self._pending.get(rid)
        if entry is None or entry.future.done() or entry.address != addr[:2]:
            stats.unmatched += 1
            return
        try:
            msg = ber.decode_message(data)
        except ber.BerError:
            stats.malformed += 1
            return
        if (msg.pdu_type != PduType.RESPONSE or msg.version != entry.version
                or msg.community != entry.community):
            stats.unmatched += 1
            return
        stats.responses += 1
        entry.future.set_result(msg)


class SnmpClient:
    """One UDP socket (asyncio DatagramProtocol) shared by every target.

    Responses are matched by request-id and source address; unknown, late and
    malformed datagrams are counted in :attr:`stats` and dropped. Any number
    of concurrent calls may share one client.
    """

    def __init__(self, local_address: str = "0.0.0.0") -> None:
        self._local_address = local_address
        self._pending: dict[int, _Pending] = {}
        self._transport: asyncio.DatagramTransport | None = None
        self.stats = ClientStats()

    async def open(self) -> None:
        """Bind the socket (an ephemeral port on ``local_address``)."""
        if self._transport is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)
            sock.bind((self._local_address, 0))
            sock.setblocking(False)
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self._pending, self.stats), sock=sock)
        except BaseException:
            sock.close()
            raise
        self._transport = transport

    async def close(self) -> None:
        """Close the socket; outstanding requests fail with :class:`SnmpError`."""
        transport, self._transport = self._transport, None
        for entry in self._pending.values():
            if not entry.future.done():
                entry.future.set_exception(SnmpError("SNMP client closed"))
        if transport is not None:
            transport.close()

    async def __aenter__(self) -> SnmpClient:
        await self.open()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    @property
    def local_port(self) -> int:
        """The UDP port the client's socket is bound to (0 when closed)."""
        if self._transport is None:
            return 0
        return int(self._transport.get_extra_info("sockname")[1])

    async def request(self, target: SnmpTarget, pdu_type: int, oids: Sequence[Oid],
                      max_repetitions: int = 0, tally: Tally | None = None) -> ber.Message:
        """Send one v1/v2c request (retransmitting on timeout); return the response.

        ``tally``, if given, counts this call's requests, retries and timeouts
        too (per-device, per-module self-monitoring).
        """
        transport = self._transport
        if transport is None:
            raise SnmpError("SNMP client is not open")
        version = _VERSIONS[target.version]
        rid = next_request_id()
        data = ber.encode_request(version, target.community, pdu_type, rid, tuple(oids),
                                  0, max_repetitions)
        dest = (target.address, target.port)
        future: asyncio.Future[ber.Message] = asyncio.get_running_loop().create_future()
        self._pending[rid] = _Pending(future, dest, version, target.community)
        stats = self.stats
        stats.requests += 1
        if tally is not None:
            tally.pdus += 1
        try:
            for attempt in range(target.retries + 1):
                if attempt:
                    stats.retries += 1
                    if tally is not None:
                        tally.retries += 1
                transport.sendto(data, dest)
                stats.bytes_sent += len(data)
                done, _ = await asyncio.wait((future,), timeout=target.timeout)
                if done:
                    return future.result()
        finally:
            del self._pending[rid]
            future.cancel()  # no-op when done; keeps a late close() from touching it
        stats.timeouts += 1
        if tally is not None:
            tally.timeouts += 1
        raise SnmpTimeout(f"no response from {target.address}:{target.port} after "
                          f"{target.retries + 1} attempt(s) of {target.timeout:g} s")

    async def get(self, target: SnmpTarget, oids: Sequence[Oid],
                  tally: Tally | None = None) -> list[VarBind]:
        """GET ``oids``; exceptions (noSuchObject...) come back as varbinds."""
        if target.version == "3":
            from collectors.snmp.v3 import v3_get
            if tally is not None:
                tally.pdus += 1
            return await v3_get(target, oids)
        msg = await self.request(target, PduType.GET, oids, tally=tally)
        if msg.error_status:
            raise status_error(target, msg.error_status, msg.error_index)
        return msg.varbinds

    async def walk(self, target: SnmpTarget, root: Oid) -> list[VarBind]:
        """Every varbind under ``root`` (GETBULK for 2c/v3, GETNEXT for v1).

        Raises :class:`SnmpProtocolError` if the agent's OIDs stop increasing.
        """
        return (await self.walk_columns(target, (root,)))[tuple(root)]

    async def walk_columns(self, target: SnmpTarget, columns: Sequence[Oid],
                           tally: Tally | None = None) -> dict[Oid, list[VarBind]]:
        """Walk several columns side by side in the same requests; one list per column."""
        if target.version == "3":
            from collectors.snmp.v3 import v3_walk_columns
            if tally is not None:
                tally.pdus += 1  # pysnmp does the PDUs; counted as one exchange
            return await v3_walk_columns(target, columns)
        bulk = target.version != "1"
        pdu_type = PduType.GETBULK if bulk else PduType.GETNEXT

        async def step(oids: list[Oid], max_rep: int) -> tuple[int, int, list[VarBind]]:
            msg = await self.request(target, pdu_type, oids, max_rep if bulk else 0, tally)
            return msg.error_status, msg.error_index, msg.varbinds

        return await walk_columns_with(step, target, columns, bulk=bulk)


_TIMEOUT_SHRINKS = 2  # halve max-repetitions at most this often on timeouts (25 -> 12 -> 6)


def status_error(target: SnmpTarget, status: int, index: int) -> SnmpProtocolError:
    """The exception for a non-zero error-status from ``target``."""
    return SnmpProtocolError(f"{target.address}:{target.port} answered "
                             f"{error_status_name(status)} (index {index})", status, index)


async def walk_columns_with(step: WalkStep, target: SnmpTarget, columns: Sequence[Oid], *,
                            bulk: bool) -> dict[Oid, list[VarBind]]:
    """The walk loop shared by the lean and the v3 paths (see the module docstring).

    tooBig to a GETBULK halves max-repetitions (down to 1) and retries; a
    timed-out GETBULK is retried with half the repetitions, twice at most; v1
    noSuchName ends the column it points at; other error-statuses raise.
    """
    results: dict[Oid, list[VarBind]] = {tuple(c): [] for c in columns}
    active = [(root, root) for root in results]  # (column root, last OID seen)
    max_rep = target.max_repetitions
    shrinks_left = _TIMEOUT_SHRINKS
    while active:
        try:
            status, index, varbinds = await step([last for _, last in active], max_rep)
        except SnmpTimeout:
            # some agents silently drop requests whose answer would be too big
            if not (bulk and max_rep > 1 and shrinks_left):
                raise
            shrinks_left -= 1
            max_rep //= 2
            continue
        if status == _TOO_BIG and bulk and max_rep > 1:
            max_rep //= 2
        elif status == _NO_SUCH_NAME and not bulk:
            if not 1 <= index <= len(active):
                break  # cannot tell which column ended: end them all
            del active[index - 1]
        elif status:
            raise status_error(target, status, index)
        else:
            active = _advance(target, active, varbinds, results)
    return results


def _advance(target: SnmpTarget, active: list[tuple[Oid, Oid]], varbinds: list[VarBind],
             results: dict[Oid, list[VarBind]]) -> list[tuple[Oid, Oid]]:
    """File one response's varbinds under their columns; return the columns still going."""
    if not varbinds:
        raise SnmpProtocolError(f"{target.address}:{target.port}: empty response to a walk")
    n = len(active)
    roots = [root for root, _ in active]
    lens = [len(root) for root in roots]
    lasts = [last for _, last in active]
    ended = [False] * n
    for i, vb in enumerate(varbinds):
        col = i % n
        if ended[col]:
            continue
        oid = vb[0]
        if vb[1] >= 0x80 or oid[:lens[col]] != roots[col]:
            ended[col] = True
        elif oid <= lasts[col]:
            raise SnmpProtocolError(f"{target.address}:{target.port}: OID not increasing "
                                    f"after {_dotted(lasts[col])}: {_dotted(oid)}")
        else:
            results[roots[col]].append(vb)
            lasts[col] = oid
    return [(roots[c], lasts[c]) for c in range(n) if not ended[c]]


def _dotted(oid: Oid) -> str:
    return ".".join(map(str, oid))
