"""The writer with a fake transport: ordering, retries with backoff, nothing lost, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.registry import Collector
from pydantic import SecretStr

from noc.influx import writer as writer_mod
from noc.influx.metrics import influx_families
from noc.influx.transport import V1Transport, WriteError
from noc.influx.writer import InfluxWriter, backoff_delay
from noc.settings import InfluxSettings


def test_backoff_doubles_from_half_a_second_and_caps_at_30() -> None:
    assert [backoff_delay(a) for a in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff_delay(10_000) == 30


class FakeTransport:
    """Fails while ``down``; records what was acknowledged."""

    def __init__(self) -> None:
        self.down = False
        self.status: int | None = None
        self.got: list[bytes] = []

    def send(self, payload: bytes) -> None:
        if self.down:
            raise WriteError("connection refused", self.status)
        self.got.append(payload)

    def close(self) -> None:
        pass


def _cfg(**kw: object) -> InfluxSettings:
    base: dict[str, object] = {"url": "http://127.0.0.1:1", "org": "o", "bucket": "b",
                               "batch_size": 10, "flush_interval": 0.01}
    return InfluxSettings.model_validate(base | kw)


async def _until(cond: Callable[[], bool], within: float = 5.0) -> None:
    for _ in range(int(within / 0.01)):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


def _points(got: list[bytes]) -> list[str]:
    return [line for payload in got for line in payload.decode().split("\n")]


async def test_outage_keeps_order_and_loses_nothing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_mod, "backoff_delay", lambda a: 0.01)
    fake = FakeTransport()
    w = InfluxWriter(_cfg(), tmp_path, fake)
    await w.start()
    w.add([f"m v={i}i {i}" for i in range(25)])
    await _until(lambda: w.written == 25)
    fake.down = True
    w.add([f"m v={i}i {i}" for i in range(25, 60)])
    await _until(lambda: w.retries >= 3)
    assert w.stats().buffer_points == 35
    fake.down = False
    await _until(lambda: w.written == 60)
    await w.stop()
    assert _points(fake.got) == [f"m v={i}i {i}" for i in range(60)]
    assert w.stats().write_errors == w.stats().write_retries >= 3


async def test_leftover_buffer_is_replayed_first(tmp_path: Path) -> None:
    fake = FakeTransport()
    fake.down = True
    first = InfluxWriter(_cfg(), tmp_path, fake)
    await first.start()
    first.add([f"m v={i}i {i}" for i in range(15)])
    await first.stop(drain_timeout=0.05)
    assert first.stats().buffer_points == 15
    fake.down = False
    second = InfluxWriter(_cfg(), tmp_path, fake)
    await second.start()
    second.add(["m v=15i 15"])
    await _until(lambda: second.written == 16)
    await second.stop()
    assert _points(fake.got) == [f"m v={i}i {i}" for i in range(16)]


async def test_a_batch_refused_with_400_is_dropped_and_counted(tmp_path: Path) -> None:
    fake = FakeTransport()
    fake.down, fake.status = True, 400
    w = InfluxWriter(_cfg(), tmp_path, fake)
    await w.start()
    w.add(["bad line"] * 3)
    await _until(lambda: w.stats().points_dropped == 3)
    await w.stop()
    assert w.stats().write_errors == 1 and w.stats().write_retries == 0


def test_metrics_families_and_no_secret(tmp_path: Path) -> None:
    cfg = _cfg(token=SecretStr("tok-very-secret"))
    w = InfluxWriter(cfg, tmp_path, FakeTransport(), clock=lambda: 100.0)
    w.add(["m v=1i 1"])

    class _C(Collector):
        def collect(self):  # type: ignore[no-untyped-def]
            return influx_families(w.stats())

    reg = CollectorRegistry()
    reg.register(_C())
    assert reg.get_sample_value("noc_influx_buffer_points") == 1
    assert reg.get_sample_value("noc_influx_points_dropped_total") == 0
    assert reg.get_sample_value("noc_influx_write_retries_total") == 0
    text = generate_latest(reg).decode()
    for name in ("buffer_bytes", "buffer_oldest_age_seconds", "points_written_total",
                 "write_errors_total"):
        assert f"noc_influx_{name} " in text
    assert "tok-very-secret" not in text
    assert list(influx_families(None)) == []


def test_v1_errors_and_repr_never_show_the_password() -> None:
    cfg = InfluxSettings(url="http://127.0.0.1:9", kind="v1", database="noc", username="u",
                         password=SecretStr("pw-very-secret"))
    t = V1Transport(cfg)
    with pytest.raises(WriteError) as err:
        t.send(b"m v=1i 1")
    assert err.value.retryable
    assert "pw-very-secret" not in str(err.value)
    assert "pw-very-secret" not in repr(cfg) and "pw-very-secret" not in str(cfg.model_dump())


async def test_a_failed_buffer_write_keeps_the_lines_for_the_next_flush(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTransport()
    w = InfluxWriter(_cfg(), tmp_path, fake)
    await w.start()
    real_append = w.buffer.append
    failures = iter([True])

    def flaky(payload: bytes, points: int, created: float | None = None) -> int:
        if next(failures, False):
            raise OSError(28, "No space left on device")
        return real_append(payload, points, created)

    monkeypatch.setattr(w.buffer, "append", flaky)
    w.add([f"m v={i}i {i}" for i in range(5)])
    await _until(lambda: w.written == 5)
    await w.stop()
    assert _points(fake.got) == [f"m v={i}i {i}" for i in range(5)]
