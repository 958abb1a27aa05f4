"""The overview in a real browser: layout, live refresh, connection loss, screenshots.

Runs uvicorn on a loopback port in a thread and drives the Debian chromium
headless through Playwright's sync API. The 1920x1080 screenshot is also
written to /tmp/noc-overview.png for a human to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Browser, Page

from dashboards.views import make_router
from noc.overview import Overview
from noc.status import AgencyStatus
from tests.browser import chromium, serve_app
from tests.fixtures.overview import make_overview
from tests.helpers import wait_for

pytestmark = pytest.mark.integration


DASHBOARDS = Path(__file__).parents[3] / "dashboards"
REFRESH_WAIT_MS = 15_000  # the page refreshes every 5 s
LEAD_SCREENSHOT = Path("/tmp/noc-overview.png")



@dataclass
class Feed:
    """What the fake NOC serves: the overview function counts its calls and can fail."""

    ov: Overview
    calls: int = 0
    failing: bool = False

    def __call__(self) -> Overview:
        self.calls += 1
        if self.failing:
            raise RuntimeError("simulated backend failure")
        return self.ov


@dataclass
class Site:
    url: str
    feed: Feed


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    feed = Feed(make_overview())
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=DASHBOARDS / "static"), name="static")
    app.include_router(make_router(feed))
    with serve_app(app) as url:
        yield Site(url, feed)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def fresh(site: Site) -> Site:
    """The site serving the default fake again, without simulated failures.

    Pages are cached for a second and an expired one is served once more
    while it is re-rendered: wait until both the page and its fragment show
    the default data again, not what an earlier test left.
    """
    site.feed.ov = make_overview()
    site.feed.failing = False
    expected = _default_tile()
    for path in ("/", "/fragments/overview"):
        wait_for(f"{path} re-rendered", lambda p=path: expected in httpx.get(  # type: ignore[misc]
            site.url + p, timeout=5).text or None, 10, every=0.3)
    return site


def _default_tile() -> str:
    dept = make_overview().counts["department"]
    return f"{dept[0]}/{dept[1]}"


def open_page(browser: Browser, url: str, width: int, height: int) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, errors


def tile_text(page: Page, kind: str) -> str:
    return page.locator(f".tile[data-kind='{kind}'] .tile-value").inner_text().strip()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_layout_and_screenshots(browser: Browser, fresh: Site, tmp_path: Path, width: int,
                                height: int) -> None:
    page, errors = open_page(browser, fresh.url + "/", width, height)
    try:
        ov = fresh.feed.ov
        for kind, (connected, total) in ov.counts.items():
            assert tile_text(page, kind) == f"{connected}/{total}"
        assert tile_text(page, "department") == "34/34"
        assert page.locator(".tile-devices .tile-value").inner_text().strip() == \
            f"{ov.devices_up}/{ov.devices_total}"
        assert page.evaluate("document.documentElement.lang") == "vi"

        problems = page.locator(".panel-problems")
        assert problems.locator("tr.row-down").first.locator(".agency-name").inner_text() \
            == "Quận 7"
        assert "q7-sw1" in problems.locator("tr.row-consequence").inner_text()
        assert "Phường Tân Thuận Đông" in problems.inner_text()
        assert page.locator(".panel-links tbody tr").count() == len(ov.busiest)
        assert page.locator(".panel-events tbody tr").count() == len(ov.events)

        # no horizontal scrolling, page or panels; the page fits the screen
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
        overflowing = page.evaluate("""Array.from(document.querySelectorAll('.panel-body'))
            .filter(el => el.scrollWidth > el.clientWidth + 1).length""")
        assert overflowing == 0

        shot = tmp_path / f"overview-{width}x{height}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
        if width == 1920:
            shutil.copyfile(shot, LEAD_SCREENSHOT)
        assert errors == []
    finally:
        page.close()


def test_english(browser: Browser, fresh: Site) -> None:
    page, errors = open_page(browser, fresh.url + "/lang?to=en", 1366, 768)
    try:
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator(".tile[data-kind='ward'] .tile-label").inner_text().lower() \
            == "wards"
        assert page.locator(".panel-problems h2").inner_text() == "Agencies down / degraded"
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.click(".lang-toggle")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == "vi"
        assert errors == []
    finally:
        page.close()


def with_department_down(ov: Overview) -> Overview:
    """The fake with Sở Y tế down too."""
    yt = next(a for a in ov.agencies if a.code == "SO-YT")
    down = AgencyStatus(yt.code, yt.kind, yt.name_vi, yt.name_en, "down", ov.at + 1, 0,
                        yt.devices_total, "timeout")
    dept_up, dept_total = ov.counts["department"]
    return replace(ov, at=ov.at + 5, problems=[down, *ov.problems],
                   counts={**ov.counts, "department": (dept_up - 1, dept_total)})


def test_live_refresh_swaps_in_new_data(browser: Browser, fresh: Site) -> None:
    page, errors = open_page(browser, fresh.url + "/", 1366, 768)
    try:
        assert tile_text(page, "department") == "34/34"
        before = page.locator("#updated").inner_text()
        fresh.feed.ov = with_department_down(fresh.feed.ov)
        page.wait_for_function(
            "document.querySelector(\".tile[data-kind='department'] .tile-value\")"
            ".textContent.trim() === '33/34'", timeout=REFRESH_WAIT_MS)
        tile_class = page.locator(".tile[data-kind='department']").get_attribute("class")
        assert tile_class is not None
        assert "tile-warn" in tile_class  # 33/34 is 97 %: amber
        assert "Sở Y tế" in page.locator(".panel-problems").inner_text()
        assert page.locator("#updated").inner_text() != before
        assert page.locator("#conn").get_attribute("data-state") == "live"
        # swapped in place: one live container, one fragment, no nested page
        assert page.locator("#live").count() == 1
        assert page.locator("[data-fragment='overview']").count() == 1
        assert page.locator("header.topbar").count() == 1
        assert errors == []
    finally:
        page.close()


def test_connection_lost_keeps_the_data_and_recovers(browser: Browser, fresh: Site) -> None:
    page, _ = open_page(browser, fresh.url + "/", 1366, 768)
    try:
        conn = page.locator("#conn")
        assert conn.get_attribute("data-state") == "live"
        assert not page.locator(".conn-lost").is_visible()
        fresh.feed.failing = True
        page.wait_for_function("document.getElementById('conn').dataset.state === 'lost'",
                               timeout=REFRESH_WAIT_MS)
        assert page.locator(".conn-lost").is_visible()
        assert "Mất kết nối tới máy chủ" in conn.inner_text()
        assert tile_text(page, "department") == "34/34"  # last data still shown
        assert "Quận 7" in page.locator(".panel-problems").inner_text()
        fresh.feed.failing = False
        page.wait_for_function("document.getElementById('conn').dataset.state === 'live'",
                               timeout=REFRESH_WAIT_MS)
        assert not page.locator(".conn-lost").is_visible()
    finally:
        page.close()


def test_no_polling_while_hidden(browser: Browser, fresh: Site) -> None:
    page, errors = open_page(browser, fresh.url + "/", 1366, 768)
    try:
        page.evaluate("""() => {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
        calls = fresh.feed.calls
        page.wait_for_timeout(6_500)
        assert fresh.feed.calls == calls
        page.evaluate("""() => {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
        page.wait_for_timeout(1_500)  # shown again: refreshes at once, not 5 s later
        assert fresh.feed.calls > calls
        assert errors == []
    finally:
        page.close()
