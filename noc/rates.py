"""Counter deltas and rates, computed in exactly one place.

SNMP counters only go up, until they do not:

* a 32-bit counter wraps at 2^32 (a 1 Gbit/s port wraps ifInOctets in 34 s);
* a 64-bit counter in practice never wraps, so going down means a reset;
* a reboot (sysUpTime went back) resets every counter: no rate for that step;
* an agent can restart its counters without a reboot (discontinuity): a
  "wrap" implying more than the interface can carry is treated as a reset;
* a missing sample leaves a longer interval, which is fine: rates divide by
  the real elapsed time.

A step that cannot be trusted yields ``None``: a gap in the graph is honest,
a spike of 2^32 bytes is not.
"""

from __future__ import annotations

from dataclasses import dataclass

_SLACK = 1.1  # tolerate 10 % above line rate (timing jitter between polls)


@dataclass(frozen=True, slots=True)
class CounterReading:
    """One raw counter value with the time it was read and the agent's uptime then."""

    value: int
    at: float  # seconds (monotonic or wall clock, consistent per series)
    uptime_ticks: int | None = None  # sysUpTime at the poll, hundredths of a second


def counter_delta(
    prev: CounterReading,
    cur: CounterReading,
    bits: int,
    max_rate: float | None = None,
) -> int | None:
    """The increase of a counter between two readings, or None when it cannot be known.

    ``max_rate`` is the highest plausible increase per second (for octets,
    interface speed / 8); a wrap implying more than that is treated as a reset.
    """
    if cur.at <= prev.at:
        return None
    if (prev.uptime_ticks is not None and cur.uptime_ticks is not None
            and cur.uptime_ticks < prev.uptime_ticks):
        return None  # the agent rebooted between the two polls
    if cur.value >= prev.value:
        delta = cur.value - prev.value
    elif bits == 32:
        delta = cur.value + 2**32 - prev.value
    else:
        return None  # a 64-bit counter went down: reset, not wrap
    if max_rate is not None and max_rate > 0 and delta > max_rate * _SLACK * (cur.at - prev.at):
        return None
    return delta


def counter_rate(
    prev: CounterReading,
    cur: CounterReading,
    bits: int,
    max_rate: float | None = None,
) -> float | None:
    """Per-second rate between two readings (see :func:`counter_delta`)."""
    delta = counter_delta(prev, cur, bits, max_rate)
    if delta is None:
        return None
    return delta / (cur.at - prev.at)
