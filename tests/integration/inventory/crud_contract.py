"""The contract every inventory REST resource keeps, written once and inherited per entity.

A test module subclasses :class:`CrudContract`, names its resource (``plural``,
``entity``), gives a valid new record, a patch, invalid payloads with the
field path and message they must produce, filter, sort and search cases over
the seeded city (:func:`seed_city`), and inherits every test: list and
paging, sort both ways, filters, search, get, create, replace, patch,
delete (or retire), audit entries and the OpenAPI document. Each test runs
on SQLite and on PostgreSQL through the ``db`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from inventory.enums import Via
from inventory.schemas import record_key
from inventory.service import Actor, Inventory
from noc.api_inventory import make_inventory_api
from tests.integration.inventory.conftest import Db

BASE = "/api/v1/inventory"
USER = "lan.nguyen"


def seed_city(db: Db) -> None:
    """A small city: city IT, two districts, a ward, a department; sites, devices, links."""
    with db.sessions() as session:
        inv = Inventory(session, Actor("seed", Via.LAB))
        for rec in [
            {"code": "CITY", "kind": "city", "name_vi": "Trung tâm Dữ liệu Thành phố",
             "name_en": "City Data Center"},
            {"code": "Q1", "kind": "district", "name_vi": "Quận 1", "name_en": "District 1"},
            {"code": "Q1-BN", "kind": "ward", "name_vi": "Phường Bến Nghé", "parent": "Q1",
             "name_en": "Ben Nghe Ward"},
            {"code": "Q3", "kind": "district", "name_vi": "Quận 3", "name_en": "District 3"},
            {"code": "STTTT", "kind": "department", "parent": "CITY",
             "name_vi": "Sở Thông tin và Truyền thông", "name_en": "Department of ICT"},
        ]:
            inv.put("agency", rec)
        for code, agency, role in [("DC", "CITY", "datacenter"), ("Q1", "Q1", "agency_office"),
                                   ("Q1-BN", "Q1-BN", "one_stop_desk"),
                                   ("Q3", "Q3", "agency_office")]:
            inv.put("site", {"code": code, "agency": agency, "role": role,
                             "name": f"Trụ sở {code}", "address": f"{code} Lê Duẩn"})
        snmp = {"monitoring": "snmp", "credentials": "lab"}
        for rec in [
            {"name": "core-r1", "site": "DC", "device_class": "router", "vendor": "cisco",
             "model": "ISR4451", "serial": "FDO1111", "mgmt_address": "127.40.0.1",
             "warranty_end": "2025-06-30", "funding_program": "DA-2020", **snmp},
            {"name": "q1-sw1", "site": "Q1", "device_class": "access_switch", "vendor": "cisco",
             "serial": "FOC2222", "mgmt_address": "127.41.0.2", "warranty_end": "2027-01-01",
             **snmp},
            {"name": "q1-bn-sw1", "site": "Q1-BN", "device_class": "access_switch",
             "vendor": "cisco", "serial": "FOC3333", "mgmt_address": "127.41.1.2",
             "warranty_end": "2024-12-31", "custodian": "Nguyễn Văn An",
             "funding_program": "DA-2020", **snmp},
            {"name": "q1-bn-kiosk1", "site": "Q1-BN", "device_class": "kiosk",
             "asset_tag": "KS-001", "status": "spare", "monitoring": "none"},
            {"name": "q3-sw1", "site": "Q3", "device_class": "access_switch", "vendor": "hpe",
             "mgmt_address": "127.43.0.2", "monitoring": "icmp"},
        ]:
            inv.put("device", rec)
        inv.put("interface", {"device": "q1-bn-sw1", "name": "Gi1/0/2",
                              "description": "kiosk uplink", "mac": "00:11:22:33:44:55"})
        for name, a, b, network, provider in [
            ("core--q1", ("core-r1", "Gi0/1"), ("q1-sw1", "Gi1/0/48"), "metronet", ""),
            ("q1--q1-bn", ("q1-sw1", "Gi1/0/1"), ("q1-bn-sw1", "Gi1/0/48"), "metronet", ""),
            ("core--q3", ("core-r1", "Gi0/2"), ("q3-sw1", "Gi0/24"), "megawan", "VNPT"),
        ]:
            inv.put("link", {"name": name, "a_device": a[0], "a_interface": a[1],
                             "b_device": b[0], "b_interface": b[1], "network": network,
                             "provider": provider, "bandwidth_mbps": 100 if provider else 1000})
        session.commit()


@dataclass
class Api:
    """A test client over the inventory router, and the calls of its change hook."""

    client: TestClient
    db: Db
    plural: str
    hook_calls: list[int] = field(default_factory=list)

    def url(self, key: str = "") -> str:
        """The collection URL, or one record's URL."""
        return f"{BASE}/{self.plural}" + (f"/{key}" if key else "")

    def keys(self, entity: str, **params: Any) -> list[str]:
        """The natural keys of one list page, in order."""
        answer = self.client.get(self.url(), params=params)
        assert answer.status_code == 200, answer.text
        return [record_key(entity, rec) for rec in answer.json()["items"]]

    def audit(self, **params: Any) -> list[dict[str, Any]]:
        """Audit entries, newest first."""
        answer = self.client.get(f"{BASE}/audit", params=params)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


def errors_at(answer: Any) -> dict[tuple[Any, ...], str]:
    """A 422 answer's detail as {loc: msg}."""
    assert answer.status_code == 422, answer.text
    return {tuple(e["loc"]): e["msg"] for e in answer.json()["detail"]}


Invalid = tuple[dict[str, Any], tuple[Any, ...], str]


class CrudContract:
    """Tests every resource inherits; subclasses fill in the class attributes."""

    plural: ClassVar[str]
    entity: ClassVar[str]
    existing: ClassVar[str]  # key of a seeded record
    valid: ClassVar[Callable[[], dict[str, Any]]]  # a new record (not seeded)
    patch: ClassVar[dict[str, Any]]  # fields a PATCH changes on the valid record
    invalid: ClassVar[tuple[Invalid, ...]]  # POST body (merged over valid), loc, msg fragment
    patch_invalid: ClassVar[tuple[Invalid, ...]]  # PATCH fields, loc, msg fragment
    filters: ClassVar[tuple[tuple[dict[str, Any], set[str]], ...]]  # params, keys (seeded city)
    sort: ClassVar[str]
    search: ClassVar[tuple[str, set[str]]]  # q, keys it finds
    in_use: ClassVar[str | None] = None  # key of a record others still refer to
    retires: ClassVar[bool] = False

    @pytest.fixture
    def api(self, db: Db) -> Iterator[Api]:
        seed_city(db)
        calls: list[int] = []
        app = FastAPI()
        app.include_router(make_inventory_api(
            db.sessions, on_change=lambda: calls.append(1),
            actor=lambda request: request.headers.get("x-user", "anonymous")))
        with TestClient(app, headers={"x-user": USER}) as client:
            yield Api(client, db, self.plural, calls)

    def new_key(self) -> str:
        return record_key(self.entity, self.valid())

    # -- list ----------------------------------------------------------------------------------

    def test_list_pages_with_total_limit_and_offset(self, api: Api) -> None:
        everything = api.client.get(api.url(), params={"limit": 1000}).json()
        total = everything["total"]
        assert total == len(everything["items"]) >= 3
        first = api.client.get(api.url(), params={"limit": 2, "sort": self.sort}).json()
        rest = api.client.get(api.url(), params={"limit": 1000, "offset": 2,
                                                 "sort": self.sort}).json()
        assert (first["total"], first["limit"], first["offset"]) == (total, 2, 0)
        assert len(first["items"]) == 2 and len(rest["items"]) == total - 2
        keys = [record_key(self.entity, r) for r in first["items"] + rest["items"]]
        assert sorted(keys) == sorted(record_key(self.entity, r) for r in everything["items"])

    def test_list_sorts_both_directions(self, api: Api) -> None:
        for sort, reverse in ((self.sort, False), (f"-{self.sort}", True)):
            items = api.client.get(api.url(), params={"sort": sort}).json()["items"]
            values = [r[self.sort] for r in items if r[self.sort] is not None]
            assert values == sorted(values, reverse=reverse), sort
            assert len(set(values)) > 1
            nulls = [r[self.sort] is None for r in items]
            assert nulls == sorted(nulls), "nulls come last"

    def test_unknown_sort_field_and_bad_paging_are_422(self, api: Api) -> None:
        msg = errors_at(api.client.get(api.url(), params={"sort": "-nope"}))[("query", "sort")]
        assert "cannot sort on 'nope'" in msg
        assert ("query", "limit") in errors_at(api.client.get(api.url(), params={"limit": 1001}))
        assert ("query", "offset") in errors_at(api.client.get(api.url(),
                                                               params={"offset": -1}))
        assert ("query", "colour") in errors_at(api.client.get(api.url(),
                                                               params={"colour": "red"}))

    def test_list_filters(self, api: Api) -> None:
        for params, expected in self.filters:
            assert set(api.keys(self.entity, **params)) == expected, params

    def test_search(self, api: Api) -> None:
        q, expected = self.search
        assert set(api.keys(self.entity, q=q)) == expected
        assert api.keys(self.entity, q="no-such-thing-zz%") == []

    # -- get -----------------------------------------------------------------------------------

    def test_get_one_and_unknown_is_404(self, api: Api) -> None:
        answer = api.client.get(api.url(self.existing))
        assert answer.status_code == 200
        assert record_key(self.entity, answer.json()) == self.existing
        missing = api.client.get(api.url(self.new_key()))
        assert missing.status_code == 404
        assert self.new_key() in missing.json()["detail"]

    # -- create, replace, patch ----------------------------------------------------------------

    def test_create_is_201_audited_then_409(self, api: Api) -> None:
        answer = api.client.post(api.url(), json=self.valid())
        assert answer.status_code == 201, answer.text
        assert api.client.get(api.url(self.new_key())).json() == answer.json()
        entry = api.audit(entity=self.entity, key=self.new_key())[0]
        assert (entry["action"], entry["actor"], entry["via"]) == ("create", USER, "api")
        assert all(before is None for before, _ in entry["changes"].values())
        again = api.client.post(api.url(), json=self.valid())
        assert again.status_code == 409 and "already exists" in again.json()["detail"]
        assert api.hook_calls == [1]

    def test_invalid_create_is_422_with_field_path(self, api: Api) -> None:
        for payload, loc, fragment in self.invalid:
            answer = api.client.post(api.url(), json={**self.valid(), **payload})
            assert fragment in errors_at(answer).get(loc, ""), (payload, answer.json())
        assert api.client.get(api.url(self.new_key())).status_code == 404
        assert api.hook_calls == []

    def test_put_creates_then_replaces_whole_record(self, api: Api) -> None:
        url = api.url(self.new_key())
        created = api.client.put(url, json=self.valid())
        assert created.status_code == 201, created.text
        answer = api.client.put(url, json={**self.valid(), **self.patch})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {**created.json(), **self.patch}
        assert api.client.put(url, json=self.valid()).json() == created.json()
        other = api.client.put(api.url(self.existing), json=self.valid())
        assert other.status_code == 422
        assert "natural key cannot be changed" in str(other.json()["detail"])
        assert api.hook_calls == [1, 1, 1]

    def test_patch_changes_some_fields_audited_before_after(self, api: Api) -> None:
        created = api.client.post(api.url(), json=self.valid()).json()
        answer = api.client.patch(api.url(self.new_key()), json=self.patch)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {**created, **self.patch}
        assert api.client.get(api.url(self.new_key())).json() == answer.json()
        entry = api.audit(entity=self.entity, key=self.new_key(), actor=USER)[0]
        assert entry["action"] == "update" and entry["via"] == "api"
        assert {k: after for k, (_, after) in entry["changes"].items()} == self.patch
        assert all(self.valid().get(k) == before for k, (before, _) in entry["changes"].items()
                   if k in self.valid())
        assert api.client.patch(api.url(self.new_key()), json={}).status_code == 200
        assert api.hook_calls == [1, 1]  # the empty patch changed nothing

    def test_invalid_patch_is_422_and_unknown_is_404(self, api: Api) -> None:
        for fields, loc, fragment in self.patch_invalid:
            answer = api.client.patch(api.url(self.existing), json=fields)
            assert fragment in errors_at(answer).get(loc, ""), (fields, answer.json())
        assert ("body", "no_such_field") in errors_at(
            api.client.patch(api.url(self.existing), json={"no_such_field": 1}))
        assert api.client.patch(api.url(self.new_key()), json={}).status_code == 404
        assert api.hook_calls == []

    # -- delete --------------------------------------------------------------------------------

    def test_delete(self, api: Api) -> None:
        api.client.post(api.url(), json=self.valid())
        url = api.url(self.new_key())
        answer = api.client.delete(url)
        if self.retires:
            assert answer.status_code == 200 and answer.json()["status"] == "retired"
            assert api.client.get(url).json()["status"] == "retired"
            assert api.audit(key=self.new_key())[0]["action"] == "retire"
            answer = api.client.delete(url, params={"purge": "true"})
        assert answer.status_code == 204, answer.text
        assert api.client.get(url).status_code == 404
        assert api.client.delete(url).status_code == 404
        entry = api.audit(entity=self.entity, key=self.new_key())[0]
        assert entry["action"] == "delete" and entry["actor"] == USER
        assert all(after is None for _, after in entry["changes"].values())

    def test_delete_of_record_in_use_is_409(self, api: Api) -> None:
        assert self.in_use is not None, "set in_use, or set this test to None when nothing refers"
        params = {"purge": "true"} if self.retires else {}
        answer = api.client.delete(api.url(self.in_use), params=params)
        assert answer.status_code == 409
        assert "still used by" in answer.json()["detail"]
        assert api.client.get(api.url(self.in_use)).status_code == 200
        assert api.hook_calls == []

    # -- documentation -------------------------------------------------------------------------

    def test_openapi_documents_every_route(self, api: Api) -> None:
        paths = api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
        item = next(p for p in paths if p.startswith(api.url() + "/{"))
        assert set(paths[api.url()]) == {"get", "post"}
        assert set(paths[item]) == {"get", "put", "patch", "delete"}
        for operation in [*paths[api.url()].values(), *paths[item].values()]:
            assert operation["tags"] == ["inventory"] and operation["summary"]
        body = paths[api.url()]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"]["$ref"].endswith("Record")
        assert "/api/v1/inventory/audit" in paths
