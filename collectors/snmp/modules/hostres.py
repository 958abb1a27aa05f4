"""HOST-RESOURCES-MIB (RFC 2790): CPU, memory, disks and processes of hosts.

Collects hrProcessorLoad (per CPU core, and their average), the hrStorageTable
rows of type hrStorageRam (memory) and hrStorageFixedDisk (file systems) with
size and used space in bytes (hrStorageAllocationUnits x hrStorageSize/Used),
and the number of processes (a count of the hrSWRunIndex column only: one
small column, not the whole process table).

Servers (net-snmp), firewalls (Palo Alto) and switches running net-snmp
(Arista, Vyatta) implement it; Juniper fills only hrStorage. Storage sizes
are Integer32 and wrap negative on large disks in some agents: read as
unsigned. A vendor with its own storage types needs its type OID added to
:data:`RAM` / :data:`FIXED_DISK` (e.g. a NAS agent's hrStorageNetworkDisk).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Disk, Memory
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first

HR = (1, 3, 6, 1, 2, 1, 25)
HR_PROCESSOR_LOAD: Oid = (*HR, 3, 3, 1, 2)
HR_STORAGE_ENTRY: Oid = (*HR, 2, 3, 1)
HR_STORAGE_TYPE: Oid = (*HR_STORAGE_ENTRY, 2)
HR_STORAGE_DESCR: Oid = (*HR_STORAGE_ENTRY, 3)
HR_STORAGE_UNITS: Oid = (*HR_STORAGE_ENTRY, 4)
HR_STORAGE_SIZE: Oid = (*HR_STORAGE_ENTRY, 5)
HR_STORAGE_USED: Oid = (*HR_STORAGE_ENTRY, 6)
HR_SW_RUN_INDEX: Oid = (*HR, 4, 2, 1, 1)
RAM: Oid = (*HR, 2, 1, 2)  # hrStorageRam
FIXED_DISK: Oid = (*HR, 2, 1, 4)  # hrStorageFixedDisk


@dataclass(kw_only=True)
class HostResources(ModuleResult):
    """CPU load per core, memory, fixed disks and the process count of a host."""

    cpu_cores: list[float] = field(default_factory=list)
    memory: Memory | None = None
    disks: list[Disk] = field(default_factory=list)
    processes: int | None = None


def _unsigned(n: int) -> int:
    """An Integer32 that wrapped negative, read back as unsigned."""
    return n + 2**32 if n < 0 else n


@dataclass(frozen=True)
class _Storage:
    name: str
    type: Oid
    total: int
    used: int


def _storages(read: Reader) -> list[_Storage]:
    """The hrStorageTable rows with a type, units and size (others are skipped)."""
    types: dict[int, Oid] = by_first(read.oids(HR_STORAGE_TYPE))
    descrs = by_first(read.texts(HR_STORAGE_DESCR))
    units = by_first(read.ints(HR_STORAGE_UNITS))
    sizes = by_first(read.ints(HR_STORAGE_SIZE))
    used = by_first(read.ints(HR_STORAGE_USED))
    rows = []
    for index in sorted(types):
        unit, size = units.get(index), sizes.get(index)
        if unit is None or size is None:
            continue
        rows.append(_Storage(descrs.get(index, f"storage {index}"), types[index],
                             _unsigned(size) * unit, _unsigned(used.get(index, 0)) * unit))
    return rows


class HostResourcesModule:
    """hrProcessorLoad, hrStorageTable (RAM, fixed disks) and hrSWRunIndex."""

    name = "hostres"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (HR_PROCESSOR_LOAD, HR_STORAGE_TYPE, HR_STORAGE_DESCR,
                                HR_STORAGE_UNITS, HR_STORAGE_SIZE, HR_STORAGE_USED,
                                HR_SW_RUN_INDEX)
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> HostResources:
        """CPU per core, the first RAM storage, fixed disks and the process count."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        loads = by_first(read.ints(HR_PROCESSOR_LOAD))
        storages = _storages(read)
        ram = next((s for s in storages if s.type == RAM), None)
        processes = columns.get(HR_SW_RUN_INDEX)
        return HostResources(
            cpu_cores=[float(loads[i]) for i in sorted(loads)],
            memory=None if ram is None else Memory(ram.total, ram.used),
            disks=[Disk(s.name, s.total, s.used) for s in storages if s.type == FIXED_DISK],
            processes=len(read.ints(HR_SW_RUN_INDEX)) if processes else None,
            errors=errors)

    def apply(self, result: HostResources, facts: DeviceFacts) -> None:
        """CPU (average of the cores), memory unless a finer module set it, disks, processes."""
        if result.cpu_cores:
            facts.cpu_cores = result.cpu_cores
            facts.cpu_percent = sum(result.cpu_cores) / len(result.cpu_cores)
        if facts.memory is None:
            facts.memory = result.memory
        facts.disks = result.disks
        if result.processes is not None:
            facts.processes = result.processes


MODULE = HostResourcesModule()
