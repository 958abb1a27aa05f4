"""Rule conditions over hand-built inventories and device states (no network)."""

import pytest
import yaml

from collectors.base import DeviceFacts, Disk, InterfaceSample, Memory, Sensor
from inventory.catalog import CatAgency, Catalog, CatDevice, CatLink
from noc.alerting.conditions import EvalContext, evaluate
from noc.alerting.model import Condition
from noc.alerting.rules import RuleSet, RulesSettings
from noc.icmp_monitor import IcmpStats
from noc.scheduler import SchedulerStats
from noc.state import DeviceState, InterfaceState

NOW = 1_700_000_000.0
CTX = EvalContext(now=NOW, poll_interval=60.0)


def dev(name: str, agency: str, cls: str = "router", monitoring: str = "snmp") -> CatDevice:
    return CatDevice(name, agency, agency, cls, "127.0.0.1", 161, "lab", monitoring)


def catalog(*extra: CatLink) -> Catalog:
    agencies = {
        "DC": CatAgency("DC", "city", "Trung tâm Dữ liệu", "Data Center", None),
        "Q7": CatAgency("Q7", "district", "Quận 7", "District 7", None),
    }
    devices = {d.name: d for d in (
        dev("dc-core-r1", "DC"), dev("dc-core-r2", "DC"), dev("q7-core", "Q7"),
        dev("q7-kiosk", "Q7", "kiosk", "icmp"), dev("q7-sw", "Q7", "access_switch", "ssh"))}
    links = (CatLink("q7-uplink-metronet", "dc-core-r1", 7, "q7-core", 1, "metronet", 1000),
             CatLink("q7-uplink-tslcd", "dc-core-r2", 8, "q7-core", 2, "tslcd", 100),
             *extra)
    return Catalog(agencies, devices, links)


def iface(index: int, name: str = "", oper: int = 1, admin: int = 1,
          **rates: float) -> InterfaceState:
    state = InterfaceState(InterfaceSample(index, name=name or f"Gi0/{index}",
                                           admin_status=admin, oper_status=oper,
                                           speed_bps=1_000_000_000))
    state.rates = rates
    return state


def up(name: str, *ifaces: InterfaceState, facts: DeviceFacts | None = None) -> DeviceState:
    return DeviceState(name, up=True, icmp_up=True,
                       interfaces={i.sample.if_index: i for i in ifaces}, facts=facts)


def healthy() -> dict[str, DeviceState]:
    return {"dc-core-r1": up("dc-core-r1", iface(7)), "dc-core-r2": up("dc-core-r2", iface(8)),
            "q7-core": up("q7-core", iface(1), iface(2), iface(3)),
            "q7-kiosk": DeviceState("q7-kiosk", up=True, icmp_up=True),
            "q7-sw": up("q7-sw")}


def run(devices: dict[str, DeviceState], rules: RuleSet | None = None,
        ctx: EvalContext = CTX, cat: Catalog | None = None) -> dict[tuple[str, str], Condition]:
    out = evaluate(cat or catalog(), devices, ctx, rules or RuleSet())
    return {(c.rule, c.subject): c for c in out}


def ruleset(text: str) -> RuleSet:
    return RuleSet(RulesSettings.model_validate(yaml.safe_load(text)))


def test_healthy_network_raises_nothing() -> None:
    assert run(healthy()) == {}


def test_nothing_before_first_poll() -> None:
    assert run({name: DeviceState(name) for name in catalog().devices}) == {}


def test_device_unreachable_polled_and_icmp_only() -> None:
    devices = healthy()
    devices["q7-sw"] = DeviceState("q7-sw", up=False, icmp_up=None)
    devices["q7-kiosk"] = DeviceState("q7-kiosk", up=False, icmp_up=False)
    found = run(devices)
    sw = found["device_unreachable", "q7-sw"]
    assert (sw.severity, sw.device, sw.agency) == ("critical", "q7-sw", "Q7")
    assert sw.summary == "q7-sw does not answer ping or SSH"
    assert found["device_unreachable", "q7-kiosk"].summary == "q7-kiosk does not answer ping"
    assert ("snmp_not_answering", "q7-sw") not in found


def test_snmp_not_answering_when_ping_answers() -> None:
    devices = healthy()
    devices["q7-core"] = DeviceState("q7-core", up=False, icmp_up=True)
    found = run(devices)
    cond = found["snmp_not_answering", "q7-core"]
    assert (cond.severity, cond.summary) == ("warning", "q7-core answers ping but not SNMP")
    assert ("device_unreachable", "q7-core") not in found


def test_inactive_and_unmonitored_devices_ignored() -> None:
    cat = catalog()
    retired = CatDevice("old", "Q7", "Q7", "router", "127.0.0.2", 161, None, "snmp",
                        status="retired")
    quiet = CatDevice("quiet", "Q7", "Q7", "printer", "127.0.0.3", 161, None, "none")
    cat.devices.update(old=retired, quiet=quiet)
    devices = healthy()
    devices["old"] = DeviceState("old", up=False, icmp_up=False)
    devices["quiet"] = DeviceState("quiet", up=False, icmp_up=False)
    assert run(devices, cat=cat) == {}


def test_link_down_names_the_port_and_downstream_end() -> None:
    devices = healthy()
    devices["dc-core-r1"] = up("dc-core-r1", iface(7, oper=2))
    found = run(devices)
    cond = found["link_down", "q7-uplink-metronet"]
    assert cond.summary == "link q7-uplink-metronet down (dc-core-r1 Gi0/7 oper down)"
    assert (cond.device, cond.agency, cond.severity) == ("q7-core", "Q7", "critical")
    assert dict(cond.labels) == {"link": "q7-uplink-metronet", "a_device": "dc-core-r1",
                                 "b_device": "q7-core", "interface": "Gi0/7"}


def test_link_end_admin_down_or_on_a_down_device_is_not_link_down() -> None:
    devices = healthy()
    devices["dc-core-r1"] = up("dc-core-r1", iface(7, oper=2, admin=2))
    assert ("link_down", "q7-uplink-metronet") not in run(devices)
    devices["dc-core-r1"] = DeviceState("dc-core-r1", up=False, icmp_up=False,
                                        interfaces={7: iface(7, oper=2)})
    assert ("link_down", "q7-uplink-metronet") not in run(devices)


def test_redundancy_lost_when_one_of_two_uplinks_down() -> None:
    devices = healthy()
    devices["q7-core"] = up("q7-core", iface(1), iface(2, oper=2), iface(3))
    cond = run(devices)["redundancy_lost", "Q7"]
    assert (cond.agency, cond.device, cond.severity) == ("Q7", None, "major")
    assert cond.labels["links"] == "q7-uplink-tslcd"
    devices["dc-core-r1"] = DeviceState("dc-core-r1", up=False, icmp_up=False)
    assert ("redundancy_lost", "Q7") not in run(devices)  # every uplink down: isolated


def test_redundancy_lost_when_upstream_device_down() -> None:
    devices = healthy()
    devices["dc-core-r2"] = DeviceState("dc-core-r2", up=False, icmp_up=True)
    assert run(devices)["redundancy_lost", "Q7"].labels["links"] == "q7-uplink-tslcd"


def test_interface_down_disabled_by_default_enabled_by_class() -> None:
    devices = healthy()
    devices["q7-core"] = up("q7-core", iface(1), iface(2), iface(3, oper=2), iface(4, admin=2,
                                                                                   oper=2))
    assert not any(rule == "interface_down" for rule, _ in run(devices))
    rules = ruleset("overrides: [{match: {device_classes: [router]}, "
                    "rules: {interface_down: {enabled: true}}}]")
    found = [k for k in run(devices, rules) if k[0] == "interface_down"]
    assert found == [("interface_down", "q7-core/3")]


@pytest.mark.parametrize(("octets", "fires"), [(11_250_000.0, False), (11_260_000.0, True)])
def test_utilization_boundary(octets: float, fires: bool) -> None:
    devices = healthy()  # a 100 Mbit/s link: 90 % is 11.25 MB/s
    devices["dc-core-r2"] = up("dc-core-r2", iface(8, in_octets=octets))
    found = run(devices)
    assert (("utilization_high", "q7-uplink-tslcd") in found) is fires
    if fires:
        cond = found["utilization_high", "q7-uplink-tslcd"]
        assert cond.value == pytest.approx(0.9008)
        assert cond.summary.startswith("link q7-uplink-tslcd 90.1 % utilized at dc-core-r2")


@pytest.mark.parametrize(("errors", "packets", "fires"), [
    (1.0, 0.0, False),  # not above 1/s
    (1.5, 0.0, True),
    (1.5, 148.5, False),  # exactly 1 % of packets
    (1.5, 140.0, True)])
def test_interface_errors_rate_and_ratio(errors: float, packets: float, fires: bool) -> None:
    devices = healthy()
    devices["q7-core"] = up("q7-core", iface(1), iface(2), iface(
        3, in_errors=errors / 2, out_errors=errors / 2, in_ucast_pkts=packets))
    found = run(devices)
    assert (("interface_errors", "q7-core/3") in found) is fires
    assert not any(rule == "interface_discards" for rule, _ in found)


def test_interface_discards() -> None:
    devices = healthy()
    devices["q7-core"] = up("q7-core", iface(1), iface(2),
                            iface(3, in_discards=10.5, in_ucast_pkts=100.0))
    cond = run(devices)["interface_discards", "q7-core/3"]
    assert (cond.value, cond.labels["interface"]) == (10.5, "Gi0/3")
    devices["q7-core"] = up("q7-core", iface(1), iface(2), iface(3, in_discards=10.0))
    assert ("interface_discards", "q7-core/3") not in run(devices)


def facts_state(**kw: object) -> dict[str, DeviceState]:
    devices = healthy()
    devices["q7-sw"] = up("q7-sw", facts=DeviceFacts(**kw))  # type: ignore[arg-type]
    return devices


def test_cpu_memory_disk_boundaries() -> None:
    at = run(facts_state(cpu_percent=90.0, memory=Memory(100, 95),
                         disks=[Disk("/var", 100, 90)]))
    assert at == {}
    above = run(facts_state(cpu_percent=97.0, memory=Memory(1000, 951),
                            disks=[Disk("/var", 100, 91), Disk("/", 0, 0)]))
    assert above["cpu_high", "q7-sw"].summary == "cpu 97 % on q7-sw (threshold 90 %)"
    assert above["memory_high", "q7-sw"].value == pytest.approx(95.1)
    assert above["disk_full", "q7-sw:/var"].labels["mount"] == "/var"
    assert len(above) == 3


def test_read_only_images_and_pseudo_file_systems_are_never_full() -> None:
    junos = "/dev/md5, mounted on: /packages/mnt/jcrypto64-12.3R6.6"
    found = run(facts_state(disks=[Disk(junos, 100, 100),
                                   Disk("devfs: dev file system, mounted on: /dev", 1, 1),
                                   Disk("/run/user/0", 10, 10),
                                   Disk("/dev/sda1, mounted on: /var", 100, 99)]))
    assert set(found) == {("disk_full", "q7-sw:/dev/sda1, mounted on: /var")}


def test_sensors() -> None:
    sensors = [Sensor("temperature", "inlet", 70.0, "celsius", "ok"),
               Sensor("temperature", "cpu", 71.0, "celsius", "ok"),
               Sensor("temperature", "board", None, "celsius", "failed"),
               Sensor("fan", "fan1", None, "", "failed"),
               Sensor("power_supply", "psu2", None, "", "failed"),
               Sensor("power_supply", "psu1", None, "", "ok"),
               Sensor("voltage", "v1", 0.0, "volts", "failed")]
    found = run(facts_state(sensors=sensors))
    assert set(found) == {("temperature_high", "q7-sw:cpu"),
                          ("temperature_high", "q7-sw:board"),
                          ("hardware_failure", "q7-sw:fan1"),
                          ("hardware_failure", "q7-sw:psu2")}
    assert found["temperature_high", "q7-sw:cpu"].severity == "major"
    assert found["hardware_failure", "q7-sw:psu2"].summary == "power supply psu2 failed on q7-sw"


def test_facts_of_a_down_device_are_not_judged() -> None:
    devices = facts_state(cpu_percent=99.0)
    devices["q7-sw"].up = False
    assert ("cpu_high", "q7-sw") not in run(devices)


def test_disabled_rule_and_threshold_override() -> None:
    devices = facts_state(cpu_percent=97.0)
    devices["q7-kiosk"] = DeviceState("q7-kiosk", up=False, icmp_up=False)
    rules = ruleset("""
rules: {cpu_high: {threshold: 98}}
overrides: [{match: {device_classes: [kiosk]}, rules: {device_unreachable: {enabled: false}}}]
""")
    assert run(devices, rules) == {}


def test_poller_lagging() -> None:
    stats = SchedulerStats(lag_seconds=30.0)
    assert run(healthy(), ctx=EvalContext(NOW, 60.0, stats)) == {}
    stats.lag_seconds = 31.0
    cond = run(healthy(), ctx=EvalContext(NOW, 60.0, stats))["poller_lagging", "noc:poller"]
    assert (cond.severity, cond.value) == ("major", 31.0)
    skipping = SchedulerStats(lag_seconds=0.0, skipped=5)
    assert run(healthy(), ctx=EvalContext(NOW, 60.0, skipping, skipped_before=5)) == {}
    found = run(healthy(), ctx=EvalContext(NOW, 60.0, skipping, skipped_before=3))
    assert "2 skipped" in found["poller_lagging", "noc:poller"].summary


def test_icmp_lagging() -> None:
    ok = IcmpStats(cycles=3, last_started=NOW - 12, last_duration=9.0)
    assert run(healthy(), ctx=EvalContext(NOW, 60.0, icmp=ok, icmp_interval=10.0)) == {}
    slow = IcmpStats(cycles=3, last_started=NOW - 12, last_duration=11.0)
    found = run(healthy(), ctx=EvalContext(NOW, 60.0, icmp=slow, icmp_interval=10.0))
    assert found["poller_lagging", "noc:icmp"].value == 11.0
    stuck = IcmpStats(cycles=3, last_started=NOW - 45, last_duration=9.0)
    found = run(healthy(), ctx=EvalContext(NOW, 60.0, icmp=stuck, icmp_interval=10.0))
    assert "no cycle for 36 s" in found["poller_lagging", "noc:icmp"].summary
