"""The alerting pages over an in-memory alerting service: sections, actions, roles, banner, panel.

The app is the project's own (``create_app``) over the small lab city, with
real users logging in through /login (CSRF included) and
:class:`~tests.unit.dashboards.fake_alerts.FakeAlerts` as the alerting service.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from dashboards.pages_alerts_data import end_time, next_start, window_active
from noc.alerting.model import Maintenance
from noc.app import create_app
from noc.runtime import Runtime
from tests.unit.dashboards.fake_alerts import (
    ACKED_FP,
    AM_ERROR,
    PASSWORD,
    ROOT_FP,
    TEMP_FP,
    FakeAlerts,
    add_users,
    attach,
    serving,
)
from tests.unit.dashboards.test_pages_ops import build_runtime


def csrf_of(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def login(client: TestClient, name: str) -> None:
    answer = client.post("/login", data={"name": name, "password": PASSWORD,
                                         "csrf_token": csrf_of(client), "next": "/"})
    assert answer.status_code == 303, answer.text


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    rt = build_runtime(tmp_path_factory.mktemp("alerts"))
    add_users(rt)
    return rt


@pytest.fixture
def served(runtime: Runtime) -> Iterator[tuple[FakeAlerts, TestClient]]:
    with serving(runtime) as pair:
        yield pair


@pytest.fixture
def fake(served: tuple[FakeAlerts, TestClient]) -> FakeAlerts:
    return served[0]


@pytest.fixture
def client(served: tuple[FakeAlerts, TestClient]) -> TestClient:
    return served[1]


@pytest.fixture
def operator(client: TestClient) -> TestClient:
    login(client, "olga")
    return client


# ---------- the page ----------


def test_page_shows_every_section_in_vietnamese(client: TestClient) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = text_of(page.text)
    for phrase in ("Sự cố đang cảnh báo", "Sự cố đã xác nhận", "Cảnh báo đang chờ",
                   "Lịch bảo trì", "Tạm ngưng thông báo", "Kênh thông báo", "Bẫy SNMP gần đây",
                   "Lịch sử gần đây",
                   "Quận 3 mất kết nối: q3-sw1 không phản hồi, 5 phường bị ảnh hưởng",
                   "Nguyễn Thị Hằng", "Phường 1 (Quận 3) mất kết nối", "bị ẩn do q3-sw1",
                   "Đã gọi nhà mạng", "CPU 93 %", "Thay quạt", "Nâng cấp phần mềm",
                   "Đang bảo trì – giữ thông báo", "Đã gửi thông báo", AM_ERROR,
                   "chưa nhận dạng – cần phân loại", "4 bị loại bỏ"):
        assert phrase in text, phrase
    assert 'href="/agencies/Q3"' in page.text and ">Quận 3</a>" in page.text
    assert 'href="tel:02839300000"' in page.text and 'href="mailto:it@q3.example.vn"' in page.text
    assert '<details class="inc-members">' in page.text
    assert 'aria-current="page">Cảnh báo' in page.text


def test_sections_hold_the_right_incidents_most_severe_first(client: TestClient) -> None:
    page = client.get("/alerts").text
    firing = page[page.index('id="firing"'):page.index('id="acked"')]
    acked = page[page.index('id="acked"'):page.index('id="pending"')]
    assert firing.index(f"inc-{ROOT_FP}") < firing.index(f"inc-{TEMP_FP}")
    assert ACKED_FP not in firing
    assert f"inc-{ACKED_FP}" in acked and "olga" in acked
    pending = page[page.index('id="pending"'):page.index('id="maintenance"')]
    assert "cpu_high" in pending and "device_unreachable" not in pending


def test_page_in_english_keeps_diacritics(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    text = text_of(client.get("/alerts").text)
    for phrase in ("Incidents firing", "Acknowledged incidents", "Pending alerts",
                   "Maintenance windows", "Silences", "Notifiers", "Recent SNMP traps",
                   "Under maintenance – notifications held", "Quận 3", "Nguyễn Thị Hằng"):
        assert phrase in text, phrase
    assert "Sự cố đang cảnh báo" not in text


def test_title_follows_the_language_and_long_contact_lists_fold(client: TestClient,
                                                                fake: FakeAlerts) -> None:
    from noc.alerting.model import Contact

    first = fake.incidents[0]
    contacts = [Contact(f"Q3-P0{n}", f"Liên hệ {n}", f"028 0000 000{n}") for n in range(1, 7)]
    fake.incidents[0] = replace(first, title="Quận 3 isolated: q3-sw1 unreachable",
                                title_vi="Quận 3 mất kết nối: q3-sw1 không phản hồi",
                                contacts=contacts)
    page = client.get("/alerts").text
    text = text_of(page)
    assert "Quận 3 mất kết nối: q3-sw1 không phản hồi" in text
    assert "Quận 3 isolated" not in text
    assert "+3 liên hệ khác" in text and "Liên hệ 6" in text  # folded, not dropped
    client.cookies.set("lang", "en")
    assert "Quận 3 isolated: q3-sw1 unreachable" in text_of(client.get("/alerts").text)


def test_without_notifiers_the_page_does_not_claim_anyone_was_paged(client: TestClient,
                                                                    fake: FakeAlerts) -> None:
    fake.no_notifiers = True
    text = text_of(client.get("/alerts").text)
    assert "Chưa cấu hình kênh thông báo" in text and "Đã gửi thông báo" not in text


def test_history_page_lists_events_with_actor_and_note(client: TestClient,
                                                      fake: FakeAlerts) -> None:
    text = text_of(client.get("/alerts/history").text)
    assert "olga" in text and "Đã gọi nhà mạng" in text and "device_unreachable" in text
    assert ("history", 200, None) in fake.calls


def test_anonymous_and_viewer_see_no_action_buttons(client: TestClient) -> None:
    assert 'action="/alerts/' not in client.get("/alerts").text
    login(client, "vic")
    page = client.get("/alerts").text
    assert 'action="/alerts/' not in page and 'action="/maintenance' not in page
    assert "Quận 3 mất kết nối" in page


def test_operator_sees_actions_with_csrf(operator: TestClient) -> None:
    page = operator.get("/alerts").text
    assert f'action="/alerts/{ROOT_FP}/ack"' in page
    assert f'action="/alerts/{ACKED_FP}/ack"' not in page  # already acknowledged
    assert 'action="/maintenance/7/end"' in page and 'action="/alerts/silences/3/end"' in page
    assert page.count('name="csrf_token"') >= 6


# ---------- actions ----------


def test_ack_calls_the_backend_as_the_user_and_moves_the_incident(operator: TestClient,
                                                                  fake: FakeAlerts) -> None:
    token = csrf_of(operator, "/alerts")
    answer = operator.post(f"/alerts/{ROOT_FP}/ack",
                           data={"csrf_token": token, "note": "Đang cử người tới"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/alerts?done=ack")
    assert ("ack", ROOT_FP, "olga", "Đang cử người tới") in fake.calls
    page = operator.get(answer.headers["location"]).text
    assert "Đã xác nhận sự cố" in text_of(page)
    acked = page[page.index('id="acked"'):page.index('id="pending"')]
    assert f"inc-{ROOT_FP}" in acked and "Đang cử người tới" in acked


def test_silence_maintenance_and_ends(operator: TestClient, fake: FakeAlerts) -> None:
    token = csrf_of(operator, "/alerts")
    assert operator.post(f"/alerts/{TEMP_FP}/silence", data={
        "csrf_token": token, "hours": "4", "note": "chờ linh kiện"}).status_code == 303
    assert ("silence", TEMP_FP, 4 * 3600.0, "olga", "chờ linh kiện") in fake.calls
    assert operator.post("/alerts/silences/3/end", data={"csrf_token": token}).status_code == 303
    assert ("unsilence", 3, "olga") in fake.calls
    answer = operator.post("/maintenance", data={"csrf_token": token, "kind": "device",
                                                 "target": "q3-sw1", "hours": "2", "note": ""})
    assert answer.status_code == 303 and "done=maintenance" in answer.headers["location"]
    assert ("maintenance", "device", "q3-sw1", 7200.0, "olga", "") in fake.calls
    assert operator.post("/maintenance/7/end", data={"csrf_token": token}).status_code == 303
    assert ("end_maintenance", 7, "olga") in fake.calls


@pytest.mark.parametrize(("path", "fields", "status", "message"), [
    (f"/alerts/{'f' * 16}/ack", {}, 404, "Không tìm thấy cảnh báo"),
    ("/alerts/silences/999/end", {}, 404, "Không tìm thấy cảnh báo"),
    ("/maintenance/abc/end", {}, 404, "Không tìm thấy cảnh báo"),
    (f"/alerts/{TEMP_FP}/silence", {"hours": "0"}, 422, "Số giờ không hợp lệ"),
    (f"/alerts/{TEMP_FP}/silence", {"hours": "nan"}, 422, "Số giờ không hợp lệ"),
    ("/maintenance", {"kind": "device", "target": "q1-sw1", "hours": "500"}, 422,
     "Số giờ không hợp lệ"),
    ("/maintenance", {"kind": "city", "target": "q1-sw1", "hours": "2"}, 422,
     "Loại phạm vi bảo trì không hợp lệ"),
    ("/maintenance", {"kind": "device", "target": "nope", "hours": "2"}, 422,
     "Không thực hiện được: no device called 'nope'"),
])
def test_errors_are_shown_with_their_status(operator: TestClient, fake: FakeAlerts, path: str,
                                            fields: dict[str, str], status: int,
                                            message: str) -> None:
    answer = operator.post(path, data={"csrf_token": csrf_of(operator, "/alerts"), **fields})
    assert answer.status_code == status
    assert message in text_of(answer.text)
    assert 'role="alert"' in answer.text and "Sự cố đang cảnh báo" in answer.text
    assert not [c for c in fake.calls if c[0] != "history"]


def test_viewer_and_anonymous_get_refused(client: TestClient, fake: FakeAlerts) -> None:
    token = csrf_of(client)  # an anonymous visitor's token, from the login form
    assert client.post(f"/alerts/{ROOT_FP}/ack", data={"csrf_token": token}).status_code == 401
    login(client, "vic")
    token = csrf_of(client, "/alerts")
    for path in (f"/alerts/{ROOT_FP}/ack", "/maintenance", "/maintenance/7/end"):
        assert client.post(path, data={"csrf_token": token, "kind": "device",
                                       "target": "q1-sw1", "hours": "2"}).status_code == 403
    assert not [c for c in fake.calls if c[0] != "history"]


def test_missing_or_wrong_csrf_is_refused(operator: TestClient, fake: FakeAlerts) -> None:
    assert operator.post(f"/alerts/{ROOT_FP}/ack", data={"note": "x"}).status_code == 403
    assert operator.post(f"/alerts/{ROOT_FP}/ack",
                         data={"csrf_token": "forged", "note": "x"}).status_code == 403
    assert not fake.calls


# ---------- banner, panel, device and agency pages, alerting off ----------


@pytest.mark.parametrize("path", ["/", "/agencies/Q1", "/devices/q1-sw1", "/alerts", "/links"])
def test_failing_notifier_banner_on_every_ops_page(client: TestClient, path: str) -> None:
    page = client.get(path).text
    banner = re.search(r'<div class="notifier-banner" role="alert">(.*?)</div>', page, re.S)
    assert banner, path
    assert "Kênh thông báo alertmanager đang lỗi: " + AM_ERROR in text_of(banner.group(1))


def test_no_banner_when_notifiers_are_ok_nor_on_the_login_page(client: TestClient,
                                                               fake: FakeAlerts) -> None:
    assert "notifier-banner" not in client.get("/login").text
    fake.notifier_ok = True
    assert "notifier-banner" not in client.get("/agencies").text
    client.cookies.set("lang", "en")
    fake.notifier_ok = False
    assert "Notifier alertmanager failing" in text_of(client.get("/alerts").text)


def test_overview_panel_shows_incidents(client: TestClient) -> None:
    for path in ("/", "/fragments/overview"):
        page = client.get(path).text
        panel = page[page.index('class="panel panel-alerts"'):]
        panel = panel[:panel.index("</section>")]
        assert panel.count("<li class=\"sev-edge-") == 3
        assert panel.index("Quận 3 mất kết nối") < panel.index("Đường truyền dc-core-r1")
        assert "sev-critical" in panel and "đã xác nhận" in panel
        assert f'href="/alerts#inc-{ROOT_FP}"' in panel


def test_device_and_agency_pages_have_the_maintenance_line_and_button(
        client: TestClient) -> None:
    anonymous = client.get("/devices/q1-sw1").text
    assert "Đang bảo trì" in anonymous and "Thay quạt" in anonymous
    assert 'action="/maintenance"' not in anonymous
    login(client, "olga")
    device = client.get("/devices/q3-sw1").text
    assert 'action="/maintenance"' in device and 'name="target" value="q3-sw1"' in device
    assert "Bảo trì 2 giờ" in device and "Đang bảo trì" not in device
    agency = client.get("/agencies/Q3").text
    assert 'name="kind" value="agency"' in agency and 'name="target" value="Q3"' in agency


def test_alerting_off_says_so_everywhere(runtime: Runtime) -> None:
    attach(runtime, None)
    with TestClient(create_app(runtime)) as c:
        text = text_of(c.get("/alerts").text)
        assert "Chức năng cảnh báo chưa được bật" in text
        assert "Sự cố đang cảnh báo" not in text
        assert "Chưa bật chức năng cảnh báo" in c.get("/").text
        assert "notifier-banner" not in c.get("/").text
        assert 'action="/maintenance"' not in c.get("/devices/q1-sw1").text
        assert c.get("/alerts/history").status_code == 200


def test_recurring_windows_are_active_only_in_their_occurrence() -> None:
    # Monday 2024-06-03 02:30 in Ho Chi Minh City = 2024-06-02 19:30 UTC
    monday_0230 = 1717356600.0
    weekly = Maintenance(1, "agency", "Q1", 0.0, None, "olga", weekdays=(0,),
                         start_time="02:00", duration=3600.0)
    assert window_active(weekly, monday_0230)
    assert not window_active(weekly, monday_0230 + 3600)
    assert not window_active(replace(weekly, weekdays=(1,)), monday_0230)
    one_off = Maintenance(2, "device", "x", 100.0, 200.0, "olga")
    assert window_active(one_off, 150.0) and not window_active(one_off, 200.0)


# ---------- weekly maintenance form ----------

WEEKLY = {"weekly": "1", "kind": "agency", "target": "Q1", "day0": "1", "day2": "1",
          "start_time": "22:00", "duration_hours": "2", "until": "2027-01-31",
          "note": "sao lưu hằng tuần"}


def test_no_weekly_form_for_anonymous_and_viewers(client: TestClient) -> None:
    assert 'action="/maintenance/weekly"' not in client.get("/alerts").text
    login(client, "vic")
    assert 'action="/maintenance/weekly"' not in client.get("/alerts").text


def test_weekly_form_for_operators(operator: TestClient) -> None:
    client = operator
    page = client.get("/alerts").text
    form = page[page.index('action="/maintenance/weekly"'):]
    form = form[:form.index("</form>")]
    assert "Lên lịch bảo trì hằng tuần" in form and 'name="csrf_token"' in form
    for d, label in enumerate(("T2", "T3", "T4", "T5", "T6", "T7", "CN")):
        assert f'name="day{d}"' in form and f"<span>{label}</span>" in form
    assert 'name="start_time"' in form and 'pattern=' in form and 'type="date" name="until"' in form
    assert '<option value="Q1">Quận 1</option>' in form
    assert '<option value="q3-sw1">' in form
    client.cookies.set("lang", "en")
    assert "Schedule a weekly window" in client.get("/alerts").text


def test_weekly_form_reaches_the_backend_and_lists_the_window(operator: TestClient,
                                                               fake: FakeAlerts) -> None:
    answer = operator.post("/maintenance/weekly",
                           data={"csrf_token": csrf_of(operator, "/alerts"), **WEEKLY})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/alerts?done=schedule")
    ends = datetime.fromisoformat("2027-02-01T00:00:00+07:00").timestamp()
    assert [c for c in fake.calls if c[0] == "schedule"] == [
        ("schedule", "agency", "Q1", (0, 2), "22:00", 7200.0, "olga", "sao lưu hằng tuần", ends,
         "Asia/Ho_Chi_Minh")]
    page = operator.get(answer.headers["location"]).text
    text = text_of(page)
    assert "Đã lên lịch bảo trì hằng tuần" in text
    assert "Thứ 2, Thứ 4 22:00–00:00" in text and "sao lưu hằng tuần" in text
    nxt = re.search(r"Lần tới: (\d\d:\d\d:\d\d \d\d/\d\d)", text)
    assert nxt and nxt.group(1).startswith("22:00:00")
    operator.cookies.set("lang", "en")
    assert "Mon, Wed 22:00–00:00" in text_of(operator.get("/alerts").text)


@pytest.mark.parametrize(("change", "message"), [
    ({"day0": "", "day2": ""}, "Hãy chọn ít nhất một ngày"),
    ({"start_time": "24:30"}, "Giờ bắt đầu phải có dạng HH:MM"),
    ({"duration_hours": "0"}, "Số giờ không hợp lệ"),
    ({"until": "31/01/2027"}, "Ngày kết thúc không hợp lệ"),
    ({"kind": "city"}, "Loại phạm vi bảo trì không hợp lệ"),
    ({"target": "nope"}, "Không thực hiện được: there is no agency 'nope'"),
    ({"until": "2020-01-01"}, "Không thực hiện được: maintenance must end after it starts"),
])
def test_weekly_form_errors_re_render_with_the_values(operator: TestClient, fake: FakeAlerts,
                                                      change: dict[str, str],
                                                      message: str) -> None:
    answer = operator.post("/maintenance/weekly", data={
        "csrf_token": csrf_of(operator, "/alerts"), **WEEKLY, **change})
    assert answer.status_code == 422
    assert message in text_of(answer.text)
    assert 'value="sao lưu hằng tuần"' in answer.text  # what was typed is kept
    assert not [c for c in fake.calls if c[0] not in ("history",)]


def test_viewer_cannot_schedule(client: TestClient, fake: FakeAlerts) -> None:
    login(client, "vic")
    answer = client.post("/maintenance/weekly",
                         data={"csrf_token": csrf_of(client, "/alerts"), **WEEKLY})
    assert answer.status_code == 403
    assert not [c for c in fake.calls if c[0] != "history"]


def test_weekly_window_next_occurrence_and_end_time() -> None:
    monday_0230 = 1717356600.0  # Monday 2024-06-03 02:30 in Ho Chi Minh City
    weekly = Maintenance(1, "agency", "Q1", 0.0, None, "olga", weekdays=(0, 3),
                         start_time="02:00", duration=3600.0)
    assert end_time(weekly) == "03:00"
    assert end_time(replace(weekly, start_time="23:30", duration=7200.0)) == "01:30"
    thursday_0200 = monday_0230 + 3 * 86400 - 1800
    assert next_start(weekly, monday_0230) == thursday_0200  # the running one is skipped
    assert next_start(weekly, monday_0230 - 3600) == monday_0230 - 1800
    assert next_start(replace(weekly, ends_at=monday_0230 + 60), monday_0230) is None
