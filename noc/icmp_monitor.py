"""The ICMP job of the runtime: every addressed, active device pinged each cycle by fping.

One fping process per cycle (in chunks) covers every device with a management
address: SNMP and SSH devices (reachability next to their poll status) and
ICMP-only assets — kiosks, workstations, printers — whose up/down status *is*
their reachability. When a polled (SNMP/SSH) device's reachability changes,
``on_change`` is told, and the runtime polls it at once instead of waiting for
its next poll: a dead device is *down* within the ICMP budget (about 20 s),
not a whole poll interval later. Confirmation before "down" is
:class:`collectors.icmp.tracker.ReachabilityTracker`'s; this module maps
addresses to device names, folds results into :class:`noc.state.State`, and
keeps self-monitoring figures for ``/metrics``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from collectors.icmp import FpingOptions, FpingRunner, ReachabilityTracker
from collectors.icmp.parse import IcmpSample
from inventory.catalog import CatDevice
from noc.settings import IcmpSettings
from noc.state import State

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IcmpStats:
    """Self-monitoring of the ICMP job."""

    cycles: int = 0
    hosts: int = 0  # addresses in the last cycle
    replied: int = 0  # of which answered at least once
    last_duration: float = 0.0
    last_started: float = 0.0
    overran: int = 0  # fping processes stopped at a cycle's deadline (total)
    errors: int = 0  # cycles that failed as a whole (total)
    rechecks: int = 0  # quick re-probes of addresses silent in a cycle (total)


def _literal(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class IcmpMonitor:
    """Pings every watched device each ``settings.interval`` seconds."""

    def __init__(self, settings: IcmpSettings, state: State,
                 on_change: Callable[[list[str]], None] | None = None) -> None:
        self.settings = settings
        self.state = state
        self.on_change = on_change  # polled devices whose reachability changed: re-poll now
        # chart history: (device, sample, at, up for ICMP-only assets else None)
        self.on_sample: Callable[[str, IcmpSample | None, float, bool | None], None] | None = None
        deadline = max(1.0, settings.interval * 0.8)
        self.runner = FpingRunner(FpingOptions(
            count=settings.count, timeout_ms=settings.timeout_ms, deadline_s=deadline))
        self.tracker = ReachabilityTracker(confirm_cycles=settings.confirm_cycles,
                                           stale_after=max(60.0, 4 * settings.interval))
        self.stats = IcmpStats()
        self._names: dict[str, list[str]] = {}  # address -> device names
        self._icmp_only: set[str] = set()

    def set_devices(self, devices: Iterable[CatDevice]) -> None:
        """Watch the active devices with an IP address (monitoring other than ``none``)."""
        names: dict[str, list[str]] = {}
        icmp_only: set[str] = set()
        for dev in devices:
            address = _literal(dev.address)
            if address is None or dev.status != "active" or dev.monitoring == "none":
                continue
            names.setdefault(address, []).append(dev.name)
            if dev.monitoring == "icmp":
                icmp_only.add(dev.name)
        self.tracker.forget(set(self._names) - set(names))
        self.tracker.track(set(names) - set(self._names), time.time())
        self._names, self._icmp_only = names, icmp_only

    @property
    def watched(self) -> set[str]:
        """Names of every device pinged."""
        return {name for names in self._names.values() for name in names}

    @property
    def icmp_only(self) -> frozenset[str]:
        """Names of the devices whose status is their reachability."""
        return frozenset(self._icmp_only)

    async def cycle(self) -> None:
        """Ping every watched address once and fold the results into the state.

        Addresses silent in this cycle but not yet confirmed down are probed
        again ``recheck_delay`` seconds later (only them), so a dead device is
        confirmed within one interval instead of ``confirm_cycles`` intervals.
        """
        addresses = list(self._names)
        if not addresses:
            return
        started = time.time()
        samples = await self._probe(addresses)
        at = time.time()
        last = self.runner.last
        self.stats.cycles += 1
        self.stats.hosts = len(addresses)
        self.stats.replied = sum(1 for s in samples.values() if s.received)
        self.stats.last_started, self.stats.last_duration = started, at - started
        self.stats.overran += last.overran
        delay = self.settings.recheck_delay
        suspects = [a for a in self.tracker.suspects() if a in self._names]
        if delay > 0 and suspects:
            await asyncio.sleep(delay)
            await self._probe(suspects)
            self.stats.rechecks += 1

    async def _probe(self, addresses: list[str]) -> dict[str, IcmpSample]:
        """Ping ``addresses``; fold samples and transitions into the state; re-poll changes."""
        samples = await self.runner.cycle(addresses)
        at = time.time()
        transitions = {t.address: t for t in self.tracker.update(samples, at)}
        changed = [name for address, t in transitions.items() if t.new in ("up", "down")
                   for name in self._names.get(address, ()) if name not in self._icmp_only]
        if changed and self.on_change is not None:
            self.on_change(changed)
        for address in samples.keys() | transitions.keys():
            sample, change = samples.get(address), transitions.get(address)
            for name in self._names.get(address, ()):
                self.state.apply_icmp(name, sample, change.new if change else None,
                                      change.at if change else at,
                                      change.reason if change else "",
                                      drives_status=name in self._icmp_only)
                if self.on_sample is not None:
                    self.on_sample(name, sample, at, self.state.device(name).up
                                   if name in self._icmp_only else None)
        return dict(samples)

    async def run(self) -> None:
        """Cycle every ``interval`` seconds until cancelled; a failed cycle is logged, not fatal."""
        loop = asyncio.get_running_loop()
        while True:
            begun = loop.time()
            try:
                await self.cycle()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.stats.errors += 1
                log.exception("ICMP cycle failed")
            await asyncio.sleep(max(0.0, self.settings.interval - (loop.time() - begun)))
