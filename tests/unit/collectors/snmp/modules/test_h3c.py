"""H3C hh3cEntityExtStateTable health on an E528 capture."""

from __future__ import annotations

from collectors.snmp.modules.h3c import MODULE

from .captures import H3C, capture


def test_e528_temperatures_and_memory():
    result = MODULE.parse(*capture(H3C, MODULE))
    assert [(s.value, s.unit) for s in result.sensors] == [(40.0, "celsius"), (40.0, "celsius")]
    assert result.memory is not None and result.memory.total_bytes == 68492960
    assert result.memory.used_bytes == 68492960 * 55 // 100
