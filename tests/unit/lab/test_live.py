"""Live device views: counters, uptime, identity, link ports, gauges."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.snmp.ber import Tag
from noc.lab.layout import load_layout
from noc.lab.live import WRAP32_MIN_MBPS, DeviceView, build_views, expected_octets, link_ports
from noc.lab.model import (
    AgencyKind,
    DeviceRole,
    LabAgency,
    LabDevice,
    LabLink,
    LabSite,
    LabTopology,
    Network,
)
from noc.lab.recordings import port_ifindex
from noc.lab.traffic import DAY, PROFILE_PEAK, profile, profile_integral

MIDNIGHT = 1_699_981_200.0  # 2023-11-15 00:00 in Asia/Ho_Chi_Minh
EPOCH = MIDNIGHT + 5 * 3600
C3750 = "network/switch/cisco-c3750.snmprec.bz2"
JUNIPER = "network/router/juniper-mx960-13-3r9-13.snmprec.bz2"
LINUX = "os/linux/unknown-002.snmprec.bz2"
IF_IN = (1, 3, 6, 1, 2, 1, 2, 2, 1, 10)
IF_OUT = (1, 3, 6, 1, 2, 1, 2, 2, 1, 16)
IF_IN_ERRORS = (1, 3, 6, 1, 2, 1, 2, 2, 1, 14)
IF_OPER = (1, 3, 6, 1, 2, 1, 2, 2, 1, 8)
IF_SPEED = (1, 3, 6, 1, 2, 1, 2, 2, 1, 5)
HC_IN = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)
HC_OUT = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10)
HIGH_SPEED = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15)
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
LOCATION = "Phường Bến Nghé, 29 Lê Duẩn, Quận 1"


def _device(name: str, recording: str = JUNIPER, bits: int = 64, mbps: float = 50.0,
            address: str = "127.20.9.1") -> LabDevice:
    return LabDevice(name, "Q1-BN", DeviceRole.ACCESS_SWITCH, address, recording,
                     serial=f"SN-{name}", counter_bits=bits, traffic_mbps=mbps)


def _view(name: str = "q1-bn-sw1", recording: str = JUNIPER, bits: int = 64,
          mbps: float = 50.0, ports: dict[int, int | None] | None = None) -> DeviceView:
    link = {port_ifindex(recording, 1): 1000} if ports is None else ports
    return DeviceView(_device(name, recording, bits, mbps), epoch=EPOCH, link_ports=link,
                      location=LOCATION, contact="Nguyễn Văn An, 0901234567")


def _int(view: DeviceView, oid: tuple[int, ...], t: float) -> int:
    got = view.get(oid, t)
    assert got is not None, oid
    assert isinstance(got[1], int)
    return got[1]


def test_profile_day_and_night() -> None:
    samples = [profile(MIDNIGHT + s) for s in range(0, int(DAY), 300)]
    assert sum(samples) / len(samples) == pytest.approx(1.0, abs=0.01)
    assert max(samples) <= PROFILE_PEAK
    assert min(samples) > 0.05
    assert profile(MIDNIGHT + 10 * 3600) > 5 * profile(MIDNIGHT + 4 * 3600)
    assert profile(MIDNIGHT + 15 * 3600) > 5 * profile(MIDNIGHT + 4 * 3600)
    # the closed-form integral agrees with a numeric one
    numeric = sum(profile(MIDNIGHT + 8 * 3600 + s + 0.5) for s in range(3600))
    assert profile_integral(MIDNIGHT + 8 * 3600, MIDNIGHT + 9 * 3600) == pytest.approx(
        numeric, rel=1e-4)


def test_day_rate_above_night_rate() -> None:
    view = _view()
    port = port_ifindex(JUNIPER, 1)
    day = view.expected_octets(port, MIDNIGHT + 10 * 3600, MIDNIGHT + 10 * 3600 + 600, "in")
    night = view.expected_octets(port, MIDNIGHT + 4 * 3600, MIDNIGHT + 4 * 3600 + 600, "in")
    assert day > 5 * night > 0
    assert view.rate_bps(port, MIDNIGHT + 10 * 3600, "in") == pytest.approx(
        50e6 * profile(MIDNIGHT + 10 * 3600))


def test_exact_delta_over_a_poll_interval() -> None:
    view = _view()
    port = port_ifindex(JUNIPER, 1)
    t0 = EPOCH + 4 * 3600 + 17.25
    t1 = t0 + 60
    for column, direction in ((HC_IN, "in"), (HC_OUT, "out")):
        c0, c1 = _int(view, (*column, port), t0), _int(view, (*column, port), t1)
        assert c1 - c0 == expected_octets(view, port, t0, t1, direction) > 0
    for column, direction in ((IF_IN, "in"), (IF_OUT, "out")):
        c0, c1 = _int(view, (*column, port), t0), _int(view, (*column, port), t1)
        assert (c1 - c0) % 2**32 == view.expected_octets(port, t0, t1, direction)


@settings(max_examples=60, deadline=None)
@given(start=st.floats(0, 30 * DAY), step=st.floats(1, 900))
def test_counters_monotonic_and_consistent(start: float, step: float) -> None:
    view = _view()
    port = port_ifindex(JUNIPER, 1)
    t0, t1 = EPOCH + start, EPOCH + start + step
    hc0, hc1 = _int(view, (*HC_IN, port), t0), _int(view, (*HC_IN, port), t1)
    assert hc1 >= hc0
    assert hc1 - hc0 == view.expected_octets(port, t0, t1, "in")
    c0, c1 = _int(view, (*IF_IN, port), t0), _int(view, (*IF_IN, port), t1)
    assert c0 == hc0 % 2**32 and c1 == hc1 % 2**32
    assert (c1 - c0) % 2**32 == (hc1 - hc0) % 2**32


def test_32_bit_counters_wrap_and_no_hc() -> None:
    view = _view("q1-bn-old", C3750, bits=32, mbps=2.0)
    port = port_ifindex(C3750, 1)
    assert view.get((*HC_IN, port), EPOCH) is None
    assert view.walk(HC_IN, EPOCH) == []
    assert view.walk((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 13), EPOCH) == []
    assert view.get((*HIGH_SPEED, port), EPOCH) is not None  # the rest of ifXTable stays
    start = MIDNIGHT + 86400 + 8 * 3600
    values = [_int(view, (*IF_IN, port), start + 60 * k) for k in range(4 * 60)]
    wraps = sum(1 for a, b in itertools.pairwise(values) if b < a)
    assert 2 <= wraps <= 12  # roughly hourly over a working morning
    assert all(0 <= v < 2**32 for v in values)
    assert view.rate_bps(port, start, "in") >= WRAP32_MIN_MBPS * 1e6 * profile(start) * 0.99
    got = view.get((*IF_IN, port), start)
    assert got is not None and got[0] == Tag.COUNTER32


def test_64_bit_layout_keeps_hc() -> None:
    assert load_layout(JUNIPER, 64).index((*HC_IN, port_ifindex(JUNIPER, 1))) is not None
    assert load_layout(JUNIPER, 64) is load_layout(JUNIPER, 64)
    assert len(load_layout(JUNIPER, 32).oids) < len(load_layout(JUNIPER, 64).oids)


def test_uptime_differs_per_device_and_reboot_resets() -> None:
    a, b = _view("dev-a"), _view("dev-b")
    t = EPOCH + 3600
    assert _int(a, SYS_UPTIME, t) != _int(b, SYS_UPTIME, t)
    assert _int(a, SYS_UPTIME, t) >= 3 * 3600 * 100  # booted at least 2 h before the epoch
    assert _int(a, SYS_UPTIME, t + 10) - _int(a, SYS_UPTIME, t) == 1000
    port = port_ifindex(JUNIPER, 1)
    before = _int(a, (*HC_IN, port), t)
    a.reboot(t)
    assert a.boot_time == t
    assert _int(a, SYS_UPTIME, t + 12.5) == 1250
    after = _int(a, (*HC_IN, port), t + 10)
    assert 0 < after < before
    assert after == a.octets(port, t + 10, "in")
    assert after <= 10 * 50e6 / 8 * PROFILE_PEAK


def test_identity_rewritten() -> None:
    view = _view("q1-bn-sw1", C3750)
    t = EPOCH
    name = view.get((1, 3, 6, 1, 2, 1, 1, 5, 0), t)
    location = view.get((1, 3, 6, 1, 2, 1, 1, 6, 0), t)
    contact = view.get((1, 3, 6, 1, 2, 1, 1, 4, 0), t)
    assert name == (Tag.OCTET_STRING, b"q1-bn-sw1")
    assert location is not None and isinstance(location[1], bytes)
    assert location[1].decode("utf-8") == LOCATION
    assert contact is not None and isinstance(contact[1], bytes)
    assert contact[1].decode() == "Nguyễn Văn An, 0901234567"
    # entPhysicalSerialNum of the chassis (entPhysicalClass 3 is entity 1001 on this stack)
    serial = view.get((1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 11, 1001), t)
    assert serial == (Tag.OCTET_STRING, b"SN-q1-bn-sw1")
    other = view.get((1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 11, 1002), t)
    assert other is not None and other[1] != b"SN-q1-bn-sw1"


@pytest.mark.parametrize(("recording", "oid"), [
    ("network/router/juniper-mx960-13-3r9-13.snmprec.bz2",
     (1, 3, 6, 1, 4, 1, 2636, 3, 1, 3, 0)),  # jnxBoxSerialNo: Junos has no ENTITY-MIB serial
    ("UPS/apc-8641.snmprec", (1, 3, 6, 1, 2, 1, 1, 1, 0)),  # "... SN: xxx" in sysDescr
])
def test_vendor_serials_are_the_devices_own(recording: str, oid: tuple[int, ...]) -> None:
    view = _view("dc-x1", recording)
    value = view.get(oid, EPOCH)
    assert value is not None and isinstance(value[1], bytes)
    assert b"SN-dc-x1" in value[1]
    if oid[-3:] == (1, 1, 0):  # the rest of sysDescr is kept
        assert value[1].startswith(b"APC Web/SNMP Management Card")


def test_missing_sysuptime_added() -> None:
    # h3c-e528-2 records sysUpTime as a variation without a static value
    view = _view("h3c", "network/switch/h3c-e528-2.snmprec.bz2")
    assert _int(view, SYS_UPTIME, EPOCH) > 0


def test_link_ports_up_at_link_speed() -> None:
    port, spare = port_ifindex(C3750, 3), port_ifindex(C3750, 4)
    view = _view("sw", C3750, ports={port: 100})
    assert _int(view, (*IF_OPER, port), EPOCH) == 1
    assert _int(view, (1, 3, 6, 1, 2, 1, 2, 2, 1, 7, port), EPOCH) == 1
    assert _int(view, (*IF_SPEED, port), EPOCH) == 100_000_000
    assert _int(view, (*HIGH_SPEED, port), EPOCH) == 100
    recorded = view.layout.recording.get((*IF_OPER, spare))
    assert _int(view, (*IF_OPER, spare), EPOCH) == recorded
    if recorded != 1:
        assert view.expected_octets(spare, EPOCH, EPOCH + 3600, "in") == 0
    # traffic capped below the link's bandwidth, even at peak
    assert view.rate_bps(port, MIDNIGHT + 10 * 3600, "in") < 100e6


def test_other_up_ports_carry_little_traffic() -> None:
    view = _view("sw", JUNIPER)
    link = port_ifindex(JUNIPER, 1)
    t = MIDNIGHT + 10 * 3600
    others = [i for i in view.layout.interfaces if i != link and i in view.layout.oper_up]
    assert others
    for ifindex in others:
        assert 0 < view.rate_bps(ifindex, t, "in") < 0.1 * view.rate_bps(link, t, "in")


def test_input_errors_grow_on_a_few_ports() -> None:
    view = _view("noisy", JUNIPER)
    t0, t1 = MIDNIGHT + 9 * 3600, MIDNIGHT + 11 * 3600
    growing = [i for i in view.layout.interfaces
               if _int(view, (*IF_IN_ERRORS, i), t1) > _int(view, (*IF_IN_ERRORS, i), t0)]
    carrying = [i for i in view.layout.interfaces if view.rate_bps(i, t0, "in") > 0]
    assert 0 < len(growing) < len(carrying) / 2


def test_gauges_move_within_bounds() -> None:
    view = _view("srv", LINUX)
    loads = view.walk((1, 3, 6, 1, 2, 1, 25, 3, 3, 1, 2), EPOCH)
    assert loads
    for oid, _tag, _value in loads:
        series = [_int(view, oid, EPOCH + 60 * k) for k in range(120)]
        assert all(0 <= v <= 100 for v in series)
        assert len(set(series)) > 1
    cisco = _view("sw", C3750)
    cpu5min = (1, 3, 6, 1, 4, 1, 9, 9, 109, 1, 1, 1, 1, 5, 1)
    series = [_int(cisco, cpu5min, EPOCH + 60 * k) for k in range(120)]
    assert all(0 <= v <= 100 for v in series)
    assert len(set(series)) > 1
    got = cisco.get(cpu5min, EPOCH)
    assert got is not None and got[0] == Tag.GAUGE32


def _topology() -> LabTopology:
    agency = LabAgency("Q1-BN", AgencyKind.WARD, "UBND Phường Bến Nghé", "Ben Nghe Ward",
                       contact_name="Trần Thị Bình", contact_phone="028 3822 1234")
    site = LabSite("Q1-BN", "Q1-BN", "UBND Phường Bến Nghé", "29 Lê Duẩn, Quận 1",
                   "agency_office", 10.78, 106.70)
    core = LabDevice("dc-r1", "Q1-BN", DeviceRole.ROUTER, "127.20.9.1", JUNIPER, serial="J1")
    sw = LabDevice("q1-bn-sw1", "Q1-BN", DeviceRole.ACCESS_SWITCH, "127.20.9.2", C3750,
                   counter_bits=32)
    pc = LabDevice("q1-bn-pc1", "Q1-BN", DeviceRole.WORKSTATION, "127.20.9.3", None)
    link = LabLink("q1-bn-up", "dc-r1", 5, "q1-bn-sw1", 1, Network.METRONET, 100)
    return LabTopology("test", (agency,), (site,), (core, sw, pc), (link,))


def test_build_views_from_topology() -> None:
    topo = _topology()
    assert link_ports(topo) == {"dc-r1": {port_ifindex(JUNIPER, 5): 100},
                                "q1-bn-sw1": {port_ifindex(C3750, 1): 100}}
    views = build_views(topo, epoch=EPOCH)
    assert [v.name for v in views] == ["dc-r1", "q1-bn-sw1"]  # the PC does not speak SNMP
    sw = views[1]
    location = sw.get((1, 3, 6, 1, 2, 1, 1, 6, 0), EPOCH)
    assert location == (Tag.OCTET_STRING, "UBND Phường Bến Nghé, 29 Lê Duẩn, Quận 1".encode())
    contact = sw.get((1, 3, 6, 1, 2, 1, 1, 4, 0), EPOCH)
    assert contact == (Tag.OCTET_STRING, "Trần Thị Bình, 028 3822 1234".encode())
    assert _int(sw, (*HIGH_SPEED, port_ifindex(C3750, 1)), EPOCH) == 100
    only = build_views(topo, [topo.devices[1]], epoch=EPOCH)
    assert [v.name for v in only] == ["q1-bn-sw1"]


def test_device_without_recording_rejected() -> None:
    with pytest.raises(ValueError, match="no recording"):
        DeviceView(LabDevice("pc", "X", DeviceRole.WORKSTATION, "127.20.9.9", None), epoch=0)


def test_broken_link_port_goes_oper_down_but_stays_admin_up() -> None:
    from noc.lab.live import build_views
    from noc.lab.recordings import port_ifindex
    from noc.lab.topology import build_topology

    topo = build_topology("small")
    link = topo.links[0]
    view = next(v for v in build_views(topo) if v.name == link.b_device)
    assert view.device.recording is not None
    ifindex = port_ifindex(view.device.recording, link.b_port)
    admin, oper = (1, 3, 6, 1, 2, 1, 2, 2, 1, 7, ifindex), (1, 3, 6, 1, 2, 1, 2, 2, 1, 8, ifindex)
    now = 1_800_000_000.0
    assert view.get(oper, now) == (2, 1)
    view.ports_down.add(ifindex)
    assert view.get(oper, now) == (2, 2)
    assert view.get(admin, now) == (2, 1)
