from noc.rates import CounterReading, agent_restarted, counter_delta, counter_rate


def r(value: int, at: float, uptime: int | None = None) -> CounterReading:
    return CounterReading(value, at, uptime)


def test_plain_increase_gives_rate_over_real_elapsed_time():
    assert counter_rate(r(1000, 0.0), r(7000, 60.0), 64) == 100.0


def test_missing_sample_still_divides_by_real_time():
    assert counter_rate(r(0, 0.0), r(12_000, 120.0), 64) == 100.0


def test_32bit_wrap_counts_across_the_boundary():
    assert counter_delta(r(2**32 - 100, 0.0), r(50, 60.0), 32) == 150


def test_64bit_counter_going_down_is_a_reset_not_a_wrap():
    assert counter_delta(r(10**12, 0.0), r(5, 60.0), 64) is None


def test_counter_reset_after_reboot_gives_no_spike():
    prev = r(5_000_000, 0.0, uptime=900_000)
    cur = r(6_000, 60.0, uptime=5_000)  # sysUpTime went back: the agent rebooted
    assert counter_delta(prev, cur, 32) is None


def test_reboot_detected_even_when_counter_went_up():
    assert counter_delta(r(10, 0.0, 900_000), r(20, 60.0, 100), 64) is None


def test_implausible_wrap_beyond_line_rate_is_treated_as_reset():
    # 10 Mbit/s port: at most 1.25 MB/s; a 'wrap' implying ~70 MB/s is a reset
    assert counter_delta(r(100, 0.0), r(5, 60.0), 32, max_rate=1_250_000) is None


def test_wrap_within_line_rate_is_accepted():
    speed_bytes = 10e9 / 8  # 10 Gbit/s
    delta = counter_delta(r(2**32 - 1000, 0.0), r(2**31, 60.0), 32, max_rate=speed_bytes)
    assert delta == 2**31 + 1000


def test_same_or_earlier_timestamp_gives_nothing():
    assert counter_rate(r(1, 5.0), r(2, 5.0), 64) is None
    assert counter_rate(r(1, 5.0), r(2, 4.0), 64) is None


# --------------------------------------------------------------------------- sysUpTime rollover

WRAP = 2**32  # TimeTicks modulus: 497.1 days of hundredths


def test_uptime_rollover_after_497_days_is_not_a_reboot():
    prev = r(1_000_000, 0.0, uptime=WRAP - 3_000)  # 30 s before the TimeTicks wrap
    cur = r(1_600_000, 60.0, uptime=3_000)  # 30 s after it: 60 s in all, like the local clock
    assert not agent_restarted(prev, cur)
    assert counter_rate(prev, cur, 64) == 10_000.0


def test_uptime_rollover_tolerates_polling_jitter():
    prev = r(0, 0.0, uptime=WRAP - 3_000)
    cur = r(600, 63.0, uptime=3_000)  # the agent answered 3 s later than the local stamp says
    assert counter_delta(prev, cur, 64) == 600


def test_reboot_just_after_uptime_rollover_window_is_still_a_reboot():
    prev = r(1_000_000, 0.0, uptime=WRAP - 3_000)
    cur = r(5_000, 60.0, uptime=1_000)  # wrapped delta 40 s, but 60 s passed: it rebooted
    assert agent_restarted(prev, cur)
    assert counter_delta(prev, cur, 32) is None


def test_small_uptime_after_a_young_agent_is_a_reboot_not_a_rollover():
    prev = r(500, 0.0, uptime=900_000)  # 2.5 hours up: nowhere near 2^32
    cur = r(600, 60.0, uptime=3_000)
    assert agent_restarted(prev, cur)
    assert counter_delta(prev, cur, 64) is None


def test_rollover_seen_across_missed_polls_still_counts():
    prev = r(0, 0.0, uptime=WRAP - 20_000)  # 200 s before the wrap
    cur = r(3_000_000, 300.0, uptime=10_000)  # 4 polls missed, 300 s in all
    assert counter_rate(prev, cur, 64) == 10_000.0


# --------------------------------------------------------------------------- discontinuities

def d(value: int, at: float, disc: int | None, uptime: int | None = None) -> CounterReading:
    return CounterReading(value, at, uptime, disc)


def test_counter_discontinuity_time_change_gives_no_rate():
    assert counter_delta(d(5_000, 0.0, 100), d(9_000, 60.0, 4_200), 64) is None


def test_unchanged_discontinuity_time_keeps_the_rate():
    assert counter_rate(d(5_000, 0.0, 100), d(11_000, 60.0, 100), 64) == 100.0


def test_discontinuity_time_unknown_on_one_side_is_not_a_discontinuity():
    assert counter_delta(d(5_000, 0.0, None), d(6_000, 60.0, 100), 64) == 1_000
    assert counter_delta(d(5_000, 0.0, 100), d(6_000, 60.0, None), 64) == 1_000


def test_counter_reading_defaults_keep_positional_construction():
    reading = CounterReading(1, 2.0, 3)
    assert reading.uptime_ticks == 3
    assert reading.discontinuity_ticks is None


# --------------------------------------------------------------------------- line rate

def test_increase_above_line_rate_without_wrap_is_refused():
    # 100 Mbit/s = 12.5 MB/s; 1 GB in 60 s would be 133 Mbit/s
    assert counter_delta(r(0, 0.0), r(1_000_000_000, 60.0), 64, max_rate=12_500_000) is None


def test_increase_at_line_rate_plus_jitter_is_accepted():
    # 5 % above line rate: the poll came back a little late, it is still traffic
    delta = int(12_500_000 * 60 * 1.05)
    assert counter_delta(r(0, 0.0), r(delta, 60.0), 64, max_rate=12_500_000) == delta


def test_zero_speed_means_unknown_not_zero():
    assert counter_delta(r(0, 0.0), r(10**12, 60.0), 64, max_rate=0) == 10**12


def test_strict_refuses_a_32bit_step_that_may_hold_several_wraps():
    # 1 Gbit/s for 60 s can carry 7.5 GB: a 32-bit counter may have wrapped once or twice
    prev, cur = r(2**32 - 1000, 0.0), r(1000, 60.0)
    assert counter_delta(prev, cur, 32, max_rate=125_000_000) == 2000  # one wrap assumed
    assert counter_delta(prev, cur, 32, max_rate=125_000_000, strict=True) is None


def test_strict_accepts_a_32bit_step_too_short_for_two_wraps():
    prev, cur = r(2**32 - 1000, 0.0), r(1000, 60.0)
    assert counter_delta(prev, cur, 32, max_rate=12_500_000, strict=True) == 2000


def test_strict_does_not_affect_64bit_counters():
    assert counter_rate(r(0, 0.0), r(6_000, 60.0), 64, max_rate=1.25e9, strict=True) == 100.0
