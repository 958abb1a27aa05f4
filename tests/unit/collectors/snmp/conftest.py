"""Fixtures of the SNMP client unit tests: the in-test agent and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from collectors.snmp.client import SnmpClient
from tests.unit.collectors.snmp.fake_agent import Agent, _udp, build_mib


@pytest.fixture
async def agent() -> AsyncIterator[Agent]:
    proto = Agent(build_mib())
    transport = await _udp(proto, "127.0.0.1")
    yield proto
    transport.close()


@pytest.fixture
async def snmp() -> AsyncIterator[SnmpClient]:
    async with SnmpClient("127.0.0.1") as c:
        yield c
