"""HOST-RESOURCES-MIB CPU, memory, disks and processes on captures of Linux hosts."""

from __future__ import annotations

from collectors.base import DeviceFacts, Memory
from collectors.snmp.ber import Tag
from collectors.snmp.modules.hostres import (
    HR_PROCESSOR_LOAD,
    HR_STORAGE_SIZE,
    HR_STORAGE_TYPE,
    HR_STORAGE_UNITS,
    HR_STORAGE_USED,
    MODULE,
    RAM,
)

from .captures import LINUX, PALOALTO, capture, recording, value


def _ram_row(path: str) -> int:
    rec = recording(path, (HR_STORAGE_TYPE,))
    return next(k[0] for k, v in rec.column(HR_STORAGE_TYPE).items() if v == RAM)


def test_linux_ram_size_in_bytes_is_allocation_units_times_size():
    row = _ram_row(LINUX)
    units = value(LINUX, (*HR_STORAGE_UNITS, row))
    size = value(LINUX, (*HR_STORAGE_SIZE, row))
    used = value(LINUX, (*HR_STORAGE_USED, row))
    result = MODULE.parse(*capture(LINUX, MODULE))
    assert result.memory == Memory(units * size, units * used)
    assert result.memory.total_bytes == 4_055_379_968  # 3960332 KB of "Physical memory"
    assert result.errors == []


def test_linux_disks_cpu_and_processes():
    result = MODULE.parse(*capture(LINUX, MODULE))
    assert [d.name for d in result.disks] == ["/", "/mnt", "/mnt/tmp/outer"]
    assert result.disks[1].total_bytes == 937_617_797_120  # 4096-byte units, Integer32 size
    assert result.cpu_cores == [float(v) for v in recording(
        LINUX, (HR_PROCESSOR_LOAD,)).column(HR_PROCESSOR_LOAD).values()]
    assert result.processes == 111


def test_apply_averages_cores_and_keeps_finer_memory():
    facts = DeviceFacts(memory=Memory(1, 1))
    MODULE.apply(MODULE.parse(*capture(PALOALTO, MODULE)), facts)
    assert facts.cpu_percent == sum(facts.cpu_cores) / len(facts.cpu_cores)
    assert facts.memory == Memory(1, 1)
    assert facts.processes is None


def test_negative_integer32_sizes_wrap_and_bad_types_are_noted():
    t, u, s, used = HR_STORAGE_TYPE, HR_STORAGE_UNITS, HR_STORAGE_SIZE, HR_STORAGE_USED
    fixed = (1, 3, 6, 1, 2, 1, 25, 2, 1, 4)
    columns = {
        t: [((*t, 31), Tag.OID, fixed), ((*t, 32), Tag.OID, fixed)],
        u: [((*u, 31), Tag.INTEGER, 4096), ((*u, 32), Tag.INTEGER, 4096)],
        s: [((*s, 31), Tag.INTEGER, -1), ((*s, 32), Tag.OCTET_STRING, b"big")],
        used: [((*used, 31), Tag.INTEGER, 10)],
        HR_PROCESSOR_LOAD: [((*HR_PROCESSOR_LOAD, 768), Tag.OCTET_STRING, b"5")],
    }
    result = MODULE.parse({}, columns)
    assert [(d.total_bytes, d.used_bytes) for d in result.disks] == [(4096 * (2**32 - 1),
                                                                      40960)]
    assert result.cpu_cores == [] and result.processes is None
    assert len(result.errors) == 2
