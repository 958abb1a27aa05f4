"""InfluxDB export against real servers: VictoriaMetrics (v2 API) and influxd 1.6 (v1 /write).

Each test starts its own server (own port and data dir), stops it by PID and
restarts it on the same port and data dir for the outage tests. The kill -9
test runs a writer in a subprocess, SIGKILLs it while the server is down and
checks that a new writer on the same buffer delivers every point it had
buffered.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from collectors.base import InterfaceSample, SystemInfo
from inventory.catalog import CatDevice
from noc.influx import writer as writer_mod
from noc.influx.points import PointBuilder
from noc.influx.writer import InfluxWriter
from noc.settings import InfluxSettings
from noc.state import DeviceState, InterfaceState
from tests.peers.influxd import InfluxdPeer
from tests.peers.victoriametrics import DaemonPeer, VictoriaMetricsPeer

REPO = Path(__file__).resolve().parents[3]
BASE_MS = (int(time.time()) - 3600) * 1000  # an hour ago: inside every retention


@pytest.fixture
def vm() -> Iterator[VictoriaMetricsPeer]:
    peer = VictoriaMetricsPeer()
    peer.start()
    yield peer
    peer.close()


@pytest.fixture
def influxd() -> Iterator[InfluxdPeer]:
    peer = InfluxdPeer()
    peer.start()
    peer.create_database("noc")
    yield peer
    peer.close()


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_mod, "backoff_delay", lambda attempt: 0.2)


def _cfg(peer: DaemonPeer, buffer_size: int = 50) -> InfluxSettings:
    if isinstance(peer, InfluxdPeer):
        return InfluxSettings(url=peer.url, kind="v1", database="noc", batch_size=buffer_size,
                              flush_interval=0.05)
    return InfluxSettings(url=peer.url, org="metronet", bucket="noc", batch_size=buffer_size,
                          token=SecretStr("tok-test-only"), flush_interval=0.05)


async def _until(what: str, cond: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def _lines(start: int, stop: int) -> list[str]:
    return [f"seq,device=sw\\ Hà\\ Nội v={i}i {BASE_MS + i}" for i in range(start, stop)]


def _read_back(peer: DaemonPeer) -> list[tuple[int, int]]:
    """(timestamp ms, value) of every stored ``seq`` point, in time order."""
    if isinstance(peer, InfluxdPeer):
        series = peer.query("SELECT v FROM seq", db="noc")
        return [(int(t), int(v)) for s in series for t, v in s["values"]]
    assert isinstance(peer, VictoriaMetricsPeer)
    rows = peer.export('{__name__="seq_v"}')
    return [(int(t), int(v)) for r in rows for t, v in zip(r["timestamps"], r["values"],
                                                            strict=True)]


def _expected(n: int) -> list[tuple[int, int]]:
    return [(BASE_MS + i, i) for i in range(n)]


def _device() -> tuple[DeviceState, CatDevice]:
    cat = CatDevice("core-hn,01", "SỞ GTVT", "Hà Nội = trung tâm", "router", "127.0.0.1", 161,
                    "p", "snmp")
    dev = DeviceState("core-hn,01", up=True, last_poll=BASE_MS / 1000, last_duration=0.25,
                      system=SystemInfo(uptime_ticks=360000))
    iface = InterfaceState(InterfaceSample(3, name="Gi0/3 (Cầu Giấy)", oper_status=1,
                                           counters={"in_octets": 2**63, "out_octets": 7,
                                                     "in_errors": 0, "out_errors": 1}))
    iface.rates = {"in_octets": 125.0, "out_octets": 250.0}
    dev.interfaces = {3: iface}
    return dev, cat


async def test_device_points_arrive_in_victoriametrics(vm: VictoriaMetricsPeer,
                                                       tmp_path: Path) -> None:
    w = InfluxWriter(_cfg(vm), tmp_path)
    await w.start()
    w.add(PointBuilder().device_lines(*_device()))
    await w.stop(drain_timeout=10)
    assert w.written == 2
    rows = {r["metric"]["__name__"]: r for r in vm.export('{__name__=~"(device|interface)_.*"}')}
    up = rows["device_up"]
    assert up["metric"] == {"__name__": "device_up", "device": "core-hn,01",
                            "agency": "SỞ GTVT", "site": "Hà Nội = trung tâm"}
    assert up["values"] == [1] and up["timestamps"] == [BASE_MS]
    assert rows["interface_in_bps"]["metric"]["interface"] == "Gi0/3 (Cầu Giấy)"
    assert rows["interface_in_bps"]["values"] == [1000]
    assert rows["interface_out_errors"]["values"] == [1]
    assert rows["interface_in_octets"]["values"] == [-(2**63)]  # two's complement of 2^63
    assert rows["device_uptime_seconds"]["values"] == [3600]


async def test_device_points_arrive_in_influxd(influxd: InfluxdPeer, tmp_path: Path) -> None:
    w = InfluxWriter(_cfg(influxd), tmp_path)
    await w.start()
    w.add(PointBuilder().device_lines(*_device()))
    await w.stop(drain_timeout=10)
    [series] = influxd.query('SELECT * FROM interface', db="noc")
    row = dict(zip(series["columns"], series["values"][0], strict=True))
    assert row["device"] == "core-hn,01" and row["site"] == "Hà Nội = trung tâm"
    assert row["interface"] == "Gi0/3 (Cầu Giấy)" and row["in_octets"] == -(2**63)
    assert row["in_bps"] == 1000.0 and row["oper_up"] == 1 and row["time"] == BASE_MS


@pytest.mark.parametrize("peer_name", ["vm", "influxd"])
async def test_outage_buffers_then_replays_in_order_without_loss_or_duplicates(
        peer_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    peer: DaemonPeer = request.getfixturevalue(peer_name)
    n, m = 500, 700
    w = InfluxWriter(_cfg(peer), tmp_path)
    await w.start()
    w.add(_lines(0, n))
    await _until("first points written", lambda: w.written == n)
    peer.stop()  # SIGTERM by PID; data dir kept
    w.add(_lines(n, n + m))
    await _until("retries while down", lambda: w.retries >= 2)
    assert w.stats().buffer_points == m and w.stats().buffer_bytes > 0
    peer.start()  # same port, same data dir
    await _until("replay", lambda: w.written == n + m)
    await w.stop()
    assert _read_back(peer) == _expected(n + m)
    assert w.stats().points_dropped == 0


_DRIVER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from pydantic import SecretStr
    from noc.influx.writer import InfluxWriter
    from noc.settings import InfluxSettings

    async def main():
        url, buffer_dir, base = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
        cfg = InfluxSettings(url=url, org="metronet", bucket="noc",
                             token=SecretStr("tok-test-only"), batch_size=100)
        w = InfluxWriter(cfg, buffer_dir)
        await w.start()
        i = 0
        while True:
            w.add([f"seq,device=sw\\\\ Hà\\\\ Nội v={k}i {base + k}" for k in range(i, i + 100)])
            i += 100
            await w.flush()
            print(i, flush=True)  # every point below i is on disk

    asyncio.run(main())
""")


def _kill_driver_after(url: str, buffer_dir: Path, points: int) -> int:
    """Run the driver until ``points`` are on disk, SIGKILL it; the last durable count."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, url, str(buffer_dir),
                             str(BASE_MS)], stdout=subprocess.PIPE, env=env)
    durable = 0
    try:
        assert proc.stdout is not None
        while durable < points:
            line = proc.stdout.readline()
            assert line, "driver died"
            durable = int(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    return durable


async def test_kill_9_with_server_down_then_new_writer_delivers_everything(
        tmp_path: Path) -> None:
    peer = VictoriaMetricsPeer()  # not started yet: the driver writes to a closed port
    buffer_dir = tmp_path / "buffer"
    durable = _kill_driver_after(peer.url, buffer_dir, 3000)
    try:
        peer.start()
        w = InfluxWriter(_cfg(peer), buffer_dir)
        await w.start()
        await _until("replay of the killed writer's buffer", lambda: w.written >= durable)
        await w.stop()
        got = _read_back(peer)
        assert got[:durable] == _expected(durable)
        assert got == _expected(len(got))  # anything after the last report is intact too
    finally:
        peer.close()
