"""Ping thousands of addresses per cycle with a few fping processes, from asyncio.

One cycle splits the addresses into chunks of at most ``chunk_size`` and runs
one ``fping -C COUNT -q -f -`` per chunk (at most ``parallel`` at a time), the
targets fed on stdin, stdout and stderr read as one stream, so the event loop
never blocks. The whole cycle has a hard deadline: a process still running
then gets SIGINT (fping prints what it has: probes not answered yet count as
lost, probes never sent are absent) and SIGKILL after a short grace, both by
its PID; samples of a cut-short run are marked ``complete=False`` and targets
that got no result at all come back with ``sent == 0``.

Only IPv4/IPv6 literals are accepted (:func:`check_addresses`), so fping never
resolves a name. Every requested address gets a sample in the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import shutil
import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from collectors.icmp.parse import IcmpSample, ParseResult, parse_output

log = logging.getLogger(__name__)


class FpingNotFoundError(RuntimeError):
    """The fping executable is not installed (Debian: ``apt-get install fping``)."""


class InvalidAddressError(ValueError):
    """Targets that are not IP address literals (names are refused: no DNS)."""


@dataclass(frozen=True, slots=True)
class FpingOptions:
    """How one cycle probes (fping's flags in parentheses).

    The time one process needs is about ``count * period_ms + timeout_ms`` or
    ``targets * count * interval_ms``, whichever is larger; ``deadline_s``
    bounds the whole cycle.
    """

    count: int = 3  # probes per target (-C)
    period_ms: int = 500  # between probes to one target (-p)
    timeout_ms: int = 1000  # wait for each reply (-t)
    interval_ms: float = 1.0  # between any two probes sent (-i); below 1 needs root
    backoff: float = 1.5  # timeout factor per retry (-B; fping ignores it with -C)
    chunk_size: int = 1000  # targets per fping process
    parallel: int = 4  # fping processes at once
    deadline_s: float = 8.0  # hard limit of one cycle
    grace_s: float = 1.0  # after SIGINT at the deadline, before SIGKILL

    def __post_init__(self) -> None:
        if self.count < 1 or self.chunk_size < 1 or self.parallel < 1:
            raise ValueError("count, chunk_size and parallel must be at least 1")
        if min(self.period_ms, self.timeout_ms, self.interval_ms, self.deadline_s) <= 0:
            raise ValueError("period, timeout, interval and deadline must be positive")

    def estimated_s(self, targets: int) -> float:
        """Seconds one fping process needs for ``targets`` addresses (no deadline)."""
        per_target = ((self.count - 1) * self.period_ms + self.timeout_ms) / 1000
        return max(per_target, targets * self.count * self.interval_ms / 1000 + 0.1)

    def cycle_estimated_s(self, targets: int) -> float:
        """Seconds a whole cycle over ``targets`` addresses needs (no deadline)."""
        if targets <= 0:
            return 0.0
        chunks = -(-targets // self.chunk_size)
        rounds = -(-chunks // self.parallel)
        return rounds * self.estimated_s(min(targets, self.chunk_size))


@dataclass(slots=True)
class CycleStats:
    """Self-monitoring of one cycle."""

    started: float = 0.0  # wall clock
    duration: float = 0.0  # seconds
    targets: int = 0
    processes: int = 0
    overran: int = 0  # processes stopped at the deadline
    replied: int = 0  # targets with at least one reply
    malformed: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)  # exit codes >= 3, fping's own messages


def check_addresses(addresses: Iterable[str]) -> dict[str, list[str]]:
    """Canonical address -> the caller's spellings of it; raise on anything not an IP literal."""
    out: dict[str, list[str]] = {}
    bad = []
    for given in addresses:
        try:
            canonical = str(ipaddress.ip_address(given.strip()))
        except ValueError:
            bad.append(given)
            continue
        out.setdefault(canonical, []).append(given)
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5])
        raise InvalidAddressError(f"{len(bad)} target(s) are not IP addresses: {shown}")
    return out


class FpingRunner:
    """Runs fping cycles: ``await runner.cycle(addresses)``."""

    def __init__(self, options: FpingOptions | None = None,
                 command: Sequence[str] = ("fping",)) -> None:
        self.options = options or FpingOptions()
        exe = shutil.which(command[0]) if command else None
        if exe is None:
            raise FpingNotFoundError(
                f"{command[0] if command else 'fping'!r} not found: install fping "
                "(Debian: apt-get install fping)")
        self.command = [exe, *command[1:]]
        self.last = CycleStats()

    def argv(self) -> list[str]:
        """The command line of one fping process (targets come on stdin)."""
        o = self.options
        return [*self.command, "-C", str(o.count), "-q", "-p", str(o.period_ms),
                "-t", str(o.timeout_ms), "-i", f"{o.interval_ms:g}", "-B", f"{o.backoff:g}",
                "-f", "-"]

    async def cycle(self, addresses: Iterable[str]) -> dict[str, IcmpSample]:
        """Ping every address once per cycle; a sample for each (``sent == 0``: no result)."""
        spellings = check_addresses(addresses)
        stats = CycleStats(started=time.time(), targets=len(spellings))
        began = time.monotonic()
        deadline = began + self.options.deadline_s
        targets = list(spellings)
        size = self.options.chunk_size
        chunks = [targets[i:i + size] for i in range(0, len(targets), size)]
        needed = self.options.cycle_estimated_s(len(targets))
        if needed > self.options.deadline_s:
            log.warning("%d targets need about %.1f s, more than the %.1f s deadline: "
                        "raise parallel or lower interval_ms", len(targets), needed,
                        self.options.deadline_s)
        gate = asyncio.Semaphore(self.options.parallel)

        async def one(chunk: list[str]) -> dict[str, IcmpSample]:
            async with gate:
                return await self._run(chunk, deadline, stats)

        results: dict[str, IcmpSample] = {}
        for part in await asyncio.gather(*(one(c) for c in chunks)):
            results.update(part)
        out: dict[str, IcmpSample] = {}
        for canonical, given in spellings.items():
            sample = results.get(canonical) or IcmpSample(canonical, 0, 0, complete=False)
            for name in given:
                out[name] = replace(sample, address=name)
        stats.replied = sum(1 for s in results.values() if s.replied)
        stats.duration = time.monotonic() - began
        self.last = stats
        return out

    async def _run(self, chunk: list[str], deadline: float,
                   stats: CycleStats) -> dict[str, IcmpSample]:
        """One fping process over ``chunk``, stopped at ``deadline`` (monotonic)."""
        if time.monotonic() >= deadline:
            return {}
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        except OSError as exc:  # removed or not executable since the runner was made
            stats.errors.append(f"cannot start {self.command[0]}: {exc}")
            return {}
        stats.processes += 1
        lines: list[str] = []
        overran = False
        try:
            await _feed(proc, chunk, stats)
            try:
                await asyncio.wait_for(_drain(proc, lines), deadline - time.monotonic())
            except TimeoutError:
                overran = True
                stats.overran += 1
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGINT)  # fping prints what it has so far
                try:
                    await asyncio.wait_for(_drain(proc, lines), self.options.grace_s)
                except TimeoutError:
                    _kill(proc)
        finally:
            if proc.returncode is None:
                _kill(proc)
                await proc.wait()
        return self._collect(chunk, lines, proc.returncode, overran, stats)

    def _collect(self, chunk: list[str], lines: list[str], code: int | None, overran: bool,
                 stats: CycleStats) -> dict[str, IcmpSample]:
        """Samples of the chunk's targets from one process's output."""
        parsed: ParseResult = parse_output(lines)
        stats.malformed += parsed.malformed
        stats.messages += parsed.messages
        if code is not None and code >= 3 and not overran:
            stats.errors.append(f"fping exited {code} over {len(chunk)} targets")
        if parsed.kept:
            stats.errors.extend(parsed.kept[:5])
            log.warning("fping said (exit %s): %s", code, " | ".join(parsed.kept[:3]))
        wanted = set(chunk)
        return {address: replace(sample, complete=sample.sent >= self.options.count
                                 and not overran)
                for address, sample in parsed.samples.items() if address in wanted}


async def _feed(proc: asyncio.subprocess.Process, chunk: list[str], stats: CycleStats) -> None:
    """Write the targets to fping's stdin, one per line, and close it."""
    assert proc.stdin is not None
    try:
        proc.stdin.write("".join(f"{a}\n" for a in chunk).encode())
        await proc.stdin.drain()
        proc.stdin.close()
    except (BrokenPipeError, ConnectionResetError) as exc:  # fping ended before reading
        stats.errors.append(f"fping stdin: {exc}")


async def _drain(proc: asyncio.subprocess.Process, lines: list[str]) -> None:
    """Read the process's output into ``lines`` until it ends, then reap it."""
    assert proc.stdout is not None
    while line := await proc.stdout.readline():
        lines.append(line.decode(errors="replace"))
    await proc.wait()


def _kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL our child by its PID (it may have ended in the meantime)."""
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
