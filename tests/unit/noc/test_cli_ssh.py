"""``noc ssh ...`` without an SSH peer: inventory lookups, profiles, unreachable devices."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from inventory.enums import Via
from inventory.service import Actor, Inventory
from noc.cli_ssh import ssh_app
from noc.db import init_schema, make_engine
from tests.helpers import free_tcp_port

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    db = f"sqlite:///{tmp_path / 'noc.sqlite3'}"
    engine = make_engine(db)
    init_schema(engine)
    with Session(engine) as session:
        inv = Inventory(session, Actor("import", Via.IMPORT))
        inv.put("agency", {"code": "Q10", "kind": "district", "name_vi": "Quận 10"})
        inv.put("site", {"code": "Q10", "agency": "Q10", "name": "UBND Quận 10"})
        inv.put("device", {"name": "q10-mon1", "site": "Q10", "device_class": "server",
                           "mgmt_address": "127.0.0.1", "monitoring": "ssh",
                           "platform": "linux", "ssh_port": free_tcp_port(),
                           "credentials": "snmp-only"})
        inv.put("device", {"name": "q10-ws1", "site": "Q10", "device_class": "workstation",
                           "monitoring": "none"})
        session.commit()
    engine.dispose()
    path = tmp_path / "noc.yaml"
    path.write_text(f"data_dir: {tmp_path}\ndatabase_url: {db}\n"
                    "credentials:\n  snmp-only:\n    community: Ro-Comm-8812\n")
    return path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(ssh_app, list(args))
    return result.exit_code, result.output


def test_unknown_device_exits_1_naming_it(config: Path) -> None:
    code, out = _run("trust", "q99-nowhere", "--config", str(config))
    assert code == 1 and "'q99-nowhere' is not in the inventory" in out


def test_device_without_address_cannot_be_trusted(config: Path) -> None:
    code, out = _run("trust", "q10-ws1", "--config", str(config))
    assert code == 1 and "no management address" in out


def test_unreachable_device_is_not_trusted(config: Path, tmp_path: Path) -> None:
    code, out = _run("trust", "q10-mon1", "--config", str(config))
    assert code == 1 and "cannot connect" in out
    assert not (tmp_path / "ssh" / "known_hosts").exists()


def test_forget_without_a_trusted_key_says_so(config: Path) -> None:
    code, out = _run("forget", "q10-mon1", "--config", str(config))
    assert code == 0 and "no host key was trusted" in out


def test_check_needs_a_profile_with_ssh_login(config: Path) -> None:
    code, out = _run("check", "q10-mon1", "--config", str(config))
    assert code == 1 and "'snmp-only' has no ssh_username" in out
    assert "Ro-Comm-8812" not in out


def test_bad_configuration_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("ssh:\n  workers: 0\n")
    code, out = _run("trust", "q10-mon1", "--config", str(path))
    assert code == 2 and "ssh.workers" in out
