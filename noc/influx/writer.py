"""The InfluxDB writer: batch -> disk buffer -> send -> acknowledge, in order, never silently lost.

:meth:`InfluxWriter.add` (event loop, no I/O) queues lines. A flush task cuts
batches of ``batch_size`` lines (or whatever is queued after
``flush_interval``) and appends each to the :class:`~noc.influx.buffer.SegmentBuffer`
(fsynced, in a thread). A send task takes the oldest buffered batch, sends it
through the transport (in a thread) and deletes it only after a 2xx; failures
are retried with exponential backoff (:func:`backoff_delay`), so batches that
pile up during an outage are replayed in order when the server returns, and a
buffer left by a killed process is replayed first on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from noc.influx.buffer import SegmentBuffer
from noc.influx.transport import Transport, WriteError, make_transport
from noc.settings import InfluxSettings

log = logging.getLogger(__name__)
BACKOFF_BASE = 0.5
BACKOFF_MAX = 30.0


def backoff_delay(attempt: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_MAX) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): base * 2^attempt, capped."""
    return min(cap, base * 2.0 ** min(attempt, 30))


@dataclass(frozen=True, slots=True)
class InfluxStats:
    """The writer's self-monitoring, read by ``/metrics`` (in memory, no I/O)."""

    buffer_bytes: int
    buffer_points: int  # in the buffer plus queued in memory
    oldest_age_seconds: float
    points_written: int
    points_dropped: int
    write_retries: int
    write_errors: int


class InfluxWriter:
    """Batches lines, buffers every batch on disk, and sends them in order."""

    def __init__(self, cfg: InfluxSettings, buffer_dir: Path,
                 transport: Transport | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.cfg = cfg
        self.buffer = SegmentBuffer(buffer_dir, cfg.buffer_max_bytes)
        self.transport = transport or make_transport(cfg)
        self._clock = clock
        self._pending: list[str] = []
        self._pending_since: float | None = None
        self._flush_now = asyncio.Event()
        self._buffered = asyncio.Event()
        self._idle = asyncio.Event()  # set while the buffer is empty
        self._tasks: list[asyncio.Task[None]] = []
        self.written = self.retries = self.errors = 0

    async def start(self) -> None:
        """Index the buffer left by a previous run (it is sent first) and start the tasks."""
        await asyncio.to_thread(self.buffer.open)
        leftover = self.buffer.stats()
        if leftover.segments:
            log.info("influx: replaying %d buffered points from a previous run",
                     leftover.points)
        self._buffered.set()
        self._tasks = [asyncio.create_task(self._flush_loop(), name="influx-flush"),
                       asyncio.create_task(self._send_loop(), name="influx-send")]

    def add(self, lines: list[str]) -> None:
        """Queue lines for the next batch (called in the event loop; never blocks)."""
        if not lines:
            return
        if not self._pending:
            self._pending_since = self._clock()
        self._pending.extend(lines)
        if len(self._pending) >= self.cfg.batch_size:
            self._flush_now.set()

    async def flush(self) -> None:
        """Move everything queued into the on-disk buffer now."""
        while self._pending:
            size = self.cfg.batch_size
            batch, self._pending = self._pending[:size], self._pending[size:]
            created = self._pending_since or self._clock()
            if not self._pending:
                self._pending_since = None
            payload = "\n".join(batch).encode()
            self._idle.clear()
            try:
                await asyncio.to_thread(self.buffer.append, payload, len(batch), created)
            except OSError as exc:  # disk full, directory gone: keep the lines, try later
                log.error("influx: cannot write the buffer in %s: %s", self.buffer.directory, exc)
                self._pending[:0] = batch
                self._pending_since = created
                return
            self._buffered.set()

    async def _flush_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), self.cfg.flush_interval)
            self._flush_now.clear()
            await self.flush()

    async def _send_loop(self) -> None:
        while True:
            try:
                await self._send_all()
            except Exception:  # a disk error must not end the export for good
                log.exception("influx: send loop failed; restarting in 1 s")
                await asyncio.sleep(1.0)

    async def _send_all(self) -> None:
        attempt = 0
        while True:
            self._buffered.clear()  # before reading: a batch buffered meanwhile sets it again
            record = await asyncio.to_thread(self.buffer.oldest)
            if record is None:
                if not self._buffered.is_set():  # nothing buffered while we looked
                    self._idle.set()
                await self._buffered.wait()
                continue
            try:
                await asyncio.to_thread(self.transport.send, record.payload)
            except WriteError as exc:
                self.errors += 1
                if not exc.retryable:
                    log.error("influx: server refused batch %d (%d points) for good: %s",
                              record.seq, record.points, exc)
                    await asyncio.to_thread(self.buffer.drop, record.seq)
                    continue
                delay = backoff_delay(attempt)
                attempt += 1
                self.retries += 1
                log.warning("influx: %s; retry %d in %.1f s", exc, attempt, delay)
                await asyncio.sleep(delay)
                continue
            attempt = 0
            await asyncio.to_thread(self.buffer.ack, record.seq)
            self.written += record.points

    async def stop(self, drain_timeout: float = 2.0) -> None:
        """Flush queued lines to disk, try briefly to send them, then stop.

        Whatever is not acknowledged by then stays in the buffer for the next start.
        """
        if self._tasks:
            self._tasks[0].cancel()
            await asyncio.gather(self._tasks[0], return_exceptions=True)
        await self.flush()
        self._idle.clear()
        self._buffered.set()  # a flush cut short by the cancel may have missed its signal
        if len(self._tasks) > 1 and not self._tasks[1].done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), drain_timeout)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await asyncio.to_thread(self.transport.close)

    def stats(self) -> InfluxStats:
        """A snapshot of the self-metrics."""
        buf = self.buffer.stats()
        oldest = [t for t in (buf.oldest_created, self._pending_since) if t is not None]
        age = max(0.0, self._clock() - min(oldest)) if oldest else 0.0
        return InfluxStats(buf.bytes, buf.points + len(self._pending), age, self.written,
                           buf.dropped_points, self.retries, self.errors)
