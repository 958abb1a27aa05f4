"""ICMP results in the state: the status of ICMP-only assets, an extra signal for polled devices."""

from __future__ import annotations

from collectors.base import PollResult
from collectors.icmp.parse import IcmpSample
from noc.state import State

T0 = 1_790_000_000.0
LOST = IcmpSample("127.20.9.9", 3, 0, complete=True)
OK = IcmpSample("127.20.9.9", 3, 3, 0.1, 0.2, 0.3, (0.1, 0.2, 0.3))


def test_icmp_only_asset_status_is_its_reachability():
    state = State()
    state.apply_icmp("q1-bn-kiosk1", OK, "up", T0, "replied", drives_status=True)
    state.apply_icmp("q1-bn-kiosk1", LOST, None, T0 + 10, drives_status=True)  # one strike
    dev = state.device("q1-bn-kiosk1")
    assert dev.up is True and dev.icmp is LOST
    state.apply_icmp("q1-bn-kiosk1", LOST, "down", T0 + 20, "no reply to 6 probes",
                     drives_status=True)
    assert (dev.up, dev.since, dev.last_error) == (False, T0 + 20, "no reply to 6 probes")
    assert [(e.kind, e.detail) for e in state.events] == [("device_down", "no reply to 6 probes")]
    assert [e.kind for e in state.drain_changes()] == ["device_up", "device_down"]
    state.apply_icmp("q1-bn-kiosk1", None, "unknown", T0 + 90, drives_status=True)
    assert dev.up is None  # the collector could not tell: not "up", not an outage


def test_polled_device_keeps_its_snmp_status_and_gets_icmp_events():
    state = State()
    state.apply(PollResult("q1-bn-sw1", True, T0, 0.01))
    state.apply_icmp("q1-bn-sw1", OK, "up", T0, "replied")  # first up: no event
    state.apply_icmp("q1-bn-sw1", LOST, "down", T0 + 20, "no reply")
    dev = state.device("q1-bn-sw1")
    assert dev.up is True and dev.icmp_up is False  # SNMP still answers (e.g. ICMP filtered)
    assert [e.kind for e in state.events] == ["icmp_down"]
    assert [e.kind for e in state.drain_changes()] == ["device_up"]
