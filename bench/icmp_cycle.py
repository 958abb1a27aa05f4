"""Hosts per second of one fping cycle vs one ``ping`` process per host, in one run.

The ICMP-collection issue asks for thousands of hosts per 10–20 s cycle without
a process per host. This bench pings N loopback addresses 127.43.x.y (every
127.x.y.z answers) with :class:`collectors.icmp.FpingRunner` — one fping
process per chunk, from asyncio — and, for comparison, a bounded number of
hosts the naive way: one ``ping -c1 -W1 ADDR`` process per host, a limited
number at a time. Each measurement is repeated; medians are printed.

Figures, per mode: wall seconds of the cycle, hosts per wall second, and CPU
milliseconds per host (the child processes' user+system time from
``getrusage(RUSAGE_CHILDREN)`` plus this process's own time, so the parsing
and the event loop count too).

    .venv/bin/python bench/icmp_cycle.py [--hosts 2000] [--naive-hosts 200]
        [--runs 5] [--concurrency 32]

Needs fping and ping (Debian ``fping``, ``iputils-ping``); sending faster than
one probe per ms (``-i`` below 1) needs root. Nothing here runs under
``make test``. Bounded: about 30 s with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import shutil
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from collectors.icmp import FpingOptions, FpingRunner

MAX_HOSTS = 20_000
MAX_NAIVE = 1_000


@dataclass
class Run:
    """One measured pass."""

    hosts: int
    answered: int
    wall: float
    cpu: float  # seconds, children + self


def addresses(count: int) -> list[str]:
    """``count`` loopback addresses 127.43.x.y, none of them .0 or .255."""
    return [f"127.43.{i // 250}.{i % 250 + 1}" for i in range(count)]


def _cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime + time.process_time()


async def measure(hosts: int, body: Callable[[], Awaitable[int]]) -> Run:
    """Wall and CPU time of one pass of ``body`` (which returns hosts answered)."""
    cpu, wall = _cpu(), time.monotonic()
    answered = await body()
    return Run(hosts, answered, time.monotonic() - wall, _cpu() - cpu)


def fping_pass(runner: FpingRunner, targets: list[str]) -> Callable[[], Awaitable[int]]:
    """One :meth:`FpingRunner.cycle` over ``targets``."""
    async def body() -> int:
        samples = await runner.cycle(targets)
        return sum(1 for s in samples.values() if s.replied)
    return body


def naive_pass(targets: list[str], concurrency: int) -> Callable[[], Awaitable[int]]:
    """One ``ping -c1 -W1`` process per target, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(address: str) -> bool:
        async with gate:
            proc = await asyncio.create_subprocess_exec(
                "ping", "-n", "-q", "-c1", "-W1", address,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            return await proc.wait() == 0

    async def body() -> int:
        return sum(await asyncio.gather(*(one(a) for a in targets)))
    return body


def summary(name: str, runs: list[Run]) -> dict[str, float]:
    """Median figures of one mode, printed as one line."""
    wall = statistics.median(r.wall for r in runs)
    rate = statistics.median(r.hosts / r.wall for r in runs)
    cpu_ms = statistics.median(1000 * r.cpu / r.hosts for r in runs)
    answered = min(r.answered for r in runs)
    print(f"{name:<34} {runs[0].hosts:>6} {wall:>8.2f} {rate:>10.0f} {cpu_ms:>11.3f} "
          f"{answered:>8}")
    return {"rate": rate, "cpu_ms": cpu_ms}


async def bench(args: argparse.Namespace) -> None:
    """Alternate the modes ``args.runs`` times, then print medians and ratios."""
    many, few = addresses(args.hosts), addresses(args.naive_hosts)
    single = FpingRunner(FpingOptions(count=1, period_ms=500, timeout_ms=1000,
                                      interval_ms=args.interval_ms, deadline_s=15.0))
    prod = FpingRunner(FpingOptions(count=3, period_ms=500, timeout_ms=1000,
                                    interval_ms=args.interval_ms, deadline_s=15.0))
    modes: dict[str, tuple[int, Callable[[], Awaitable[int]]]] = {
        "fping -C1 (FpingRunner)": (len(many), fping_pass(single, many)),
        "fping -C3 (FpingRunner)": (len(many), fping_pass(prod, many)),
        f"ping -c1 -W1 per host (x{args.concurrency})": (
            len(few), naive_pass(few, args.concurrency)),
    }
    runs: dict[str, list[Run]] = {name: [] for name in modes}
    for i in range(args.runs):
        for name, (hosts, body) in modes.items():
            runs[name].append(await measure(hosts, body))
        print(f"pass {i + 1}/{args.runs} done", flush=True)
    print(f"\n== ICMP cycle bench, {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()}, "
          f"medians of {args.runs} passes, fping -i {args.interval_ms:g} ms, chunks of "
          f"{single.options.chunk_size} x{single.options.parallel}")
    print(f"{'mode':<34} {'hosts':>6} {'wall s':>8} {'hosts/s':>10} {'CPU ms/host':>11} "
          f"{'answered':>8}")
    figures = {name: summary(name, r) for name, r in runs.items()}
    fping1, naive = figures["fping -C1 (FpingRunner)"], list(figures.values())[-1]
    print(f"\nfping -C1 vs ping per host: {fping1['rate'] / naive['rate']:.1f}x hosts/s, "
          f"{naive['cpu_ms'] / fping1['cpu_ms']:.1f}x less CPU per host")
    fping3 = figures["fping -C3 (FpingRunner)"]
    print(f"fping -C3 (3 probes/host, as in production): {args.hosts:,} hosts in "
          f"{args.hosts / fping3['rate']:.2f} s of a 10 s cycle")

def main() -> None:
    """Check the tools and bounds, then run the bench."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=2000)
    ap.add_argument("--naive-hosts", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--interval-ms", type=float, default=0.1,
                    help="fping -i: ms between any two probes sent (below 1 needs root)")
    args = ap.parse_args()
    for tool in ("fping", "ping"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install fping iputils-ping")
    if not (0 < args.hosts <= MAX_HOSTS and 0 < args.naive_hosts <= MAX_NAIVE
            and 0 < args.runs <= 20):
        raise SystemExit(f"bounds: hosts <= {MAX_HOSTS}, naive-hosts <= {MAX_NAIVE}, runs <= 20")
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
