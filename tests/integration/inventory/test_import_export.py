"""Import and export on SQLite and PostgreSQL: exact round trip, all or nothing, dry run, prune.

Every test starts from the small lab's inventory (written through the same
import path, as ``noc run --lab`` does) on a fresh database of each dialect.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.enums import Via
from inventory.io import (
    ImportOptions,
    InventoryImportError,
    batch_from_records,
    export_csv_dir,
    export_yaml,
    read_csv,
    read_path,
    read_yaml,
    run_import,
    write_csv,
)
from inventory.models import Device, Interface, Link, Site
from inventory.records import AuditEntry
from inventory.service import Actor
from noc.lab.inventory import apply_lab_inventory, write_lab_inventory
from noc.lab.topology import build_topology

pytestmark = pytest.mark.integration

TECH = Actor("thu.tran", Via.IMPORT)
ASSET = {"name": "q1-bn-scan01", "site": "Q1-BN", "device_class": "barcode_reader",
         "vendor": "Zebra", "model": "DS2208", "serial": "ZB-0001", "asset_tag": "TPHCM-2023-1",
         "monitoring": "none", "purchase_date": "2023-03-15",
         "funding_program": "Đề án CQĐT 2021-2025", "warranty_end": "2026-03-15",
         "custodian": "Trần Thị Thu Hà", "notes": "Bộ phận một cửa, quầy 2"}


@pytest.fixture
def lab(db) -> Any:
    with db.sessions() as session:
        write_lab_inventory(session, build_topology("small"), 161)
    return db


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(t)) or 0
                 for t in (Device, Site, Interface, Link, AuditEntry))


def _import(db: Any, batch: Any, **options: bool) -> Any:
    with db.sessions() as session:
        return run_import(session, batch, TECH, ImportOptions(**options))


def _assets(n: int) -> list[dict[str, Any]]:
    return [{**ASSET, "name": f"q1-bn-scan{i:05d}", "serial": f"ZB-{i:05d}",
             "asset_tag": f"TPHCM-2023-{i:05d}"} for i in range(n)]


def test_yaml_round_trip_is_byte_identical(lab):
    _import(lab, batch_from_records({"device": [ASSET]}))
    with lab.sessions() as session:
        first = export_yaml(session)
    assert "custodian: Trần Thị Thu Hà" in first and "Phường Bến Nghé" in first
    empty = read_yaml("format: metronet-inventory\nversion: 1\nagencies: []\nsites: []\n"
                      "devices: []\ninterfaces: []\nlinks: []\n", "empty.yaml")
    report = _import(lab, empty, prune=True, purge=True)
    assert report.count("device", "delete") == len(build_topology("small").devices) + 1
    with lab.sessions() as session:
        assert _counts(session)[:4] == (0, 0, 0, 0)
    _import(lab, read_yaml(first, "inventory.yaml"))
    with lab.sessions() as session:
        assert export_yaml(session) == first


def test_csv_directory_round_trip_is_byte_identical(lab, tmp_path: Path):
    _import(lab, batch_from_records({"device": [ASSET]}))
    with lab.sessions() as session:
        export_csv_dir(session, tmp_path / "a")
    _import(lab, read_yaml("format: metronet-inventory\nversion: 1\nagencies: []\nsites: []\n"
                           "devices: []\ninterfaces: []\nlinks: []\n", "e.yaml"),
            prune=True, purge=True)
    _import(lab, read_path(tmp_path / "a"))
    with lab.sessions() as session:
        export_csv_dir(session, tmp_path / "b")
    for name in ("agencies", "sites", "devices", "interfaces", "links"):
        first = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert (tmp_path / "b" / f"{name}.csv").read_bytes() == first
    assert "Trần Thị Thu Hà".encode() in (tmp_path / "b" / "devices.csv").read_bytes()


@pytest.mark.parametrize(("bad", "field", "expected"), [
    ({"site": "NOWHERE"}, "site", "unknown site 'NOWHERE' (neither in the file nor in the "
                                  "database)"),
    ({"mgmt_address": "127.40.0.300", "monitoring": "icmp"}, "mgmt_address",
     "'127.40.0.300' is not an IPv4 or IPv6 address"),
    ({"device_class": "toaster"}, "device_class", "unknown value 'toaster'"),
    ({"purchase_date": "2023-13-01"}, "purchase_date", "'2023-13-01' is not a date"),
    ({"serial": "ZB-00003"}, "serial", "duplicate serial 'ZB-00003': already on device "
                                       "'q1-bn-scan00003' (row 5)"),
    ({"serial": "@lab"}, "serial", "duplicate serial "),  # filled in from the lab below
])
def test_one_bad_row_among_many_changes_nothing(lab, bad, field, expected):
    rows = _assets(40)
    with lab.sessions() as session:
        before = _counts(session)
        lab_serial = session.scalars(select(Device.serial).where(Device.serial != "")).first()
    if bad.get("serial") == "@lab":
        bad = {"serial": lab_serial}
        expected = f"duplicate serial '{lab_serial}': already on device"
    rows[27] = {**rows[27], **bad}
    with pytest.raises(InventoryImportError) as info:
        _import(lab, read_csv(write_csv("device", rows), "devices.csv"))
    assert f"devices.csv row 29, field {field}: {expected}" in str(info.value)
    assert len(info.value.errors) == 1
    with lab.sessions() as session:
        assert _counts(session) == before


def test_unknown_agency_and_duplicate_key_are_reported_with_their_rows(lab):
    text = ("code,agency,name,address,role,latitude,longitude\n"
            "NEW-1,Q1,Điểm mới,,,,\nNEW-2,NO-SUCH,Điểm khác,,,,\nNEW-1,Q1,Lặp lại,,,,\n")
    with pytest.raises(InventoryImportError) as info:
        _import(lab, read_csv(text, "sites.csv"))
    assert [str(e) for e in info.value.errors] == [
        "sites.csv row 3, field agency: unknown agency 'NO-SUCH' (neither in the file nor in "
        "the database)",
        "sites.csv row 4, field code: duplicate site 'NEW-1': already on row 2"]


def test_dry_run_reports_counts_and_changes_nothing(lab):
    with lab.sessions() as session:
        before = _counts(session)
        pc = session.scalars(select(Device).where(Device.device_class == "workstation")).first()
        assert pc is not None
        changed = {"name": pc.name, "site": session.get(Site, pc.site_id).code,  # type: ignore[union-attr]
                   "device_class": "workstation", "custodian": "Lê Văn Minh"}
    batch = read_csv(write_csv("device", [*_assets(3)]) + "", "devices.csv")
    batch.extend(read_csv("name,site,device_class,custodian\n" + ",".join(changed.values()),
                          "custodian.csv", "device"))
    report = _import(lab, batch, dry_run=True)
    assert report.dry_run
    assert (report.count("device", "create"), report.count("device", "update")) == (3, 1)
    [update] = [c for c in report.changes if c.action.value == "update"]
    assert update.key == pc.name and update.changes == {"custodian": ["", "Lê Văn Minh"]}
    with lab.sessions() as session:
        assert _counts(session) == before


def test_import_is_audited_with_via_import_and_before_after(lab):
    _import(lab, batch_from_records({"device": [ASSET]}))
    _import(lab, batch_from_records({"device": [{**ASSET, "status": "in_repair",
                                                 "custodian": "Lê Văn Minh"}]}))
    with lab.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.key == ASSET["name"]).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor, e.via) for e in entries] == [
        ("create", "thu.tran", "import"), ("update", "thu.tran", "import")]
    assert entries[0].changes["purchase_date"] == [None, "2023-03-15"]
    assert entries[1].changes == {"status": ["active", "in_repair"],
                                  "custodian": ["Trần Thị Thu Hà", "Lê Văn Minh"]}


def test_prune_retires_absent_devices_or_purges_them(lab):
    _import(lab, batch_from_records({"device": _assets(3)}))
    report = _import(lab, batch_from_records({"device": _assets(2)}), prune=False)
    assert report.count("device", "unchanged") == 2 and not report.changes
    with lab.sessions() as session:
        lab_devices = session.scalar(select(func.count()).select_from(Device))
    report = _import(lab, batch_from_records({"device": _assets(2)}), prune=True)
    assert report.count("device", "retire") == (lab_devices or 0) - 2
    with lab.sessions() as session:
        statuses = set(session.scalars(select(Device.status).where(
            Device.name != "q1-bn-scan00000", Device.name != "q1-bn-scan00001")))
    assert statuses == {"retired"}
    report = _import(lab, batch_from_records({"device": _assets(2), "interface": [],
                                              "link": []}), prune=True, purge=True)
    assert report.count("device", "delete") == (lab_devices or 0) - 2
    with lab.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 2


def test_lab_started_twice_writes_no_audit_entry_the_second_time(lab):
    with lab.sessions() as session:
        first = _counts(session)
        report = apply_lab_inventory(session, build_topology("small"), 161)
    assert report.changes == []
    with lab.sessions() as session:
        assert _counts(session) == first
        assert session.scalars(select(AuditEntry.via).distinct()).all() == ["lab"]


def test_twenty_thousand_rows_import(lab):
    rows = _assets(20000)
    for i, row in enumerate(rows):
        row["purchase_date"] = date(2015 + i % 10, 1 + i % 12, 1 + i % 28).isoformat()
        row["warranty_end"] = None
    report = _import(lab, read_csv(write_csv("device", rows), "devices.csv"))
    assert report.count("device", "create") == 20000
    with lab.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.via == "import")) == 20000
