"""The alerts page in a real browser: layout at two wall sizes, and an operator acknowledging.

Serves the project's app (``create_app``) over the small lab city with the
in-memory alerting service of the unit tests (FakeAlerts), on a loopback port with
uvicorn, and drives Debian's chromium headless. Screenshots go to a
temporary directory and to /tmp/noc-alerts-*.png for a human to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from noc.app import create_app
from tests.browser import chromium, serve_app
from tests.unit.dashboards.fake_alerts import (
    PASSWORD,
    ROOT_FP,
    FakeAlerts,
    add_users,
    attach,
)
from tests.unit.dashboards.test_pages_ops import build_runtime

pytestmark = pytest.mark.integration
SIZES = [(1920, 1080), (1366, 768)]


@pytest.fixture(scope="module")
def fake() -> FakeAlerts:
    return FakeAlerts()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fake: FakeAlerts) -> Iterator[str]:
    runtime = build_runtime(tmp_path_factory.mktemp("alerts-browser"))
    add_users(runtime)
    attach(runtime, fake)
    with serve_app(create_app(runtime)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    shutil.copyfile(shot, Path("/tmp") / f"noc-alerts-{name}.png")


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= innerWidth"))


def log_in(page: Page, site: str, name: str) -> None:
    page.goto(site + "/login?next=/alerts")
    page.fill("input[name='name']", name)
    page.fill("input[name='password']", PASSWORD)
    page.click("form[action='/login'] button[type='submit']")
    page.wait_for_url("**/alerts")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_alerts_page_fits_the_screen(browser: Browser, site: str, tmp_path: Path,
                                     width: int, height: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(page, site, "olga")
        assert page.locator("#firing article.incident").count() == 2
        assert page.locator(".notifier-banner").count() == 1
        assert page.locator("tr.trap-unknown").count() == 1
        page.locator(f"#inc-{ROOT_FP} details.inc-members summary").click()
        assert page.locator(f"#inc-{ROOT_FP} details.inc-members li").first.is_visible()
        assert no_horizontal_scroll(page)
        shoot(page, tmp_path, f"page-{width}")
        page.goto(site + "/")
        page.wait_for_load_state("networkidle")
        assert page.locator(".panel-alerts .inc-mini li").count() == 3
        assert no_horizontal_scroll(page)
        shoot(page, tmp_path, f"overview-{width}")
        page.goto(site + "/devices/q1-sw1")
        assert page.locator(".maint-now").count() == 1
        assert page.locator("form[action='/maintenance'] button").is_visible()
        assert no_horizontal_scroll(page)
        shoot(page, tmp_path, f"device-{width}")
        assert not errors
    finally:
        page.close()


def test_operator_acknowledges_an_incident(browser: Browser, site: str, tmp_path: Path,
                                           fake: FakeAlerts) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        log_in(page, site, "olga")
        card = page.locator(f"#firing #inc-{ROOT_FP}")
        card.locator("input[name='note']").first.fill("Đã cử kỹ thuật viên")
        card.get_by_role("button", name="Xác nhận").click()
        page.wait_for_url("**/alerts?done=ack**")
        assert page.locator(".flash-ok").inner_text().endswith("Đã xác nhận sự cố")
        assert page.locator(f"#firing #inc-{ROOT_FP}").count() == 0
        moved = page.locator(f"#acked #inc-{ROOT_FP}")
        assert "Đã cử kỹ thuật viên" in moved.inner_text() and "olga" in moved.inner_text()
        assert ("ack", ROOT_FP, "olga", "Đã cử kỹ thuật viên") in fake.calls
        shoot(page, tmp_path, "acked")
    finally:
        page.close()


def test_operator_schedules_a_weekly_window(browser: Browser, site: str, tmp_path: Path,
                                            fake: FakeAlerts) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        log_in(page, site, "olga")
        form = page.locator("form#weekly-form")
        form.scroll_into_view_if_needed()
        assert form.locator("datalist option[value='Q1']").count() == 1
        form.locator("select[name='kind']").select_option("agency")
        form.locator("input[name='target']").fill("Q1")
        for label in ("T2", "T4"):  # the checkbox is hidden behind its day button
            form.locator("label.wf-day", has_text=label).click()
        form.locator("input[name='start_time']").fill("22:00")
        form.locator("input[name='duration_hours']").fill("2")
        form.locator("input[name='note']").fill("Sao lưu cấu hình")
        assert no_horizontal_scroll(page)
        box = form.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
        form.screenshot(path=str(Path("/tmp/noc-alerts-form.png")))
        form.get_by_role("button", name="Lên lịch").click()
        page.wait_for_url("**/alerts?done=schedule**")
        assert page.locator(".flash-ok").inner_text().endswith("Đã lên lịch bảo trì hằng tuần")
        row = page.locator("#maintenance tr", has_text="Sao lưu cấu hình")
        assert "Thứ 2, Thứ 4 22:00–00:00" in row.inner_text()
        assert "Lần tới" in row.inner_text()
        assert page.evaluate("(() => { const box = document.querySelector("
                             "'#maintenance .scroll-x'); "
                             "return box.scrollWidth <= box.clientWidth; })()")
        assert [c[:6] for c in fake.calls if c[0] == "schedule"] == [
            ("schedule", "agency", "Q1", (0, 2), "22:00", 7200.0)]
        shoot(page, tmp_path, "scheduled")
    finally:
        page.close()
