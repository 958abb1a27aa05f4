"""backup_device with a stand-in pool: what is stored, what is refused, what the change says."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from collectors.ssh import SessionOutput, SshCommandError, SshCredentials, SshTarget
from noc.configs.backup import CONFIG_COMMANDS, backup_device
from noc.configs.store import ConfigStore
from noc.db import init_schema, make_engine, session_factory

RUNNING = """Building configuration...

Current configuration : 300 bytes
!
hostname q1-dist-sw1
snmp-server community Q1-Ro-Comm RO
interface Vlan10
 description ward Ben Nghe
end
"""


class StubPool:
    """Answers each command with the next queued output, records what it was asked."""

    def __init__(self, *outputs: str) -> None:
        self.outputs = list(outputs)
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    async def run(self, target: SshTarget, commands: Sequence[str]) -> SessionOutput:
        self.calls.append((target.name, tuple(commands)))
        return SessionOutput(target.name, {commands[0]: self.outputs.pop(0)})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConfigStore]:
    engine = make_engine(f"sqlite:///{tmp_path / 'noc.sqlite3'}")
    init_schema(engine)
    sessions: sessionmaker[Session] = session_factory(engine)
    yield ConfigStore(tmp_path / "configs", sessions)
    engine.dispose()


def _target(device_type: str = "cisco_ios") -> SshTarget:
    return SshTarget("q1-dist-sw1", "127.0.0.1", device_type, SshCredentials("noc", "pw"))


async def test_first_backup_then_unchanged_then_changed(store: ConfigStore) -> None:
    changed = RUNNING.replace("Q1-Ro-Comm", "Q1-New-Comm").replace("Ben Nghe", "Da Kao")
    pool: Any = StubPool(RUNNING, RUNNING.replace("300 bytes", "301 bytes"), changed)
    first = await backup_device(pool, _target(), store)
    assert first is not None and first.first and first.rev == 1 and first.diff == ""
    assert await backup_device(pool, _target(), store) is None
    change = await backup_device(pool, _target(), store)
    assert change is not None and not change.first
    assert (change.rev, change.lines_added, change.lines_removed) == (2, 2, 2)
    assert change.digest == store.version("q1-dist-sw1").digest
    assert "+ description ward Da Kao" in change.diff
    assert "+snmp-server community <masked> RO" in change.diff
    assert "Q1-Ro-Comm" not in change.diff and "Q1-New-Comm" not in change.diff
    assert pool.calls == [("q1-dist-sw1", ("show running-config",))] * 3


@pytest.mark.parametrize("output", ["", "   \n", "\n% Invalid input detected at '^' marker.\n",
                                    "Error: Unrecognized command found at '^' position."])
async def test_error_or_empty_output_is_refused_and_not_stored(store: ConfigStore,
                                                               output: str) -> None:
    pool: Any = StubPool(output)
    with pytest.raises(SshCommandError, match=r"q1-dist-sw1.*gave no configuration") as failed:
        await backup_device(pool, _target(), store)
    assert failed.value.name == "q1-dist-sw1"
    assert store.devices() == []


async def test_platform_without_command_is_a_command_error(store: ConfigStore) -> None:
    pool: Any = StubPool()
    with pytest.raises(SshCommandError, match="no configuration backup command for platform "
                                              "'linux'"):
        await backup_device(pool, _target("linux"), store)
    assert pool.calls == []


async def test_explicit_command_overrides_the_platform(store: ConfigStore) -> None:
    pool: Any = StubPool("[main]\npassword = Lx-Secret-1\n")
    change = await backup_device(pool, _target("linux"), store, command="cat noc.conf")
    assert change is not None and pool.calls[0][1] == ("cat noc.conf",)
    assert store.text("q1-dist-sw1", platform="linux") == "[main]\npassword = <masked>\n"


def test_every_masked_platform_has_a_backup_command() -> None:
    for platform in ("cisco_ios", "huawei", "juniper_junos", "hp_procurve"):
        assert CONFIG_COMMANDS[platform]
