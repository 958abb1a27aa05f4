"""H3C/HPE Comware health: HH3C-ENTITY-EXT-MIB hh3cEntityExtStateTable.

Collects, per entPhysicalIndex, hh3cEntityExtCpuUsage (percent),
hh3cEntityExtMemUsage (percent), hh3cEntityExtMemSize (bytes) and
hh3cEntityExtTemperature (celsius), named by entPhysicalName; zeros mean "no
such part" and are ignored (see :func:`collectors.snmp.modules.huawei.health_from`,
the same design). Only for sysObjectID enterprise 25506.

HPE Comware switches sold under enterprise 11 use the same table under
``1.3.6.1.4.1.25506``: add "HP" to ``vendors`` once a recording shows it.
"""

from __future__ import annotations

from collectors.base import DeviceFacts
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, Reader, Scalars
from collectors.snmp.modules.entity import COLUMNS as ENTITY
from collectors.snmp.modules.huawei import EntityHealth, health_from

STATE_ENTRY = (1, 3, 6, 1, 4, 1, 25506, 2, 6, 1, 1, 1, 1)
CPU_USAGE, MEM_USAGE, MEM_SIZE, TEMPERATURE = ((*STATE_ENTRY, c) for c in (6, 8, 10, 12))


class H3cModule:
    """hh3cEntityExtStateTable CPU, memory and temperature."""

    name = "h3c"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (CPU_USAGE, MEM_USAGE, MEM_SIZE, TEMPERATURE, ENTITY["name"])
    vendors: frozenset[str] = frozenset({"H3C"})
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> EntityHealth:
        """Board temperatures, average CPU and the main board's memory."""
        read = Reader(scalars, columns, [])
        return health_from(read, (ENTITY["name"], CPU_USAGE, MEM_USAGE, MEM_SIZE, TEMPERATURE),
                           self.name)

    def apply(self, result: EntityHealth, facts: DeviceFacts) -> None:
        """Add the sensors; CPU and memory."""
        facts.sensors.extend(result.sensors)
        if result.cpu_percent is not None:
            facts.cpu_percent = result.cpu_percent
        if result.memory is not None:
            facts.memory = result.memory


MODULE = H3cModule()
