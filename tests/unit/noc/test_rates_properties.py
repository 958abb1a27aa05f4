"""Property tests of :mod:`noc.rates`: rates from simulated traffic never lie.

A run is true traffic (byte increments never above line rate) sampled at
irregular times by a counter that wraps like the agent's (32 or 64 bits),
with a sysUpTime that wraps like TimeTicks. Whatever the traffic, a rate is
either absent or exact; and it is absent only where it cannot be known.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from noc.rates import TICKS_MODULUS, CounterReading, agent_restarted, counter_delta, counter_rate

SPEEDS_MBPS = (10, 100, 1_000, 10_000, 100_000)  # ifHighSpeed values
SLACK = 1.1  # what noc.rates tolerates above line rate
ANY_UPTIME = st.integers(0, TICKS_MODULUS - 1)
ROLLOVER_SOON = st.integers(TICKS_MODULUS - 100 * 3_600, TICKS_MODULUS - 1)  # < 1 h to wrap


@dataclass
class Run:
    """True traffic and what the poller read of it."""

    bits: int
    line: float  # bytes per second
    readings: list[CounterReading]
    increments: list[int]  # true bytes between readings i and i+1


@st.composite
def runs(draw: st.DrawFn, bits: int, *, min_dt: float = 0.5, max_share: float = 1.0,
         jitter: float = 0.0, max_step_bytes: int | None = None,
         uptime: st.SearchStrategy[int] = ANY_UPTIME) -> Run:
    """A run of 2..31 readings; ``jitter`` delays each local timestamp by up to that many s."""
    line = draw(st.sampled_from(SPEEDS_MBPS)) * 125_000.0
    steps = draw(st.lists(st.tuples(st.floats(min_dt, 900.0), st.floats(0.0, max_share)),
                          min_size=1, max_size=30))
    t0 = t = draw(st.floats(0.0, 1e6))
    top = 2**bits - 1
    total = draw(st.integers(0, top) | st.integers(max(0, top - 2**45), top))  # near the wrap
    uptime0 = draw(uptime)
    readings = [CounterReading(total, t, uptime0)]
    increments: list[int] = []
    for dt, share in steps:
        inc = math.floor(share * line * dt)
        if max_step_bytes is not None:
            inc = min(inc, max_step_bytes)
        total += inc
        t += dt
        late = draw(st.floats(0.0, jitter)) if jitter else 0.0
        ticks = (uptime0 + math.floor((t - t0) * 100)) % TICKS_MODULUS
        readings.append(CounterReading(total % 2**bits, t + late, ticks))
        increments.append(inc)
    return Run(bits, line, readings, increments)


def steps(run: Run) -> list[tuple[CounterReading, CounterReading, int]]:
    """(previous reading, reading, true increment) for each poll interval."""
    return [(run.readings[i], run.readings[i + 1], inc) for i, inc in enumerate(run.increments)]


def check_defined_rates_are_exact(run: Run, *, strict: bool) -> list[bool]:
    """Assert every defined rate is exact, non-negative, within line rate; say which were."""
    defined: list[bool] = []
    counted = truth = 0.0
    for prev, cur, inc in steps(run):
        delta = counter_delta(prev, cur, run.bits, run.line, strict=strict)
        rate = counter_rate(prev, cur, run.bits, run.line, strict=strict)
        defined.append(rate is not None)
        if rate is None:
            assert delta is None
            continue
        elapsed = cur.at - prev.at
        assert delta == inc
        assert rate >= 0
        assert rate <= run.line * SLACK
        assert math.isclose(rate * elapsed, inc, rel_tol=1e-9, abs_tol=1e-6)
        counted += rate * elapsed
        truth += inc
    assert math.isclose(counted, truth, rel_tol=1e-9, abs_tol=1e-3)
    return defined


@given(st.sampled_from((32, 64)).flatmap(runs))
def test_strict_rates_add_up_to_the_true_traffic_and_stay_under_line_rate(run: Run) -> None:
    defined = check_defined_rates_are_exact(run, strict=True)
    for (prev, cur, inc), ok in zip(steps(run), defined, strict=True):
        if run.bits == 64:
            wrapped = prev.value + inc >= 2**64
            assert ok == (not wrapped)  # a 64-bit 'wrap' is taken for a reset
        else:
            ambiguous = run.line * SLACK * (cur.at - prev.at) >= 2**32
            assert ok == (not ambiguous)  # known unless it may have wrapped twice


@given(runs(32, max_step_bytes=2**32 - 1))
def test_32bit_rates_are_exact_whenever_at_most_one_wrap_happened(run: Run) -> None:
    assert all(check_defined_rates_are_exact(run, strict=False))


@given(runs(64))
def test_exact_times_and_true_traffic_never_exceed_line_rate(run: Run) -> None:
    for prev, cur, _ in steps(run):
        rate = counter_rate(prev, cur, 64, run.line)
        assert rate is None or 0 <= rate <= run.line * (1 + 1e-9)


@given(st.sampled_from((32, 64)).flatmap(
    lambda bits: runs(bits, min_dt=30.0, max_share=0.5, jitter=2.0, uptime=ROLLOVER_SOON,
                      max_step_bytes=2**32 - 1)))
def test_497_day_uptime_rollover_is_not_a_reboot(run: Run) -> None:
    assume(any(cur.uptime_ticks < prev.uptime_ticks  # type: ignore[operator]
               for prev, cur, _ in steps(run)))
    for prev, cur, inc in steps(run):
        assert not agent_restarted(prev, cur)
        wrapped64 = run.bits == 64 and prev.value + inc >= 2**64
        assert counter_delta(prev, cur, run.bits, run.line) == (None if wrapped64 else inc)


@given(bits=st.sampled_from((32, 64)), prev_value=st.integers(0, 2**32 - 1),
       prev_uptime=st.integers(1, 2**31), data=st.data(), at=st.floats(0.0, 1e6),
       down=st.floats(0.0, 600.0), boot=st.floats(30.0, 600.0), share=st.floats(0.0, 1.0),
       mbps=st.sampled_from(SPEEDS_MBPS))
def test_reboot_never_yields_a_rate_for_that_step(
        bits: int, prev_value: int, prev_uptime: int, data: st.DataObject, at: float,
        down: float, boot: float, share: float, mbps: int) -> None:
    """Counters restart at 0 on boot and count again; sysUpTime restarts lower than it was."""
    new_uptime = data.draw(st.integers(0, prev_uptime - 1))
    up_for = new_uptime / 100
    line = mbps * 125_000.0
    prev = CounterReading(prev_value, at, prev_uptime)
    cur = CounterReading(math.floor(share * line * up_for), at + down + boot + up_for, new_uptime)
    assert agent_restarted(prev, cur)
    for max_rate in (None, line):
        assert counter_delta(prev, cur, bits, max_rate) is None
        assert counter_delta(prev, cur, bits, max_rate, strict=True) is None


@given(to_wrap=st.floats(0.0, 3_600.0), down=st.floats(0.0, 600.0),
       boot=st.floats(30.0, 600.0), up_for=st.floats(0.0, 600.0))
def test_reboot_close_to_the_rollover_is_told_apart_from_it(
        to_wrap: float, down: float, boot: float, up_for: float) -> None:
    """Only a reboot that restarts sysUpTime where the rollover would put it looks like one.

    That coincidence (the agent's clock lost exactly the time left to the
    wrap, within the tolerance) is indistinguishable by uptime alone.
    """
    elapsed = down + boot + up_for
    assume(abs(down + boot - to_wrap) > max(5.0, 0.02 * elapsed) + 0.02)
    prev = CounterReading(0, 0.0, TICKS_MODULUS - math.ceil(to_wrap * 100))
    cur = CounterReading(0, elapsed, math.floor(up_for * 100))
    assume(cur.uptime_ticks < prev.uptime_ticks)  # type: ignore[operator]
    assert agent_restarted(prev, cur)


@given(bits=st.sampled_from((32, 64)), mbps=st.sampled_from(SPEEDS_MBPS),
       prev_value=st.integers(0, 2**32 - 1), dt=st.floats(0.5, 900.0), data=st.data())
def test_a_jump_beyond_line_rate_never_yields_a_rate(bits: int, mbps: int, prev_value: int,
                                                      dt: float, data: st.DataObject) -> None:
    """More than line rate × Δt (plus slack) is a reset or a glitch, whatever the counter."""
    line = mbps * 125_000.0
    limit = math.floor(line * SLACK * dt)
    assume(limit + 1 < 2**bits)  # a 32-bit counter cannot show a bigger jump than 2^32 - 1
    jump = data.draw(st.integers(limit + 1, 2**bits - 1))
    prev = CounterReading(prev_value, 0.0)
    cur = CounterReading((prev_value + jump) % 2**bits, dt)
    assert counter_delta(prev, cur, bits, line) is None


@settings(max_examples=50)
@given(st.sampled_from((32, 64)).flatmap(lambda bits: runs(bits, max_step_bytes=2**32 - 1)),
       st.data())
def test_missed_polls_give_the_rate_over_the_real_elapsed_time(run: Run,
                                                                data: st.DataObject) -> None:
    keep = sorted(set(data.draw(st.lists(st.integers(0, len(run.readings) - 1), min_size=2))))
    assume(len(keep) >= 2)
    for i, j in itertools.pairwise(keep):
        prev, cur = run.readings[i], run.readings[j]
        inc = sum(run.increments[i:j])
        if run.bits == 32 and inc >= 2**32:
            continue  # it wrapped more than once across the gap: see the strict property
        if run.bits == 64 and prev.value + inc >= 2**64:
            continue
        rate = counter_rate(prev, cur, run.bits, run.line)
        assert rate is not None
        assert math.isclose(rate * (cur.at - prev.at), inc, rel_tol=1e-9, abs_tol=1e-6)
