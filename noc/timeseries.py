"""The NOC's own recent history for charts: an embedded, fixed-memory time-series store.

Every series (keyed by a tuple of strings, see :mod:`noc.timeseries_feed` for
the key scheme) holds two rings of ``float32`` slots:

* **raw**: one slot per ``raw_step`` seconds (the poll interval) over
  ``raw_span`` (24 h): 1,440 slots at 60 s. Several values in one slot
  (ICMP every 10 s) are averaged.
* **downsampled**: one bucket per ``down_step`` (5 min) over ``down_span``
  (30 days): 8,640 buckets, each with avg, min and max.

A slot's time is implied by its position (slot number x step), so no
timestamps are stored. Unwritten slots are NaN: gaps stay gaps. Rings grow
as data arrives and stop at their size, so a young series costs little.

Memory per series when full (measured by ``bench/timeseries_store.py``):
raw 1,440 x 4 B = 5.6 KiB, downsampled 8,640 x 3 x 4 B = 101 KiB, plus
~0.5 KiB of objects: **~108 KiB**. The city lab records ~13,000 series
(see :mod:`noc.timeseries_feed`): ~1.4 GiB after 30 days, which is why
``max_series`` bounds the store (new series beyond it are dropped and
counted in :meth:`SeriesStore.stats`).

Everything runs in the event loop except :meth:`SeriesStore.save`, which may
run in a worker thread: each series is read array by array, so a value
recorded meanwhile can be missing from the file (never corrupt it).
"""

from __future__ import annotations

import math
from array import array
from pathlib import Path
from typing import Literal

Key = tuple[str, ...]
Point = tuple[float, float]
NAN = float("nan")
DAY = 86_400.0


def nans(count: int) -> array[float]:
    """``count`` NaN float32 slots."""
    return array("f", [NAN]) * count


def _put(arr: array[float], pos: int, value: float) -> None:
    if pos == len(arr):
        arr.append(value)
    else:
        arr[pos] = value


def _blank(arr: array[float], cap: int, pos: int, count: int) -> None:
    """Write NaN into ``count`` slots from ``pos`` (wrapping; growing a young ring)."""
    while count > 0:
        k = min(count, cap - pos)
        if pos == len(arr):
            arr.extend(nans(k))
        else:
            arr[pos:pos + k] = nans(k)
        count -= k
        pos = (pos + k) % cap


class Ring:
    """Slots ``head - len + 1 .. head`` of one tier (slot number = time // step)."""

    __slots__ = ("avg", "cap", "head", "hi", "lo", "n", "origin")

    def __init__(self, cap: int, slot: int, with_range: bool) -> None:
        self.cap = cap
        self.origin = slot  # the slot stored at position 0
        self.head = slot - 1  # the newest slot written
        self.n = 0  # values averaged into the head slot
        self.avg = array("f")
        self.lo = array("f") if with_range else None
        self.hi = array("f") if with_range else None

    def arrays(self) -> list[array[float]]:
        """The value arrays (avg, then min and max for a downsampled ring)."""
        return [a for a in (self.avg, self.lo, self.hi) if a is not None]

    def pos(self, slot: int) -> int:
        """Array position of a slot."""
        return (slot - self.origin) % self.cap

    def add(self, slot: int, value: float) -> None:
        """Fold a value into a slot; a slot older than the head is ignored."""
        if slot == self.head and self.n:
            p = self.pos(slot)
            self.n += 1
            self.avg[p] += (value - self.avg[p]) / self.n
            if self.lo is not None and self.hi is not None:
                self.lo[p] = min(self.lo[p], value)
                self.hi[p] = max(self.hi[p], value)
            return
        if not self.avg:  # empty (new, or dropped at load): start here
            self.origin, self.head = slot, slot - 1
        elif slot <= self.head:
            return
        missing = min(slot - self.head - 1, self.cap)
        for arr in self.arrays():
            _blank(arr, self.cap, self.pos(self.head + 1), missing)
        p = self.pos(slot)
        for arr in self.arrays():
            _put(arr, p, value)
        self.head, self.n = slot, 1

    def first(self) -> int:
        """The oldest slot held."""
        return self.head - len(self.avg) + 1

    def values(self, lo_slot: int, hi_slot: int, agg: str = "avg") -> list[float]:
        """Values of slots ``lo_slot..hi_slot`` (all held, NaN when empty)."""
        arr = {"min": self.lo, "max": self.hi}.get(agg) or self.avg
        p, count = self.pos(lo_slot), hi_slot - lo_slot + 1
        if count <= 0:
            return []
        if p + count <= len(arr):
            return arr[p:p + count].tolist()
        return arr[p:].tolist() + arr[:count - (len(arr) - p)].tolist()


class Series:
    """One series: a raw ring and a downsampled ring (created on the first value)."""

    __slots__ = ("down", "raw")

    def __init__(self, raw: Ring, down: Ring) -> None:
        self.raw = raw
        self.down = down


DOWN_STEP = 900.0  # 15-minute buckets: 2,880 over 30 days, ~40 KiB per full series (with raw)


class SeriesStore:
    """Recent history of many series in two fixed-size tiers (see the module docstring)."""

    def __init__(self, raw_step: float = 60.0, raw_span: float = DAY, down_step: float = 300.0,
                 down_span: float = 30 * DAY, max_series: int = 20_000,
                 gap: float = 600.0) -> None:
        self.raw_step, self.down_step = raw_step, down_step
        self.raw_cap = max(1, math.ceil(raw_span / raw_step))
        self.down_cap = max(1, math.ceil(down_span / down_step))
        self.max_series = max_series
        self.gap = gap  # seconds without values drawn as a gap (a NaN point)
        self.dropped = 0  # values refused because ``max_series`` was reached
        self.series: dict[Key, Series] = {}

    @classmethod
    def for_interval(cls, poll_interval: float, max_raw_slots: int = 2_880,
                     max_series: int = 20_000) -> SeriesStore:
        """A store whose raw step is the poll interval, no finer than 24 h / ``max_raw_slots``."""
        return cls(raw_step=max(poll_interval, DAY / max_raw_slots), down_step=DOWN_STEP,
                   max_series=max_series)

    def record(self, key: Key, t: float, value: float) -> None:
        """Add one value at wall-clock time ``t``; NaN and infinities are not stored (gaps)."""
        if not math.isfinite(value):
            return
        series = self.series.get(key)
        if series is None:
            if len(self.series) >= self.max_series:
                self.dropped += 1
                return
            series = self.series[key] = Series(
                Ring(self.raw_cap, int(t // self.raw_step), False),
                Ring(self.down_cap, int(t // self.down_step), True))
        series.raw.add(int(t // self.raw_step), value)
        series.down.add(int(t // self.down_step), value)

    def keys(self, prefix: Key = ()) -> list[Key]:
        """Keys starting with ``prefix``, sorted."""
        n = len(prefix)
        return sorted(k for k in self.series if k[:n] == prefix)

    def points(self, key: Key, start: float, end: float, step: int | None = None,
               thin: Literal["minmax", "avg"] = "minmax",
               agg: Literal["avg", "min", "max"] = "avg") -> list[Point]:
        """(time, value) points of ``key`` in ``[start, end]``, oldest first.

        Raw slots when ``start`` lies within the raw retention (24 h before
        the newest value), else downsampled buckets (``agg`` of each: avg,
        min or max). A time is its slot's start. Empty stretches longer than
        ``gap`` seconds appear as one ``(t, nan)`` point (a break in the
        line); shorter ones are bridged.

        ``step``: at most this many points, for drawing. ``thin="minmax"``
        keeps the lowest and highest point of every ``2 * len / step``
        slots (spikes survive); ``thin="avg"`` averages ``len / step`` slots.
        """
        series = self.series.get(key)
        if series is None or end < start:
            return []
        ring, width = series.raw, self.raw_step
        if start < (ring.head + 1) * width - self.raw_cap * width:
            ring, width = series.down, self.down_step
        lo_slot = max(ring.first(), math.floor(start / width))
        hi_slot = min(ring.head, math.floor(end / width))
        values = ring.values(lo_slot, hi_slot, agg)
        chunk = 1
        if step is not None and 0 < step < len(values):
            per = max(1, step // 2) if thin == "minmax" else step
            chunk = math.ceil(len(values) / per)
            pts = _thin(values, lo_slot, width, chunk, thin)
        else:
            pts = [(s * width, v) for s, v in enumerate(values, lo_slot) if v == v]
        return _mark_gaps(pts, max(self.gap, 2 * chunk * width) + width / 2, width)

    def stats(self) -> dict[str, int]:
        """Series held, slots held (both tiers, NaN included), array bytes, values dropped."""
        slots = sum(len(s.raw.avg) + len(s.down.avg) for s in self.series.values())
        return {"series": len(self.series), "points": slots, "bytes": self.nbytes(),
                "dropped": self.dropped}

    def nbytes(self) -> int:
        """Bytes allocated for values (array buffers, including growth slack)."""
        total = 0
        for s in self.series.values():
            for arr in (*s.raw.arrays(), *s.down.arrays()):
                total += arr.buffer_info()[1] * arr.itemsize
        return total

    def prune(self, now: float) -> int:
        """Forget series without a value in the downsampled retention; how many went."""
        old = [k for k, s in self.series.items()
               if (s.down.head + 1) * self.down_step < now - self.down_cap * self.down_step]
        for key in old:
            del self.series[key]
        return len(old)

    def save(self, path: Path) -> None:
        """Write the store to ``path`` atomically (see :mod:`noc.timeseries_file`)."""
        from noc.timeseries_file import save_store

        save_store(self, path)

    def load(self, path: Path) -> bool:
        """Replace the contents with ``path``'s; False (logged, store empty) when unusable."""
        from noc.timeseries_file import load_store

        return load_store(self, path)


def _thin(values: list[float], first: int, width: float, chunk: int,
          how: str) -> list[Point]:
    out: list[Point] = []
    for i in range(0, len(values), chunk):
        part = [(first + i + j, v) for j, v in enumerate(values[i:i + chunk]) if v == v]
        if not part:
            continue
        if how == "avg":
            out.append(((first + i) * width, math.fsum(v for _, v in part) / len(part)))
            continue
        low, high = min(part, key=lambda p: p[1]), max(part, key=lambda p: p[1])
        for slot, v in sorted({low, high}):
            out.append((slot * width, v))
    return out


def _mark_gaps(pts: list[Point], gap: float, width: float) -> list[Point]:
    """Insert ``(t, nan)`` after a point followed by nothing for more than ``gap`` seconds."""
    out: list[Point] = []
    for i, p in enumerate(pts):
        if i and p[0] - pts[i - 1][0] > gap:
            out.append((pts[i - 1][0] + width, NAN))
        out.append(p)
    return out
