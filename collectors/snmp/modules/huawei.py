"""Huawei health: HUAWEI-ENTITY-EXTENT-MIB hwEntityStateTable.

Collects, per entPhysicalIndex, hwEntityCpuUsage (percent), hwEntityMemUsage
(percent), hwEntityMemSize (bytes) and hwEntityTemperature (celsius), named
by ENTITY-MIB entPhysicalName. Every entity has a row, and entities without
a CPU, memory or sensor (ports, fans) report 0: only non-zero values count.
The CPU is the average over boards with a CPU (the MPU on a fixed switch);
the memory is the first board with a memory size. Only for sysObjectID
enterprise 2011.

H3C (25506) has the same design in hh3cEntityExtStateTable (CPU column 6,
memory 8, temperature 12): a module of its own with those columns and
``vendors = {"H3C"}`` would reuse :func:`health_from`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Memory, Sensor
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first
from collectors.snmp.modules.entity import COLUMNS as ENTITY

STATE_ENTRY = (1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 1, 1)
CPU_USAGE, MEM_USAGE, MEM_SIZE, TEMPERATURE = ((*STATE_ENTRY, c) for c in (5, 7, 9, 11))


@dataclass(kw_only=True)
class EntityHealth(ModuleResult):
    """Temperatures, CPU (percent) and memory of the boards of a device."""

    sensors: list[Sensor] = field(default_factory=list)
    cpu_percent: float | None = None
    memory: Memory | None = None


def health_from(read: Reader, columns: tuple[Oid, Oid, Oid, Oid, Oid],
                source: str) -> EntityHealth:
    """Health from (name, cpu %, memory %, memory bytes, celsius) columns keyed by entity."""
    name_col, cpu_col, mem_col, size_col, temp_col = columns
    names = by_first(read.texts(name_col))
    cpus = {i: v for i, v in by_first(read.ints(cpu_col)).items() if 0 < v <= 100}
    usage, sizes = by_first(read.ints(mem_col)), by_first(read.ints(size_col))
    temps = {i: v for i, v in by_first(read.ints(temp_col)).items() if v > 0}
    result = EntityHealth(errors=read.errors, sensors=[
        Sensor("temperature", names.get(i, f"entity {i}"), float(temps[i]), "celsius", "unknown",
               source) for i in sorted(temps)])
    if cpus:
        result.cpu_percent = sum(cpus.values()) / len(cpus)
    board = next((i for i in sorted(sizes) if sizes[i] > 0 and i in usage), None)
    if board is not None:
        result.memory = Memory(sizes[board], sizes[board] * usage[board] // 100)
    return result


class EntityStateModule:
    """A per-entity CPU/memory/temperature table (Huawei's design, shared by H3C).

    ``entry`` is the table entry OID and ``cols`` its (cpu %, memory %,
    memory bytes, celsius) column numbers.
    """

    scalars: tuple[Oid, ...] = ()
    max_rows: int | None = None

    def __init__(self, name: str, vendors: frozenset[str], entry: Oid,
                 cols: tuple[int, int, int, int]) -> None:
        self.name = name
        self.vendors = vendors
        cpu, mem, size, temp = ((*entry, c) for c in cols)
        self._health = (ENTITY["name"], cpu, mem, size, temp)
        self.columns: tuple[Oid, ...] = (cpu, mem, size, temp, ENTITY["name"])

    def parse(self, scalars: Scalars, columns: Columns) -> EntityHealth:
        """Board temperatures, average CPU and the main board's memory."""
        read = Reader(scalars, columns, [])
        return health_from(read, self._health, self.name)

    def apply(self, result: EntityHealth, facts: DeviceFacts) -> None:
        """Add the sensors; CPU and memory."""
        facts.sensors.extend(result.sensors)
        if result.cpu_percent is not None:
            facts.cpu_percent = result.cpu_percent
        if result.memory is not None:
            facts.memory = result.memory


MODULE = EntityStateModule("huawei", frozenset({"Huawei"}), STATE_ENTRY, (5, 7, 9, 11))
