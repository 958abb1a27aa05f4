"""The SSH job and ``noc ssh`` against real peers: OpenSSH sshd and fake-switches (Cisco-like).

The inventory is a temp SQLite database written through the inventory service;
the job reads it as the runtime does (``load_catalog``) and its results are read
back from the state, the ``/metrics`` text and the configuration store.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
import yaml
from netmiko import ConnectHandler
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from collectors.ssh import KnownHosts
from collectors.ssh.hostkeys import host_id
from inventory.catalog import Catalog, load_catalog
from inventory.enums import Via
from inventory.service import Actor, Inventory
from noc.cli_ssh import ssh_app
from noc.db import init_schema, make_engine, session_factory
from noc.metrics import NocCollector, Scope, Snapshot, render
from noc.scheduler import SchedulerStats
from noc.settings import Settings
from noc.ssh_job import SshJob
from noc.state import State
from noc.status import agency_statuses
from tests.peers.fakeswitch import FakeSwitchPeer
from tests.peers.sshd import SshdPeer

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def sshd() -> Iterator[SshdPeer]:
    with SshdPeer() as peer:
        yield peer


@pytest.fixture(scope="module")
def switch() -> Iterator[FakeSwitchPeer]:
    with FakeSwitchPeer("q1-dist-sw1") as peer:
        yield peer


def _config(tmp_path: Path, sshd: SshdPeer, switch: FakeSwitchPeer) -> dict[str, object]:
    return {
        "data_dir": str(tmp_path), "database_url": f"sqlite:///{tmp_path / 'noc.sqlite3'}",
        "ssh": {"workers": 2, "timeout": 20},
        "credentials": {
            "srv": {"ssh_username": sshd.user, "ssh_password": sshd.password},
            # the simulator accepts only an empty enable password, so the secret is ""
            "sw": {"ssh_username": switch.username, "ssh_password": switch.password,
                   "ssh_enable_secret": ""},
        },
    }


@pytest.fixture
def settings(tmp_path: Path, sshd: SshdPeer, switch: FakeSwitchPeer) -> Settings:
    return Settings(**_config(tmp_path, sshd, switch))


@pytest.fixture
def config_file(tmp_path: Path, sshd: SshdPeer, switch: FakeSwitchPeer) -> Path:
    path = tmp_path / "noc.yaml"
    path.write_text(yaml.safe_dump(_config(tmp_path, sshd, switch)))
    return path


@pytest.fixture
def engine(settings: Settings, sshd: SshdPeer, switch: FakeSwitchPeer) -> Iterator[Engine]:
    engine = make_engine(settings.db_url)
    init_schema(engine)
    with Session(engine) as session:
        inv = Inventory(session, Actor("import", Via.IMPORT))
        inv.put("agency", {"code": "Q10", "kind": "district", "name_vi": "Quận 10"})
        inv.put("site", {"code": "Q10", "agency": "Q10", "name": "UBND Quận 10"})
        inv.put("device", {"name": "q10-mon1", "site": "Q10", "device_class": "server",
                           "mgmt_address": sshd.host, "monitoring": "ssh",
                           "platform": "linux", "ssh_port": sshd.port, "credentials": "srv"})
        inv.put("device", {"name": "q1-dist-sw1", "site": "Q10",
                           "device_class": "distribution_switch", "mgmt_address": switch.host,
                           "monitoring": "ssh", "platform": "cisco_ios",
                           "ssh_port": switch.port, "credentials": "sw"})
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def catalog(engine: Engine) -> Catalog:
    with Session(engine) as session:
        return load_catalog(session)


@pytest.fixture
async def job(settings: Settings, engine: Engine, catalog: Catalog) -> SshJob:
    job = SshJob(settings, State(), session_factory(engine), dict(settings.credentials))
    job.set_devices(catalog.devices.values())
    yield job
    await job.stop()


def _meminfo_bytes(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(key)


def _metrics_text(job: SshJob, catalog: Catalog) -> str:
    devices = job.state.devices()
    snap = Snapshot(catalog, devices, agency_statuses(catalog, devices), SchedulerStats(), {})
    body, _ = render(NocCollector(lambda: snap), Scope())
    return body.decode()


def _secrets_absent(job: SshJob, caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    texts = [caplog.text, *job.errors.values(), *(e.detail for e in job.state.events),
             *(d.last_error for d in job.state.devices().values()),
             *(c.diff for c in job.last_changes.values())]
    for secret in secrets:
        assert all(secret not in text for text in texts)


async def test_linux_server_down_until_trusted_then_facts_in_state_and_metrics(
        job: SshJob, catalog: Catalog, settings: Settings, sshd: SshdPeer,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await job.poll_facts("q10-mon1")
    state = job.state.device("q10-mon1")
    assert state.up is False
    assert "not trusted" in state.last_error
    assert "run `noc ssh trust q10-mon1`" in state.last_error

    KnownHosts(settings.data_dir / "ssh" / "known_hosts").trust(sshd.host, sshd.port)
    await job.poll_facts("q10-mon1")
    assert state.up is True and state.last_error == ""
    assert state.system is not None and state.system.name == os.uname().nodename
    facts = state.facts
    assert facts is not None and facts.memory is not None
    assert facts.memory.total_bytes == _meminfo_bytes("MemTotal")
    root = next(d for d in facts.disks if d.name == "/")
    stat = os.statvfs("/")
    assert root.total_bytes == pytest.approx(stat.f_blocks * stat.f_frsize, rel=0.01)
    assert len(facts.load_average) == 3
    assert [e.kind for e in job.state.events] == ["device_down", "device_up"]

    text = _metrics_text(job, catalog)
    assert f'noc_device_memory_total_bytes{{device="q10-mon1"}} {facts.memory.total_bytes}' \
        in text
    assert 'noc_device_disk_used_bytes{device="q10-mon1",disk="/"}' in text
    _secrets_absent(job, caplog, sshd.password)


async def test_changed_host_key_makes_device_down_naming_both_fingerprints(
        job: SshJob, settings: Settings, sshd: SshdPeer) -> None:
    store = KnownHosts(settings.data_dir / "ssh" / "known_hosts")
    real = store.trust(sshd.host, sshd.port)
    _plant_other_key(store, sshd)
    await job.poll_facts("q10-mon1")
    error = job.state.device("q10-mon1").last_error
    assert job.state.device("q10-mon1").up is False
    assert "HOST KEY CHANGED" in error and real in error
    assert store.fingerprints(sshd.host, sshd.port)[0] in error
    assert "noc ssh trust q10-mon1 --replace" in error


def _configure(switch: FakeSwitchPeer, commands: list[str]) -> None:
    """Change the simulated switch's running configuration the way a technician would."""
    conn = ConnectHandler(device_type="cisco_ios", host=switch.host, port=switch.port,
                          username=switch.username, password=switch.password, secret="",
                          allow_agent=False, use_keys=False)
    try:
        conn.enable()
        conn.send_config_set(commands, exit_config_mode=False)
        for _ in range(2):  # the simulator knows no "end"
            conn.send_command_timing("exit")
    finally:
        conn.disconnect()


async def test_switch_facts_and_config_backup_versions_with_change_event(
        job: SshJob, settings: Settings, switch: FakeSwitchPeer,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert set(job.backup_targets) == {"q1-dist-sw1"}
    KnownHosts(settings.data_dir / "ssh" / "known_hosts").trust(switch.host, switch.port)
    await job.poll_facts("q1-dist-sw1")
    state = job.state.device("q1-dist-sw1")
    assert state.up is True, state.last_error
    assert state.system is not None and state.system.name == "q1-dist-sw1"
    assert state.facts is not None and state.facts.vendor == "Cisco"

    first = await job.backup("q1-dist-sw1")
    assert first is not None and first.rev == 1 and first.first
    assert await job.backup("q1-dist-sw1") is None
    assert [e.kind for e in job.state.events] == []  # the first version is no change

    await asyncio.to_thread(_configure, switch, [
        "interface FastEthernet0/3", "description uplink to q10-mon1 ward-12"])
    change = await job.backup("q1-dist-sw1")
    assert change is not None and change.rev == 2
    [event] = job.state.events
    assert (event.device, event.kind) == ("q1-dist-sw1", "config_changed")
    assert event.detail == f"+{change.lines_added} -0 lines, rev 2"
    assert change.lines_added >= 1
    assert "+ description uplink to q10-mon1 ward-12" in job.last_changes["q1-dist-sw1"].diff
    assert [v.rev for v in job.store.versions("q1-dist-sw1")] == [1, 2]
    stats = job.stats()
    assert (stats.versions_stored, stats.config_changes, stats.backups_failed) == (2, 1, 0)
    _secrets_absent(job, caplog, switch.password)


def _plant_other_key(store: KnownHosts, sshd: SshdPeer) -> None:
    """Replace the trusted key by another one, as if the server had been re-keyed."""
    keys = paramiko.HostKeys(str(store.path))
    name = host_id(sshd.host, sshd.port)
    del keys[name]
    other = paramiko.RSAKey.generate(2048)
    keys.add(name, other.get_name(), other)
    keys.save(str(store.path))


def test_cli_trust_forget_and_check(config_file: Path, engine: Engine, settings: Settings,
                                    sshd: SshdPeer) -> None:
    store = KnownHosts(settings.data_dir / "ssh" / "known_hosts")
    result = runner.invoke(ssh_app, ["check", "q10-mon1", "--config", str(config_file)])
    assert result.exit_code == 1
    assert "noc ssh trust q10-mon1" in result.output

    result = runner.invoke(ssh_app, ["trust", "q10-mon1", "--config", str(config_file)])
    assert result.exit_code == 0, result.output
    [fingerprint] = store.fingerprints(sshd.host, sshd.port)
    assert fingerprint in result.output and f"{sshd.host}:{sshd.port}" in result.output

    result = runner.invoke(ssh_app, ["check", "q10-mon1", "--config", str(config_file)])
    assert result.exit_code == 0, result.output
    assert "memory used / total" in result.output and "top processes" in result.output
    assert sshd.password not in result.output

    _plant_other_key(store, sshd)
    result = runner.invoke(ssh_app, ["trust", "q10-mon1", "--config", str(config_file)])
    assert result.exit_code == 1 and "--replace" in result.output
    result = runner.invoke(ssh_app, ["trust", "q10-mon1", "--replace", "--config",
                                     str(config_file)])
    assert result.exit_code == 0, result.output
    assert store.fingerprints(sshd.host, sshd.port) == [fingerprint]

    result = runner.invoke(ssh_app, ["forget", "q10-mon1", "--config", str(config_file)])
    assert result.exit_code == 0 and "forgotten" in result.output
    assert store.fingerprints(sshd.host, sshd.port) == []
