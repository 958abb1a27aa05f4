import asyncio

from noc.scheduler import Scheduler, in_shard, phase


def test_phases_spread_devices_over_the_interval():
    names = [f"dev{i}" for i in range(1000)]
    buckets = [0] * 10
    for name in names:
        p = phase(name, 60.0)
        assert 0 <= p < 60
        buckets[int(p // 6)] += 1
    assert min(buckets) > 60 and max(buckets) < 140  # roughly even, no thundering herd


def test_shards_partition_the_fleet():
    names = [f"dev{i}" for i in range(500)]
    owners = [[i for i in (1, 2, 3) if in_shard(n, i, 3)] for n in names]
    assert all(len(o) == 1 for o in owners)
    assert all(in_shard(n, 1, 1) for n in names)


async def test_every_device_polled_once_per_interval_with_bounded_concurrency():
    polled: list[str] = []
    running = 0
    peak = 0

    async def poll(name: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        polled.append(name)
        running -= 1

    sched = Scheduler(poll, interval=0.5, concurrency=3)
    sched.set_devices([f"d{i}" for i in range(12)])
    task = asyncio.create_task(sched.run())
    await asyncio.sleep(1.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    counts = {n: polled.count(n) for n in set(polled)}
    assert set(counts) == {f"d{i}" for i in range(12)}
    assert all(2 <= c <= 3 for c in counts.values())
    assert peak <= 3


async def test_slow_poll_is_skipped_not_stacked():
    started: list[float] = []

    async def poll(name: str) -> None:
        started.append(asyncio.get_running_loop().time())
        await asyncio.sleep(1.0)  # longer than the interval

    sched = Scheduler(poll, interval=0.2, concurrency=10)
    sched.set_devices(["slow"])
    task = asyncio.create_task(sched.run())
    await asyncio.sleep(0.9)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(started) == 1
    assert sched.stats.skipped >= 2


async def test_a_failing_poll_does_not_stop_the_scheduler():
    calls: list[str] = []

    async def poll(name: str) -> None:
        calls.append(name)
        if name == "bad":
            raise RuntimeError("bug")

    sched = Scheduler(poll, interval=0.2, concurrency=2)
    sched.set_devices(["bad", "good"])
    task = asyncio.create_task(sched.run())
    await asyncio.sleep(0.55)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert calls.count("good") >= 2 and calls.count("bad") >= 2


async def test_poll_now_brings_a_device_forward():
    seen: list[str] = []

    async def poll(name: str) -> None:
        seen.append(name)

    sched = Scheduler(poll, interval=3600, concurrency=2)
    sched.set_devices(["a", "b"])
    task = asyncio.create_task(sched.run())
    await asyncio.sleep(0.05)
    sched.poll_now(["b"])
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert "b" in seen


async def test_poll_now_during_a_poll_polls_again_right_after_it():
    started: list[float] = []
    release = asyncio.Event()

    async def poll(name: str) -> None:
        started.append(asyncio.get_running_loop().time())
        if len(started) == 1:
            await release.wait()  # the first poll is slow: the device changes meanwhile

    sched = Scheduler(poll, interval=3600, concurrency=2)
    sched.set_devices(["core"])
    task = asyncio.create_task(sched.run())
    try:
        sched.poll_now(["core"])
        for _ in range(100):
            if started:
                break
            await asyncio.sleep(0.01)
        sched.poll_now(["core"])  # a linkDown trap arrives while "core" is being polled
        await asyncio.sleep(0.05)
        assert len(started) == 1  # not twice at once
        release.set()
        for _ in range(100):
            if len(started) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(started) == 2  # polled again at once, not an interval later
        assert sched.stats.skipped == 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
