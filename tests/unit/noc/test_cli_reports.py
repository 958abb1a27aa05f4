"""``noc inventory report`` and ``noc inventory drift`` on a SQLite inventory (CliRunner)."""

from __future__ import annotations

import csv
import getpass
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from collectors.base import DeviceFacts, SystemInfo
from inventory.discovery import record_facts
from inventory.enums import Via
from inventory.models import Device, utcnow
from inventory.records import AuditEntry
from inventory.service import Actor, Inventory
from noc.cli_common import open_database
from noc.cli_reports import drift_app, report_app
from noc.settings import load_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory whose SQLite inventory has two agencies, three devices, one drift."""
    engine = open_database(load_settings(None, data_dir=tmp_path))
    today = utcnow().date()
    with Session(engine) as session:
        inv = Inventory(session, Actor("import", Via.IMPORT))
        for code, name_vi in (("Q1", "Quận 1"), ("Q1-BN", "Phường Bến Nghé")):
            inv.put("agency", {"code": code, "kind": "ward" if "-" in code else "district",
                               "name_vi": name_vi})
            inv.put("site", {"code": code, "agency": code, "name": f"UBND {name_vi}"})
        inv.put("device", {"name": "q1-bn-sw1", "site": "Q1-BN", "device_class": "access_switch",
                           "serial": "FOC1234", "mgmt_address": "127.20.1.5",
                           "credentials": "lab", "funding_program": "Đề án 06",
                           "warranty_end": today - timedelta(days=10)})
        inv.put("device", {"name": "q1-bn-pc1", "site": "Q1-BN", "device_class": "workstation",
                           "monitoring": "none", "end_of_life": today + timedelta(days=60)})
        inv.put("device", {"name": "q1-core", "site": "Q1", "device_class": "router",
                           "monitoring": "none", "warranty_end": today + timedelta(days=900)})
        record_facts(session, "q1-bn-sw1", DeviceFacts(
            address="127.20.1.5", serial="FOC9999",
            system=SystemInfo(name="q1-bn-sw1", object_id="1.3.6.1.4.1.9.1.1")), utcnow())
        session.commit()
    engine.dispose()
    return tmp_path


def _run(app: object, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args], catch_exceptions=False)  # type: ignore[arg-type]
    return result.exit_code, result.output


def test_by_class_table_shows_agencies_with_their_vietnamese_names(data_dir: Path) -> None:
    code, out = _run(report_app, "by-class", "--data-dir", str(data_dir))
    assert code == 0, out
    for needle in ("Số lượng thiết bị theo loại", "Phường Bến Nghé", "Quận 1", "TOTAL"):
        assert needle in out


@pytest.mark.parametrize("name", ["by-class", "by-status", "by-funding", "lifecycle"])
def test_every_report_prints_csv_that_parses_back(data_dir: Path, name: str) -> None:
    code, out = _run(report_app, name, "--csv", "--data-dir", str(data_dir))
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    if name == "by-class":
        total = next(r for r in rows if r["agency"] == "TOTAL")
        assert (total["access_switch"], total["workstation"], total["total"]) == ("1", "1", "3")
    if name == "by-funding":
        assert {r["funding_program"] for r in rows} == {"Đề án 06", "(not recorded)", "TOTAL"}


def test_lifecycle_months_widen_the_horizon(data_dir: Path) -> None:
    def devices(months: str) -> dict[str, str]:
        code, out = _run(report_app, "lifecycle", "--months", months, "--csv",
                         "--data-dir", str(data_dir))
        assert code == 0, out
        return {r["device"]: r["state"] for r in csv.DictReader(io.StringIO(out))}

    assert devices("1") == {"q1-bn-sw1": "expired"}
    assert devices("3") == {"q1-bn-sw1": "expired", "q1-bn-pc1": "expiring"}
    assert "q1-core" in devices("36")


def test_drift_show_adopt_and_expect_are_audited_as_the_os_user(data_dir: Path) -> None:
    code, out = _run(drift_app, "show", "--csv", "--data-dir", str(data_dir))
    assert code == 0, out
    assert [(r["subject"], r["kind"], r["discovered"]) for r in csv.DictReader(io.StringIO(out))
            ] == [("q1-bn-sw1", "serial", "FOC9999")]
    code, out = _run(drift_app, "adopt", "q1-bn-sw1", "serial", "--note", "RMA",
                     "--data-dir", str(data_dir))
    assert code == 0, out
    assert "'FOC1234' -> 'FOC9999'" in out
    code, out = _run(drift_app, "show", "--data-dir", str(data_dir))
    assert "0 difference(s)" in out
    engine = open_database(load_settings(None, data_dir=data_dir))
    with Session(engine) as session:
        assert session.scalars(select(Device.serial).where(
            Device.name == "q1-bn-sw1")).one() == "FOC9999"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.via == "cli")
                                .order_by(AuditEntry.id)).all()
    engine.dispose()
    assert [(a.action, a.actor, a.note) for a in audit] == [
        ("update", getpass.getuser(), ""), ("adopt", getpass.getuser(), "RMA")]
    code, out = _run(drift_app, "expect", "q1-bn-sw1", "sys_name", "--data-dir", str(data_dir))
    assert code == 0, out
    assert "marked expected" in out


def test_drift_refusals_exit_1_with_the_reason(data_dir: Path) -> None:
    result = runner.invoke(drift_app, ["adopt", "nowhere", "serial", "--data-dir",
                                       str(data_dir)])
    assert result.exit_code == 1
    assert "no discovered serial for 'nowhere'" in result.output
    result = runner.invoke(drift_app, ["adopt", "q1-bn-sw1", "sys_name", "--data-dir",
                                       str(data_dir)])
    assert result.exit_code == 1
    assert "name is its key" in result.output
