"""The operators' pages in a real browser: click from the overview to an agency, a device, a link.

Serves the ops router over a Runtime holding the small lab city (built as in
the unit tests, no pollers) with uvicorn on a loopback port, and drives the
Debian chromium headless. Screenshots of every page at 1920x1080 and
1366x768 go to a temporary directory (and /tmp/noc-ops-*.png for a human).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Browser, Page

from dashboards.pages_ops import make_ops_router
from tests.browser import chromium, serve_app
from tests.unit.dashboards.test_pages_ops import build_runtime

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"]
DASHBOARDS = Path(__file__).parents[3] / "dashboards"



@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    runtime = build_runtime(tmp_path_factory.mktemp("ops-browser"))
    app = FastAPI()
    app.state.lab = True
    app.mount("/static", StaticFiles(directory=DASHBOARDS / "static"), name="static")
    app.include_router(make_ops_router(runtime))
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=not name.startswith("overview"))
    assert shot.stat().st_size > 10_000
    shutil.copyfile(shot, Path("/tmp") / f"noc-ops-{name}.png")


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_click_through_overview_agency_device_link(browser: Browser, site: str, tmp_path: Path,
                                                   width: int, height: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(site + "/")
        page.wait_for_load_state("networkidle")
        assert page.locator("svg.topo a.n").count() == 22
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        shoot(page, tmp_path, f"overview-{width}")

        page.click("svg.topo a[href='/agencies/Q3']")
        page.wait_for_url("**/agencies/Q3")
        assert page.locator("h2").first.inner_text().startswith("Quận 3")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        shoot(page, tmp_path, f"agency-{width}")

        page.click("a[href='/devices/q3-sw1']")
        page.wait_for_url("**/devices/q3-sw1")
        assert "q3-sw1" in page.locator("h2").first.inner_text()
        assert page.locator(".ifaces tbody tr").count() > 0
        shoot(page, tmp_path, f"device-{width}")

        page.locator(".ifaces a[href^='/links/']").first.click()
        page.wait_for_url("**/links/**")
        assert page.locator(".end").count() == 2
        shoot(page, tmp_path, f"link-{width}")

        for path in ("/agencies", "/devices", "/links", "/alerts"):
            page.goto(site + path)
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
            shoot(page, tmp_path, f"{path.strip('/')}-{width}")
        assert errors == []
    finally:
        page.close()


def test_keyboard_reaches_nav_links_with_visible_focus(browser: Browser, site: str) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(site + "/agencies")
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            href = page.evaluate("document.activeElement.getAttribute('href')")
            seen.append(href)
            if href == "/devices":
                outline = page.evaluate(
                    "getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none"
                break
        assert "/devices" in seen, seen
        page.keyboard.press("Enter")
        page.wait_for_url("**/devices")
        current = page.locator(".mainnav a[aria-current='page']").inner_text()
        assert current == "Thiết bị"
    finally:
        page.close()
