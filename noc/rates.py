"""Counter deltas and rates, computed in exactly one place.

SNMP counters only go up, until they do not:

* a 32-bit counter wraps at 2^32 (a 1 Gbit/s port wraps ifInOctets in 34 s);
* a 64-bit counter in practice never wraps, so going down means a reset;
* a reboot (sysUpTime went back) resets every counter: no rate for that step,
  except sysUpTime's own rollover: TimeTicks wraps at 2^32 hundredths of a
  second (after 497 days), and a small uptime after one close to 2^32 whose
  wrapped difference matches the local elapsed time is that rollover, not a reboot;
* an agent can restart its counters without a reboot (IF-MIB
  ifCounterDiscontinuityTime changes): no rate for that step;
* a delta implying more than the interface can carry (line rate × Δt, with
  10 % slack for polling jitter) is a reset or a glitch, never traffic;
* a missing sample leaves a longer interval, which is fine: rates divide by
  the real elapsed time.

A 32-bit counter can wrap more than once between two polls when line rate ×
Δt reaches 2^32 (a 1 Gbit/s port polled every 60 s). By default one wrap is
assumed, as MRTG and Cacti do; ``strict=True`` refuses such steps instead.

A step that cannot be trusted yields ``None``: a gap in the graph is honest,
a spike of 2^32 bytes is not.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "TICKS_MODULUS", "CounterReading", "agent_restarted", "counter_delta", "counter_rate",
    "uptime_rolled_over",
]

_SLACK = 1.1  # tolerate 10 % above line rate (timing jitter between polls)
TICKS_MODULUS = 2**32  # TimeTicks (sysUpTime) wrap after 497.1 days
_UPTIME_TOLERANCE = 5.0  # seconds: sysUpTime delta vs local elapsed time, at least ...
_UPTIME_TOLERANCE_SHARE = 0.02  # ... or 2 % of the elapsed time


@dataclass(frozen=True, slots=True)
class CounterReading:
    """One raw counter value with the time it was read and the agent's clocks then.

    ``uptime_ticks`` is sysUpTime at the poll and ``discontinuity_ticks`` the
    interface's ifCounterDiscontinuityTime (IF-MIB ifXTable column 19), both in
    hundredths of a second; ``None`` when not polled.
    """

    value: int
    at: float  # seconds (monotonic or wall clock, consistent per series)
    uptime_ticks: int | None = None
    discontinuity_ticks: int | None = None


def uptime_rolled_over(prev: CounterReading, cur: CounterReading) -> bool:
    """True when sysUpTime went from near 2^32 to small in step with the local clock.

    The wrapped uptime difference must match the local elapsed time within
    5 s or 2 %, whichever is larger; a reboot shows a shorter difference (the
    agent's uptime restarted *after* the previous poll, and booting takes time).
    """
    if prev.uptime_ticks is None or cur.uptime_ticks is None:
        return False
    if cur.uptime_ticks >= prev.uptime_ticks:
        return False
    wrapped = (cur.uptime_ticks - prev.uptime_ticks) % TICKS_MODULUS / 100
    elapsed = cur.at - prev.at
    return abs(wrapped - elapsed) <= max(_UPTIME_TOLERANCE, _UPTIME_TOLERANCE_SHARE * elapsed)


def agent_restarted(prev: CounterReading, cur: CounterReading) -> bool:
    """True when sysUpTime went back between the readings (and not by rolling over)."""
    if prev.uptime_ticks is None or cur.uptime_ticks is None:
        return False
    return cur.uptime_ticks < prev.uptime_ticks and not uptime_rolled_over(prev, cur)


def _discontinuity(prev: CounterReading, cur: CounterReading) -> bool:
    """True when both readings know ifCounterDiscontinuityTime and it changed."""
    return (prev.discontinuity_ticks is not None and cur.discontinuity_ticks is not None
            and prev.discontinuity_ticks != cur.discontinuity_ticks)


def counter_delta(
    prev: CounterReading,
    cur: CounterReading,
    bits: int,
    max_rate: float | None = None,
    *,
    strict: bool = False,
) -> int | None:
    """The increase of a counter between two readings, or None when it cannot be known.

    ``max_rate`` is the highest plausible increase per second (for octets,
    interface speed / 8, e.g. ifHighSpeed × 125 000); any delta implying more
    than that (plus 10 % slack) is treated as a reset. With ``strict`` a
    32-bit step long enough to hold a whole wrap at ``max_rate`` is refused.
    """
    elapsed = cur.at - prev.at
    if elapsed <= 0 or agent_restarted(prev, cur) or _discontinuity(prev, cur):
        return None
    limit = max_rate * _SLACK * elapsed if max_rate is not None and max_rate > 0 else None
    if strict and bits == 32 and limit is not None and limit >= 2**32:
        return None  # it may have wrapped more than once: the delta is unknowable
    if cur.value >= prev.value:
        delta = cur.value - prev.value
    elif bits == 32:
        delta = cur.value + 2**32 - prev.value
    else:
        return None  # a 64-bit counter went down: reset, not wrap
    if limit is not None and delta > limit:
        return None
    return delta


def counter_rate(
    prev: CounterReading,
    cur: CounterReading,
    bits: int,
    max_rate: float | None = None,
    *,
    strict: bool = False,
) -> float | None:
    """Per-second rate over the real elapsed time (see :func:`counter_delta`)."""
    delta = counter_delta(prev, cur, bits, max_rate, strict=strict)
    if delta is None:
        return None
    return delta / (cur.at - prev.at)
