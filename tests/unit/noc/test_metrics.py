from prometheus_client import CollectorRegistry, generate_latest

from collectors.base import InterfaceSample, ModuleStats, PollResult, SystemInfo
from inventory.catalog import CatAgency, Catalog, CatDevice
from noc.metrics import NocCollector, Snapshot
from noc.scheduler import SchedulerStats
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
