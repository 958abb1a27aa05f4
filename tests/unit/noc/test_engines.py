import asyncio

from collectors.snmp.client import SnmpTarget
from collectors.snmp.engine import EngineInfo
from collectors.snmp.v3 import V3Credentials
from noc.engines import EngineWatch


def test_duplicate_engine_ids_are_reported_in_the_summary():
    watch = EngineWatch()
    watch.registry.record("a", EngineInfo(b"\x80\x00\x1f\x88\x01", 3, 100, 0.0))
    watch.registry.record("b", EngineInfo(b"\x80\x00\x1f\x88\x01", 3, 100, 0.0))
    watch.registry.record("c", EngineInfo(b"\x80\x00\x1f\x88\x02", 1, 5, 0.0))
    summary = watch.summary()
    assert summary["duplicates"] == {"80001f8801": ["a", "b"]}
    assert summary["engines"]["c"] == {"engine_id": "80001f8802", "boots": 1, "time": 5}


def test_only_v3_targets_are_discovered_and_failures_are_kept():
    watch = EngineWatch()
    creds = V3Credentials("u", "SHA", "authpass123", "AES", "privpass123")
    targets = {"v2": SnmpTarget("127.0.0.9", 9), "v3": SnmpTarget(
        "127.0.0.9", 9, "3", v3=creds, timeout=0.05, retries=0)}
    asyncio.run(watch.discover_all(targets))
    assert set(watch.errors) == {"v3"}
    assert "authpass123" not in str(watch.summary())
