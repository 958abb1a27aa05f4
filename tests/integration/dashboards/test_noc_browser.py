"""The whole NOC in a real browser: `noc run --lab` as a process, driven by Debian's chromium.

One NOC on the small lab serves the whole module; a technician is created
with the CLI (`noc user create`) before the browser starts. The tests run in
file order on one browser page, like an operator's shift: look at the
overview anonymously, log in with the one-time password and change it, break
a ward's uplink (`noc lab break`) and watch the ward turn red on the overview
without a reload, open that ward's page, find an asset by its serial and edit
it, import a CSV with one bad row. Screenshots of every step (1920x1080, the
overview also 1366x768) go to a temporary directory and /tmp/noc-e2e-shots/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from noc.lab.model import AgencyKind, DeviceRole, LabTopology, Network
from noc.lab.topology import build_topology
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import wait_for
from tests.peers.noc_process import launch_noc

pytestmark = pytest.mark.integration

SHOTS = Path("/tmp/noc-e2e-shots")
INTERVAL = 2.0
# ward down: two poll intervals + a request timeout, then the page's 5 s fragment refresh,
# with room for a loaded machine
RED_WITHIN_MS = 40_000
TECHNICIAN = "kt-hoang"
NEW_PASSWORD = "Metronet-ca-dem-2025"
CUSTODIAN = "Lê Thị Hồng Nhung"
# the page sets this after login; a reload of the overview would lose it
MARKER = "window.__nocNoReload"



@dataclass
class Noc:
    base: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    topo: LabTopology

    def api(self, path: str, **params: str) -> Any:
        reply = httpx.get(f"{self.base}/api/v1{path}", params=params, timeout=10)
        reply.raise_for_status()
        return reply.json()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "noc", *args, "--data-dir",
                               str(self.data_dir)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"noc {' '.join(args)}: {done.stdout}{done.stderr}"
        return done


@pytest.fixture(scope="module")
def noc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Noc]:
    started = launch_noc(tmp_path_factory.mktemp("noc"), INTERVAL, NOC_ICMP__INTERVAL="3",
                         NOC_POLL__TIMEOUT="0.5", NOC_POLL__DEADLINE="4")
    noc = Noc(started.base, started.data_dir, started.proc, build_topology("small"))
    try:
        wait_for("every agency up", lambda: _all_up(noc), 60)
        yield noc
    finally:
        _stop(noc)
        started.log.close()


def _all_up(noc: Noc) -> bool:
    return all(a["status"] == "up" for a in noc.api("/agencies"))


def _stop(noc: Noc) -> None:
    """SIGTERM the NOC by its PID and wait; it stops the lab it started."""
    control = noc.data_dir / "lab" / "control.json"
    lab_pid = json.loads(control.read_text())["pid"] if control.exists() else None
    noc.proc.send_signal(signal.SIGTERM)
    try:
        noc.proc.wait(30)
    except subprocess.TimeoutExpired:
        noc.proc.kill()
        noc.proc.wait(10)
    if lab_pid is not None and Path(f"/proc/{lab_pid}").exists():
        os.kill(lab_pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def one_time_password(noc: Noc) -> str:
    """The technician's one-time password, as `noc user create` prints it."""
    made = noc.cli("user", "create", TECHNICIAN, "--role", "technician",
                   "--display-name", "Hoàng Minh Tuấn")
    return next(line.split()[-1] for line in made.stdout.splitlines()
                if line.startswith("one-time password:"))


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return tmp_path_factory.mktemp("shots")


@dataclass
class Tab:
    """The one browser page of the module, with what it logged as errors."""

    page: Page
    errors: list[str]
    shots: Path

    def shoot(self, name: str, full_page: bool = True) -> None:
        size = self.page.viewport_size or {"width": 0, "height": 0}
        shot = self.shots / f"{name}-{size['width']}x{size['height']}.png"
        self.page.screenshot(path=str(shot), full_page=full_page)
        assert shot.stat().st_size > 10_000, shot
        shutil.copyfile(shot, SHOTS / shot.name)


@pytest.fixture(scope="module")
def tab(noc: Noc, one_time_password: str, shots: Path) -> Iterator[Tab]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(viewport={"width": 1920, "height": 1080},
                                           locale="vi-VN", base_url=noc.base)
            yield _open_tab(context.new_page(), shots)
        finally:
            chromium.close()


def _open_tab(page: Page, shots: Path) -> Tab:
    page.set_default_timeout(20_000)
    errors: list[str] = []
    # a form refused with 422 logs "Failed to load resource"; that is the expected answer
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return Tab(page, errors, shots)


def _ward_uplink(topo: LabTopology) -> tuple[str, str]:
    """The first ward's own Metronet uplink: (link name, ward code)."""
    agency_of = {s.code: s.agency for s in topo.sites}
    kinds = {a.code: a.kind for a in topo.agencies}
    for link in topo.links:
        ward = agency_of[topo.device(link.b_device).site]
        if (link.network == Network.METRONET and kinds[ward] == AgencyKind.WARD
                and ward != agency_of[topo.device(link.a_device).site]):
            return link.name, ward
    raise AssertionError("the small lab has no ward uplink")


def test_overview_anonymously_then_first_login_forces_a_new_password(
        noc: Noc, tab: Tab, one_time_password: str) -> None:
    page = tab.page
    page.goto("/")
    wards = sum(1 for a in noc.topo.agencies if a.kind == AgencyKind.WARD)
    tiles = {kind: page.locator(f"article.tile[data-kind='{kind}']")
             for kind in ("department", "district", "ward")}
    expect(tiles["department"].locator(".tile-label")).to_have_text("Sở, ngành")
    expect(tiles["district"].locator(".tile-label")).to_have_text("Quận, huyện")
    expect(tiles["ward"].locator(".tile-label")).to_have_text("Phường, xã")
    expect(tiles["ward"].locator(".tile-value")).to_have_text(f"{wards}/{wards}")
    for tile in tiles.values():
        expect(tile.locator(".tile-value")).to_have_text(re.compile(r"^(\d+)/\1$"))
    expect(page.locator(".userbox-login")).to_be_visible()
    tab.shoot("01-overview-anonymous", full_page=False)

    page.click(".userbox-login")
    page.wait_for_url("**/login**")
    page.fill("input[name='name']", TECHNICIAN)
    page.fill("input[name='password']", one_time_password)
    tab.shoot("02-login")
    page.click("form.auth-card button[type='submit']")
    page.wait_for_url("**/account")
    expect(page.locator(".auth-notice")).to_contain_text("mật khẩu một lần")
    tab.shoot("03-account-must-change")
    page.fill("input[name='current']", one_time_password)
    page.fill("input[name='new']", NEW_PASSWORD)
    page.fill("input[name='confirm']", NEW_PASSWORD)
    page.click("form.auth-card button[type='submit']")
    expect(page.locator(".auth-ok")).to_contain_text("Đã đổi mật khẩu.")
    expect(page.locator(".userbox-name")).to_have_text(TECHNICIAN)
    expect(page.locator(".userbox .role-badge")).to_be_visible()
    tab.shoot("04-account-password-changed")

    page.click(".auth-ok a[href='/']")  # once changed, the rest of the NOC opens
    page.wait_for_url(noc.base + "/")
    expect(page.locator(".userbox-name")).to_have_text(TECHNICIAN)
    assert tab.errors == []


def test_broken_ward_uplink_turns_the_ward_red_without_a_reload(noc: Noc, tab: Tab) -> None:
    page = tab.page
    link, ward = _ward_uplink(noc.topo)
    wards = sum(1 for a in noc.topo.agencies if a.kind == AgencyKind.WARD)
    assert page.url == noc.base + "/"
    expect(page.locator("article.tile[data-kind='ward'] .tile-value")).to_have_text(
        f"{wards}/{wards}", timeout=30_000)
    page.evaluate(f"{MARKER} = true")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url)
            if frame == page.main_frame else None)
    row = page.locator(f"table.problems tr.row-down:has(a[href='/agencies/{ward}'])")
    try:
        noc.cli("lab", "break", link)
        expect(row).to_be_visible(timeout=RED_WITHIN_MS)
        expect(page.locator(f"svg.topo a.s-down[href='/agencies/{ward}']")).to_have_count(1)
        expect(page.locator("article.tile[data-kind='ward'] .tile-value")).to_have_text(
            f"{wards - 1}/{wards}")
        pill = row.locator(".pill-down")
        assert pill.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(240, 68, 56)"
        # only that ward is down: no other agency in red, in the table or on the map
        down = page.locator("table.problems tr.row-down a.agency-name")
        assert down.evaluate_all("els => els.map(a => a.getAttribute('href'))") == [
            f"/agencies/{ward}"]
        expect(page.locator("svg.topo a.s-down")).to_have_count(1)
        assert page.evaluate(MARKER) is True and navigations == []
        tab.shoot("05-overview-ward-down", full_page=False)
        page.set_viewport_size({"width": 1366, "height": 768})
        tab.shoot("05-overview-ward-down", full_page=False)
        page.set_viewport_size({"width": 1920, "height": 1080})
        assert page.evaluate(MARKER) is True and navigations == []

        row.locator("a.agency-name").click()  # step 3 opens from here, while it is red
        page.wait_for_url(f"**/agencies/{ward}")
        _check_agency_page(noc, page, ward)
        tab.shoot("06-agency-down")
    finally:
        noc.cli("lab", "heal")
    wait_for("recovery", lambda: _all_up(noc), 60)
    assert tab.errors == []


def _check_agency_page(noc: Noc, page: Page, ward: str) -> None:
    agency = next(a for a in noc.topo.agencies if a.code == ward)
    expect(page.locator("h2").first).to_contain_text(agency.name_vi)
    expect(page.locator(".page-head .pill-down")).to_be_visible()
    contact = page.locator("section[aria-labelledby='h-contact']")
    if agency.contact_name:
        expect(contact.locator("dl.facts")).to_contain_text(agency.contact_name)
    if agency.contact_phone:
        expect(contact.locator("a[href^='tel:']")).to_have_text(agency.contact_phone)
    devices = page.locator("section[aria-labelledby='h-devices']")
    agency_of = {s.code: s.agency for s in noc.topo.sites}
    mine = [d.name for d in noc.topo.devices if agency_of[d.site] == ward]
    for name in mine:
        expect(devices.locator(f"a[href='/devices/{name}']")).to_be_visible()
    expect(devices.locator(".count-total")).to_have_text(str(len(mine)))


def _icmp_asset(noc: Noc) -> dict[str, Any]:
    """An ICMP-only workstation of the lab, as the inventory API shows it."""
    name = next(d.name for d in noc.topo.devices
                if not d.snmp and d.role == DeviceRole.WORKSTATION)
    items = noc.api("/inventory/devices", q=name)["items"]
    return dict(next(i for i in items if i["name"] == name))


def test_find_an_asset_by_serial_and_edit_its_custodian(noc: Noc, tab: Tab) -> None:
    page = tab.page
    asset = _icmp_asset(noc)
    assert asset["serial"] and asset["custodian"] != CUSTODIAN
    page.click(".mainnav a[href='/inventory']")
    page.wait_for_url("**/inventory")
    page.get_by_label("Tìm theo tên").fill(asset["serial"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/inventory?q=*")
    found = page.get_by_role("link", name=asset["name"], exact=True).first
    expect(found).to_be_visible()
    tab.shoot("07-inventory-search-serial")
    found.click()
    page.wait_for_url(f"**/inventory/devices/{asset['name']}")
    expect(page.locator("dd[data-field='serial']")).to_have_text(asset["serial"])
    tab.shoot("08-inventory-record")

    page.get_by_role("link", name="Sửa", exact=True).click()
    page.wait_for_url(f"**/inventory/devices/{asset['name']}/edit")
    page.get_by_label("Người quản lý").fill(CUSTODIAN)
    tab.shoot("09-inventory-edit")
    page.get_by_role("button", name="Lưu", exact=True).first.click()
    page.wait_for_url(f"**/inventory/devices/{asset['name']}")
    expect(page.locator(".inv-flash")).to_contain_text("Đã lưu thay đổi.")
    expect(page.locator("dd[data-field='custodian']")).to_have_text(CUSTODIAN)
    newest = page.locator(".inv-history tbody tr").first
    expect(newest).to_contain_text(TECHNICIAN)
    expect(newest.locator(".inv-changes")).to_have_text(f"custodian: – → {CUSTODIAN}")
    tab.shoot("10-inventory-saved")

    saved = noc.api("/inventory/devices", q=asset["name"])["items"]
    assert [d["custodian"] for d in saved if d["name"] == asset["name"]] == [CUSTODIAN]
    audit = noc.api("/inventory/audit", key=asset["name"])["items"][0]
    assert (audit["action"], audit["actor"], audit["via"]) == ("update", TECHNICIAN, "ui")
    assert tab.errors == []


def test_import_with_one_bad_row_shows_row_and_field_and_changes_nothing(
        noc: Noc, tab: Tab, tmp_path: Path) -> None:
    page = tab.page
    site = next(s.code for s in noc.topo.sites if s.role == "one_stop_desk")
    rows = [f"e2e-kiosk{i},{site},kiosk,icmp,127.23.251.{i}" for i in range(1, 4)]
    rows.insert(2, f"e2e-cam1,{site},other,icmp,127.23.251.300")  # line 4 of the file
    csv = tmp_path / "may-moi.csv"
    csv.write_text("name,site,device_class,monitoring,mgmt_address\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    before = noc.api("/inventory/devices", q="e2e-")["items"]
    assert before == []

    page.click(".inv-subnav a[href='/inventory/import']")
    page.wait_for_url("**/inventory/import")
    page.get_by_label("Tệp CSV hoặc YAML").set_input_files(str(csv))
    page.get_by_label("Bảng CSV chứa").select_option("device")  # a few columns only
    page.get_by_role("button", name="Kiểm tra thử").click()
    refused = page.locator("tr.import-error")
    expect(refused).to_have_count(1)
    expect(refused.locator("td").nth(0)).to_have_text("may-moi.csv")
    expect(refused.locator("td").nth(1)).to_have_text(re.compile(r"\b4$"))
    expect(refused.locator("code")).to_have_text("mgmt_address")
    expect(page.locator("#import-errors-title")).to_contain_text("không có gì thay đổi")
    expect(page.locator("input[name='token']")).to_have_count(0)  # nothing to confirm
    tab.shoot("11-import-bad-row")

    assert noc.api("/inventory/devices", q="e2e-")["items"] == []
    assert noc.api("/inventory/audit", key="e2e-kiosk1")["items"] == []
    assert tab.errors == []
