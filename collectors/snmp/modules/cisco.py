"""Cisco health: CISCO-ENVMON-MIB, CISCO-PROCESS-MIB and CISCO-MEMORY-POOL-MIB.

Collects ciscoEnvMonTemperatureStatusTable (descr, celsius, state),
ciscoEnvMonFanStatusTable and ciscoEnvMonSupplyStatusTable (descr, state) as
sensors, cpmCPUTotal5minRev (percent, averaged over CPUs) as the CPU, and the
"Processor" ciscoMemoryPoolTable row (used + free bytes) as memory when no
other module set them. Only for sysObjectID enterprise 9.

CiscoEnvMonState: normal(1) ok, warning(2) warning, critical(3) /
shutdown(4) / notFunctioning(6) failed, notPresent(5) unknown.

Newer platforms (IOS-XE, NX-OS) also fill ENTITY-SENSOR-MIB, read by
:mod:`.sensors`; a Cisco-like vendor (a clone with the same MIBs under its own
enterprise number) is added by putting its vendor name in ``vendors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Memory, Sensor
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first

ENVMON = (1, 3, 6, 1, 4, 1, 9, 9, 13, 1)
TEMP_DESCR, TEMP_VALUE, TEMP_STATE = ((*ENVMON, 3, 1, c) for c in (2, 3, 6))
FAN_DESCR, FAN_STATE = ((*ENVMON, 4, 1, c) for c in (2, 3))
SUPPLY_DESCR, SUPPLY_STATE = ((*ENVMON, 5, 1, c) for c in (2, 3))
CPM_CPU_TOTAL_5MIN_REV: Oid = (1, 3, 6, 1, 4, 1, 9, 9, 109, 1, 1, 1, 1, 8)
MEMPOOL = (1, 3, 6, 1, 4, 1, 9, 9, 48, 1, 1, 1)
POOL_NAME, POOL_USED, POOL_FREE = ((*MEMPOOL, c) for c in (2, 5, 6))
STATES = {1: "ok", 2: "warning", 3: "failed", 4: "failed", 5: "unknown", 6: "failed"}


@dataclass(kw_only=True)
class CiscoHealth(ModuleResult):
    """Environmental sensors, CPU (percent) and processor memory of a Cisco device."""

    sensors: list[Sensor] = field(default_factory=list)
    cpu_percent: float | None = None
    memory: Memory | None = None


def _status_sensors(read: Reader, kind: str, descr: Oid, state: Oid) -> list[Sensor]:
    names, states = by_first(read.texts(descr)), by_first(read.ints(state))
    return [Sensor(kind, names.get(i, f"{kind} {i}").strip(), None, "",
                   STATES.get(states[i], "unknown"), "cisco") for i in sorted(states)]


def _temperatures(read: Reader) -> list[Sensor]:
    names, values = by_first(read.texts(TEMP_DESCR)), by_first(read.ints(TEMP_VALUE))
    states = by_first(read.ints(TEMP_STATE))
    return [Sensor("temperature", names.get(i, f"temperature {i}").strip(), float(values[i]),
                   "celsius", STATES.get(states.get(i, 0), "unknown"), "cisco")
            for i in sorted(values)]


def _memory(read: Reader) -> Memory | None:
    names = by_first(read.texts(POOL_NAME))
    used, free = by_first(read.ints(POOL_USED)), by_first(read.ints(POOL_FREE))
    pool = next((i for i in sorted(names) if names[i] == "Processor"), None)
    if pool is None or pool not in used or pool not in free:
        return None
    return Memory(used[pool] + free[pool], used[pool])


class CiscoModule:
    """CISCO-ENVMON-MIB sensors, cpmCPUTotal5minRev and the processor memory pool."""

    name = "cisco"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (TEMP_DESCR, TEMP_VALUE, TEMP_STATE, FAN_DESCR, FAN_STATE,
                                SUPPLY_DESCR, SUPPLY_STATE, CPM_CPU_TOTAL_5MIN_REV, POOL_NAME,
                                POOL_USED, POOL_FREE)
    vendors: frozenset[str] = frozenset({"Cisco"})
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> CiscoHealth:
        """Temperatures, fans, supplies, CPU and processor memory."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        cpus = list(read.ints(CPM_CPU_TOTAL_5MIN_REV).values())
        return CiscoHealth(
            sensors=[*_temperatures(read),
                     *_status_sensors(read, "fan", FAN_DESCR, FAN_STATE),
                     *_status_sensors(read, "power_supply", SUPPLY_DESCR, SUPPLY_STATE)],
            cpu_percent=sum(cpus) / len(cpus) if cpus else None,
            memory=_memory(read), errors=errors)

    def apply(self, result: CiscoHealth, facts: DeviceFacts) -> None:
        """Add the sensors; CPU and memory unless HOST-RESOURCES-MIB gave them."""
        facts.sensors.extend(result.sensors)
        if facts.cpu_percent is None:
            facts.cpu_percent = result.cpu_percent
        if facts.memory is None:
            facts.memory = result.memory


MODULE = CiscoModule()
