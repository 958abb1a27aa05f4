"""The drift report, adopt and expect over HTTP on SQLite and PostgreSQL, audited via api."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select

from inventory.models import Device
from inventory.records import AuditEntry
from noc.api_reports import make_reports_api
from tests.integration.inventory.conftest import Db
from tests.integration.inventory.test_drift import T0, _discovered, _seed

pytestmark = pytest.mark.integration


def _user(request: Request) -> str:
    return request.headers.get("x-user", "anonymous")


@pytest.fixture
def client(db: Db) -> Iterator[TestClient]:
    with db.sessions() as session:
        _seed(session)
        _discovered(session)
    app = FastAPI()
    app.include_router(make_reports_api(db.sessions, _user, clock=lambda: T0))
    with TestClient(app) as c:
        yield c


def _kinds(client: TestClient, **params: object) -> set[tuple[str, str]]:
    response = client.get("/api/v1/inventory/drift", params=params)
    assert response.status_code == 200, response.text
    return {(i["subject"], i["kind"]) for i in response.json()}


def test_drift_as_json_and_csv(client: TestClient) -> None:
    items = client.get("/api/v1/inventory/drift").json()
    serial = next(i for i in items if i["kind"] == "serial")
    assert serial == {"subject": "q1-bn-sw1", "agency": "Q1-BN", "kind": "serial",
                      "field": "serial", "recorded": "FOC1234", "discovered": "FOC9999",
                      "since": T0.isoformat(), "missing": False}
    response = client.get("/api/v1/inventory/drift", params={"format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {(r["subject"], r["kind"]) for r in rows} == {(i["subject"], i["kind"])
                                                         for i in items}


def test_adopt_over_the_api_is_audited_as_the_caller(client: TestClient, db: Db) -> None:
    response = client.post("/api/v1/inventory/drift/adopt", headers={"x-user": "api-token-7"},
                           json={"subject": "q1-bn-sw1", "field": "serial",
                                 "note": "mainboard swapped"})
    assert response.status_code == 200, response.text
    assert response.json() == {"subject": "q1-bn-sw1", "field": "serial", "action": "adopt",
                               "changed": True, "changes": {"serial": ["FOC1234", "FOC9999"]}}
    assert ("q1-bn-sw1", "serial") not in _kinds(client)
    with db.sessions() as session:
        assert session.scalars(select(Device.serial).where(
            Device.name == "q1-bn-sw1")).one() == "FOC9999"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.via == "api")
                                .order_by(AuditEntry.id)).all()
    assert [(a.action, a.actor, a.note) for a in audit] == [
        ("update", "api-token-7", ""), ("adopt", "api-token-7", "mainboard swapped")]


def test_expect_over_the_api_hides_the_difference(client: TestClient, db: Db) -> None:
    response = client.post("/api/v1/inventory/drift/expect",
                           json={"subject": "q1-core", "field": "sys_name"})
    assert response.status_code == 200, response.text
    assert response.json()["changes"] == {"sys_name": [None, "router-old"]}
    assert ("q1-core", "name") not in _kinds(client)
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "expect")).one()
    assert (entry.actor, entry.via, entry.key) == ("anonymous", "api", "q1-core")


@pytest.mark.parametrize(("path", "body", "status", "detail"), [
    ("adopt", {"subject": "nowhere", "field": "serial"}, 404, "no discovered serial for 'nowhere'"),
    ("expect", {"subject": "nowhere", "field": "seen"}, 404, "no device 'nowhere'"),
    ("adopt", {"subject": "q1-core", "field": "sys_name"}, 422, "a device's name is its key"),
    ("adopt", {"subject": "q1-bn-sw1", "field": "colour"}, 422, "unknown field 'colour'"),
])
def test_refusals_say_why(client: TestClient, path: str, body: dict[str, str], status: int,
                          detail: str) -> None:
    response = client.post(f"/api/v1/inventory/drift/{path}", json=body)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_malformed_bodies_are_422(client: TestClient) -> None:
    for body in ({"subject": "q1-core"}, {"subject": "", "field": "serial"},
                 {"subject": "q1-core", "field": "serial", "colour": "red"}):
        assert client.post("/api/v1/inventory/drift/adopt", json=body).status_code == 422
    assert client.get("/api/v1/inventory/drift", params={"silent_days": 0}).status_code == 422
