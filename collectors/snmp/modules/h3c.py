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

from collectors.snmp.modules.huawei import EntityStateModule

STATE_ENTRY = (1, 3, 6, 1, 4, 1, 25506, 2, 6, 1, 1, 1, 1)
CPU_USAGE, MEM_USAGE, MEM_SIZE, TEMPERATURE = ((*STATE_ENTRY, c) for c in (6, 8, 10, 12))

MODULE = EntityStateModule("h3c", frozenset({"H3C"}), STATE_ENTRY, (6, 8, 10, 12))
