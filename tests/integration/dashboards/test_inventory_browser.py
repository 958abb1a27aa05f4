"""The inventory pages in a real browser: find an asset, edit it, import a bad CSV; screenshots.

Serves the inventory router over a seeded SQLite inventory with uvicorn on a
loopback port, acting as a technician, and drives the Debian chromium headless
through Playwright. Screenshots of every page at 1920x1080 and 1366x768 go to
/tmp/noc-inventory/ for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import chromium, serve_app
from tests.unit.dashboards.test_pages_inventory_seed import As, make_app, make_sessions

pytestmark = pytest.mark.integration

SHOTS = Path("/tmp/noc-inventory")
PAGES = {"home": "/inventory?q=ben+nghe", "devices": "/inventory/devices?sort=name",
         "record": "/inventory/devices/q1-sw1", "edit": "/inventory/devices/q1-sw1/edit",
         "import": "/inventory/import", "drift": "/inventory/drift",
         "reports": "/inventory/reports?months=24"}
BAD_CSV = ("name,site,device_class,monitoring,mgmt_address\n"
           "bn-kiosk1,Q1-BN-UB,kiosk,none,\n"
           "bn-cam1,Q1-BN-UB,other,icmp,127.0.2.300\n")



@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = make_app(make_sessions(tmp_path_factory.mktemp("inventory")), As())
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_page(browser: Browser, url: str, width: int = 1366,
              height: int = 768) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    return page, errors


def test_find_by_serial_edit_and_see_the_change(browser: Browser, site: str) -> None:
    page, errors = open_page(browser, site + "/inventory")
    try:
        page.get_by_label("Tìm theo tên").fill("FOC1234X")
        page.keyboard.press("Enter")
        page.get_by_role("link", name="q1-sw1").first.click()
        assert page.url.endswith("/inventory/devices/q1-sw1")
        page.get_by_role("link", name="Sửa").click()
        page.get_by_label("Địa chỉ IP quản lý").fill("127.0.1.999")
        page.get_by_role("button", name="Lưu").first.click()
        assert page.locator("#in-mgmt_address-err").is_visible()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "edit-error-1366x768.png"), full_page=True)
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert page.get_by_label("Địa chỉ IP quản lý").input_value() == "127.0.1.999"
        page.get_by_label("Địa chỉ IP quản lý").fill("127.0.1.7")
        page.get_by_label("Người quản lý").fill("Đặng Quốc Huy")
        page.get_by_role("button", name="Lưu").first.click()
        assert page.url.endswith("/inventory/devices/q1-sw1")
        assert "Đã lưu thay đổi." in page.locator(".inv-flash").inner_text()
        assert page.locator("dd[data-field='custodian']").inner_text() == "Đặng Quốc Huy"
        assert "127.0.1.1" in page.locator(".inv-history").inner_text()
        assert errors == []
    finally:
        page.close()


def test_import_with_a_bad_row_shows_the_row_and_field(browser: Browser, site: str,
                                                       tmp_path: Path) -> None:
    bad = tmp_path / "devices.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    ok = tmp_path / "new.csv"
    ok.write_text(BAD_CSV.rsplit("bn-cam1", 1)[0], encoding="utf-8")
    page, errors = open_page(browser, site + "/inventory/import")
    try:
        page.get_by_label("Tệp CSV hoặc YAML").set_input_files(str(bad))
        page.get_by_role("button", name="Kiểm tra thử").click()
        row = page.locator("tr.import-error").first
        assert "row 3" in row.inner_text() and "mgmt_address" in row.inner_text()
        assert page.locator("input[name='token']").count() == 0
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "import-error-1366x768.png"), full_page=True)
        page.get_by_label("Bảng CSV chứa").select_option("device")
        page.get_by_label("Tệp CSV hoặc YAML").set_input_files(str(ok))
        page.get_by_role("button", name="Kiểm tra thử").click()
        assert page.locator("tr[data-entity='device'] td[data-action='create']").inner_text() \
            == "1"
        page.screenshot(path=str(SHOTS / "import-preview-1366x768.png"), full_page=True)
        page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
        assert "Đã nhập dữ liệu." in page.locator(".inv-flash").inner_text()
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_screenshots_of_every_page(browser: Browser, site: str, width: int,
                                   height: int) -> None:
    SHOTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        page, errors = open_page(browser, site + path, width, height)
        try:
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
            page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
            assert errors == [], name
        finally:
            page.close()
