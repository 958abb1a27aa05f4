"""The receiver's intake: counting, per-source and total rate limits, queue cap, delivery."""

from __future__ import annotations

from typing import Any

from collectors.traps import Trap, TrapReceiver
from collectors.traps.receiver import TokenBucket
from noc.lab.traps import encode_v2c_trap, link_trap_varbinds

COMMUNITY = b"public"
LINK_DOWN = encode_v2c_trap(COMMUNITY, "1.3.6.1.6.3.1.1.5.3", 10,
                            link_trap_varbinds(False, 2, "Gi0/2"))
COLD = encode_v2c_trap(COMMUNITY, "1.3.6.1.6.3.1.1.5.1", 10, [])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def receiver(got: list[Trap], clock: Clock, **kwargs: Any) -> TrapReceiver:
    return TrapReceiver([COMMUNITY], on_trap=got.append, clock=clock,
                        wall_clock=lambda: 1_700_000_000.0, **kwargs)


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.25) is False  # half a token
    assert bucket.take(0.5) is True
    assert bucket.full_at(10.0)


def test_trap_is_decoded_counted_and_delivered() -> None:
    got: list[Trap] = []
    rx = receiver(got, Clock())
    rx.receive(LINK_DOWN, ("127.0.0.5", 5000))
    rx.receive(COLD, ("127.0.0.5", 5000))
    assert got == []  # nothing is decoded on the intake path
    assert rx.process_pending() == 2
    assert [(t.kind, t.source, t.port) for t in got] == [("link_down", "127.0.0.5", 5000),
                                                         ("cold_start", "127.0.0.5", 5000)]
    assert got[0].received_at == 1_700_000_000.0
    stats = rx.stats
    assert (stats.received, stats.accepted, stats.drops) == (2, 2, 0)
    assert stats.by_kind == {"link_down": 1, "cold_start": 1}


def test_per_source_rate_limit_counts_drops_and_spares_other_sources() -> None:
    got: list[Trap] = []
    clock = Clock()
    rx = receiver(got, clock, rate_per_source=10.0, burst=20)
    for _ in range(100):
        rx.receive(COLD, ("127.0.0.5", 162))
    rx.receive(COLD, ("127.0.0.6", 162))
    assert rx.stats.rate_limited == 80
    clock.now += 1.0  # ten more tokens
    for _ in range(15):
        rx.receive(COLD, ("127.0.0.5", 162))
    rx.process_pending()
    stats = rx.stats
    assert stats.rate_limited == 85
    assert stats.accepted == 20 + 1 + 10
    assert sum(1 for t in got if t.source == "127.0.0.6") == 1
    assert rx.drops == 85


def test_total_rate_limit_applies_across_sources() -> None:
    rx = receiver([], Clock(), rate_total=5.0, burst=1)
    for i in range(20):
        rx.receive(COLD, (f"127.0.1.{i}", 162))
    assert rx.stats.rate_limited == 15


def test_queue_cap_counts_drops_without_decoding() -> None:
    got: list[Trap] = []
    rx = receiver(got, Clock(), queue_size=5, burst=1000)
    for _ in range(12):
        rx.receive(COLD, ("127.0.0.5", 162))
    assert rx.stats.queue_dropped == 7
    assert rx.process_pending(limit=3) == 3
    assert rx.process_pending() == 2
    assert len(got) == 5
    assert rx.stats.drops == 7


def test_malformed_and_bad_auth_are_counted_never_raised() -> None:
    got: list[Trap] = []
    rx = receiver(got, Clock())
    for data in (b"", b"\x30\x84\xff\xff\xff\xff", LINK_DOWN[:-4], b"\xff" * 50):
        rx.receive(data, ("127.0.0.5", 162))
    rx.receive(encode_v2c_trap(b"private", "1.3.6.1.6.3.1.1.5.1", 1, []), ("127.0.0.5", 162))
    rx.process_pending()
    stats = rx.stats
    assert (stats.malformed, stats.bad_auth, stats.accepted) == (4, 1, 0)
    assert got == []


def test_a_failing_handler_does_not_stop_delivery() -> None:
    seen: list[str] = []

    def handler(trap: Trap) -> None:
        seen.append(trap.kind)
        raise RuntimeError("boom")

    rx = TrapReceiver([COMMUNITY], on_trap=handler)
    rx.receive(COLD, ("127.0.0.5", 162))
    rx.receive(LINK_DOWN, ("127.0.0.5", 162))
    assert rx.process_pending() == 2
    assert seen == ["cold_start", "link_down"]


def test_many_spoofed_sources_keep_the_bucket_table_bounded() -> None:
    rx = receiver([], Clock(), rate_total=1e9)
    rx._max_sources = 50
    for i in range(500):
        rx.receive(b"", (f"127.{i // 250}.{i % 250}.1", 162))
    assert len(rx._buckets) <= 50
    assert rx.stats.received == 500


def test_stats_is_a_copy() -> None:
    rx = receiver([], Clock())
    stats = rx.stats
    stats.by_kind["x"] = 1
    stats.received = 99
    assert rx.stats.by_kind == {} and rx.stats.received == 0
