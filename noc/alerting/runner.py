"""Alerting inside ``noc run``: the service and the trap receiver, fed by the runtime.

The runtime owns the state and the catalog; this module builds the
:class:`~noc.alerting.service.AlertService` over them, starts the trap
receiver with the communities and SNMPv3 users of the credentials profiles
(plus ``alerting.traps.communities``), and routes a link trap to an
immediate re-poll of the device that sent it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from collectors.snmp.v3 import V3Credentials
from collectors.traps import Trap, TrapReceiver
from noc.alerting.conditions import EvalContext
from noc.alerting.service import AlertService
from noc.metrics_alerting import AlertingMetrics

if TYPE_CHECKING:
    from noc.runtime import Runtime

log = logging.getLogger(__name__)


def _split(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class Alerting:
    """The alert service and the trap receiver of one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.settings = settings.alerting
        self.service = AlertService(
            settings.alerting, runtime.sessions, catalog=lambda: runtime.catalog,
            devices=runtime.state.devices, context=self._context, repoll=runtime.repoll,
            poll_interval=settings.poll.interval)
        self.receiver: TrapReceiver | None = None
        self.trap_port: int | None = None
        self._skipped_before: int | None = None

    def _context(self, now: float) -> EvalContext:
        rt = self.runtime
        icmp = rt.icmp
        skipped_before, self._skipped_before = self._skipped_before, rt.scheduler.stats.skipped
        return EvalContext(now=now, poll_interval=rt.settings.poll.interval,
                           scheduler=rt.scheduler.stats,
                           icmp=icmp.stats if icmp is not None else None,
                           icmp_interval=rt.settings.icmp.interval,
                           skipped_before=skipped_before)

    def _communities(self) -> list[bytes]:
        out = {c.get_secret_value().encode() for c in self.settings.traps.communities}
        for profile in self.runtime.profiles.values():
            if profile.community is not None and profile.snmp_version in ("1", "2c"):
                out.add(profile.community.get_secret_value().encode())
        return sorted(c for c in out if c)

    def _v3_users(self) -> list[V3Credentials]:
        users = []
        for profile in self.runtime.profiles.values():
            v3 = profile.v3
            if v3 is None:
                continue
            users.append(V3Credentials(v3.user, v3.auth_protocol, v3.auth_key.get_secret_value(),
                                       v3.priv_protocol, v3.priv_key.get_secret_value()))
        return users

    def _on_trap(self, trap: Trap) -> None:
        self.service.receive_trap(trap)

    async def start(self) -> None:
        """Start the service, then the trap receiver (a port we may not bind is logged)."""
        await self.service.start()
        traps = self.settings.traps
        if not traps.enabled:
            return
        receiver = TrapReceiver(communities=self._communities(), v3_users=self._v3_users(),
                                rate_per_source=traps.rate_per_source, burst=traps.burst,
                                rate_total=traps.rate_total, queue_size=traps.queue_size,
                                on_trap=self._on_trap)
        host, port = _split(traps.listen)
        try:
            await receiver.start(host, port)
        except OSError as exc:
            log.error("SNMP traps off: cannot listen on %s (%s)", traps.listen, exc.strerror)
            return
        self.receiver = receiver
        self.trap_port = receiver.bound_port
        self.service.trap_drops_source = lambda: receiver.stats.drops
        log.info("receiving SNMP traps on %s:%d", host, receiver.bound_port)

    def metrics(self) -> AlertingMetrics:
        """What a Prometheus scrape reads from alerting."""
        svc = self.service
        return AlertingMetrics(dataclasses.replace(svc.stats, by_state=dict(svc.stats.by_state)),
                               svc.dispatcher.health(), len(svc.incidents),
                               self.receiver.stats if self.receiver is not None else None)

    async def stop(self) -> None:
        """Stop the receiver, then the service (which writes what is pending)."""
        if self.receiver is not None:
            await self.receiver.stop()
        await self.service.stop()
