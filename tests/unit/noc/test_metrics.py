import dataclasses
import gzip
import re
from decimal import Decimal

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from collectors.base import InterfaceSample, ModuleStats, PollResult, SystemInfo
from inventory.catalog import CatAgency, Catalog, CatDevice
from noc.metrics import NocCollector, Scope, Snapshot, parse_scope, render
from noc.metrics_text import Family, format_value, write_text
from noc.scheduler import SchedulerStats, in_shard
from noc.state import State
from noc.status import agency_statuses


def snapshot_of(state: State) -> Snapshot:
    catalog = Catalog(
        {"Q1": CatAgency("Q1", "district", "Quận 1", "District 1", None)},
        {"q1-sw1": CatDevice("q1-sw1", "Q1", "Q1", "distribution_switch", "127.22.1.1", 161,
                             "lab", "snmp", "Huawei", "S5720")},
    )
    devices = state.devices()
    return Snapshot(catalog, devices, agency_statuses(catalog, devices),
                    SchedulerStats(started=5, skipped=1), {"requests": 12, "timeouts": 2})


def poll(at: float, octets: int) -> PollResult:
    iface = InterfaceSample(if_index=3, name="GE0/0/1", speed_bps=10**9, admin_status=1,
                            oper_status=1, counter_bits=64,
                            counters={"in_octets": octets, "out_octets": 2 * octets})
    return PollResult("q1-sw1", True, at, 0.01, system=SystemInfo(uptime_ticks=12_300),
                      interfaces=(iface,),
                      modules={"system": ModuleStats(0.002, 1), "interfaces":
                               ModuleStats(0.008, 3, retries=1)})


def registry_for(state: State) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)  # fresh per test
    registry.register(NocCollector(lambda: snapshot_of(state)))
    return registry


def test_device_interface_and_agency_series():
    state = State()
    state.apply(poll(0.0, 1000))
    state.apply(poll(60.0, 1000 + 60 * 125_000))
    reg = registry_for(state)
    dev = {"device": "q1-sw1"}
    iface = {"device": "q1-sw1", "interface": "GE0/0/1"}
    assert reg.get_sample_value("noc_device_up", dev) == 1
    assert reg.get_sample_value("noc_device_uptime_seconds", dev) == 123.0
    assert reg.get_sample_value("noc_interface_receive_bytes_total", iface) == 1000 + 7_500_000
    assert reg.get_sample_value("noc_interface_receive_bytes_per_second", iface) == 125_000
    assert reg.get_sample_value("noc_interface_speed_bytes", iface) == 125_000_000
    assert reg.get_sample_value("noc_agency_connected", {"agency": "Q1"}) == 1
    assert reg.get_sample_value(
        "noc_device_info", {**dev, "agency": "Q1", "site": "Q1", "class": "distribution_switch",
                            "vendor": "Huawei", "model": "S5720"}) == 1


def test_per_module_self_metrics_accumulate():
    state = State()
    state.apply(poll(0.0, 1))
    state.apply(poll(60.0, 2))
    reg = registry_for(state)
    labels = {"device": "q1-sw1", "module": "interfaces"}
    assert reg.get_sample_value("noc_poll_module_pdus_total", labels) == 6
    assert reg.get_sample_value("noc_poll_module_retries_total", labels) == 2
    assert reg.get_sample_value("noc_poll_module_duration_seconds", labels) == 0.008
    assert reg.get_sample_value("noc_polls_skipped_total") == 1


def test_down_device_exports_up_zero_and_no_interface_series():
    state = State()
    state.apply(poll(0.0, 1))
    state.apply(PollResult("q1-sw1", False, 60.0, 2.0, error="no SNMP response (timeout)",
                           modules={"system": ModuleStats(2.0, 1, 1, 1, "timeout")}))
    reg = registry_for(state)
    assert reg.get_sample_value("noc_device_up", {"device": "q1-sw1"}) == 0
    assert reg.get_sample_value("noc_interface_receive_bytes_total",
                                {"device": "q1-sw1", "interface": "GE0/0/1"}) is None
    assert reg.get_sample_value("noc_poll_module_errors_total",
                                {"device": "q1-sw1", "module": "system"}) == 1
    text = generate_latest(reg).decode()
    assert "# HELP noc_device_up" in text


def test_health_families_from_facts_in_base_units():
    from collectors.base import DeviceFacts, Disk, Memory, Sensor

    state = State()
    state.apply(poll(0.0, 1))
    facts = DeviceFacts(cpu_percent=38.0, memory=Memory(1000, 70), disks=[Disk("/", 10, 4)],
                        sensors=[Sensor("temperature", "MPU Board 0", 42.0, "celsius", "ok"),
                                 Sensor("temperature", "MPU Board 0", 41.0, "celsius", "ok"),
                                 Sensor("fan", "Fan 1", None, "", "failed")],
                        modules_run=["huawei", "hostres"], pdus=7, duration=0.02)
    state.apply_facts("q1-sw1", facts, 10.0)
    reg = registry_for(state)
    dev = {"device": "q1-sw1"}
    assert reg.get_sample_value("noc_device_cpu_utilization_ratio", dev) == 0.38
    assert reg.get_sample_value("noc_device_memory_used_bytes", dev) == 70
    assert reg.get_sample_value("noc_device_disk_total_bytes", {**dev, "disk": "/"}) == 10
    temp = {**dev, "sensor": "MPU Board 0", "kind": "temperature"}
    assert reg.get_sample_value("noc_sensor_value", {**temp, "unit": "celsius"}) == 42.0
    assert reg.get_sample_value("noc_sensor_ok", {**dev, "sensor": "Fan 1", "kind": "fan"}) == 0
    assert reg.get_sample_value("noc_poll_module_pdus_total", {**dev, "module": "facts"}) == 7


def test_failed_facts_run_keeps_previous_facts_and_counts_an_error():
    from collectors.base import DeviceFacts

    state = State()
    state.apply_facts("q1-sw1", DeviceFacts(cpu_percent=5.0, modules_run=["hostres"]), 1.0)
    state.apply_facts("q1-sw1", DeviceFacts(errors=["no SNMP response (timeout)"]), 2.0)
    dev = state.device("q1-sw1")
    assert dev.facts is not None and dev.facts.cpu_percent == 5.0
    assert dev.modules["facts"].errors == 1


# --- /metrics rendering: scopes, gzip, exact counters ------------------------------------

def two_device_collector() -> NocCollector:
    state = State()
    for name in ("q1-sw1", "q1-sw2", "q3-sw1", "q3-sw2"):
        for at, octets in ((0.0, 1000), (60.0, 61_000)):
            state.apply(dataclasses.replace(poll(at, octets), device=name))
    catalog = Catalog(
        {code: CatAgency(code, "district", code, code, None) for code in ("Q1", "Q3")},
        {name: CatDevice(name, name[:2].upper(), name[:2].upper(), "distribution_switch",
                         "127.22.1.1", 161, "lab", "snmp", "Huawei", "S5720")
         for name in ("q1-sw1", "q1-sw2", "q3-sw1", "q3-sw2")},
    )
    devices = state.devices()
    return NocCollector(lambda: Snapshot(catalog, devices, agency_statuses(catalog, devices),
                                         SchedulerStats(started=5), {"requests": 12}))


def series_of(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text.decode()) for s in fam.samples}


def test_fast_text_has_the_same_series_as_generate_latest():
    collector = two_device_collector()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    ours, _ = render(collector, Scope())
    assert series_of(ours) == series_of(generate_latest(registry))
    assert ours.count(b"# TYPE ") == generate_latest(registry).count(b"# TYPE ")


def test_shards_partition_device_series_and_globals_go_to_shard_one():
    collector = two_device_collector()
    full = series_of(render(collector, Scope())[0])
    shards = [series_of(render(collector, Scope(i, 3))[0]) for i in (1, 2, 3)]
    assert sum(len(s) for s in shards) == len(full)
    assert dict(kv for s in shards for kv in s.items()) == full
    for i, shard in enumerate(shards, 1):
        devices = {dict(k[1]).get("device") for k in shard} - {None}
        assert all(in_shard(d, i, 3) for d in devices)
        assert (("noc_polls_total", ()) in shard) == (i == 1)


def test_agency_scope_exports_only_its_devices_and_agency():
    text = render(two_device_collector(), Scope(agency="Q3"))[0]
    labels = [dict(k[1]) for k in series_of(text)]
    assert {lv["device"] for lv in labels if "device" in lv} == {"q3-sw1", "q3-sw2"}
    assert {lv["agency"] for lv in labels if "agency" in lv} == {"Q3"}
    assert b"noc_polls_total" not in text


@pytest.mark.parametrize(("params", "why"), [
    ({"shard": "0", "of": "2"}, "shard='0'"), ({"shard": "3", "of": "2"}, "shard=3&of=2"),
    ({"shard": "1"}, "go together"), ({"shard": "a", "of": "2"}, "positive integer"),
    ({"agency": "Q9"}, "no such agency"), ({"device": "x"}, "unknown parameter"),
    ({"shard": "1", "of": "5000"}, "<= 1024"),
])
def test_bad_scope_parameters_are_refused_with_a_reason(params: dict[str, str], why: str):
    with pytest.raises(ValueError, match=re.escape(why)):
        parse_scope(params, {"Q1", "Q3"})


def test_scope_parameters_parse():
    assert parse_scope({}, {"Q1"}) == Scope()
    assert parse_scope({"shard": "2", "of": "4", "agency": "Q1"}, {"Q1"}) == Scope(2, 4, "Q1")


@pytest.mark.parametrize(("header", "gzipped"), [
    ("gzip", True), ("gzip, deflate, br", True), ("deflate, gzip;q=0.5", True), ("*", True),
    ("", False), ("identity", False), ("gzip;q=0", False), ("br", False),
])
def test_gzip_only_when_accepted(header: str, gzipped: bool):
    collector = two_device_collector()
    plain, _ = render(collector, Scope())
    body, headers = render(collector, Scope(), header)
    assert (headers.get("Content-Encoding") == "gzip") == gzipped
    assert (gzip.decompress(body) if gzipped else body) == plain


def test_counter64_text_is_exact_to_2_53_and_correctly_rounded_above():
    """Prometheus stores float64: exact integers up to 2^53, nearest float above.

    Near 2^64 one sample is off by at most 2^(63-53) = 1 KiB, so rate() over
    15 s is off by at most 2 KiB / 15 s = 137 B/s (see noc.metrics' docstring).
    """
    exact = [0, 1, 12_345_678_901, 2**53 - 1, 2**53]
    above = [2**53 + 1, 2**53 + 3, 2**63 + 12_345, 2**64 - 1]
    for value in exact:
        assert format_value(value) == str(value)
    for value in above:
        text = format_value(value)
        assert float(text) == float(value)  # correctly rounded (ties to even)
        exponent = value.bit_length() - 1
        assert abs(Decimal(text) - value) <= 2 ** (exponent - 53)
    assert format_value(2**53 + 1) == "9007199254740992.0"  # 2^53+1 rounds to even 2^53
    fam = Family("x", "counter", "X.", ["device"])
    for value in exact + above:
        fam.add((str(value),), value)
    parsed = series_of(write_text([fam]))
    for value in exact:
        assert Decimal(parsed[("x_total", (("device", str(value)),))]) == value
    for value in above:
        assert parsed[("x_total", (("device", str(value)),))] == float(value)


def test_label_values_and_help_are_escaped():
    fam = Family("noc_x", "gauge", "Line\\one\nline two.", ["device"])
    fam.add(('a"b\\c\nd',), 1.5)
    fam.add(("inf",), float("inf"))
    fam.add(("nan",), float("nan"))
    text = write_text([fam]).decode()
    assert '# HELP noc_x Line\\\\one\\nline two.\n' in text
    assert 'noc_x{device="a\\"b\\\\c\\nd"} 1.5\n' in text
    assert 'noc_x{device="inf"} +Inf\n' in text and 'noc_x{device="nan"} NaN\n' in text
    assert series_of(text.encode())[("noc_x", (("device", 'a"b\\c\nd'),))] == 1.5
