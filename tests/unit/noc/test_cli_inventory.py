"""``noc inventory import|export`` through typer's CliRunner on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from inventory.io.formats import fields_of
from inventory.records import AuditEntry
from noc.cli_inventory import inventory_app
from noc.db import make_engine, session_factory

runner = CliRunner()
AGENCIES = ("code,kind,name_vi,name_en,parent,contact_name,contact_phone,contact_email\n"
            "Q1,district,Quận 1,District 1,,Phan Bích Thủy,028 3843 7018,\n"
            "Q1-BN,ward,Phường Bến Nghé,Ben Nghe Ward,Q1,,,\n")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "noc.yaml"
    path.write_text(f"database_url: sqlite:///{tmp_path}/inv.sqlite3\n")
    return path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(inventory_app, list(args))
    return result.exit_code, result.output


def test_import_then_export_yaml_and_csv(config: Path, tmp_path: Path):
    (tmp_path / "agencies.csv").write_text(AGENCIES, encoding="utf-8")
    code, out = _run("import", str(tmp_path / "agencies.csv"), "--config", str(config),
                     "--actor", "lan.nguyen")
    assert code == 0, out
    assert "imported" in out and "create agency Q1-BN" in out
    code, out = _run("export", "--config", str(config))
    assert code == 0 and "name_vi: Phường Bến Nghé" in out and out.startswith("format: ")
    code, out = _run("export", "--format", "csv", "--entity", "agency", "--config", str(config))
    assert code == 0 and out == AGENCIES
    code, out = _run("export", "--format", "csv", "-o", str(tmp_path / "out"), "--config",
                     str(config))
    assert code == 0, out
    assert (tmp_path / "out" / "agencies.csv").read_text(encoding="utf-8") == AGENCIES
    assert (tmp_path / "out" / "devices.csv").read_text() == ",".join(fields_of("device")) + "\n"
    engine = make_engine(f"sqlite:///{tmp_path}/inv.sqlite3")
    with session_factory(engine)() as session:
        audit = session.scalars(select(AuditEntry)).all()
    engine.dispose()
    assert {(a.actor, a.via) for a in audit} == {("lan.nguyen", "import")} and len(audit) == 2


def test_rejected_import_exits_1_naming_row_and_field(config: Path, tmp_path: Path):
    path = tmp_path / "agencies.csv"
    path.write_text(AGENCIES + "Q3,district,Quận 3,,,,,not-an-email\n", encoding="utf-8")
    code, out = _run("import", str(path), "--config", str(config))
    assert code == 1
    assert "agencies.csv row 4, field contact_email: 'not-an-email' is not an e-mail address" \
        in out
    code, out = _run("export", "--config", str(config))
    assert "Q1" not in out  # nothing was imported


def test_dry_run_prints_counts_and_changes_nothing(config: Path, tmp_path: Path):
    path = tmp_path / "inventory.yaml"
    path.write_text("format: metronet-inventory\nversion: 1\nagencies:\n- code: Q1\n"
                    "  kind: district\n  name_vi: Quận 1\n", encoding="utf-8")
    code, out = _run("import", str(path), "--dry-run", "--config", str(config))
    assert code == 0 and "dry run: nothing was changed" in out
    assert "create agency Q1: code: None → 'Q1'" in out
    assert "Q1" not in _run("export", "--config", str(config))[1]


def test_usage_and_config_errors_exit_2(config: Path, tmp_path: Path):
    assert _run("export", "--format", "csv", "--config", str(config))[0] == 2
    assert _run("export", "--format", "xml", "--config", str(config))[0] == 2
    assert _run("export", "--entity", "toaster", "--config", str(config))[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("databse_url: x\n")
    code, out = _run("export", "--config", str(bad))
    assert code == 2 and "databse_url" in out
