"""The alerting JSON API over an in-memory alerting service: shapes, scope, actions, refusals.

The app is the project's own (``create_app``) over the small lab city, with
:class:`~tests.unit.dashboards.fake_alerts.FakeAlerts` as the alerting service
and real users authenticated by API tokens (or a session cookie for CSRF).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from inventory.enums import Via
from noc.app import create_app
from noc.auth.credentials import Credentials
from noc.auth.roles import Role
from noc.auth.store import UserStore
from noc.runtime import Runtime
from tests.unit.dashboards.fake_alerts import (
    ACKED_FP,
    MEMBER_FP,
    PENDING_FP,
    ROOT_FP,
    TEMP_FP,
    FakeAlerts,
    add_users,
    attach,
    serving,
)
from tests.unit.dashboards.test_pages_alerts import csrf_of, login
from tests.unit.dashboards.test_pages_ops import build_runtime

TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    rt = build_runtime(tmp_path_factory.mktemp("api-alerts"))
    add_users(rt)
    store, creds = UserStore(rt.sessions), Credentials(rt.sessions)
    store.create("q3-viewer", Role.VIEWER, "setup", Via.CLI, agency="Q3")
    store.create("q1-viewer", Role.VIEWER, "setup", Via.CLI, agency="Q1")
    for name in ("olga", "vic", "q3-viewer", "q1-viewer"):
        TOKENS[name] = creds.create_token(name, "script", "setup", Via.CLI)[1]
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


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name]}"}


def actions(fake: FakeAlerts) -> list[tuple[object, ...]]:
    return [c for c in fake.calls if c[0] != "history"]


def parse_utc(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    return when


# ---------- reading ----------


def test_alerts_list_has_incidents_and_alerts_with_utc_times(client: TestClient,
                                                             fake: FakeAlerts) -> None:
    body = client.get("/api/v1/alerts").json()  # the lab allows anonymous reading
    assert abs(parse_utc(body["at"]).timestamp() - fake.snapshot().at) < 60
    assert [i["id"] for i in body["incidents"]] == [ROOT_FP, TEMP_FP, ACKED_FP]
    root = body["incidents"][0]
    assert root["severity"] == "critical" and root["affected_agencies"] == ["Q3", "Q3-P01"]
    assert root["affected_devices"] == 7 and root["contacts"][0]["name"] == "Nguyễn Thị Hằng"
    assert root["root"]["fingerprint"] == ROOT_FP and root["root"]["device"] == "q3-sw1"
    assert [m["fingerprint"] for m in root["members"]] == [MEMBER_FP]
    assert root["members"][0]["suppressed_by"] == ROOT_FP
    parse_utc(root["since"])
    acked = body["incidents"][2]
    assert acked["acked_by"] == "olga" and acked["ack_note"] == "Đã gọi nhà mạng"
    alerts = {a["fingerprint"]: a for a in body["alerts"]}
    assert set(alerts) == {ROOT_FP, MEMBER_FP, TEMP_FP, ACKED_FP, PENDING_FP}
    assert alerts[PENDING_FP]["state"] == "pending" and alerts[PENDING_FP]["fired_at"] is None
    assert alerts[TEMP_FP]["muted"] == "maintenance:7" and alerts[TEMP_FP]["agency"] == "Q1"
    assert set(alerts[ROOT_FP]) == {
        "fingerprint", "rule", "subject", "state", "severity", "summary", "device", "agency",
        "labels", "active_since", "fired_at", "suppressed_by", "incident", "acked_by", "muted",
        "flapping"}
    assert parse_utc(alerts[ROOT_FP]["fired_at"]) < parse_utc(body["at"])


def test_agency_viewer_sees_only_what_touches_its_agencies(client: TestClient) -> None:
    body = client.get("/api/v1/alerts", headers=as_user("q3-viewer")).json()
    assert [i["id"] for i in body["incidents"]] == [ROOT_FP]
    assert {a["fingerprint"] for a in body["alerts"]} == {ROOT_FP, MEMBER_FP}
    assert client.get("/api/v1/maintenance", headers=as_user("q3-viewer")).json() == []
    assert client.get("/api/v1/silences", headers=as_user("q3-viewer")).json() == []
    q1 = client.get("/api/v1/alerts", headers=as_user("q1-viewer")).json()
    assert [i["id"] for i in q1["incidents"]] == [TEMP_FP]
    assert [a["fingerprint"] for a in q1["alerts"]] == [TEMP_FP]
    windows = client.get("/api/v1/maintenance", headers=as_user("q1-viewer")).json()
    assert sorted(w["id"] for w in windows) == [7, 8]  # a device of Q1, and Q1 itself
    history = client.get("/api/v1/alerts/history", headers=as_user("q3-viewer")).json()
    assert [e["fingerprint"] for e in history] == [ROOT_FP]  # not dc-core-r1's ack


def test_history_passes_limit_and_fingerprint(client: TestClient, fake: FakeAlerts) -> None:
    events = client.get(f"/api/v1/alerts/history?limit=5&fingerprint={ACKED_FP}").json()
    assert ("history", 5, ACKED_FP) in fake.calls
    assert [(e["kind"], e["actor"], e["note"]) for e in events] == [
        ("ack", "olga", "Đã gọi nhà mạng")]
    parse_utc(events[0]["at"])
    assert client.get("/api/v1/alerts/history?limit=0").status_code == 422


def test_maintenance_and_silences_lists(client: TestClient) -> None:
    windows = {w["id"]: w for w in client.get("/api/v1/maintenance").json()}
    assert windows[7]["kind"] == "device" and windows[7]["target"] == "q1-sw1"
    assert windows[7]["recurring"] is False and windows[7]["note"] == "Thay quạt"
    assert parse_utc(windows[8]["next_start"]) == parse_utc(windows[8]["starts_at"])
    silences = client.get("/api/v1/silences").json()
    assert [(s["id"], s["fingerprint"]) for s in silences] == [(3, ACKED_FP)]


# ---------- actions ----------


def test_ack_reaches_the_backend_as_the_token_owner(client: TestClient,
                                                    fake: FakeAlerts) -> None:
    answer = client.post(f"/api/v1/alerts/{ROOT_FP}/ack", headers=as_user("olga"),
                         json={"note": "Đang cử người tới"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"fingerprint": ROOT_FP, "acked_by": "olga",
                             "note": "Đang cử người tới"}
    assert actions(fake) == [("ack", ROOT_FP, "olga", "Đang cử người tới")]
    listed = client.get("/api/v1/alerts").json()["incidents"][0]
    assert listed["acked_by"] == "olga" and listed["ack_note"] == "Đang cử người tới"


def test_silence_and_unsilence(client: TestClient, fake: FakeAlerts) -> None:
    answer = client.post(f"/api/v1/alerts/{TEMP_FP}/silence", headers=as_user("olga"),
                         json={"hours": 4, "note": "chờ linh kiện"})
    assert answer.status_code == 200, answer.text
    made = answer.json()
    assert made["fingerprint"] == TEMP_FP and made["created_by"] == "olga"
    assert ("silence", TEMP_FP, 4 * 3600.0, "olga", "chờ linh kiện") in fake.calls
    assert parse_utc(made["ends_at"]).timestamp() > datetime.now(UTC).timestamp() + 3.9 * 3600
    gone = client.delete(f"/api/v1/silences/{made['id']}", headers=as_user("olga"))
    assert gone.status_code == 204 and ("unsilence", made["id"], "olga") in fake.calls


def test_one_off_maintenance_from_now(client: TestClient, fake: FakeAlerts) -> None:
    answer = client.post("/api/v1/maintenance", headers=as_user("olga"), json={
        "kind": "device", "target": "q3-sw1", "hours": 2, "note": "thay nguồn"})
    assert answer.status_code == 201, answer.text
    window = answer.json()
    assert ("maintenance", "device", "q3-sw1", 7200.0, "olga", "thay nguồn") in fake.calls
    assert window["recurring"] is False and window["weekdays"] == []
    span = parse_utc(window["ends_at"]) - parse_utc(window["starts_at"])
    assert span.total_seconds() == pytest.approx(7200, abs=1)
    gone = client.delete(f"/api/v1/maintenance/{window['id']}", headers=as_user("olga"))
    assert gone.status_code == 204 and ("end_maintenance", window["id"], "olga") in fake.calls


@pytest.mark.parametrize("until", ["2027-01-01T00:00:00+07:00", "2027-01-01T00:00:00"])
def test_weekly_maintenance(client: TestClient, fake: FakeAlerts, until: str) -> None:
    answer = client.post("/api/v1/maintenance", headers=as_user("olga"), json={
        "kind": "agency", "target": "Q1", "weekdays": [2, 0], "start_time": "22:00",
        "duration_hours": 2, "until": until, "timezone": "Asia/Ho_Chi_Minh",
        "note": "sao lưu"})
    assert answer.status_code == 201, answer.text
    ends = datetime.fromisoformat("2027-01-01T00:00:00+07:00").timestamp()
    assert actions(fake) == [("schedule", "agency", "Q1", (0, 2), "22:00", 7200.0, "olga",
                              "sao lưu", ends, "Asia/Ho_Chi_Minh")]
    window = answer.json()
    assert window["recurring"] is True and window["weekdays"] == [0, 2]
    assert window["start_time"] == "22:00" and window["duration_hours"] == 2
    local = parse_utc(window["next_start"]).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local.strftime("%H:%M") == "22:00" and local.weekday() in (0, 2)
    assert parse_utc(window["next_end"]) - parse_utc(window["next_start"]) == timedelta(hours=2)
    assert parse_utc(window["ends_at"]).timestamp() == ends


@pytest.mark.parametrize(("body", "message"), [
    ({"kind": "agency", "target": "Q1", "weekdays": [1], "start_time": "25:00",
      "duration_hours": 2}, "start time must be HH:MM"),
    ({"kind": "agency", "target": "Q1", "weekdays": [9], "start_time": "22:00",
      "duration_hours": 2}, "weekdays go from 0"),
    ({"kind": "agency", "target": "Q1", "weekdays": [1], "start_time": "22:00",
      "duration_hours": 2, "timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"kind": "agency", "target": "nope", "weekdays": [1], "start_time": "22:00",
      "duration_hours": 2}, "there is no agency 'nope'"),
    ({"kind": "device", "target": "nope", "hours": 2}, "no device called 'nope'"),
])
def test_backend_refusals_are_422_with_the_message(client: TestClient, fake: FakeAlerts,
                                                   body: dict[str, object],
                                                   message: str) -> None:
    answer = client.post("/api/v1/maintenance", headers=as_user("olga"), json=body)
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert not actions(fake)


@pytest.mark.parametrize("body", [
    {"kind": "city", "target": "Q1", "hours": 2},
    {"kind": "agency", "target": "Q1"},
    {"kind": "agency", "target": "Q1", "hours": 0},
    {"kind": "agency", "target": "Q1", "hours": 500},
    {"kind": "agency", "target": "Q1", "hours": 2, "weekdays": [1]},
    {"kind": "agency", "target": "Q1", "weekdays": [1], "start_time": "22:00"},
    {"kind": "agency", "target": "Q1", "hours": 2, "colour": "red"},
])
def test_invalid_bodies_are_422(client: TestClient, fake: FakeAlerts,
                                body: dict[str, object]) -> None:
    answer = client.post("/api/v1/maintenance", headers=as_user("olga"), json=body)
    assert answer.status_code == 422 and answer.json()["detail"]
    assert not actions(fake)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", f"/api/v1/alerts/{'f' * 16}/ack", {"note": ""}),
    ("POST", f"/api/v1/alerts/{'f' * 16}/silence", {"hours": 1}),
    ("DELETE", "/api/v1/silences/999", None),
    ("DELETE", "/api/v1/maintenance/999", None),
])
def test_unknown_things_are_404(client: TestClient, fake: FakeAlerts, method: str, path: str,
                                body: dict[str, object] | None) -> None:
    answer = client.request(method, path, headers=as_user("olga"), json=body)
    assert answer.status_code == 404 and answer.json()["detail"]
    assert not actions(fake)


def test_silence_hours_are_checked(client: TestClient, fake: FakeAlerts) -> None:
    for hours in (0, -1, 169):
        answer = client.post(f"/api/v1/alerts/{TEMP_FP}/silence", headers=as_user("olga"),
                             json={"hours": hours})
        assert answer.status_code == 422, hours
    assert not actions(fake)


# ---------- who may ----------


def test_writes_need_an_operator(client: TestClient, fake: FakeAlerts) -> None:
    path = f"/api/v1/alerts/{ROOT_FP}/ack"
    anonymous = client.post(path, json={"note": "x"})
    assert anonymous.status_code == 401
    viewer = client.post(path, headers=as_user("vic"), json={"note": "x"})
    assert viewer.status_code == 403 and viewer.json()["detail"]
    for bad in ("noc_0000000000_forged", "nonsense"):
        refused = client.post(path, headers={"Authorization": f"Bearer {bad}"}, json={})
        assert refused.status_code == 401
    assert client.delete("/api/v1/maintenance/7", headers=as_user("q1-viewer")).status_code == 403
    assert not actions(fake)


def test_cookie_writes_need_the_csrf_token(client: TestClient, fake: FakeAlerts) -> None:
    login(client, "olga")
    path = f"/api/v1/alerts/{ROOT_FP}/ack"
    assert client.post(path, json={"note": "x"}).status_code == 403
    assert not actions(fake)
    token = csrf_of(client, "/alerts")
    answer = client.post(path, json={"note": "x"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200 and actions(fake) == [("ack", ROOT_FP, "olga", "x")]


def test_alerting_off_is_503(runtime: Runtime) -> None:
    attach(runtime, None)
    with TestClient(create_app(runtime)) as c:
        for path in ("/api/v1/alerts", "/api/v1/alerts/history", "/api/v1/maintenance"):
            answer = c.get(path)
            assert answer.status_code == 503 and "alerting is off" in answer.json()["detail"]
        write = c.post("/api/v1/maintenance", headers=as_user("olga"),
                       json={"kind": "agency", "target": "Q1", "hours": 1})
        assert write.status_code == 503


def test_openapi_documents_the_response_models(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    listed = spec["paths"]["/api/v1/alerts"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"]["$ref"].endswith("/AlertsOut")
    post = spec["paths"]["/api/v1/maintenance"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert "MaintenanceIn" in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["AlertOut"]["properties"]["fired_at"]["anyOf"][0][
        "format"] == "date-time"
