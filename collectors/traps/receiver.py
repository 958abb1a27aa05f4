"""The asyncio UDP trap receiver: rate limits, a bounded queue, one decoding consumer.

The datagram protocol only counts, rate-limits (a token bucket per sender
address and one for all senders) and queues raw datagrams; one consumer task
decodes, authenticates and delivers them to ``on_trap``, yielding to the
event loop every few datagrams, so a trap storm never blocks the loop for
long and never grows memory beyond ``queue_size`` datagrams. Every datagram
that does not become a trap is counted in exactly one drop counter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace

from collectors.snmp.v3 import V3Credentials
from collectors.traps.decode import TrapDecoder
from collectors.traps.model import Trap
from collectors.traps.wire import TrapAuthError, TrapDecodeError

log = logging.getLogger(__name__)

_YIELD_EVERY = 64  # datagrams decoded between two yields to the event loop
_RCVBUF = 1 << 21  # ask for a 2 MiB socket buffer (the kernel may cap it)
_Item = tuple[float, bytes, str, int]  # received_at, datagram, source, port


@dataclass(slots=True)
class TrapStats:
    """Counters of the receiver since it was made."""

    received: int = 0
    accepted: int = 0
    malformed: int = 0
    bad_auth: int = 0
    rate_limited: int = 0
    queue_dropped: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def drops(self) -> int:
        """Datagrams that did not become traps, for any reason."""
        return self.malformed + self.bad_auth + self.rate_limited + self.queue_dropped


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; full at first."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def take(self, now: float) -> bool:
        """Spend one token if there is one."""
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def full_at(self, now: float) -> bool:
        """Whether the bucket would be full at ``now`` (so forgetting it changes nothing)."""
        return self.tokens + max(0.0, now - self.stamp) * self.rate >= self.burst


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, receiver: TrapReceiver) -> None:
        self._receiver = receiver

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self._receiver.receive(data, (str(addr[0]), int(str(addr[1]))))

    def error_received(self, exc: Exception) -> None:
        log.debug("trap socket error: %s", type(exc).__name__)


class TrapReceiver:
    """Receives SNMP v1/v2c/v3 traps (and v2c informs) on one UDP address."""

    def __init__(self, communities: Collection[bytes], v3_users: Sequence[V3Credentials] = (),
                 *, on_trap: Callable[[Trap], None], rate_per_source: float = 50.0,
                 burst: int = 200, rate_total: float = 1000.0, queue_size: int = 10000,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time, max_sources: int = 4096) -> None:
        self._decoder = TrapDecoder(communities, v3_users)
        self._on_trap = on_trap
        self._rate, self._burst = rate_per_source, float(burst)
        self._clock, self._wall = clock, wall_clock
        self._total = TokenBucket(rate_total, max(float(burst), rate_total), clock())
        self._buckets: dict[str, TokenBucket] = {}
        self._max_sources = max_sources
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(maxsize=queue_size)
        self._stats = TrapStats()
        self._transport: asyncio.DatagramTransport | None = None
        self._consumer: asyncio.Task[None] | None = None

    @property
    def stats(self) -> TrapStats:
        """A copy of the counters."""
        return replace(self._stats, by_kind=dict(self._stats.by_kind))

    @property
    def drops(self) -> int:
        """Datagrams dropped: malformed, bad auth, rate limited or queue full."""
        return self._stats.drops

    @property
    def bound_port(self) -> int:
        """The UDP port the receiver listens on (after :meth:`start`)."""
        if self._transport is None:
            raise RuntimeError("trap receiver not started")
        return int(self._transport.get_extra_info("sockname")[1])

    async def start(self, host: str, port: int) -> None:
        """Bind ``host:port`` (0: any free port) and start the consumer."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self),
                                                           local_addr=(host, port))
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)
        self._consumer = asyncio.create_task(self._consume(), name="trap-consumer")
        log.info("trap receiver listening on %s:%d", host, self.bound_port)

    async def stop(self) -> None:
        """Close the socket and stop the consumer (queued datagrams are discarded)."""
        if self._transport is not None:
            self._transport.close()
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
        self._consumer = None

    def _allowed(self, source: str, now: float) -> bool:
        bucket = self._buckets.get(source)
        if bucket is None:
            if len(self._buckets) >= self._max_sources:
                self._forget_idle(now)
            bucket = self._buckets[source] = TokenBucket(self._rate, self._burst, now)
        return bucket.take(now) and self._total.take(now)

    def _forget_idle(self, now: float) -> None:
        for source in [s for s, b in self._buckets.items() if b.full_at(now)]:
            del self._buckets[source]
        if len(self._buckets) >= self._max_sources:  # a spoofed storm: start afresh
            self._buckets.clear()

    def receive(self, data: bytes, addr: tuple[str, int]) -> None:
        """Take one datagram from ``addr`` (what the UDP endpoint calls): count, limit, queue."""
        self._stats.received += 1
        if not self._allowed(addr[0], self._clock()):
            self._stats.rate_limited += 1
            return
        try:
            self._queue.put_nowait((self._wall(), data, addr[0], addr[1]))
        except asyncio.QueueFull:
            self._stats.queue_dropped += 1

    def process_pending(self, limit: int | None = None) -> int:
        """Decode and deliver queued datagrams now (at most ``limit``); how many were taken."""
        done = 0
        while limit is None or done < limit:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            self._handle(item)
            done += 1
        return done

    async def _consume(self) -> None:
        while True:
            self._handle(await self._queue.get())
            self.process_pending(_YIELD_EVERY - 1)
            await asyncio.sleep(0)

    def _handle(self, item: _Item) -> None:
        received_at, data, source, port = item
        try:
            decoded = self._decoder.decode(data, source, port, received_at)
        except TrapAuthError:
            self._stats.bad_auth += 1
            log.debug("trap from %s failed authentication", source)
            return
        except TrapDecodeError as exc:
            self._stats.malformed += 1
            log.debug("malformed trap from %s: %s", source, exc)
            return
        except Exception as exc:  # a datagram must never stop the consumer
            self._stats.malformed += 1
            log.debug("undecodable trap from %s: %s", source, type(exc).__name__)
            return
        trap = decoded.trap
        self._stats.accepted += 1
        self._stats.by_kind[trap.kind] = self._stats.by_kind.get(trap.kind, 0) + 1
        if decoded.reply is not None and self._transport is not None:
            self._transport.sendto(decoded.reply, (source, port))
        try:
            self._on_trap(trap)
        except Exception:
            log.exception("trap handler failed on a trap from %s", source)
