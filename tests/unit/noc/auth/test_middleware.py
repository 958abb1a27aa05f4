"""The middleware and the auth pages through a small app and TestClient."""

from __future__ import annotations

import re

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Via
from noc.auth.credentials import Credentials
from noc.auth.middleware import AuthMiddleware
from noc.auth.policy import AuthPolicy
from noc.auth.roles import Role, agency_scope, principal, require_role
from noc.auth.store import UserStore
from noc.auth.views import make_auth_router
from noc.settings import load_settings

PASSWORD = "a good long password"
DEVICES = {"Q1": "r-q1", "Q1-BN": "sw-bn", "STTTT": "core"}


def make_app(sessions: sessionmaker[Session], anonymous_read: bool) -> FastAPI:
    app = FastAPI()
    app.add_middleware(AuthMiddleware, sessions=sessions,
                       policy=AuthPolicy(anonymous_read=anonymous_read, secure_cookies=False))
    app.include_router(make_auth_router(sessions, load_settings()))

    @app.get("/")
    def home(request: Request) -> dict[str, object]:
        user = principal(request)
        return {"user": user.name if user else None}

    @app.get("/api/v1/devices")
    def devices(request: Request) -> list[str]:
        scope = agency_scope(request)
        return sorted(d for a, d in DEVICES.items() if scope is None or a.startswith(scope))

    @app.post("/alerts/ack")
    def ack() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/api/v1/inventory/devices")
    def write() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/maintenance", dependencies=[Depends(require_role(Role.TECHNICIAN))])
    def maintenance() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def make_user(sessions: sessionmaker[Session], name: str, role: Role,
              agency: str | None = None) -> None:
    store = UserStore(sessions)
    store.create(name, role, "test", Via.CLI, agency)
    store.set_password(name, PASSWORD, "test", Via.CLI)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD, follow: bool = False):
    token = csrf_of(client)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token, "next": "/"},
                       follow_redirects=follow)


@pytest.fixture
def client(sessions) -> TestClient:
    return TestClient(make_app(sessions, anonymous_read=False))


def test_anonymous_read_on_serves_pages_and_api(sessions):
    client = TestClient(make_app(sessions, anonymous_read=True))
    assert client.get("/").json() == {"user": None}
    assert client.get("/api/v1/devices").status_code == 200
    assert client.post("/alerts/ack").status_code == 401
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_anonymous_read_off_redirects_pages_and_refuses_the_api(client):
    page = client.get("/devices?x=1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fdevices%3Fx%3D1"
    api = client.get("/api/v1/devices")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def test_login_sets_a_session_cookie_and_logout_ends_it(sessions, client):
    make_user(sessions, "olga", Role.OPERATOR)
    answer = login(client, "olga")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "noc_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/").json() == {"user": "olga"}
    page = client.get("/account").text
    assert "olga" in page and 'action="/logout"' in page
    token = csrf_of(client, "/account")
    assert client.post("/logout", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/api/v1/devices").status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_answer(sessions, client):
    make_user(sessions, "olga", Role.OPERATOR)
    wrong = login(client, "olga", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        assert "Sai tên đăng nhập hoặc mật khẩu." in answer.text
        assert "not the password" not in answer.text


def test_lockout_after_ten_failures(sessions, client):
    make_user(sessions, "olga", Role.OPERATOR)
    for _ in range(10):
        assert login(client, "olga", "guess guess guess").status_code == 401
    locked = login(client, "olga")  # even the right password waits
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 900


def test_login_form_needs_its_csrf_token(sessions, client):
    make_user(sessions, "olga", Role.OPERATOR)
    client.get("/login")
    answer = client.post("/login", data={"name": "olga", "password": PASSWORD})
    assert answer.status_code == 403


def test_cookie_writes_need_csrf_bearer_writes_do_not(sessions, client):
    make_user(sessions, "olga", Role.OPERATOR)
    login(client, "olga")
    assert client.post("/alerts/ack").status_code == 403
    assert client.post("/alerts/ack", data={"csrf_token": "forged"}).status_code == 403
    token = csrf_of(client, "/account")
    assert client.post("/alerts/ack", data={"csrf_token": token}).json() == {"ok": True}
    assert client.post("/alerts/ack", headers={"X-CSRF-Token": token}).status_code == 200
    assert client.post("/alerts/ack", headers={"X-CSRF-Token": token},
                       files={"f": ("a.csv", b"x")}).status_code == 200
    multipart = client.post("/alerts/ack", data={"csrf_token": token},
                            files={"f": ("a.csv", b"name\nx\n")})
    assert multipart.status_code == 200
    _, secret = Credentials(sessions).create_token("olga", "script", "test", Via.CLI)
    bare = TestClient(client.app)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert bare.post("/alerts/ack", headers=bearer).json() == {"ok": True}
    assert bare.get("/api/v1/devices", headers={"Authorization": "Bearer noc_x_y"}
                    ).status_code == 401


def test_role_guards(sessions, client):
    make_user(sessions, "vera", Role.VIEWER)
    make_user(sessions, "olga", Role.OPERATOR)
    creds = Credentials(sessions)
    headers = {n: {"Authorization": f"Bearer {creds.create_token(n, 's', 't', Via.CLI)[1]}"}
               for n in ("vera", "olga")}
    assert client.post("/alerts/ack", headers=headers["vera"]).status_code == 403
    assert client.post("/alerts/ack", headers=headers["olga"]).status_code == 200
    assert client.post("/api/v1/inventory/devices", headers=headers["olga"]).status_code == 403
    assert client.post("/maintenance", headers=headers["olga"]).status_code == 403
    assert client.get("/admin/users", headers=headers["olga"]).status_code == 403
    assert client.post("/maintenance").status_code == 401


def test_scoped_viewer_sees_only_its_agency(sessions, client):
    make_user(sessions, "ward", Role.VIEWER, agency="Q1")
    login(client, "ward")
    assert client.get("/api/v1/devices").json() == ["r-q1", "sw-bn"]


def test_one_time_password_forces_a_change_first(sessions, client):
    _, once = UserStore(sessions).create("nina", Role.OPERATOR, "test", Via.CLI)
    answer = login(client, "nina", once)
    assert answer.headers["location"] == "/account"
    assert client.get("/", follow_redirects=False).headers["location"] == "/account"
    assert client.get("/api/v1/devices").status_code == 403
    token = csrf_of(client, "/account")
    fields = {"csrf_token": token, "current": once, "new": "short", "confirm": "short"}
    assert client.post("/account", data=fields).status_code == 400
    fields |= {"new": "nina's fresh one 42", "confirm": "nina's fresh one 42"}
    refused = client.post("/account", data=fields)
    assert refused.status_code == 400 and "user name" in refused.text
    fields |= {"new": "a fresh password 42", "confirm": "a fresh password 42"}
    done = client.post("/account", data=fields)
    assert done.status_code == 200 and "Đã đổi mật khẩu" in done.text
    assert client.get("/").json() == {"user": "nina"}
    assert once not in done.text and "a fresh password 42" not in done.text


def test_deactivation_ends_the_session_at_once(sessions, client):
    make_user(sessions, "olga", Role.OPERATOR)
    make_user(sessions, "root", Role.ADMIN)
    login(client, "olga")
    UserStore(sessions).set_active("olga", False, "root", Via.UI)
    answer = client.get("/api/v1/devices")
    assert answer.status_code == 401
