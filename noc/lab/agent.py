"""The lab's SNMP v1/v2c responder: one UDP socket per lab device, one event loop.

Each device listens on its own loopback address (``127.x.y.z``) at the lab's
port, so the NOC polls the lab exactly as it polls a city of real devices.
Requests are decoded with the project's lean BER codec and answered from the
device's :class:`~noc.lab.live.DeviceView` (see :mod:`noc.lab.responder`).

Fault injection: :meth:`LabAgent.set_down` silences devices (they stop
answering, as if cut off); :meth:`LabAgent.reboot` restarts a device's uptime
and counters. A wrong community gets no answer (like net-snmp); malformed
packets are counted and dropped. SNMPv3 is not served here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from collectors.snmp.ber import BerError, decode_message
from noc.lab.live import DeviceView
from noc.lab.responder import DEFAULT_MAX_SIZE, answer

log = logging.getLogger(__name__)


@dataclass
class AgentStats:
    """What the responder has seen since it was created."""

    requests: int = 0  # datagrams received
    responses: int = 0  # datagrams sent
    malformed: int = 0  # undecodable or unsupported, dropped
    bad_community: int = 0  # dropped without an answer
    dropped_down: int = 0  # received by a device that is set down
    per_device: Counter[str] = field(default_factory=Counter)  # requests per device name


class _DeviceProtocol(asyncio.DatagramProtocol):
    """The socket of one lab device."""

    def __init__(self, agent: LabAgent, view: DeviceView) -> None:
        self.agent = agent
        self.view = view
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        response = self.agent.handle(self.view, data)
        if response is not None and self.transport is not None:
            self.transport.sendto(response, addr)
            self.agent.stats.responses += 1

    def error_received(self, exc: Exception) -> None:
        log.debug("lab device %s: %s", self.view.name, exc)


class LabAgent:
    """Serve SNMP v1/v2c for many lab devices from one event loop.

    ``port`` 0 lets the first socket pick a free port and binds every other
    device's address to the same one (read :attr:`port` after :meth:`start`).
    ``max_size`` caps responses: GETBULK stops before it, GET answers tooBig.
    """

    def __init__(self, views: Iterable[DeviceView], port: int, community: bytes = b"public",
                 clock: Callable[[], float] = time.time,
                 max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.views = {view.name: view for view in views}
        self.port = port
        self.community = community
        self.clock = clock
        self.max_size = max_size
        self.stats = AgentStats()
        self._down: frozenset[str] = frozenset()
        self._transports: list[asyncio.DatagramTransport] = []

    async def start(self) -> None:
        """Bind one UDP socket per device address."""
        loop = asyncio.get_running_loop()
        try:
            for view in self.views.values():
                transport, _ = await loop.create_datagram_endpoint(
                    lambda view=view: _DeviceProtocol(self, view),  # type: ignore[misc]
                    local_addr=(view.address, self.port))
                self._transports.append(transport)
                if self.port == 0:
                    self.port = transport.get_extra_info("sockname")[1]
        except OSError:
            await self.stop()
            raise
        log.info("lab agent serving %d devices on port %d", len(self._transports), self.port)

    async def stop(self) -> None:
        """Close every socket."""
        transports, self._transports = self._transports, []
        for transport in transports:
            transport.close()
        await asyncio.sleep(0)  # let the loop run the close callbacks

    def set_down(self, names: Iterable[str]) -> None:
        """Silence these devices (replacing the previous set); the others answer."""
        self._down = frozenset(names)

    @property
    def down(self) -> frozenset[str]:
        """The devices currently silenced."""
        return self._down

    def reboot(self, name: str) -> None:
        """Reboot a device now: its uptime and counters restart from zero."""
        self.views[name].reboot(self.clock())

    def handle(self, view: DeviceView, data: bytes) -> bytes | None:
        """The response to one datagram sent to ``view``'s device (None: stay silent)."""
        stats = self.stats
        stats.requests += 1
        stats.per_device[view.name] += 1
        if view.name in self._down:
            stats.dropped_down += 1
            return None
        try:
            msg = decode_message(data)
        except BerError:
            stats.malformed += 1
            return None
        if msg.community != self.community:
            stats.bad_community += 1
            return None
        try:
            response = answer(view, msg, self.clock(), self.max_size)
        except BerError:
            response = None
        if response is None:
            stats.malformed += 1
        return response
