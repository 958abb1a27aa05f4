"""The SNMP poll job: system group + IF-MIB interfaces of one device.

Like a NAV ipdevpoll job, the job asks a few MIB questions, hands the
varbinds to pure parsers and returns one :class:`PollResult`; storing it is
somebody else's business. A hard per-device deadline makes sure a slow or
dead device costs at most ``deadline`` seconds of one concurrency slot.
"""

from __future__ import annotations

import asyncio
import time

from collectors.base import ModuleStats, PollResult
from collectors.snmp import mibs
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.errors import SnmpError, SnmpTimeout
from collectors.snmp.parsers import parse_interfaces, parse_system

_COLUMNS = (*mibs.IF_COLUMNS.values(), *mibs.IFX_COLUMNS.values())


class SnmpCollector:
    """Polls SNMPv2-MIB system and IF-MIB ifTable/ifXTable."""

    name = "snmp"

    def __init__(self, client: SnmpClient, deadline: float = 20.0) -> None:
        self._client = client
        self._deadline = deadline

    async def collect(self, device: str, target: SnmpTarget) -> PollResult:
        """Poll one device; never raises for device or network trouble."""
        started = time.time()
        t0 = time.perf_counter()
        modules = {"system": ModuleStats(), "interfaces": ModuleStats()}
        current = modules["system"]
        try:
            async with asyncio.timeout(self._deadline):
                system = parse_system(await self._client.get(target, mibs.SYSTEM_SCALARS,
                                                             current))
                current.duration = time.perf_counter() - t0
                current = modules["interfaces"]
                walked = await self._client.walk_columns(target, _COLUMNS, current)
                current.duration = time.perf_counter() - t0 - modules["system"].duration
        except (TimeoutError, SnmpError, OSError) as exc:
            current.error = _describe(exc, self._deadline)
            current.duration = time.perf_counter() - t0 - sum(
                m.duration for m in modules.values() if m is not current)
            return PollResult(device, False, started, time.perf_counter() - t0,
                              error=current.error, modules=modules)
        return PollResult(device, True, started, time.perf_counter() - t0, system=system,
                          interfaces=tuple(parse_interfaces(walked)), modules=modules)


def _describe(exc: BaseException, deadline: float) -> str:
    """A short operator-facing reason for a failed poll (never includes credentials)."""
    if isinstance(exc, SnmpTimeout):
        return "no SNMP response (timeout)"
    if isinstance(exc, TimeoutError):
        return f"deadline of {deadline:g} s exceeded"
    if isinstance(exc, SnmpError):
        return f"SNMP error: {exc}"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return str(exc)
