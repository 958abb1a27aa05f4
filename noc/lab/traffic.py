"""Closed-form functions of time behind the lab's live values.

Traffic follows a day/night profile in Asia/Ho_Chi_Minh time (UTC+7): low at
night (~0.12 of the daily mean around 05:00), peaks mid-morning (~2.1 at
10:00) and mid-afternoon (~2.05 at 15:00) with a lunch dip. The profile is a
short Fourier series with a daily mean of exactly 1, so its integral has a
closed form and a counter is a pure function of time: answering is O(1) and
two polls 60 s apart see exactly the bytes the rate says.

CPU, memory and temperature wobble smoothly around a base value; the phase is
seeded from a stable hash so each device moves differently.
"""

from __future__ import annotations

import hashlib
import math

DAY = 86400.0
TZ_OFFSET = 7 * 3600.0  # Asia/Ho_Chi_Minh is UTC+7 all year
#: (harmonic k, cosine coefficient, sine coefficient) of the profile over local time.
HARMONICS: tuple[tuple[int, float, float], ...] = (
    (1, -0.948, -0.271),
    (2, 0.142, -0.049),
    (3, 0.201, 0.123),
    (4, -0.181, -0.112),
)
PROFILE_PEAK = 2.12  # max of :func:`profile` over a day (checked by the tests)


def _local_phase(t: float) -> float:
    """Seconds since local midnight, as an angle of the daily period."""
    return 2 * math.pi * ((t + TZ_OFFSET) % DAY) / DAY


def profile(t: float) -> float:
    """Traffic multiplier at Unix time ``t`` (daily mean 1)."""
    x = _local_phase(t)
    return 1.0 + sum(a * math.cos(k * x) + b * math.sin(k * x) for k, a, b in HARMONICS)


def profile_wave(t: float) -> float:
    """The periodic part of the integral of :func:`profile`, in seconds.

    ``integral(profile, t0, t1) == (t1 - t0) + profile_wave(t1) - profile_wave(t0)``.
    """
    x = _local_phase(t)
    return sum((a * math.sin(k * x) - b * math.cos(k * x)) * DAY / (2 * math.pi * k)
               for k, a, b in HARMONICS)


def profile_integral(t0: float, t1: float) -> float:
    """The integral of :func:`profile` from ``t0`` to ``t1``, in seconds."""
    return (t1 - t0) + profile_wave(t1) - profile_wave(t0)


def seeded(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) derived from ``parts``."""
    key = "/".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") / 2.0**64


def wobble(t: float, seed: float) -> float:
    """A smooth deterministic value in [-1, 1] (periods of 40 and 7 minutes)."""
    phase = 2 * math.pi * seed
    return 0.6 * math.sin(2 * math.pi * t / 2400 + phase) + 0.4 * math.sin(
        2 * math.pi * t / 420 + 7.3 * phase)


# Gauge kinds (see :data:`noc.lab.layout.GAUGES`).
PERCENT, IDLE, TEMPERATURE, SCALED = 0, 1, 2, 3


def gauge(kind: int, base: int, t: float, seed: float) -> int:
    """A CPU/memory/temperature reading of the given kind around ``base``."""
    busy = profile(t) - 1.0
    w = wobble(t, seed)
    if kind == PERCENT:
        return min(100, max(0, round(base + 5 * w + 4 * busy)))
    if kind == IDLE:
        return min(100, max(0, round(base - 5 * w - 4 * busy)))
    if kind == TEMPERATURE:
        return max(0, round(base + 1.5 * w + busy))
    return max(0, round(base * (1 + 0.2 * w + 0.1 * busy)))
