"""UCD-SNMP-MIB loads, memory and CPU on captures of net-snmp hosts."""

from __future__ import annotations

from collectors.base import DeviceFacts, Memory
from collectors.snmp.ber import Tag
from collectors.snmp.modules.ucd import (
    LA_LOAD,
    LA_LOAD_INT,
    MEM_AVAIL_REAL,
    MEM_BUFFER,
    MEM_CACHED,
    MEM_TOTAL_REAL,
    MODULE,
)

from .captures import LINUX, capture, value


def test_linux_load_averages_and_memory_in_bytes():
    result = MODULE.parse(*capture(LINUX, MODULE))
    assert result.load_average == [value(LINUX, (*LA_LOAD_INT, i)) / 100 for i in (1, 2, 3)]
    total, avail, buffers, cached = (value(LINUX, oid) for oid in (
        MEM_TOTAL_REAL, MEM_AVAIL_REAL, MEM_BUFFER, MEM_CACHED))
    assert result.memory == Memory(total * 1024, (total - avail - buffers - cached) * 1024)
    assert result.cpu_percent is not None and 0 <= result.cpu_percent <= 100


def test_load_strings_when_the_integer_column_is_missing():
    columns = {LA_LOAD: [((*LA_LOAD, i), Tag.OCTET_STRING, s)
                         for i, s in ((1, b"0.15"), (2, b"0.20"), (3, b"1.05"))]}
    assert MODULE.parse({}, columns).load_average == [0.15, 0.20, 1.05]


def test_garbage_load_strings_give_a_note_not_an_exception():
    columns = {LA_LOAD: [((*LA_LOAD, i), Tag.OCTET_STRING, b"n/a") for i in (1, 2, 3)]}
    result = MODULE.parse({}, columns)
    assert result.load_average == [] and "not a number" in result.errors[0]


def test_apply_ucd_memory_wins_and_cpu_only_fills_a_gap():
    facts = DeviceFacts(memory=Memory(8, 8), cpu_percent=50.0)
    MODULE.apply(MODULE.parse(*capture(LINUX, MODULE)), facts)
    assert facts.memory != Memory(8, 8) and facts.cpu_percent == 50.0
