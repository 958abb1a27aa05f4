"""The chart history store at city-lab scale: memory per series, record and read speed, vs naive.

    .venv/bin/python bench/timeseries_store.py [--link-ports 1000] [--devices 2500] [--hours 24]

Fills a :class:`noc.timeseries.SeriesStore` with ``link-ports + devices``
series of one value per 60 s over ``--hours`` (the city lab: ~1,000 link-port
and ~2,500 device series of interest; see :mod:`noc.timeseries_feed` for the
full ~13,000), and, as a reference in the same run, a naive store: a dict of
lists of ``(time, value)`` tuples holding the raw 24 h only (no downsampled
tier at all). Prints memory (tracemalloc, per series too), median µs per
``record`` and per 24 h ``points`` read, the ratios, the cost of one series
with 30 days of history, and save/load time and file size. About 4-6 minutes
(tracemalloc slows the memory passes).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from noc.timeseries import DAY, SeriesStore

T0 = 1_700_000_400.0
STEP = 60.0


class NaiveStore:
    """The reference: dict of lists of (t, v) tuples, trimmed to 24 h."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, ...], list[tuple[float, float]]] = {}

    def record(self, key: tuple[str, ...], t: float, value: float) -> None:
        """Append a value, dropping the oldest beyond 24 h."""
        rows = self.data.setdefault(key, [])
        rows.append((t, value))
        if rows[0][0] < t - DAY:
            del rows[0]

    def points(self, key: tuple[str, ...], start: float, end: float) -> list[tuple[float, float]]:
        """The points in the window."""
        return [p for p in self.data.get(key, ()) if start <= p[0] <= end]


def keys(link_ports: int, devices: int) -> list[tuple[str, ...]]:
    """Keys shaped as the runtime's: link-port rates and device metrics."""
    metrics = ("in_bps", "out_bps", "in_errors", "out_errors")
    dev = ("up", "cpu", "mem_used_ratio", "temp_max_c", "rtt_ms", "loss_ratio")
    out: list[tuple[str, ...]] = [("if", f"dev-{k // 8:04d}", f"Gi0/{k % 8}", metrics[k % 4])
                                  for k in range(link_ports)]
    out += [("dev", f"dev-{k // 6:04d}", dev[k % 6]) for k in range(devices)]
    return out


def fill(store: SeriesStore | NaiveStore, names: list[tuple[str, ...]], hours: float) -> float:
    """Record every series once a minute for ``hours``; seconds taken."""
    t0 = time.perf_counter()
    record = store.record
    for i in range(int(hours * 3600 / STEP)):
        t = T0 + STEP * i
        for j, key in enumerate(names):
            record(key, t + j % 50, 1e6 + (i * 7 + j) % 1000)
    return time.perf_counter() - t0


def fill_once(store: SeriesStore | NaiveStore, names: list[tuple[str, ...]], t: float) -> None:
    """One value for each series at ``t``."""
    for key in names:
        store.record(key, t, 1.0)


def traced(build: Callable[[], object]) -> tuple[object, int]:
    """The built object and the bytes it holds (tracemalloc)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    obj = build()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return obj, used


def median_us(fn: Callable[[], object], runs: int, per: int = 1) -> float:
    """Median µs of ``fn`` over ``runs`` calls, divided by ``per`` operations each."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e6 / per)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--link-ports", type=int, default=1000)
    ap.add_argument("--devices", type=int, default=2500)
    ap.add_argument("--hours", type=float, default=24.0)
    args = ap.parse_args()
    names = keys(args.link_ports, args.devices)
    n, end = len(names), T0 + args.hours * 3600
    print(f"{n} series x {int(args.hours * 60)} values (one per 60 s over {args.hours:g} h)")
    ours, naive = SeriesStore(), NaiveStore()
    ours_s = fill(ours, names, args.hours)
    naive_s = fill(naive, names, args.hours)
    _, ours_mem = traced(lambda: _copy_fill(names, args.hours))
    _, naive_mem = traced(lambda: _copy_fill(names, args.hours, naive=True))
    values = n * int(args.hours * 60)
    print(f"{'':34} {'ours':>12} {'naive':>12} {'naive/ours':>11}")
    row("memory, MiB", ours_mem / 2**20, naive_mem / 2**20)
    row("memory per series, KiB", ours_mem / n / 1024, naive_mem / n / 1024)
    row("record, µs per value (fill)", ours_s * 1e6 / values, naive_s * 1e6 / values)
    small = names[: min(200, n)]
    rec_ours = median_us(lambda: fill_once(ours, small, end + 60), 9, len(small))
    rec_naive = median_us(lambda: fill_once(naive, small, end + 60), 9, len(small))
    row("record, median µs (steady state)", rec_ours, rec_naive)
    key = names[0]
    row("points 24 h, median µs", median_us(lambda: ours.points(key, end - DAY, end), 51),
        median_us(lambda: naive.points(key, end - DAY, end), 51))
    print(f"{'points 24 h thinned to 300, µs':34} "
          f"{median_us(lambda: ours.points(key, end - DAY, end, step=300), 51):12.1f}")
    print(f"{'points 30 days (downsampled), µs':34} "
          f"{median_us(lambda: ours.points(key, end - 30 * DAY, end, step=600), 51):12.1f}")
    print(f"stats: {ours.stats()}")
    month()
    persist(ours)


def row(label: str, ours: float, naive: float) -> None:
    """One figure of both stores and their ratio."""
    print(f"{label:34} {ours:12.1f} {naive:12.1f} {naive / ours:10.1f}x")


def _copy_fill(names: list[tuple[str, ...]], hours: float, naive: bool = False) -> object:
    store: SeriesStore | NaiveStore = NaiveStore() if naive else SeriesStore()
    fill(store, names, hours)
    return store


def month() -> None:
    """The cost of one series with a full 30 days (both rings full)."""
    def build() -> SeriesStore:
        store = SeriesStore()
        for i in range(30 * 1440):
            store.record(("dev", "x", "cpu"), T0 + 60 * i, float(i % 100))
        return store
    store, used = traced(build)
    assert isinstance(store, SeriesStore)
    print(f"one series, 30 days full: {used / 1024:.1f} KiB traced "
          f"({store.nbytes() / 1024:.1f} KiB of arrays); "
          f"x 13,000 city series = {used * 13_000 / 2**30:.2f} GiB")


def persist(store: SeriesStore) -> None:
    """Save and load time and file size."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "series.bin"
        t0 = time.perf_counter()
        store.save(path)
        saved = time.perf_counter() - t0
        t0 = time.perf_counter()
        SeriesStore().load(path)
        loaded = time.perf_counter() - t0
        size = path.stat().st_size / 2**20
        print(f"save {saved:.2f} s, load {loaded:.2f} s, file {size:.1f} MiB")


if __name__ == "__main__":
    main()
