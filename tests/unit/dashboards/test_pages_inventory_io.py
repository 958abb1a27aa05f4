"""Inventory pages: import (dry run, row errors, confirm), export, drift actions, reports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dashboards.bars import bar_chart
from inventory.models import Device
from inventory.records import AuditEntry, DriftAck
from tests.unit.dashboards.test_pages_inventory_seed import (
    CSRF,
    SCOPED,
    As,
    make_app,
    make_sessions,
)

HEADER = ("name,site,device_class,vendor,model,serial,asset_tag,firmware,mgmt_address,snmp_port,"
          "credentials,monitoring,platform,ssh_port,status,purchase_date,funding_program,"
          "warranty_end,end_of_life,custodian,notes\n")
GOOD = HEADER + (
    "q1-sw1,Q1-UB,access_switch,Cisco,WS-C2960X-24TS-L,FOC1234X,HCM-0001,,127.0.1.1,161,ward,"
    "snmp,,22,active,2021-06-15,Đề án CQĐT 2021-2025,2026-06-15,,Nguyễn Văn Bình,\n"
    "bn-kiosk1,Q1-BN-UB,kiosk,,,,HCM-0100,,,161,,none,,22,active,,,,,Võ Minh Tâm,Sảnh một cửa\n")
BAD = GOOD + "bn-cam1,Q1-BN-UB,other,,,,,,127.0.2.300,161,,icmp,,22,active,,,,,,\n"


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return make_sessions(tmp_path)


@pytest.fixture
def who() -> As:
    return As()


@pytest.fixture
def client(sessions: sessionmaker[Session], who: As) -> Iterator[TestClient]:
    with TestClient(make_app(sessions, who), follow_redirects=False) as test_client:
        yield test_client


def count(sessions: sessionmaker[Session], model: type[Any], *where: Any) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def upload(client: TestClient, text: str, name: str = "devices.csv") -> str:
    response = client.post("/inventory/import", data={"csrf_token": CSRF},
                           files={"file": (name, text.encode("utf-8"), "text/csv")})
    return str(response.text)


def counts_cell(page: str, entity: str, action: str) -> int:
    row = re.search(rf'<tr data-entity="{entity}">(.*?)</tr>', page, re.S)
    assert row is not None
    cell = re.search(rf'data-action="{action}">(\d+)<', row.group(1))
    assert cell is not None
    return int(cell.group(1))


# -- import ----------------------------------------------------------------------------------

def test_dry_run_shows_counts_and_changes_and_changes_nothing(
        client: TestClient, sessions: sessionmaker[Session]) -> None:
    page = upload(client, GOOD)
    assert counts_cell(page, "device", "create") == 1
    assert counts_cell(page, "device", "update") == 1
    assert counts_cell(page, "device", "unchanged") == 0
    assert "bn-kiosk1" in page and "2026-06-15" in page  # a change, before → after
    assert 'name="token"' in page
    assert count(sessions, Device, Device.name == "bn-kiosk1") == 0
    assert count(sessions, AuditEntry, AuditEntry.actor == "tech") == 0


def test_a_bad_row_is_shown_with_row_and_field_and_nothing_changes(
        client: TestClient, sessions: sessionmaker[Session]) -> None:
    page = upload(client, BAD)
    assert re.search(r"<td>devices.csv</td><td>row 4</td>\s*<td><code>mgmt_address</code></td>",
                     page)
    assert "not an IPv4 or IPv6 address" in page
    assert 'name="token"' not in page
    assert count(sessions, Device, Device.name.in_(["bn-kiosk1", "bn-cam1"])) == 0


def test_confirm_applies_the_previewed_file_audited(client: TestClient, who: As,
                                                    sessions: sessionmaker[Session]) -> None:
    token = re.search(r'name="token" value="([^"]+)"', upload(client, GOOD))
    assert token is not None
    response = client.post("/inventory/import/confirm",
                           data={"csrf_token": CSRF, "token": token.group(1)})
    assert response.status_code == 303
    assert count(sessions, Device, Device.name == "bn-kiosk1") == 1
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.actor == "tech")).all()
        assert {(e.key, e.action, e.via) for e in entries} == {
            ("bn-kiosk1", "create", "ui"), ("q1-sw1", "update", "ui")}
    assert who.changes
    again = client.post("/inventory/import/confirm",
                        data={"csrf_token": CSRF, "token": token.group(1)})
    assert again.status_code == 410  # a token is used once


def test_pasted_yaml_is_previewed(client: TestClient) -> None:
    text = yaml.safe_dump({"format": "metronet-inventory", "version": 1, "agencies": [
        {"code": "Q3", "kind": "district", "name_vi": "Quận 3"}]}, allow_unicode=True)
    page = client.post("/inventory/import", data={"csrf_token": CSRF, "text": text,
                                                  "paste_format": "yaml"}).text
    assert counts_cell(page, "agency", "create") == 1


def test_export_csv_and_yaml_parse_back(client: TestClient) -> None:
    response = client.get("/inventory/export", params={"format": "csv", "entity": "site"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert {r["code"]: r["name"] for r in rows}["Q1-BN-UB"] == "UBND Phường Bến Nghé"
    document = yaml.safe_load(client.get("/inventory/export?format=yaml").text)
    assert len(document["devices"]) == 5
    assert client.get("/inventory/export?format=xml").status_code == 422


# -- drift -----------------------------------------------------------------------------------

def test_drift_lists_differences_and_filters(client: TestClient) -> None:
    page = client.get("/inventory/drift").text
    assert "FOC9999Z" in page and "YA.16.10" in page
    only = client.get("/inventory/drift", params={"kind": "firmware"}).text
    assert "YA.16.10" in only and "FOC9999Z" not in only
    assert "FOC9999Z" not in client.get("/inventory/drift", params={"agency": "Q1-BN"}).text


def test_adopt_copies_the_discovered_value_audited(client: TestClient,
                                                  sessions: sessionmaker[Session]) -> None:
    response = client.post("/inventory/drift/adopt", data={
        "csrf_token": CSRF, "subject": "q1-sw1", "field": "serial", "note": "board swapped"})
    assert response.status_code == 303
    with sessions() as session:
        assert session.scalars(select(Device.serial).where(Device.name == "q1-sw1")).one() \
            == "FOC9999Z"
        adopt = session.scalars(select(AuditEntry).where(AuditEntry.action == "adopt")).one()
        assert (adopt.actor, adopt.via, adopt.note) == ("tech", "ui", "board swapped")
    assert "FOC9999Z" not in client.get("/inventory/drift").text


def test_expect_hides_the_difference_audited(client: TestClient,
                                            sessions: sessionmaker[Session]) -> None:
    response = client.post("/inventory/drift/expect", data={
        "csrf_token": CSRF, "subject": "bn-sw1", "field": "firmware", "note": "lab image",
        "back_kind": "firmware"})
    assert response.headers["location"] == "/inventory/drift?kind=firmware"
    assert count(sessions, DriftAck) == 1
    assert count(sessions, AuditEntry, AuditEntry.action == "expect",
                 AuditEntry.via == "ui") == 1
    assert "YA.16.10" not in client.get("/inventory/drift").text


def test_adopting_what_cannot_be_adopted_says_why(client: TestClient) -> None:
    response = client.post("/inventory/drift/adopt", data={
        "csrf_token": CSRF, "subject": "q1-sw1", "field": "seen"})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert 'class="inv-flash inv-flash-error"' in page and "silence cannot be adopted" in page


# -- reports ---------------------------------------------------------------------------------

def report_rows(client: TestClient, name: str, **params: object) -> list[dict[str, str]]:
    response = client.get(f"/inventory/reports/{name}.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_reports_page_shows_tables_and_charts(client: TestClient) -> None:
    page = client.get("/inventory/reports").text
    assert page.count("<svg class=\"bars\" role=\"img\"") == 4
    assert "<title id=" in page
    total = re.search(r'<tr class="inv-total">(.*?)</tr>', page, re.S)
    assert total is not None and ">5</td>" in total.group(1)  # five devices, none retired


def test_report_csv_numbers_match_the_seed(client: TestClient) -> None:
    by_class = {r["agency"]: r for r in report_rows(client, "by-class")}
    assert by_class["Q1-BN"]["access_switch"] == "1" and by_class["Q1-BN"]["workstation"] == "1"
    assert by_class["TOTAL"]["access_switch"] == "2" and by_class["TOTAL"]["total"] == "5"
    by_status = {r["agency"]: r for r in report_rows(client, "by-status")}
    assert by_status["TOTAL"]["spare"] == "1" and by_status["TOTAL"]["active"] == "4"
    funding = {r["funding_program"]: r for r in report_rows(client, "by-funding")}
    assert funding["Đề án CQĐT 2021-2025"]["total"] == "2"
    short = {r["device"]: r["state"] for r in report_rows(client, "lifecycle", months=6)}
    assert short == {"core1": "expiring", "bn-sw1": "expired"}
    long = {r["device"] for r in report_rows(client, "lifecycle", months=24)}
    assert long == {"core1", "bn-sw1", "yt-fw1"}


def test_a_scoped_viewer_gets_only_its_rows(client: TestClient, who: As) -> None:
    who.user = SCOPED
    by_class = {r["agency"]: r for r in report_rows(client, "by-class")}
    assert set(by_class) == {"Q1", "Q1-BN", "TOTAL"}
    assert by_class["TOTAL"]["total"] == "3"
    assert client.get("/inventory/reports/by-funding.csv").status_code == 404
    assert client.get("/inventory/reports").status_code == 200
    assert "FOC9999Z" in client.get("/inventory/drift").text
    assert "FGT100F" not in client.get("/inventory/drift").text


def test_bar_chart_is_accessible_and_escapes_labels() -> None:
    svg = str(bar_chart("Thiết bị <theo loại>", [("router", 3), ("a&b", 0), ("switch", 6)]))
    assert svg.startswith('<svg class="bars" role="img" aria-labelledby=')
    assert "<title id=" in svg and "Thiết bị &lt;theo loại&gt;" in svg
    assert "router: 3; a&amp;b: 0; switch: 6" in svg
    widths = [float(w) for w in re.findall(r'class="bars-bar" x="\d+" y="\d+" width="([\d.]+)"',
                                           svg)]
    assert widths[2] == 2 * widths[0] and widths[1] == 0
