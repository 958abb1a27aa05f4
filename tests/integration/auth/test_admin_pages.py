"""Admin pages end to end: users and tokens made in the browser, secrets shown once, audited."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from inventory.enums import Via
from inventory.records import AuditEntry
from noc.auth.credentials import digest
from noc.auth.install import install_auth
from noc.auth.models import ApiToken, User
from noc.auth.roles import Role
from noc.auth.store import UserStore
from noc.settings import load_settings

pytestmark = pytest.mark.integration
PASSWORD = "admin password 2026"


@pytest.fixture
def admin(sessions) -> TestClient:
    app = FastAPI()
    policy = install_auth(app, sessions, load_settings(), lab=False)
    assert not policy.anonymous_read and not policy.secure_cookies
    store = UserStore(sessions)
    store.create("root", Role.ADMIN, "test", Via.CLI)
    store.set_password("root", PASSWORD, "test", Via.CLI)
    client = TestClient(app)
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"name": "root", "password": PASSWORD, "csrf_token": token})
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _secret(html: str) -> str:
    found = re.search(r'<output class="secret-value"[^>]*>([^<]+)</output>', html)
    assert found
    return found.group(1)


def test_admin_creates_a_user_whose_password_is_shown_once(sessions, admin):
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "root" in page.text
    answer = admin.post("/admin/users", data={"csrf_token": _csrf(page.text), "name": "thu",
                                              "role": "viewer", "agency": ""})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    password = _secret(answer.text)
    with sessions() as session:
        row = session.scalars(select(User).where(User.name == "thu")).one()
    assert row.must_change_password and password not in row.password_hash
    listing = admin.get("/admin/users").text
    assert password not in listing and row.password_hash not in listing
    assert "$2b$" not in listing
    assert UserStore(sessions).authenticate("thu", password) is not None


def test_admin_sets_role_deactivates_and_resets(sessions, admin):
    UserStore(sessions).create("lan", Role.VIEWER, "test", Via.CLI)
    token = _csrf(admin.get("/admin/users").text)
    assert admin.post("/admin/users/lan/role", data={"csrf_token": token, "role": "operator"},
                      follow_redirects=False).status_code == 303
    bad = admin.post("/admin/users/lan/role", data={"csrf_token": token, "role": "operator",
                                                     "agency": "Q1"})
    assert bad.status_code == 400 and "only a viewer" in bad.text
    admin.post("/admin/users/lan/active", data={"csrf_token": token, "active": "0"})
    assert not UserStore(sessions).get("lan").active  # type: ignore[union-attr]
    reset = admin.post("/admin/users/lan/reset", data={"csrf_token": token})
    assert UserStore(sessions).get("lan").must_change_password  # type: ignore[union-attr]
    assert len(_secret(reset.text)) == 19
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.key == "lan")).all()
    assert [(e.actor, e.via) for e in entries][1:] == [("root", "ui")] * 3


def test_admin_creates_and_revokes_a_token_stored_only_as_hash(sessions, admin):
    page = admin.get("/admin/tokens")
    answer = admin.post("/admin/tokens", data={"csrf_token": _csrf(page.text), "user": "root",
                                               "name": "nightly export", "days": "30"})
    secret = _secret(answer.text)
    assert secret.startswith("noc_")
    with sessions() as session:
        row = session.scalars(select(ApiToken)).one()
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "token")).one()
    assert row.token_hash == digest(secret) and row.expires_at is not None
    assert secret not in repr(audit.changes) and audit.key == "root/nightly export"
    listing = admin.get("/admin/tokens").text
    assert secret not in listing and row.token_hash not in listing and row.prefix in listing
    bot = TestClient(admin.app)
    assert bot.get("/admin/tokens", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 200
    admin.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": _csrf(listing)})
    assert bot.get("/admin/tokens", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 401


def test_non_admins_cannot_reach_admin_pages(sessions, admin):
    store = UserStore(sessions)
    store.create("tech", Role.TECHNICIAN, "test", Via.CLI)
    store.set_password("tech", "workshop pass 2026", "test", Via.CLI)
    client = TestClient(admin.app)
    assert client.get("/admin/users", follow_redirects=False).status_code == 303
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"name": "tech", "password": "workshop pass 2026",
                                "csrf_token": token})
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"csrf_token": _csrf(client.get("/account").text),
                                             "name": "x1", "role": "admin"}).status_code == 403


def test_userbox_and_pages_render_no_secret(sessions, admin):
    html = admin.get("/account").text
    assert 'class="userbox"' in html and "root" in html and "Quản trị" in html
    assert PASSWORD not in html and "$2b$" not in html
    with sessions() as session:
        hashed = session.scalars(select(User.password_hash)).one()
    for path in ("/admin/users", "/admin/tokens", "/account"):
        assert hashed not in admin.get(path).text
    anonymous = TestClient(admin.app).get("/login").text
    assert 'class="userbox-login"' in anonymous
