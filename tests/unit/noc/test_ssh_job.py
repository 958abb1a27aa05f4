"""The SSH job without a network: target selection, failures in the state, config events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from collectors.ssh import (
    HostKeyChangedError,
    HostKeyUnknownError,
    SessionOutput,
    SshAuthError,
    SshTarget,
    SshTimeoutError,
)
from collectors.ssh.cli import command_slug
from collectors.ssh.linux import COMMANDS as LINUX_COMMANDS
from inventory.catalog import CatAgency, Catalog, CatDevice
from noc.db import init_schema, make_engine, session_factory
from noc.metrics import NocCollector, Snapshot
from noc.metrics_ssh import ssh_self_families
from noc.scheduler import SchedulerStats
from noc.settings import CredentialProfile, Settings
from noc.ssh_job import UNAME, SshJob
from noc.state import DeviceState, State
from noc.status import agency_statuses

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cli" / "linux"
PASSWORD = "Lx-Pw-9aQ2-zz"  # a test secret that must never show
CONFIG_V1 = "hostname q1-dist-sw1\n!\nenable secret 5 $1$abcd$SeCrEtHaSh\n!\nend\n"
CONFIG_V2 = CONFIG_V1.replace("!\nend", "interface Gi0/1\n description uplink ward-7\n!\nend")


def linux_outputs() -> dict[str, str]:
    outputs = {cmd: (FIXTURES / command_slug(cmd) / "q10_mon1.raw").read_text()
               for cmd in LINUX_COMMANDS}
    outputs[UNAME] = "Linux q10-mon1 6.1.0-18-amd64 x86_64\n"
    return outputs


class FakePool:
    """Stands in for SshPool: answers by command, or raises what the device 'does'."""

    def __init__(self) -> None:
        self.outputs: dict[str, str] = {}
        self.error: Exception | None = None
        self.calls: list[tuple[str, list[str]]] = []
        self.block = False
        self.closed = False

    async def run(self, target: SshTarget, commands: list[str]) -> SessionOutput:
        self.calls.append((target.name, list(commands)))
        if self.block:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error
        return SessionOutput(target.name, {c: self.outputs.get(c, "") for c in commands},
                             "q10-mon1$", 0.05)

    def close(self, wait: bool = True) -> None:
        self.closed = True


def dev(name: str, monitoring: str = "ssh", platform: str = "linux", *,
        credentials: str | None = "srv", status: str = "active",
        address: str | None = "127.0.0.1") -> CatDevice:
    return CatDevice(name, "Q10", "Q10", "server", address, 161, credentials, monitoring,
                     status=status, platform=platform, ssh_port=2222)


PROFILES = {
    "srv": CredentialProfile(ssh_username="noc", ssh_password=PASSWORD),
    "sw": CredentialProfile(community="public-ro", ssh_username="noc", ssh_password=PASSWORD,
                            ssh_enable_secret="En-Secret-55"),
    "snmp-only": CredentialProfile(community="public-ro"),
}


@pytest.fixture
def pool() -> FakePool:
    return FakePool()


@pytest.fixture
def job(tmp_path: Path, pool: FakePool) -> Iterator[SshJob]:
    engine = make_engine(f"sqlite:///{tmp_path / 'noc.sqlite3'}")
    init_schema(engine)
    settings = Settings(data_dir=tmp_path, ssh={"workers": 2, "timeout": 5})
    yield SshJob(settings, State(), session_factory(engine), PROFILES, pool=pool)  # type: ignore[arg-type]
    engine.dispose()


def test_targets_follow_monitoring_platform_status_and_profile(
        job: SshJob, caplog: pytest.LogCaptureFixture) -> None:
    devices = [dev("q10-mon1"), dev("q1-dist-sw1", platform="cisco_ios", credentials="sw"),
               dev("q1-core", "snmp", "cisco_ios", credentials="sw"),
               dev("q2-core", "snmp", "huawei", credentials="snmp-only"),
               dev("q3-core", "none", "cisco_ios", credentials="sw"),
               dev("q4-old", status="retired"), dev("q5-nomgmt", address=None),
               dev("q6-srv", credentials="vault-missing"), dev("q7-srv", platform=""),
               dev("q8-icmp", "icmp", "linux")]
    with caplog.at_level(logging.INFO, logger="noc.ssh_job"):
        job.set_devices(devices)
        job.set_devices(devices)  # a reload does not repeat the warnings
    assert set(job.facts_targets) == {"q10-mon1", "q1-dist-sw1"}
    assert set(job.backup_targets) == {"q1-dist-sw1", "q1-core"}
    assert job.watched == {"q10-mon1", "q1-dist-sw1"}
    sw = job.backup_targets["q1-core"]
    assert (sw.host, sw.port, sw.device_type, sw.enable) == ("127.0.0.1", 2222, "cisco_ios", True)
    assert sw.credentials.enable_secret == "En-Secret-55"
    assert job.facts_targets["q10-mon1"].enable is False
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert any("q6-srv" in w and "'vault-missing' is unknown" in w for w in warnings)
    assert any("q7-srv" in w and "needs a platform" in w for w in warnings)
    assert any("q2-core" in r.getMessage() and r.levelno == logging.INFO
               for r in caplog.records)
    assert job.stats().facts_devices == 2 and job.stats().backup_devices == 2


def test_disabled_job_has_no_targets(tmp_path: Path, pool: FakePool) -> None:
    settings = Settings(data_dir=tmp_path, ssh={"enabled": False})
    job = SshJob(settings, State(), session_factory(make_engine("sqlite://")), PROFILES,
                 pool=pool)  # type: ignore[arg-type]
    job.set_devices([dev("q10-mon1")])
    assert job.facts_targets == {} and job.backup_targets == {}


def snapshot(state: State, devices: list[CatDevice]) -> Snapshot:
    catalog = Catalog({"Q10": CatAgency("Q10", "district", "Quận 10", "District 10", None)},
                      {d.name: d for d in devices})
    return Snapshot(catalog, state.devices(), agency_statuses(catalog, state.devices()),
                    SchedulerStats(), {})


async def test_linux_answer_makes_device_up_with_facts_in_metrics(
        job: SshJob, pool: FakePool) -> None:
    fed: list[tuple[DeviceState, CatDevice | None]] = []
    job.feed = lambda state, cat: fed.append((state, cat))
    pool.outputs = linux_outputs()
    device = dev("q10-mon1")
    job.set_devices([device])
    await job.poll_facts("q10-mon1")
    state = job.state.device("q10-mon1")
    assert state.up is True and state.last_error == ""
    assert state.system is not None and state.system.name == "q10-mon1"
    assert state.system.descr.startswith("Linux q10-mon1 6.1.0")
    assert state.system.uptime_ticks > 0
    assert state.facts is not None and state.facts.memory is not None
    assert state.facts.memory.total_bytes == 16709877760
    assert len(state.facts.load_average) == 3
    assert fed == [(state, device)]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NocCollector(lambda: snapshot(job.state, [device])))
    assert registry.get_sample_value("noc_device_memory_total_bytes",
                                     {"device": "q10-mon1"}) == 16709877760
    assert registry.get_sample_value("noc_device_disk_total_bytes",
                                     {"device": "q10-mon1", "disk": "/"}) == 61611820 * 1024
    assert job.stats().sessions_ok == 1


async def test_unknown_host_key_is_down_with_trust_hint(job: SshJob, pool: FakePool) -> None:
    pool.error = HostKeyUnknownError("127.0.0.1", 2222, "SHA256:newkeyAAAA", name="q10-mon1")
    job.set_devices([dev("q10-mon1")])
    await job.poll_facts("q10-mon1")
    state = job.state.device("q10-mon1")
    assert state.up is False
    assert "not trusted" in state.last_error and "noc ssh trust q10-mon1" in state.last_error
    assert [e.kind for e in job.state.events] == ["device_down"]
    assert job.stats().failures == {"host_key": 1}


async def test_changed_host_key_names_both_fingerprints(job: SshJob, pool: FakePool) -> None:
    pool.error = HostKeyChangedError("127.0.0.1", 2222, "SHA256:oldOLD", "SHA256:newNEW")
    job.set_devices([dev("q10-mon1")])
    await job.poll_facts("q10-mon1")
    error = job.state.device("q10-mon1").last_error
    assert "SHA256:oldOLD" in error and "SHA256:newNEW" in error and "--replace" in error


async def test_failure_text_never_carries_the_password(
        job: SshJob, pool: FakePool, caplog: pytest.LogCaptureFixture) -> None:
    pool.error = SshAuthError(f"q10-mon1: server said no to {PASSWORD}")  # a leaky library
    job.set_devices([dev("q10-mon1")])
    with caplog.at_level(logging.DEBUG):
        await job.poll_facts("q10-mon1")
        await job.poll_facts("q10-mon1")
    state = job.state.device("q10-mon1")
    assert state.up is False and "***" in state.last_error
    assert PASSWORD not in state.last_error and PASSWORD not in caplog.text
    assert all(PASSWORD not in e.detail for e in job.state.events)
    assert sum("ssh facts of q10-mon1" in r.getMessage() for r in caplog.records) == 1


async def test_timeout_counts_in_module_stats_then_recovery_is_an_up_event(
        job: SshJob, pool: FakePool) -> None:
    job.set_devices([dev("q10-mon1")])
    pool.error = SshTimeoutError("q10-mon1 (127.0.0.1:2222): no complete answer within 5 s")
    await job.poll_facts("q10-mon1")
    pool.error, pool.outputs = None, linux_outputs()
    await job.poll_facts("q10-mon1")
    state = job.state.device("q10-mon1")
    assert state.up is True and state.modules["ssh"].timeouts == 1
    assert [e.kind for e in job.state.events] == ["device_down", "device_up"]


async def test_config_change_raises_event_with_counts_and_masked_diff(
        job: SshJob, pool: FakePool) -> None:
    job.set_devices([dev("q1-core", "snmp", "cisco_ios", credentials="sw")])
    pool.outputs = {"show running-config": CONFIG_V1}
    first = await job.backup("q1-core")
    assert first is not None and first.rev == 1
    assert await job.backup("q1-core") is None  # unchanged: nothing stored, no event
    assert list(job.state.events) == []
    pool.outputs = {"show running-config": CONFIG_V2.replace("SeCrEtHaSh", "N3wHash")}
    change = await job.backup("q1-core")
    assert change is not None and change.rev == 2
    [event] = job.state.events
    assert (event.device, event.kind) == ("q1-core", "config_changed")
    assert event.detail == f"+{change.lines_added} -{change.lines_removed} lines, rev 2"
    assert change.lines_added == 3 and change.lines_removed == 1  # secret, 2 new lines
    diff = job.last_changes["q1-core"].diff
    assert "+ description uplink ward-7" in diff
    assert "SeCrEtHaSh" not in diff and "N3wHash" not in diff and "<masked>" in diff
    stats = job.stats()
    assert (stats.backups_ok, stats.versions_stored, stats.config_changes) == (3, 2, 1)
    assert stats.versions == {"q1-core": 2}


async def test_failed_backup_is_recorded_per_device_and_skipped_when_down(
        job: SshJob, pool: FakePool) -> None:
    job.set_devices([dev("q1-dist-sw1", platform="cisco_ios", credentials="sw")])
    pool.outputs = {"show running-config": "% Invalid input detected at '^' marker.\n"}
    assert await job.backup("q1-dist-sw1") is None
    assert "gave no configuration" in job.errors["q1-dist-sw1"]
    assert job.stats().backups_failed == 1 and job.stats().failures == {"command": 1}
    pool.error = SshTimeoutError("q1-dist-sw1: no answer")
    await job.poll_facts("q1-dist-sw1")  # SSH-monitored: now down
    calls = len(pool.calls)
    assert await job.backup("q1-dist-sw1") is None
    assert len(pool.calls) == calls  # no session to a device that is down


async def test_self_metrics_families(job: SshJob, pool: FakePool) -> None:
    job.set_devices([dev("q1-core", "snmp", "cisco_ios", credentials="sw")])
    pool.outputs = {"show running-config": CONFIG_V1}
    await job.backup("q1-core")
    families = {f.name: f for f in ssh_self_families(job.stats())}
    assert families["noc_ssh_sessions"].rows == [(("ok",), 1), (("failed",), 0)]
    assert (("timeout",), 0) in families["noc_ssh_session_failures"].rows
    assert families["noc_config_backups"].rows == [(("ok",), 1), (("failed",), 0)]
    assert families["noc_config_version"].rows == [(("q1-core",), 1)]
    assert families["noc_ssh_devices"].rows == [(("facts",), 0), (("backup",), 1)]
    assert list(ssh_self_families(None)) == []


async def test_stop_cancels_running_sessions_and_closes_the_pool(
        job: SshJob, pool: FakePool) -> None:
    pool.block = True
    job.set_devices([dev("q10-mon1")])
    await job.start()
    job.facts_scheduler.poll_now(["q10-mon1"])
    for _ in range(100):
        if pool.calls:
            break
        await asyncio.sleep(0.05)
    assert pool.calls, "the scheduler never started a session"
    async with asyncio.timeout(5):
        await job.stop()
    assert pool.closed
