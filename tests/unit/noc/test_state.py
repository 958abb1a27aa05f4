from collectors.base import InterfaceSample, PollResult, SystemInfo
from noc.state import State


def sample(octets: int, oper: int = 1, bits: int = 64, speed: int = 10**9) -> InterfaceSample:
    return InterfaceSample(if_index=1, name="Gi0/1", speed_bps=speed, admin_status=1,
                           oper_status=oper, counter_bits=bits,
                           counters={"in_octets": octets, "out_octets": octets * 2})


def ok(at: float, octets: int, uptime: int = 100_000, **kw: int) -> PollResult:
    return PollResult("sw1", True, at, 0.0, system=SystemInfo(uptime_ticks=uptime),
                      interfaces=(sample(octets, **kw),))


def test_rates_from_consecutive_polls_in_bits_per_second():
    st = State()
    st.apply(ok(0.0, 1_000))
    st.apply(ok(60.0, 1_000 + 75_000_000))
    iface = st.device("sw1").interfaces[1]
    assert iface.in_bps == 75_000_000 * 8 / 60
    assert iface.out_bps == 2 * iface.in_bps
    assert iface.utilization() == iface.out_bps / 10**9


def test_reboot_between_polls_leaves_a_gap_not_a_spike():
    st = State()
    st.apply(ok(0.0, 9_000_000, uptime=800_000))
    st.apply(ok(60.0, 1_000, uptime=3_000))
    assert st.device("sw1").interfaces[1].in_bps is None
    st.apply(ok(120.0, 61_000, uptime=9_000))
    assert st.device("sw1").interfaces[1].in_bps == 60_000 * 8 / 60


def test_device_down_and_up_are_events_with_since():
    st = State()
    st.apply(ok(0.0, 1))
    assert st.device("sw1").up is True and not st.events  # first contact is not an event
    st.apply(PollResult("sw1", False, 60.0, 2.0, error="no SNMP response (timeout)"))
    dev = st.device("sw1")
    assert dev.up is False and dev.since == 60.0 and dev.last_error.startswith("no SNMP")
    st.apply(ok(120.0, 2))
    assert [e.kind for e in st.events] == ["device_down", "device_up"]


def test_down_only_after_configured_failures():
    st = State(down_after_failures=2)
    st.apply(ok(0.0, 1))
    st.apply(PollResult("sw1", False, 60.0, 2.0, error="timeout"))
    assert st.device("sw1").up is True
    st.apply(PollResult("sw1", False, 120.0, 2.0, error="timeout"))
    assert st.device("sw1").up is False


def test_interface_oper_change_is_an_event():
    st = State()
    st.apply(ok(0.0, 1))
    st.apply(ok(60.0, 2, oper=2))
    assert st.events[-1].kind == "interface_down" and st.events[-1].detail == "Gi0/1"
    assert st.device("sw1").interfaces[1].oper_since == 60.0


def test_switch_from_32_to_64_bit_counters_is_not_compared():
    st = State()
    st.apply(ok(0.0, 4_000_000_000, bits=32))
    st.apply(ok(60.0, 10, bits=64))
    assert st.device("sw1").interfaces[1].in_bps is None


def test_ifindex_renumbered_to_another_interface_gives_no_rate():
    st = State()
    st.apply(ok(0.0, 5_000_000))
    renamed = PollResult("sw1", True, 60.0, 0.0, system=SystemInfo(uptime_ticks=106_000),
                         interfaces=(InterfaceSample(if_index=1, name="Gi0/2", speed_bps=10**9,
                                                     admin_status=1, oper_status=1,
                                                     counter_bits=64,
                                                     counters={"in_octets": 10}),))
    st.apply(renamed)
    assert st.device("sw1").interfaces[1].in_bps is None


def test_interfaces_that_disappear_are_dropped_and_can_come_back():
    st = State()
    st.apply(ok(0.0, 1))
    st.apply(PollResult("sw1", True, 60.0, 0.0, system=SystemInfo(uptime_ticks=106_000)))
    assert st.device("sw1").interfaces == {}
    st.apply(ok(120.0, 2))
    assert 1 in st.device("sw1").interfaces


def test_counter_discontinuity_time_change_gives_no_rate():
    st = State()

    def at(t: float, octets: int, disc: int) -> PollResult:
        sample = InterfaceSample(if_index=1, name="Gi0/1", speed_bps=10**9, admin_status=1,
                                 oper_status=1, counter_bits=64, discontinuity_ticks=disc,
                                 counters={"in_octets": octets})
        return PollResult("sw1", True, t, 0.0, system=SystemInfo(uptime_ticks=int(t * 100)),
                          interfaces=(sample,))

    st.apply(at(100.0, 1_000_000, 0))
    st.apply(at(160.0, 2_000_000, 15_000))  # counters were reset (module reinserted)
    assert st.device("sw1").interfaces[1].in_bps is None
    st.apply(at(220.0, 2_600_000, 15_000))
    assert st.device("sw1").interfaces[1].in_bps == 600_000 * 8 / 60
