"""SNMPv3 engine bookkeeping for the running NOC.

Every SNMPv3 target's authoritative engine is discovered with the lean codec
(:func:`collectors.snmp.engine.discover_engine`) when polling starts and again
every ``refresh`` seconds. The registry notices reboots (engine boots went up)
and, most importantly, *duplicate engine IDs*: two devices answering with the
same engine ID (cloned configurations) break USM key localization and time
synchronization, so they are logged, exported on ``/metrics`` and listed at
``/api/v1/snmp/engines``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from collectors.snmp.client import SnmpTarget
from collectors.snmp.engine import EngineRegistry, discover_engine
from collectors.snmp.errors import SnmpError

log = logging.getLogger(__name__)


class EngineWatch:
    """Discovers the engines of v3 targets and keeps the registry."""

    def __init__(self, refresh: float = 3600.0, concurrency: int = 16) -> None:
        self.registry = EngineRegistry()
        self.errors: dict[str, str] = {}
        self._refresh = refresh
        self._sem = asyncio.Semaphore(concurrency)
        self._reported: set[str] = set()

    async def discover_all(self, targets: Mapping[str, SnmpTarget]) -> None:
        """Discover every v3 target's engine once (bounded concurrency)."""
        v3 = {name: t for name, t in targets.items() if t.version == "3"}
        await asyncio.gather(*(self._one(name, t) for name, t in v3.items()))
        for engine, devices in self.registry.duplicates().items():
            if engine not in self._reported:
                self._reported.add(engine)
                log.warning("duplicate SNMPv3 engine ID %s on %d devices: %s", engine,
                            len(devices), ", ".join(sorted(devices)))

    async def _one(self, name: str, target: SnmpTarget) -> None:
        async with self._sem:
            try:
                info = await discover_engine(target.address, target.port, target.timeout,
                                             target.retries)
            except (SnmpError, OSError) as exc:
                self.errors[name] = str(exc)
                return
        self.errors.pop(name, None)
        verdict = self.registry.record(name, info)
        if verdict.rebooted:
            log.info("%s: SNMP engine rebooted (%s)", name, verdict.reason)

    async def run(self, targets: Callable[[], Mapping[str, SnmpTarget]]) -> None:
        """Discover now, then every ``refresh`` seconds (cancel to stop)."""
        while True:
            await self.discover_all(targets())
            await asyncio.sleep(self._refresh)

    def summary(self) -> dict[str, object]:
        """Engines by device, duplicates and discovery errors (for the API)."""
        engines = {}
        for name in self.registry.targets():
            info = self.registry.get(name)
            if info is not None:
                engines[name] = {"engine_id": info.engine_id.hex(), "boots": info.boots,
                                 "time": info.time}
        return {"engines": engines, "duplicates": self.registry.duplicates(),
                "errors": dict(sorted(self.errors.items()))}
