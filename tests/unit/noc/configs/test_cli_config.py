"""``noc config list|show|diff`` through typer's CliRunner on a temporary data directory."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inventory.models import Agency, Device, Site
from noc.cli_common import open_database
from noc.cli_config import config_app
from noc.configs.store import ConfigStore
from noc.db import session_factory
from noc.settings import load_settings

V1 = ("hostname q1-dist-sw1\nenable secret 9 $9$Cli-Enable-1\n"
      "snmp-server community Cli-Comm-1 RO\ninterface Vlan10\n description [ward] Ben Nghe\nend\n")
V2 = V1.replace("Cli-Comm-1", "Cli-Comm-2").replace("Ben Nghe", "Da Kao")
runner = CliRunner()
SECRETS = ("Cli-Enable-1", "Cli-Comm-1", "Cli-Comm-2")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    settings = load_settings(None, data_dir=tmp_path)
    engine = open_database(settings)
    store = ConfigStore(tmp_path / "configs", session_factory(engine))
    store.save("q1-dist-sw1", V1, at=datetime(2024, 3, 1, 3, 0))
    store.save("q1-dist-sw1", V2, at=datetime(2024, 3, 1, 3, 0) + timedelta(hours=1))
    engine.dispose()
    return tmp_path


def _run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(config_app, [*args, "--data-dir", str(data_dir)])
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_revisions(data_dir: Path) -> None:
    code, out, _ = _run(data_dir, "list", "q1-dist-sw1")
    assert code == 0
    assert "2024-03-01 03:00:00" in out and "2024-03-01 04:00:00" in out
    lines = [line for line in out.splitlines() if "2024-03-01" in line]
    assert len(lines) == 2 and lines[0].split()[1] == "1" and lines[1].split()[1] == "2"


def test_show_is_masked(data_dir: Path) -> None:
    code, out, _ = _run(data_dir, "show", "q1-dist-sw1", "1")
    assert code == 0
    assert "snmp-server community <masked> RO" in out
    assert " description [ward] Ben Nghe" in out  # printed as is, no markup
    assert not any(secret in out for secret in SECRETS)
    assert _run(data_dir, "show", "q1-dist-sw1")[1].count("Da Kao") == 1


def test_diff_plain_and_colored_never_show_secrets(data_dir: Path) -> None:
    code, plain, _ = _run(data_dir, "diff", "q1-dist-sw1", "--plain")
    assert code == 0
    assert "-snmp-server community <masked> RO\n+snmp-server community <masked> RO\n" in plain
    assert "- description [ward] Ben Nghe\n+ description [ward] Da Kao\n" in plain
    colored = _run(data_dir, "diff", "q1-dist-sw1", "1", "--against", "2")[1]
    assert "+ description [ward] Da Kao" in colored
    for out in (plain, colored):
        assert not any(secret in out for secret in SECRETS)


def test_diff_of_equal_revisions_says_so(data_dir: Path) -> None:
    code, out, err = _run(data_dir, "diff", "q1-dist-sw1", "2", "--against", "latest")
    assert code == 0 and out == "" and "no differences" in err


def test_masking_follows_the_inventory_platform(data_dir: Path) -> None:
    engine = open_database(load_settings(None, data_dir=data_dir))
    with session_factory(engine).begin() as session:
        agency = Agency(code="Q1", kind="district", name_vi="Quận 1", name_en="District 1")
        site = Site(code="Q1-HQ", agency=agency, name="Q1 headquarters")
        # Junos rules do not know Cisco's "snmp-server": proves the platform was used
        session.add(Device(name="q1-dist-sw1", site=site, device_class="switch",
                           platform="juniper_junos"))
    engine.dispose()
    out = _run(data_dir, "show", "q1-dist-sw1")[1]
    assert "Cli-Comm-2" in out
    assert "Cli-Comm-2" not in _run(data_dir, "show", "q1-dist-sw1", "--platform", "cisco_ios")[1]


@pytest.mark.parametrize(("args", "message"), [
    (("list", "q9-nowhere"), "no stored configuration for device 'q9-nowhere'"),
    (("show", "q1-dist-sw1", "7"), "no revision 7"),
    (("diff", "q1-dist-sw1", "--against", "zz"), "'zz'"),
])
def test_unknown_device_or_revision_exits_1_with_the_reason(data_dir: Path,
                                                            args: tuple[str, ...],
                                                            message: str) -> None:
    code, out, err = _run(data_dir, *args)
    assert code == 1 and out == ""
    assert message in " ".join(err.split())


def test_damaged_object_is_reported(data_dir: Path) -> None:
    for path in (data_dir / "configs" / "objects").rglob("*.gz"):
        path.write_bytes(b"damaged")
    code, _, err = _run(data_dir, "show", "q1-dist-sw1")
    assert code == 1 and "is corrupt" in err
