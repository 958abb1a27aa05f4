"""FpingRunner against a fake fping script: stdin targets, chunks, deadline, errors."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from collectors.icmp.fping import (
    FpingNotFoundError,
    FpingOptions,
    FpingRunner,
    InvalidAddressError,
    check_addresses,
)

# The fake reads targets from stdin like ``fping -f -``, logs its argv, PID and
# targets as one JSON line to LOG, then runs BODY (which may use ``targets``).
PRELUDE = """\
import json, os, signal, sys, time
targets = [line.strip() for line in sys.stdin if line.strip()]
with open({log!r}, "a") as out:
    out.write(json.dumps({{"argv": sys.argv[1:], "pid": os.getpid(), "targets": targets}}) + "\\n")
"""

ANSWER_ALL = "for t in targets:\n    print(f'{t} : 0.1 0.2 -', file=sys.stderr)\n"


def fake(tmp_path: Path, body: str) -> tuple[tuple[str, ...], Path]:
    log = tmp_path / "calls.jsonl"
    script = tmp_path / "fake_fping.py"
    script.write_text(PRELUDE.format(log=str(log)) + textwrap.dedent(body))
    return (sys.executable, str(script)), log


def calls(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_targets_go_on_stdin_and_every_address_gets_a_sample(tmp_path: Path):
    command, log = fake(tmp_path, ANSWER_ALL)
    runner = FpingRunner(FpingOptions(count=3, period_ms=250, timeout_ms=400), command)
    samples = await runner.cycle(["127.0.0.1", "127.0.0.2"])
    [call] = calls(log)
    assert call["targets"] == ["127.0.0.1", "127.0.0.2"]
    argv = call["argv"]
    assert isinstance(argv, list)
    assert argv[-2:] == ["-f", "-"]
    assert " ".join(argv).startswith("-C 3 -q -p 250 -t 400")
    assert set(samples) == {"127.0.0.1", "127.0.0.2"}
    first = samples["127.0.0.1"]
    assert (first.sent, first.received, first.complete) == (3, 2, True)
    assert runner.last.targets == 2
    assert runner.last.replied == 2
    assert runner.last.processes == 1


async def test_chunks_bound_the_targets_per_process(tmp_path: Path):
    command, log = fake(tmp_path, ANSWER_ALL)
    runner = FpingRunner(FpingOptions(chunk_size=2, parallel=2), command)
    addresses = [f"127.0.3.{i}" for i in range(1, 6)]
    samples = await runner.cycle(addresses)
    sizes = sorted(len(c["targets"]) for c in calls(log))  # type: ignore[arg-type]
    assert sizes == [1, 2, 2]
    assert runner.last.processes == 3
    assert all(samples[a].received == 2 for a in addresses)


async def test_spellings_of_one_address_are_pinged_once(tmp_path: Path):
    command, log = fake(tmp_path, ANSWER_ALL)
    samples = await FpingRunner(command=command).cycle(["::1", "0::1", " 127.0.0.1"])
    [call] = calls(log)
    assert call["targets"] == ["::1", "127.0.0.1"]
    assert set(samples) == {"::1", "0::1", " 127.0.0.1"}
    assert samples["0::1"].address == "0::1"
    assert samples["0::1"].received == 2


@pytest.mark.parametrize("bad", ["localhost", "router.example", "127.1", "", "127.40.0.256"])
async def test_names_are_refused_before_anything_runs(tmp_path: Path, bad: str):
    command, log = fake(tmp_path, ANSWER_ALL)
    with pytest.raises(InvalidAddressError, match="not IP addresses"):
        await FpingRunner(command=command).cycle(["127.0.0.1", bad])
    assert calls(log) == []


def test_check_addresses_canonicalises():
    assert check_addresses(["2001:DB8::1", "127.0.0.1"]) == {
        "2001:db8::1": ["2001:DB8::1"], "127.0.0.1": ["127.0.0.1"]}


def test_missing_fping_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FpingNotFoundError, match="apt-get install fping"):
        FpingRunner(command=(str(tmp_path / "no-such-fping"),))


async def test_missing_and_foreign_results(tmp_path: Path):
    body = """\
    print(f"{targets[0]} : 0.5", file=sys.stderr)
    print("127.49.9.9 : 0.5", file=sys.stderr)  # not asked for: ignored
    """
    command, _ = fake(tmp_path, body)
    runner = FpingRunner(FpingOptions(count=1), command)
    samples = await runner.cycle(["127.0.0.1", "127.0.0.2"])
    assert set(samples) == {"127.0.0.1", "127.0.0.2"}
    assert samples["127.0.0.1"].complete
    missing = samples["127.0.0.2"]
    assert (missing.sent, missing.received, missing.complete) == (0, 0, False)


async def test_garbage_and_failure_exit_never_raise(tmp_path: Path):
    body = """\
    print("fping: can't create raw socket", file=sys.stderr)
    print("%%% nonsense", flush=True)
    sys.exit(4)
    """
    command, _ = fake(tmp_path, body)
    runner = FpingRunner(command=command)
    samples = await runner.cycle(["127.0.0.1"])
    assert samples["127.0.0.1"].sent == 0
    assert runner.last.malformed == 1
    assert runner.last.messages == 1
    assert "fping exited 4 over 1 targets" in runner.last.errors
    assert "fping: can't create raw socket" in runner.last.errors


async def test_fping_ending_before_reading_its_targets(tmp_path: Path):
    script = tmp_path / "refuses.py"
    script.write_text("import sys\nprint('fping: -i below 1 ms needs root', file=sys.stderr)\n"
                      "sys.exit(3)\n")
    runner = FpingRunner(command=(sys.executable, str(script)))
    samples = await runner.cycle([f"127.0.9.{i}" for i in range(1, 250)])
    assert all(s.sent == 0 for s in samples.values())
    assert "fping: -i below 1 ms needs root" in runner.last.errors
    assert "fping exited 3 over 249 targets" in runner.last.errors


async def test_executable_vanishing_after_setup_is_reported_not_raised(tmp_path: Path):
    script = tmp_path / "fping"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    runner = FpingRunner(command=(str(script),))
    script.unlink()
    samples = await runner.cycle(["127.0.0.1"])
    assert samples["127.0.0.1"].sent == 0
    assert runner.last.errors and runner.last.errors[0].startswith("cannot start")


async def test_deadline_interrupts_and_keeps_what_fping_printed(tmp_path: Path):
    body = """\
    def stop(signum, frame):
        print(f"{targets[0]} : 0.3", file=sys.stderr)
        print(f"{targets[1]} : -", file=sys.stderr)
        print(f"{targets[2]} :", file=sys.stderr)
        sys.exit(1)
    signal.signal(signal.SIGINT, stop)
    time.sleep(60)
    """
    command, log = fake(tmp_path, body)
    runner = FpingRunner(FpingOptions(count=3, deadline_s=0.8, grace_s=2.0), command)
    began = time.monotonic()
    samples = await runner.cycle(["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"])
    assert time.monotonic() - began < 2.5
    got = [(s.sent, s.received, s.complete) for s in samples.values()]
    assert got == [(1, 1, False), (1, 0, False), (0, 0, False), (0, 0, False)]
    assert runner.last.overran == 1
    [call] = calls(log)
    assert not alive(int(call["pid"]))  # type: ignore[call-overload]


async def test_process_ignoring_sigint_is_killed_at_deadline_plus_grace(tmp_path: Path):
    body = """\
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print(f"{targets[0]} : 0.3", file=sys.stderr, flush=True)
    time.sleep(60)
    """
    command, log = fake(tmp_path, body)
    runner = FpingRunner(FpingOptions(count=1, deadline_s=0.8, grace_s=0.3), command)
    began = time.monotonic()
    samples = await runner.cycle(["127.0.0.1", "127.0.0.2"])
    assert time.monotonic() - began < 2.0
    assert samples["127.0.0.1"].received == 1  # read before the kill
    assert not samples["127.0.0.1"].complete
    assert samples["127.0.0.2"].sent == 0
    [call] = calls(log)
    assert not alive(int(call["pid"]))  # type: ignore[call-overload]


async def test_cancelled_cycle_kills_its_process(tmp_path: Path):
    command, log = fake(tmp_path, "time.sleep(60)\n")
    runner = FpingRunner(FpingOptions(deadline_s=30.0), command)
    task = asyncio.create_task(runner.cycle(["127.0.0.1"]))
    for _ in range(200):  # until the fake has started (10 s at most)
        if calls(log):
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [call] = calls(log)
    assert not alive(int(call["pid"]))  # type: ignore[call-overload]


def test_options_are_validated_and_estimated():
    with pytest.raises(ValueError, match="at least 1"):
        FpingOptions(count=0)
    with pytest.raises(ValueError, match="positive"):
        FpingOptions(deadline_s=0)
    opts = FpingOptions(count=3, period_ms=500, timeout_ms=1000, interval_ms=1.0,
                        chunk_size=1000, parallel=2)
    assert opts.estimated_s(10) == pytest.approx(2.0)  # probe spacing dominates
    assert opts.estimated_s(1000) == pytest.approx(3.1)  # send rate dominates
    assert opts.cycle_estimated_s(3000) == pytest.approx(2 * 3.1)
    assert opts.cycle_estimated_s(0) == 0.0
