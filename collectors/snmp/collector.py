"""The SNMP poll job: system group + IF-MIB interfaces of one device.

Like a NAV ipdevpoll job, the job asks a few MIB questions, hands the
varbinds to pure parsers and returns one :class:`PollResult`; storing it is
somebody else's business. A hard per-device deadline makes sure a slow or
dead device costs at most ``deadline`` seconds of one concurrency slot.
"""

from __future__ import annotations

import asyncio
import time

from collectors.base import PollResult
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
        try:
            async with asyncio.timeout(self._deadline):
                system = parse_system(await self._client.get(target, mibs.SYSTEM_SCALARS))
                walked = await self._client.walk_columns(target, _COLUMNS)
        except TimeoutError:
            return self._failed(device, started, t0, f"deadline of {self._deadline:g} s exceeded")
        except SnmpTimeout:
            return self._failed(device, started, t0, "no SNMP response (timeout)")
        except SnmpError as exc:
            return self._failed(device, started, t0, f"SNMP error: {exc}")
        except OSError as exc:
            return self._failed(device, started, t0, f"network error: {exc.strerror or exc}")
        return PollResult(device, True, started, time.perf_counter() - t0, system=system,
                          interfaces=tuple(parse_interfaces(walked)))

    @staticmethod
    def _failed(device: str, started: float, t0: float, error: str) -> PollResult:
        return PollResult(device, False, started, time.perf_counter() - t0, error=error)
