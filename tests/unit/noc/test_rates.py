from noc.rates import CounterReading, counter_delta, counter_rate


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
