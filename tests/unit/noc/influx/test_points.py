"""Line protocol: escaping of UTF-8 tags, value types, both layouts."""

from __future__ import annotations

from collectors.base import InterfaceSample, SystemInfo
from inventory.catalog import CatDevice
from noc.influx.points import PointBuilder, escape_measurement, escape_tag, format_value, render
from noc.state import DeviceState, InterfaceState


def test_tags_escape_comma_equals_space_and_keep_vietnamese() -> None:
    assert escape_tag("Sở Giao thông, Hà Nội=1") == r"Sở\ Giao\ thông\,\ Hà\ Nội\=1"
    assert escape_tag("a\nb") == r"a\ b"
    assert escape_measurement("if stats,x=1") == r"if\ stats\,x=1"


def test_values_ints_get_i_floats_repr_and_nan_is_dropped() -> None:
    assert format_value(2**63 - 1) == "9223372036854775807i"
    assert format_value(2**64 - 1) == "-1i"  # Counter64 above int64: two's complement
    assert format_value(True) == "1i"
    assert format_value(0.1) == "0.1"
    assert format_value(float("nan")) is None
    assert format_value(float("inf")) is None
    assert render("m", "", [("a", float("nan"))], 1) is None


def _device(up: bool = True) -> tuple[DeviceState, CatDevice]:
    cat = CatDevice("sw-hn 01", "SGTVT", "Hà Nội", "switch", "127.0.0.1", 161, "p", "snmp")
    dev = DeviceState("sw-hn 01", up=up, last_poll=1_700_000_000.25, last_duration=0.5)
    dev.system = SystemInfo(uptime_ticks=12345) if up else None
    sample = InterfaceSample(1, name="Gi0/1, uplink", oper_status=1,
                             counters={"in_octets": 100, "out_octets": 200, "in_errors": 3})
    iface = InterfaceState(sample)
    iface.rates = {"in_octets": 10.0, "out_octets": 20.0}
    dev.interfaces = {1: iface}
    return dev, cat


def test_wide_layout_device_and_interface_points() -> None:
    dev, cat = _device()
    lines = PointBuilder().device_lines(dev, cat)
    assert lines == [
        r"device,agency=SGTVT,device=sw-hn\ 01,site=Hà\ Nội "
        "up=1i,poll_duration_seconds=0.5,uptime_seconds=123.45 1700000000250",
        r"interface,agency=SGTVT,device=sw-hn\ 01,interface=Gi0/1\,\ uplink,site=Hà\ Nội "
        "in_octets=100i,out_octets=200i,in_bps=80.0,out_bps=160.0,in_errors=3i,oper_up=1i "
        "1700000000250",
    ]


def test_per_metric_layout_with_prefix() -> None:
    dev, cat = _device()
    lines = PointBuilder("per_metric", "noc_").device_lines(dev, cat)
    assert lines[0].startswith("noc_device_up,agency=SGTVT,") and lines[0].endswith(
        " value=1i 1700000000250")
    names = [line.split(",", 1)[0] for line in lines]
    assert "noc_interface_in_bps" in names and "noc_interface_oper_up" in names
    assert len(lines) == 3 + 6  # no out_errors counter: no point


def test_down_device_gets_only_its_device_point_and_unpolled_none() -> None:
    dev, cat = _device(up=False)
    lines = PointBuilder().device_lines(dev, cat)
    assert len(lines) == 1 and " up=0i," in lines[0]
    assert PointBuilder().device_lines(DeviceState("x"), None) == []


def test_fast_path_matches_the_generic_renderer() -> None:
    from noc.influx.points import _interface_fields, tag_set

    dev, cat = _device()
    iface = dev.interfaces[1]
    iface.sample.counters = {"in_octets": 2**63 - 1, "out_octets": 0, "in_errors": 5,
                             "out_errors": 6}
    fast = PointBuilder().device_lines(dev, cat)[1]
    tags = tag_set((("agency", cat.agency), ("device", dev.name), ("site", cat.site),
                    ("interface", iface.sample.name)))
    assert fast == render("interface", tags, _interface_fields(iface), 1700000000250)
    iface.sample.counters = dict(iface.sample.counters, in_octets=2**63)  # slow path
    assert "in_octets=-9223372036854775808i," in PointBuilder().device_lines(dev, cat)[1]
