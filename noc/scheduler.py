"""The poll scheduler: due times spread over the interval, bounded concurrency.

Each device gets a fixed phase inside the interval (from a hash of its name),
so 10,000 devices polled every 60 s start ~167 polls per second, evenly,
instead of 10,000 at once. A poll that is still running when its device is due
again is not started twice: the cycle is counted as skipped. ``lag`` is how
late polls start relative to their due time: if it grows, the poller is
overloaded (add a shard).

Sharding: :func:`in_shard` assigns each device to one of ``n`` pollers by a
hash of its name, like Prometheus' ``hashmod``.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


def phase(name: str, interval: float) -> float:
    """The device's fixed offset inside the interval, in [0, interval)."""
    return zlib.crc32(name.encode()) / 2**32 * interval


def in_shard(name: str, index: int, total: int) -> bool:
    """Whether shard ``index`` (1-based) of ``total`` polls this device."""
    return total <= 1 or zlib.crc32(name.encode()) % total == index - 1


@dataclass(slots=True)
class SchedulerStats:
    """Self-monitoring of the scheduler."""

    started: int = 0
    completed: int = 0
    skipped: int = 0  # due while the previous poll was still running
    lag_seconds: float = 0.0  # how late the last poll started
    max_lag_seconds: float = 0.0


class Scheduler:
    """Runs ``poll(name)`` for every device once per interval, at most ``concurrency`` at once."""

    def __init__(
        self,
        poll: Callable[[str], Awaitable[None]],
        interval: float,
        concurrency: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._poll = poll
        self._interval = interval
        self._sem = asyncio.Semaphore(concurrency)
        self._clock = clock
        self._heap: list[tuple[float, str]] = []
        self._names: set[str] = set()
        self._running: set[str] = set()
        self._again: set[str] = set()  # asked for while being polled: poll once more right after
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self.stats = SchedulerStats()

    @property
    def interval(self) -> float:
        """Seconds between two polls of one device."""
        return self._interval

    def set_devices(self, names: Iterable[str]) -> None:
        """Replace the set of devices; new ones start at their phase in the current cycle."""
        names = set(names)
        now = self._clock()
        cycle_start = now - now % self._interval
        self._heap = [(due, n) for due, n in self._heap if n in names]
        known = {n for _, n in self._heap}
        for name in sorted(names - known):
            due = cycle_start + phase(name, self._interval)
            if due < now:
                due += self._interval
            self._heap.append((due, name))
        heapq.heapify(self._heap)
        self._names = names
        self._wake.set()

    def poll_now(self, names: Iterable[str]) -> None:
        """Make these devices due immediately (e.g. after a fault is healed).

        A device being polled right now is polled again as soon as that poll
        ends: the running poll may have read the device before the change
        (a linkDown trap arriving mid-poll) that made someone ask.
        """
        now = self._clock()
        wanted = set(names) & self._names
        self._again |= wanted & self._running
        wanted -= self._running
        self._heap = [(now if n in wanted else due, n) for due, n in self._heap]
        heapq.heapify(self._heap)
        self._wake.set()

    async def run(self) -> None:
        """Schedule polls forever (cancel the task to stop; running polls are cancelled too)."""
        try:
            while True:
                await self._wait_for_next()
                now = self._clock()
                while self._heap and self._heap[0][0] <= now:
                    due, name = heapq.heappop(self._heap)
                    self._start(name, due)
                    nxt = due + self._interval
                    while nxt <= now:
                        nxt += self._interval
                    heapq.heappush(self._heap, (nxt, name))
        finally:
            for task in list(self._tasks):
                task.cancel()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _wait_for_next(self) -> None:
        self._wake.clear()
        delay = self._heap[0][0] - self._clock() if self._heap else 3600.0
        if delay > 0:
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _start(self, name: str, due: float) -> None:
        if name in self._running:
            self.stats.skipped += 1
            return
        self._running.add(name)
        task = asyncio.create_task(self._guarded(name, due), name=f"poll:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, name: str, due: float) -> None:
        try:
            async with self._sem:
                lag = max(0.0, self._clock() - due)
                self.stats.lag_seconds = lag
                self.stats.max_lag_seconds = max(self.stats.max_lag_seconds, lag)
                self.stats.started += 1
                await self._poll(name)
                self.stats.completed += 1
        except Exception:  # a bug in one poll must not stop the others
            log.exception("poll of %s failed", name)
        finally:
            self._running.discard(name)
            if name in self._again:
                self._again.discard(name)
                self.poll_now([name])
