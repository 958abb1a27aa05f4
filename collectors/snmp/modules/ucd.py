"""UCD-SNMP-MIB (net-snmp): load averages, memory and CPU of Linux/Unix hosts.

Collects laLoadInt (load x 100; laLoad strings such as ``"0.15"`` when an
agent lacks the integer column) for 1, 5 and 15 minutes, memTotalReal,
memAvailReal, memBuffer and memCached (KB, converted to bytes; used memory =
total - available - buffers - cache, like ``free``), and ssCpuIdle (percent)
for a CPU figure when HOST-RESOURCES-MIB gave none. The ssCpuRaw* counters
need two samples to mean anything, so discovery does not read them.

Any net-snmp agent has it: Linux servers, Vyatta, Arista EOS. Other vendors'
Unix agents with the same MIB need nothing; the module applies to every device.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Memory
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first

UCD = (1, 3, 6, 1, 4, 1, 2021)
LA_LOAD: Oid = (*UCD, 10, 1, 3)
LA_LOAD_INT: Oid = (*UCD, 10, 1, 5)
MEM_TOTAL_REAL: Oid = (*UCD, 4, 5, 0)
MEM_AVAIL_REAL: Oid = (*UCD, 4, 6, 0)
MEM_BUFFER: Oid = (*UCD, 4, 14, 0)
MEM_CACHED: Oid = (*UCD, 4, 15, 0)
SS_CPU_IDLE: Oid = (*UCD, 11, 11, 0)
KIB = 1024


@dataclass(kw_only=True)
class Ucd(ModuleResult):
    """Load averages (1/5/15 min), memory in bytes and CPU use in percent."""

    load_average: list[float] = field(default_factory=list)
    memory: Memory | None = None
    cpu_percent: float | None = None


def _loads(read: Reader) -> list[float]:
    ints = by_first(read.ints(LA_LOAD_INT))
    if all(i in ints for i in (1, 2, 3)):
        return [ints[i] / 100 for i in (1, 2, 3)]
    texts = by_first(read.texts(LA_LOAD))
    try:
        return [float(texts[i]) for i in (1, 2, 3)]
    except KeyError:
        return []
    except ValueError:
        read.bad(f"laLoad: not a number: {[texts.get(i) for i in (1, 2, 3)]!r}")
        return []


def _memory(read: Reader) -> Memory | None:
    total = read.int_scalar(MEM_TOTAL_REAL)
    avail = read.int_scalar(MEM_AVAIL_REAL)
    if not total or avail is None:
        return None
    free = avail + (read.int_scalar(MEM_BUFFER) or 0) + (read.int_scalar(MEM_CACHED) or 0)
    return Memory(total * KIB, max(0, total - free) * KIB)


class UcdModule:
    """laTable, memory scalars and ssCpuIdle of UCD-SNMP-MIB."""

    name = "ucd"
    scalars: tuple[Oid, ...] = (MEM_TOTAL_REAL, MEM_AVAIL_REAL, MEM_BUFFER, MEM_CACHED,
                                SS_CPU_IDLE)
    columns: tuple[Oid, ...] = (LA_LOAD, LA_LOAD_INT)
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> Ucd:
        """Loads, memory (bytes) and CPU (100 - ssCpuIdle)."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        idle = read.int_scalar(SS_CPU_IDLE)
        return Ucd(load_average=_loads(read), memory=_memory(read),
                   cpu_percent=None if idle is None or not 0 <= idle <= 100 else 100.0 - idle,
                   errors=errors)

    def apply(self, result: Ucd, facts: DeviceFacts) -> None:
        """Loads; memory (finer than hrStorageRam: it leaves out buffers and cache); CPU."""
        if result.load_average:
            facts.load_average = result.load_average
        if result.memory is not None:
            facts.memory = result.memory
        if facts.cpu_percent is None and result.cpu_percent is not None:
            facts.cpu_percent = result.cpu_percent


MODULE = UcdModule()
