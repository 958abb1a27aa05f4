"""Our poller in a worker process of bench/snmp_poll.py.

Its CPU is read from /proc like the exporter's: the measured jobs, the pass
and scheduler runs, and the :class:`Worker` handle the main script drives.
"""


from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from typing import Any

from snmp_bench_peers import (
    AGENT_PORT,
    IF_MIB_COLUMNS,
    IF_MIB_SUBTREES,
    IF_NUMBER,
    MAIN_SCRIPT,
    SNMP_RETRIES,
    SNMP_TIMEOUT,
    SYS_UPTIME,
    percentiles,
    stop,
)

from collectors.snmp import mibs
from collectors.snmp.client import SnmpClient, SnmpError, SnmpTarget
from collectors.snmp.collector import SnmpCollector
from noc.scheduler import Scheduler
from noc.state import State

# --------------------------------------------------------------------------- worker (ours)


async def ours_columns(client: SnmpClient, target: SnmpTarget) -> int:
    """The module's varbinds, our way: GET two scalars, walk 41 columns side by side."""
    got = await client.get(target, (SYS_UPTIME, IF_NUMBER))
    walked = await client.walk_columns(target, IF_MIB_COLUMNS)
    return len(got) + sum(map(len, walked.values()))


async def ours_subtrees(client: SnmpClient, target: SnmpTarget) -> int:
    """The module's requests: GET sysUpTime, walk its two roots side by side."""
    got = await client.get(target, (SYS_UPTIME,))
    walked = await client.walk_columns(target, IF_MIB_SUBTREES)
    return len(got) + sum(map(len, walked.values()))


async def production(client: SnmpClient, target: SnmpTarget) -> int:
    """The NOC's poll job; varbinds used = system scalars + its columns per interface."""
    result = await SnmpCollector(client).collect(target.address, target)
    if not result.ok:
        return -1
    per_if = len(mibs.IF_COLUMNS) + len(mibs.IFX_COLUMNS)
    return len(mibs.SYSTEM_SCALARS) + per_if * len(result.interfaces)


JOBS = {"ours-columns": ours_columns, "ours-subtrees": ours_subtrees, "production": production}


def make_target(address: str) -> SnmpTarget:
    """Our SnmpTarget for an agent address (v2c, the NOC's timeout/retries)."""
    return SnmpTarget(address, AGENT_PORT, timeout=SNMP_TIMEOUT, retries=SNMP_RETRIES)


async def worker_pass(req: dict[str, Any]) -> dict[str, Any]:
    """Poll every address once with one job, ``concurrency`` at a time."""
    job = JOBS[req["mode"]]
    sem = asyncio.Semaphore(req["concurrency"])

    async def one(target: SnmpTarget) -> int:
        async with sem:
            try:
                return await job(client, target)
            except SnmpError:
                return -1

    async with SnmpClient("127.0.0.1") as client:
        counts = await asyncio.gather(*(one(make_target(a)) for a in req["addresses"]))
    return {"pdus": client.stats.requests, "bytes": client.stats.bytes_received,
            "varbinds": sum(c for c in counts if c >= 0), "failed": sum(c < 0 for c in counts)}


class GcTimer:
    """Time spent in Python's cyclic garbage collector, per generation (a gc callback)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.counts = [0, 0, 0]
        self.max_pause = 0.0
        self._t0 = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        pause, gen = time.perf_counter() - self._t0, info["generation"]
        self.seconds[gen] += pause
        self.counts[gen] += 1
        self.max_pause = max(self.max_pause, pause)

    def close(self) -> dict[str, Any]:
        """Stop timing; the totals."""
        gc.callbacks.remove(self._callback)
        return {"seconds": sum(self.seconds), "full": self.counts[2],
                "full_seconds": self.seconds[2], "max_pause": self.max_pause}


async def worker_schedule(req: dict[str, Any]) -> dict[str, Any]:
    """Run the NOC's Scheduler + SnmpCollector + State over many devices for a while."""
    addresses = req["addresses"]
    targets = {f"dev-{k:05d}": make_target(addresses[k % len(addresses)])
               for k in range(req["devices"])}
    state, lags, failed, gc_timer = State(), [], 0, GcTimer()
    async with SnmpClient("127.0.0.1") as client:
        collector = SnmpCollector(client)

        async def poll(name: str) -> None:
            nonlocal failed
            lags.append(sched.stats.lag_seconds)  # set just before this poll was called
            result = await collector.collect(name, targets[name])
            failed += not result.ok
            state.apply(result)

        sched = Scheduler(poll, req["interval"], req["concurrency"])
        sched.set_devices(targets)
        task = asyncio.create_task(sched.run())
        await asyncio.sleep(req["duration"])
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    stats = sched.stats
    return {"started": stats.started, "completed": stats.completed, "skipped": stats.skipped,
            "failed": failed, "max_lag": stats.max_lag_seconds, "lags": percentiles(lags),
            "devices_seen": len(state.devices()), "gc": gc_timer.close()}


def worker_main() -> None:
    """Serve JSON requests on stdin (one per line) until EOF; answers on stdout."""
    for line in sys.stdin:
        req = json.loads(line)
        run = worker_schedule if req["cmd"] == "schedule" else worker_pass
        print(json.dumps(asyncio.run(run(req))), flush=True)


class Worker:
    """Our poller in its own process, so that its CPU is read from /proc like the exporter's."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, MAIN_SCRIPT, "--worker"], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.proc.pid

    def ask(self, **req: Any) -> dict[str, Any]:
        """Send one request, wait for its answer."""
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the worker died")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        """End the worker (EOF on stdin, then by PID)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            stop(self.proc)

