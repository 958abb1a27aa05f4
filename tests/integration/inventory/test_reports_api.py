"""The reports over HTTP (FastAPI TestClient) on SQLite and PostgreSQL: JSON, CSV, errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from inventory.reports import counts_by_class, counts_by_funding, counts_by_status, lifecycle
from noc.api_reports import make_reports_api
from tests.integration.inventory.conftest import Db
from tests.integration.inventory.test_reports import TODAY
from tests.integration.inventory.test_reports import session as session  # the seeded inventory

pytestmark = pytest.mark.integration


@pytest.fixture
def client(db: Db, session: Session) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(make_reports_api(db.sessions, clock=lambda: datetime(2025, 6, 15, 9)))
    with TestClient(app) as c:
        yield c


def test_every_report_as_json_is_the_report(client: TestClient, session: Session) -> None:
    expected = {"by-class": counts_by_class(session), "by-status": counts_by_status(session),
                "by-funding": counts_by_funding(session),
                "lifecycle": lifecycle(session, TODAY, 6)}
    for name, report in expected.items():
        response = client.get(f"/api/v1/inventory/reports/{name}")
        assert response.status_code == 200, response.text
        assert response.json() == report.as_dict()
    doc = client.get("/api/v1/inventory/reports/lifecycle", params={"months": 18}).json()
    assert doc == lifecycle(session, TODAY, 18).as_dict()
    assert doc["title_en"].endswith("within 18 months")
    assert len(doc["rows"]) > len(expected["lifecycle"].rows)


def test_csv_download_keeps_diacritics_and_names_the_file(client: TestClient) -> None:
    response = client.get("/api/v1/inventory/reports/by-class", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="by-class.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    by_code = {row["agency"]: row for row in rows}
    assert by_code["Q1-BN"]["name_vi"] == "Phường Bến Nghé"
    assert by_code["Q1-DK"]["total"] == "0"


def test_unknown_report_and_bad_parameters_are_refused_clearly(client: TestClient) -> None:
    response = client.get("/api/v1/inventory/reports/by-colour")
    assert response.status_code == 404
    assert response.json()["detail"] == ("no report 'by-colour'; reports: by-class, by-status, "
                                         "by-funding, lifecycle")
    for params in ({"months": "soon"}, {"months": -1}, {"format": "xlsx"}):
        response = client.get("/api/v1/inventory/reports/lifecycle", params=params)
        assert response.status_code == 422, params


def test_openapi_documents_the_routes_under_the_inventory_tag(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in (("/api/v1/inventory/reports/{name}", "get"),
                         ("/api/v1/inventory/drift", "get"),
                         ("/api/v1/inventory/drift/adopt", "post"),
                         ("/api/v1/inventory/drift/expect", "post")):
        operation = paths[path][method]
        assert operation["tags"] == ["inventory"]
        assert operation["summary"]
