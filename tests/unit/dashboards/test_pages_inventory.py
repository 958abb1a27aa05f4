"""Inventory pages: search, lists (filters, sort, paging, CSV), records, forms, roles, scope."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dashboards.pages_inventory_web import parse_form
from inventory.models import Device
from inventory.records import AuditEntry
from tests.unit.dashboards.test_pages_inventory_seed import (
    CSRF,
    SCOPED,
    VIEWER,
    As,
    make_app,
    make_sessions,
)


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


def device(sessions: sessionmaker[Session], name: str) -> Device:
    with sessions() as session:
        found = session.scalars(select(Device).where(Device.name == name)).one()
        session.expunge(found)
        return found


def audit(sessions: sessionmaker[Session], key: str) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.key == key,
                                                             AuditEntry.actor != "seed")))


def rows_of(html: str) -> list[str]:
    """The keys of a list page's rows (the row-header links)."""
    return re.findall(r'<th scope="row" class="c-\w+"><a href="[^"]+">([^<]+)</a>', html)


# -- search ----------------------------------------------------------------------------------

def test_search_by_serial_finds_the_device(client: TestClient) -> None:
    page = client.get("/inventory", params={"q": "foc1234"})
    assert page.status_code == 200
    assert '/inventory/devices/q1-sw1' in page.text
    assert "core1" not in page.text.split("inv-results")[1].split("inv-cards")[0]


def test_search_by_ip_and_by_asset_tag(client: TestClient) -> None:
    assert "/inventory/devices/bn-sw1" in client.get("/inventory?q=127.0.2.1").text
    assert "/inventory/devices/bn-pc1" in client.get("/inventory?q=HCM-0002").text


def test_search_ignores_diacritics_across_entities(client: TestClient) -> None:
    page = client.get("/inventory", params={"q": "ben nghe"}).text
    assert "/inventory/sites/Q1-BN-UB" in page  # "UBND Phường Bến Nghé"
    assert "/inventory/agencies/Q1-BN" in page  # "Phường Bến Nghé"
    custodian = client.get("/inventory", params={"q": "nguyen van binh"}).text
    assert "/inventory/devices/q1-sw1" in custodian


def test_home_shows_counts(client: TestClient) -> None:
    page = client.get("/inventory").text
    assert re.search(r'<span class="inv-card-value">5</span>\s*<span class="inv-card-label">'
                     r"Thiết bị", page)
    assert 'aria-current="page">Kiểm kê tài sản' in page


# -- lists -----------------------------------------------------------------------------------

def test_device_list_filters_by_agency_class_and_status(client: TestClient) -> None:
    page = client.get("/inventory/devices", params={"agency": "Q1-BN"}).text
    assert rows_of(page) == ["bn-sw1", "bn-pc1"]
    page = client.get("/inventory/devices", params={"device_class": "access_switch"}).text
    assert sorted(rows_of(page)) == ["bn-sw1", "q1-sw1"]
    page = client.get("/inventory/devices", params={"status": "spare"}).text
    assert rows_of(page) == ["bn-pc1"]
    assert '<span class="inv-count" id="total">1</span>' in page


def test_device_list_filters_by_monitoring_and_funding(client: TestClient) -> None:
    page = client.get("/inventory/devices", params={"monitoring": "icmp"}).text
    assert rows_of(page) == ["yt-fw1"]
    page = client.get("/inventory/devices", params={"funding_program": "Đề án CQĐT 2021-2025"})
    assert sorted(rows_of(page.text)) == ["core1", "q1-sw1"]


def test_an_unknown_filter_value_is_ignored_and_said(client: TestClient) -> None:
    page = client.get("/inventory/devices", params={"status": "melted"})
    assert page.status_code == 200
    assert len(rows_of(page.text)) == 5
    assert "status" in page.text.split("inv-error")[1][:200]


def test_sort_toggles_and_sets_aria_sort(client: TestClient) -> None:
    page = client.get("/inventory/devices", params={"sort": "name"}).text
    assert rows_of(page) == ["bn-pc1", "bn-sw1", "core1", "q1-sw1", "yt-fw1"]
    assert 'aria-sort="ascending"' in page
    assert "sort=-name" in page  # the header link now sorts descending
    page = client.get("/inventory/devices", params={"sort": "-name"}).text
    assert rows_of(page) == ["yt-fw1", "q1-sw1", "core1", "bn-sw1", "bn-pc1"]
    assert 'aria-sort="descending"' in page
    # a field that cannot be sorted on is ignored, not an error
    assert client.get("/inventory/devices", params={"sort": "password"}).status_code == 200


def test_lists_page_by_100(client: TestClient, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        from inventory.enums import Via
        from inventory.service import Actor, Inventory

        inv = Inventory(session, Actor("seed", Via.CLI))
        inv.preload()
        for n in range(120):
            inv.put("device", {"name": f"kiosk-{n:03d}", "site": "DC", "device_class": "kiosk",
                               "monitoring": "none"})
        session.commit()
    first = client.get("/inventory/devices", params={"device_class": "kiosk", "sort": "name"})
    assert len(rows_of(first.text)) == 100
    assert "page=2" in first.text
    second = client.get("/inventory/devices",
                        params={"device_class": "kiosk", "sort": "name", "page": 2}).text
    assert rows_of(second) == [f"kiosk-{n:03d}" for n in range(100, 120)]
    assert '<span class="inv-count" id="total">120</span>' in second


def test_csv_export_of_the_current_filter(client: TestClient) -> None:
    response = client.get("/inventory/devices.csv", params={"agency": "Q1"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [r["name"] for r in rows] == ["q1-sw1"]
    assert rows[0]["custodian"] == "Nguyễn Văn Bình"


def test_other_lists_render(client: TestClient) -> None:
    assert "UBND Phường Bến Nghé" in client.get("/inventory/sites").text
    assert rows_of(client.get("/inventory/agencies?kind=ward").text) == ["Q1-BN"]
    assert rows_of(client.get("/inventory/links?network=metronet").text) == ["core1-q1"]


# -- records and forms -----------------------------------------------------------------------

def test_record_page_shows_fields_dates_history_and_operator_link(client: TestClient) -> None:
    page = client.get("/inventory/devices/q1-sw1").text
    assert "15/06/2021" in page  # purchase_date dd/mm/yyyy
    assert "FOC1234X" in page and "ward" in page  # serial, credentials profile name
    assert 'href="/devices/q1-sw1"' in page
    assert "seed" in page  # the creation is in the history
    assert client.get("/inventory/devices/nope").status_code == 404


def post_edit(client: TestClient, name: str, **changes: str) -> tuple[int, str, str]:
    form = client.get(f"/inventory/devices/{name}/edit").text
    fields = dict(re.findall(r'<input id="in-(\w+)" name="\w+" value="([^"]*)"', form))
    fields.update(re.findall(r'<select id="in-(\w+)".*?<option value="(\w+)" selected',
                             form, re.S))
    fields["notes"] = re.search(r"<textarea[^>]*>([^<]*)</textarea>", form).group(1)  # type: ignore[union-attr]
    fields.update(changes, csrf_token=CSRF)
    response = client.post(f"/inventory/devices/{name}/edit", data=fields)
    return response.status_code, response.headers.get("location", ""), response.text


def test_edit_with_a_bad_ip_shows_the_field_error_and_changes_nothing(
        client: TestClient, sessions: sessionmaker[Session]) -> None:
    status, _, page = post_edit(client, "q1-sw1", mgmt_address="127.0.1.999",
                                custodian="Someone Else")
    assert status == 422
    assert re.search(r'id="in-mgmt_address-err">[^<]*not an IPv4 or IPv6 address', page)
    assert 'href="#in-mgmt_address"' in page  # the error summary links to the field
    assert 'value="127.0.1.999"' in page and 'value="Someone Else"' in page  # input kept
    assert device(sessions, "q1-sw1").mgmt_address == "127.0.1.1"
    assert audit(sessions, "q1-sw1") == []


def test_a_record_level_error_lands_on_its_field(client: TestClient) -> None:
    status, _, page = post_edit(client, "core1", warranty_end="2020-01-01")
    assert status == 422
    assert re.search(r'id="in-warranty_end-err">warranty_end is before purchase_date', page)


def test_a_duplicate_serial_is_shown_on_the_serial_field(client: TestClient) -> None:
    status, _, page = post_edit(client, "core1", serial="FOC1234X")
    assert status == 422
    assert re.search(r'id="in-serial-err">duplicate serial', page)


def test_edit_success_is_audited_as_the_user_via_ui(client: TestClient, who: As,
                                                     sessions: sessionmaker[Session]) -> None:
    status, location, _ = post_edit(client, "q1-sw1", mgmt_address="127.0.1.2",
                                    warranty_end="2027-06-30")
    assert (status, location) == (303, "/inventory/devices/q1-sw1")
    assert device(sessions, "q1-sw1").mgmt_address == "127.0.1.2"
    [entry] = audit(sessions, "q1-sw1")
    assert (entry.actor, entry.via, entry.action) == ("tech", "ui", "update")
    assert entry.changes == {"mgmt_address": ["127.0.1.1", "127.0.1.2"],
                             "warranty_end": [None, "2027-06-30"]}
    assert who.changes
    page = client.get(location)
    assert "Đã lưu thay đổi." in page.text  # the flash message
    assert "30/06/2027" in page.text and "127.0.1.1" in page.text  # history before → after
    assert "Đã lưu thay đổi." not in client.get(location).text  # shown once


def test_new_device(client: TestClient, sessions: sessionmaker[Session]) -> None:
    form = client.get("/inventory/devices/new").text
    assert '<option value="Q1-BN-UB">' in form  # site suggestions
    assert 'type="date"' in form and "<select" in form and 'name="csrf_token"' in form
    response = client.post("/inventory/devices/new", data={
        "csrf_token": CSRF, "name": "bn-ups1", "site": "Q1-BN-UB", "device_class": "ups",
        "monitoring": "none", "status": "active", "purchase_date": "2024-05-02",
        "custodian": "Phạm Thu Hà"})
    assert response.status_code == 303
    assert response.headers["location"] == "/inventory/devices/bn-ups1"
    assert device(sessions, "bn-ups1").custodian == "Phạm Thu Hà"
    [entry] = audit(sessions, "bn-ups1")
    assert (entry.action, entry.via, entry.actor) == ("create", "ui", "tech")


def test_new_device_with_an_existing_name_is_refused(client: TestClient) -> None:
    response = client.post("/inventory/devices/new", data={
        "csrf_token": CSRF, "name": "core1", "site": "DC", "device_class": "ups",
        "monitoring": "none"})
    assert response.status_code == 422
    assert re.search(r'id="in-name-err">already exists', response.text)


def test_new_site_with_unknown_agency_shows_the_agency_field(client: TestClient) -> None:
    response = client.post("/inventory/sites/new", data={
        "csrf_token": CSRF, "code": "X1", "agency": "NOPE", "name": "Chỗ mới", "role": "pop"})
    assert response.status_code == 422
    assert re.search(r'id="in-agency-err">unknown agency', response.text)


def test_edit_an_agency(client: TestClient, sessions: sessionmaker[Session]) -> None:
    form = client.get("/inventory/agencies/Q1-BN/edit").text
    assert 'name="code" value="Q1-BN"' in form and "readonly" in form
    response = client.post("/inventory/agencies/Q1-BN/edit", data={
        "csrf_token": CSRF, "code": "Q1-BN", "kind": "ward", "name_vi": "Phường Bến Nghé",
        "parent": "Q1", "contact_email": "not-an-email"})
    assert response.status_code == 422
    assert 'id="in-contact_email-err"' in response.text
    response = client.post("/inventory/agencies/Q1-BN/edit", data={
        "csrf_token": CSRF, "code": "Q1-BN", "kind": "ward", "name_vi": "Phường Bến Nghé",
        "parent": "Q1", "contact_email": "bn@q1.example"})
    assert response.status_code == 303
    assert [e.action for e in audit(sessions, "Q1-BN")] == ["update"]


def test_retire_a_device(client: TestClient, sessions: sessionmaker[Session]) -> None:
    response = client.post("/inventory/devices/bn-sw1/retire", data={"csrf_token": CSRF})
    assert response.status_code == 303
    assert device(sessions, "bn-sw1").status == "retired"
    [entry] = audit(sessions, "bn-sw1")
    assert (entry.action, entry.via, entry.actor) == ("retire", "ui", "tech")
    page = client.get("/inventory/devices/bn-sw1").text
    assert "/retire" not in page  # no retire button for a retired device


# -- roles and scope -------------------------------------------------------------------------

def test_a_viewer_reads_but_cannot_write(client: TestClient, who: As,
                                         sessions: sessionmaker[Session]) -> None:
    who.user = VIEWER
    page = client.get("/inventory/devices/q1-sw1")
    assert page.status_code == 200
    assert "/edit" not in page.text and "/retire" not in page.text
    assert client.get("/inventory/devices/q1-sw1/edit").status_code == 403
    assert client.post("/inventory/devices/q1-sw1/retire",
                       data={"csrf_token": CSRF}).status_code == 403
    assert client.post("/inventory/devices/new", data={"name": "x"}).status_code == 403
    assert client.get("/inventory/import").status_code == 403
    assert device(sessions, "q1-sw1").status == "active"


def test_anonymous_is_refused(client: TestClient, who: As) -> None:
    who.user = None
    assert client.get("/inventory").status_code == 401


def test_a_scoped_viewer_sees_only_its_agency(client: TestClient, who: As) -> None:
    who.user = SCOPED  # Q1 and its ward Q1-BN
    assert sorted(rows_of(client.get("/inventory/devices").text)) == ["bn-pc1", "bn-sw1",
                                                                     "q1-sw1"]
    assert sorted(rows_of(client.get("/inventory/agencies").text)) == ["Q1", "Q1-BN"]
    assert client.get("/inventory/devices/core1").status_code == 404
    assert client.get("/inventory/devices/bn-sw1").status_code == 200
    search = client.get("/inventory", params={"q": "127.0."}).text
    assert "/inventory/devices/q1-sw1" in search and "/inventory/devices/bn-sw1" in search
    assert "/inventory/devices/core1" not in search and "yt-fw1" not in search
    rows = list(csv.DictReader(io.StringIO(client.get("/inventory/devices.csv").text)))
    assert sorted(r["name"] for r in rows) == ["bn-pc1", "bn-sw1", "q1-sw1"]


# -- form parsing ----------------------------------------------------------------------------

def test_forms_are_parsed_without_a_form_package() -> None:
    encoded = parse_form("application/x-www-form-urlencoded",
                         b"name=Ph%C6%B0%E1%BB%9Dng+B%E1%BA%BFn&empty=")
    assert encoded.fields == {"name": "Phường Bến", "empty": ""}
    body = (b"--XX\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n"
            b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\nname,site\r\nb\xe1\xba\xbfn,DC\r\n--XX--\r\n")
    multi = parse_form("multipart/form-data; boundary=XX", body)
    assert multi.fields == {"csrf_token": "abc"}
    assert multi.files == {"file": ("d.csv", "name,site\r\nbến,DC".encode())}
