"""The overview pages, rendered with a fake overview (no browser)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

from dashboards.i18n import LANGS, TEXT, translator
from dashboards.views import make_router
from dashboards.web import fmt_ago, fmt_bps, fmt_time
from noc.overview import Overview
from noc.status import KINDS, AgencyStatus
from tests.fixtures.overview import all_connected, make_overview

DASHBOARDS = Path(__file__).parents[3] / "dashboards"
TEMPLATES = DASHBOARDS / "templates"
NOW = datetime(2024, 11, 23, 2, 40, 15, tzinfo=UTC).timestamp()


def client_for(ov: Overview) -> TestClient:
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=DASHBOARDS / "static"), name="static")
    app.include_router(make_router(lambda: ov))
    return TestClient(app)


@pytest.fixture
def fake() -> Overview:
    return make_overview()


@pytest.fixture
def client(fake: Overview) -> TestClient:
    return client_for(fake)


def text_of(page: str) -> str:
    """The visible text of a page, roughly: tags out, entities decoded, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# ---------- the page ----------


def test_overview_renders_the_counts(client: TestClient, fake: Overview) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.startswith("<!DOCTYPE html>")
    assert fake.counts["department"] == (34, 34)
    assert fake.counts["district"] == (23, 24)
    assert "34/34" in page
    assert "23/24" in page
    connected, total = fake.counts["ward"]
    assert f"{connected}/{total}" in page
    assert f"{fake.devices_up}/{fake.devices_total}" in page


def test_tiles_come_in_kind_order_with_their_colour(client: TestClient) -> None:
    page = client.get("/").text
    kinds = re.findall(r'class="tile tile-(\w+)" data-kind="(\w+)"', page)
    assert [kind for _, kind in kinds] == ["department", "district", "ward"]
    assert dict((kind, level) for level, kind in kinds) == {
        "department": "ok", "district": "warn", "ward": "warn"}


def test_tile_turns_red_below_95_percent(fake: Overview) -> None:
    ov = replace(fake, counts={**fake.counts, "ward": (250, 320)})
    page = client_for(ov).get("/").text
    assert 'class="tile tile-crit" data-kind="ward"' in page
    assert "250/320" in page
    assert "78.1" in page  # floor, one decimal


def test_vietnamese_by_default(client: TestClient) -> None:
    page = client.get("/").text
    assert '<html lang="vi">' in page
    text = text_of(page)
    for phrase in ("Trung tâm điều hành mạng Metronet", "Phường, xã", "Quận 7",
                   "Xã Thạnh An", "Sở Tài chính", "Phường Tân Thuận Đông",
                   "Đơn vị mất kết nối / suy giảm", "Đường truyền tải cao nhất"):
        assert phrase in text, phrase
    assert 'href="/lang?to=en"' in page
    assert "English" in text


def test_english_after_switching_language(client: TestClient) -> None:
    response = client.get("/lang?to=en", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "lang=en" in response.headers["set-cookie"]
    page = client.get("/").text
    assert '<html lang="en">' in page
    text = text_of(page)
    for phrase in ("Metronet Network Operations", "Departments", "Districts", "Wards",
                   "Agencies down / degraded", "Busiest links", "Recent events",
                   "Tiếng Việt"):
        assert phrase in text, phrase
    assert "Quận 7" in text  # agency names stay Vietnamese
    assert "Đơn vị mất kết nối" not in text
    assert 'href="/lang?to=vi"' in page
    fragment = client.get("/fragments/overview").text
    assert "Agencies down / degraded" in text_of(fragment)


def test_unknown_language_falls_back_to_vietnamese(client: TestClient) -> None:
    client.get("/lang?to=fr")
    assert '<html lang="vi">' in client.get("/").text
    client.cookies.set("lang", "xx")
    assert '<html lang="vi">' in client.get("/").text


def test_lab_badge_only_in_lab_mode(fake: Overview) -> None:
    assert "Chế độ mô phỏng (lab)" in client_for(fake).get("/").text
    assert "Chế độ mô phỏng (lab)" not in client_for(replace(fake, lab=False)).get("/").text


def test_static_files_are_linked_and_served(client: TestClient) -> None:
    page = client.get("/").text
    assert 'href="/static/noc.css"' in page
    assert 'src="/static/noc.js"' in page
    css = client.get("/static/noc.css")
    assert css.status_code == 200
    assert "Noto Sans" in css.text
    js = client.get("/static/noc.js")
    assert js.status_code == 200
    assert "/fragments/overview" in js.text or "data-src" in js.text


# ---------- the fragment ----------


def test_fragment_is_a_fragment(client: TestClient, fake: Overview) -> None:
    response = client.get("/fragments/overview")
    assert response.status_code == 200
    fragment = response.text
    for tag in ("!doctype", "html", "head", "body", "script", "link"):
        assert not re.search(rf"<{tag}[\s>]", fragment, flags=re.I), tag
    assert 'data-fragment="overview"' in fragment
    assert "34/34" in fragment
    assert f'data-updated="{fmt_time(fake.at)}"' in fragment


def test_page_embeds_the_fragment(client: TestClient) -> None:
    page = client.get("/").text
    assert 'id="live"' in page
    assert 'data-src="/fragments/overview"' in page
    assert 'data-fragment="overview"' in page


# ---------- problems table ----------


def rows(page: str) -> list[str]:
    """The problem table's rows, as HTML."""
    body = page.split('class="grid problems"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr class=\"row-.*?</tr>", body, flags=re.S)


def test_root_cause_comes_first_then_its_consequences(client: TestClient) -> None:
    found = rows(client.get("/fragments/overview").text)
    assert len(found) == 4
    q7, behind, lone, degraded = found
    assert 'class="row-down"' in q7
    assert "Quận 7" in q7
    assert "no response" in q7
    assert 'class="row-consequence" data-upstream="q7-sw1"' in behind
    assert "<b>10</b>" in behind
    assert "Phường Bình Thuận" in behind
    assert "do tuyến trên" in behind
    assert "Xã Thạnh An" in lone
    assert "timeout" in lone
    assert 'class="row-degraded"' in degraded
    assert "redundancy lost: so-tc-uplink-tslcd down" in degraded
    assert 'class="pill pill-degraded"' in degraded


def test_consequences_of_an_unknown_upstream_still_show(fake: Overview) -> None:
    behind = [p for p in fake.problems if p.upstream]
    orphans = [replace(p, upstream="dc-core-sw9") for p in behind]
    ov = replace(fake, problems=orphans)
    found = rows(client_for(ov).get("/fragments/overview").text)
    assert len(found) == 1
    assert 'data-upstream="dc-core-sw9"' in found[0]
    assert f"<b>{len(orphans)}</b>" in found[0]


def test_consequences_go_under_the_agency_owning_the_upstream_device(fake: Overview) -> None:
    at = fake.at
    q1 = AgencyStatus("Q1", "district", "Quận 1", "District 1", "down", at - 600, 0, 3,
                      "no response")
    ben_nghe = AgencyStatus("Q1-BN", "ward", "Phường Bến Nghé", "Ben Nghe Ward", "down",
                            at - 900, 0, 1, "timeout")  # on an internet VPN: its own fault
    cau_kho = AgencyStatus("Q1-CK", "ward", "Phường Cầu Kho", "Cau Kho Ward", "down",
                           at - 500, 0, 1, "upstream q1-sw1 down", "q1-sw1", "Q1")
    kiosk = AgencyStatus("Q1-BN-K", "ward", "Điểm Bến Nghé", "Ben Nghe kiosk", "down",
                         at - 400, 0, 1, "upstream q1-bn-sw1 down", "q1-bn-sw1", "Q1-BN")
    ov = replace(fake, problems=[q1, ben_nghe, cau_kho, kiosk])
    found = rows(client_for(ov).get("/fragments/overview").text)
    assert len(found) == 4
    assert "Quận 1" in found[0]
    assert 'data-upstream="q1-sw1"' in found[1]
    assert "Phường Cầu Kho" in found[1]
    assert "Phường Bến Nghé" in found[2]
    assert 'data-upstream="q1-bn-sw1"' in found[3]


def test_all_connected_shows_the_empty_state() -> None:
    page = client_for(all_connected()).get("/").text
    assert "Tất cả đơn vị đang kết nối" in page
    assert 'class="grid problems"' not in page
    assert "34/34" in page
    assert "24/24" in page


def test_agency_names_and_reasons_are_escaped(fake: Overview) -> None:
    evil = AgencyStatus("X<1>", "ward", 'Phường <b>"Đa Kao"</b> & Co', "Da Kao", "down",
                        fake.at - 60, 0, 1, "<script>alert(1)</script>")
    page = client_for(replace(fake, problems=[evil])).get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>\"Đa Kao\"</b>" not in page
    assert "Phường &lt;b&gt;&#34;Đa Kao&#34;&lt;/b&gt; &amp; Co" in page
    assert "X&lt;1&gt;" in page


# ---------- links and events ----------


def test_busiest_links(client: TestClient, fake: Overview) -> None:
    fragment = client.get("/fragments/overview").text
    for load in fake.busiest:
        assert load.link.name in fragment
    assert 'class="net net-metronet"' in fragment
    assert 'class="net net-tslcd"' in fragment
    assert 'class="net net-internet-vpn"' in fragment
    assert "930.0 Mbit/s" in fragment
    assert "ubar ubar-crit" in fragment  # 93 %
    assert "ubar ubar-warn" in fragment  # 82 %, 74 %
    assert "ubar ubar-ok" in fragment
    assert "93&#8239;%" in fragment


def test_link_without_utilization_or_down(fake: Overview) -> None:
    first = replace(fake.busiest[0], utilization=None, in_bps=None, out_bps=None,
                    oper_up=False)
    fragment = client_for(replace(fake, busiest=[first])).get("/fragments/overview").text
    links = fragment.split('class="grid links"', 1)[1].split("</table>", 1)[0]
    assert "ubar" not in links
    assert "–" in links
    assert "Đứt" in links


def test_events(client: TestClient, fake: Overview) -> None:
    fragment = client.get("/fragments/overview").text
    assert 'class="ev ev-device_down"' in fragment
    assert 'class="ev ev-device_up"' in fragment
    assert 'class="ev ev-interface_down"' in fragment
    assert "cgio-ta-sw1" in fragment
    assert "GigabitEthernet0/0/2" in fragment
    assert "Kết nối lại" in fragment
    empty = client_for(replace(fake, events=[])).get("/fragments/overview").text
    assert "Chưa có sự kiện" in empty


# ---------- i18n ----------


def test_every_key_has_every_language() -> None:
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        for lang in LANGS:
            assert entry[lang].strip(), (key, lang)


def template_keys() -> set[str]:
    keys: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        keys |= set(re.findall(r"""\bt\(\s*["']([^"']+)["']\s*\)""", path.read_text()))
    return keys


def test_every_key_used_in_templates_exists() -> None:
    keys = template_keys()
    assert {"app_title", "problems", "busiest_links", "events", "upstream"} <= keys
    assert sorted(keys - set(TEXT)) == []


def test_dynamic_keys_exist() -> None:
    dynamic = ([f"kind_{k}" for k in KINDS] + [f"kind_short_{k}" for k in KINDS]
               + [f"status_{s}" for s in ("up", "down", "degraded", "unknown")]
               + [f"event_{e}" for e in ("device_up", "device_down", "interface_up",
                                         "interface_down")])
    assert sorted(set(dynamic) - set(TEXT)) == []


def test_translator() -> None:
    assert translator("en")("kind_ward") == "Wards"
    assert translator("vi")("kind_ward") == "Phường, xã"
    assert translator("de")("kind_ward") == "Phường, xã"
    assert translator("en")("no-such-key") == "no-such-key"


# ---------- filters ----------


@pytest.mark.parametrize(("value", "text"), [
    (None, "–"),
    (0, "0 bit/s"),
    (999, "999 bit/s"),
    (1000, "1.0 kbit/s"),
    (12_345_678, "12.3 Mbit/s"),
    (930e6, "930.0 Mbit/s"),
    (1.5e9, "1.5 Gbit/s"),
])
def test_fmt_bps(value: float | None, text: str) -> None:
    assert fmt_bps(value) == text


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"),
    (45, "45s"),
    (59, "59s"),
    (60, "1m"),
    (12 * 60 + 30, "12m"),
    (3 * 3600 + 5 * 60, "3h05m"),
    (2 * 86400 + 4 * 3600, "2d4h"),
    (-30, "0s"),  # clock skew: never negative
])
def test_fmt_ago(seconds: int, text: str) -> None:
    assert fmt_ago(NOW - seconds, NOW) == text


def test_fmt_ago_unknown() -> None:
    assert fmt_ago(None, NOW) == "–"
    assert fmt_ago(0.0, NOW) == "–"


def test_fmt_time_is_vietnam_time() -> None:
    assert fmt_time(NOW) == "09:40:15 23/11"  # 02:40:15 UTC
    assert fmt_time(datetime(2024, 12, 31, 20, 0, tzinfo=UTC).timestamp()) \
        == "03:00:00 01/01"
    assert fmt_time(None) == "–"
    assert fmt_time(0) == "–"
