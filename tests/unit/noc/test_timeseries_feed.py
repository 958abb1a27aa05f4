import asyncio
from pathlib import Path

import pytest

from collectors.base import DeviceFacts, InterfaceSample, Memory, PollResult, Sensor, SystemInfo
from collectors.icmp.parse import IcmpSample
from inventory.catalog import CatAgency, Catalog, CatDevice, CatLink
from noc.state import State
from noc.status import agency_statuses, link_loads
from noc.timeseries import SeriesStore
from noc.timeseries_feed import feed_agencies, feed_facts, feed_icmp, feed_links, feed_poll
from noc.timeseries_task import run_series

T0 = 1_700_000_400.0


def _iface(index: int, name: str, octets: int, errors: int) -> InterfaceSample:
    return InterfaceSample(if_index=index, name=name, speed_bps=10**9, admin_status=1,
                           oper_status=1, counter_bits=64,
                           counters={"in_octets": octets, "out_octets": 2 * octets,
                                     "in_errors": errors, "out_errors": 0})


def _poll(at: float, k: int) -> PollResult:
    return PollResult("core1", True, at, 0.0, system=SystemInfo(uptime_ticks=100_000 + 6000 * k),
                      interfaces=(_iface(1, "Gi0/1", 750_000 * k, 30 * k),
                                  _iface(2, "Gi0/2", 750_000 * k, 0)))


def _catalog() -> Catalog:
    agencies = {"HQ": CatAgency("HQ", "department", "Sở", "HQ", None),
                "W1": CatAgency("W1", "ward", "Phường 1", "Ward 1", None)}
    devices = {"core1": CatDevice("core1", "HQ", "hq", "router", "127.0.0.2", 161, "lab", "snmp"),
               "acc1": CatDevice("acc1", "W1", "w1", "switch", "127.0.0.3", 161, "lab", "snmp")}
    link = CatLink("core1-acc1", "core1", 1, "acc1", 7, "wan", 100)
    return Catalog(agencies, devices, (link,))


def _state() -> State:
    state = State()
    state.apply(_poll(T0, 0))
    state.apply(_poll(T0 + 60, 1))
    return state


def test_poll_records_up_and_link_port_rates_only():
    store, state = SeriesStore(), _state()
    feed_poll(store, _catalog(), state.device("core1"), T0 + 60)
    assert store.keys(("if",)) == [("if", "core1", "Gi0/1", m)
                                   for m in ("in_bps", "in_errors", "out_bps", "out_errors")]
    assert store.points(("if", "core1", "Gi0/1", "in_bps"), T0, T0 + 60) == [(T0 + 60, 100_000)]
    assert store.points(("if", "core1", "Gi0/1", "out_bps"), T0, T0 + 60)[0][1] == 200_000
    assert store.points(("if", "core1", "Gi0/1", "in_errors"), T0, T0 + 60)[0][1] == 0.5
    assert store.points(("dev", "core1", "up"), T0, T0 + 60) == [(T0 + 60, 1.0)]


def test_a_down_device_records_up_zero_and_no_interface_values():
    store, state = SeriesStore(), _state()
    state.apply(PollResult("core1", False, T0 + 120, 2.0, error="timeout"))
    feed_poll(store, _catalog(), state.device("core1"), T0 + 120)
    assert store.keys() == [("dev", "core1", "up")]
    assert store.points(("dev", "core1", "up"), T0, T0 + 120) == [(T0 + 120, 0.0)]


def test_facts_give_cpu_memory_ratio_and_hottest_temperature():
    store = SeriesStore()
    facts = DeviceFacts(cpu_percent=37.5, memory=Memory(8 << 30, 2 << 30),
                        sensors=[Sensor("temperature", "inlet", 31.0, "celsius"),
                                 Sensor("temperature", "cpu", 58.0, "celsius"),
                                 Sensor("fan", "fan1", 9000.0, "rpm")],
                        modules_run=["ucd", "sensors"])
    feed_facts(store, "core1", facts, T0)
    got = {k[2]: store.points(k, T0, T0)[0][1] for k in store.keys(("dev", "core1"))}
    assert got == {"cpu": 37.5, "mem_used_ratio": 0.25, "temp_max_c": 58.0}


def test_failed_facts_run_records_nothing():
    store = SeriesStore()
    feed_facts(store, "core1", DeviceFacts(cpu_percent=5.0, errors=["timeout"]), T0)
    assert store.keys() == []


def test_icmp_rtt_loss_and_up_of_icmp_only_assets():
    store = SeriesStore()
    feed_icmp(store, "kiosk", IcmpSample("127.0.0.9", 4, 3, 1.0, 2.5, 4.0), T0, up=True)
    feed_icmp(store, "sw1", IcmpSample("127.0.0.8", 4, 3, 1.0, 2.0, 4.0), T0)  # a polled device
    feed_icmp(store, "kiosk2", IcmpSample("127.0.0.10", 3, 0, complete=False), T0)
    assert store.points(("dev", "kiosk", "rtt_ms"), T0, T0) == [(T0, 2.5)]
    assert store.points(("dev", "kiosk", "up"), T0, T0) == [(T0, 1.0)]
    assert store.keys(("dev", "kiosk", "loss_ratio")) == []  # thousands of assets: up and RTT
    assert store.points(("dev", "sw1", "loss_ratio"), T0, T0) == [(T0, 0.25)]
    assert store.keys(("dev", "kiosk2")) == []  # incomplete, nothing replied: no evidence


def test_agencies_and_links_from_the_status_views():
    store, state, catalog = SeriesStore(), _state(), _catalog()
    state.apply(PollResult("acc1", False, T0 + 60, 2.0, error="timeout"))
    feed_agencies(store, agency_statuses(catalog, state.devices()), T0 + 60)
    feed_links(store, link_loads(catalog, state.devices()), T0 + 60)
    assert store.points(("agency", "HQ", "up"), T0, T0 + 60) == [(T0 + 60, 1.0)]
    assert store.points(("agency", "W1", "up"), T0, T0 + 60) == [(T0 + 60, 0.0)]
    assert store.points(("link", "core1-acc1", "in_bps"), T0, T0 + 60) == [(T0 + 60, 100_000)]
    [(t, util)] = store.points(("link", "core1-acc1", "util"), T0, T0 + 60)
    assert t == T0 + 60 and util == pytest.approx(0.002, rel=1e-6)  # float32


async def test_series_task_records_views_and_saves(tmp_path: Path):
    store, state, catalog = SeriesStore(), _state(), _catalog()
    path = tmp_path / "series.bin"
    clock = iter(T0 + 60 * i for i in range(1000))

    def views():
        return agency_statuses(catalog, state.devices()), link_loads(catalog, state.devices())

    task = asyncio.create_task(run_series(store, path, views, 0.01, 120, lambda: next(clock)))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ("agency", "HQ", "up") in store.series and path.exists()
    again = SeriesStore()
    assert again.load(path) and ("link", "core1-acc1", "util") in again.series
