"""REST API of devices: the CRUD contract, search, lifecycle filters, retire/purge, audit log."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any, ClassVar

import pytest

from inventory.models import utcnow
from tests.integration.inventory.crud_contract import BASE, USER, Api, CrudContract, errors_at

pytestmark = pytest.mark.integration


def _ups() -> dict[str, Any]:
    return {"name": "q3-ups1", "site": "Q3", "device_class": "ups", "vendor": "apc",
            "serial": "AS1234", "mgmt_address": "127.43.0.10", "credentials": "lab",
            "purchase_date": "2023-03-31", "warranty_end": "2028-03-31"}


class TestDevices(CrudContract):
    plural, entity, existing = "devices", "device", "q1-sw1"
    valid = staticmethod(_ups)
    patch: ClassVar[dict[str, Any]] = {
        "firmware": "7.0.6", "custodian": "Trần Thị Bình", "status": "in_repair"}
    invalid = (
        ({"mgmt_address": "127.40.0.300"}, ("body", "mgmt_address"), "not an IPv4 or IPv6"),
        ({"serial": "FOC2222"}, ("body", "serial"), "duplicate serial 'FOC2222'"),
        ({"site": "NOPE"}, ("body", "site"), "unknown site 'NOPE'"),
        ({"device_class": "toaster"}, ("body", "device_class"), "Input should be"),
        ({"credentials": None}, ("body",), "needs a credentials profile"),
        ({"credentials": "s3cr3t pass"}, ("body", "credentials"), "not a secret"),
    )
    patch_invalid = (
        ({"asset_tag": "KS-001"}, ("body", "asset_tag"), "duplicate asset_tag 'KS-001'"),
        ({"purchase_date": "2021-01-01", "warranty_end": "2020-01-01"}, ("body",),
         "before purchase_date"),
        ({"snmp_port": 0}, ("body", "snmp_port"), "greater than or equal to 1"),
        ({"name": "q1-sw9"}, ("body", "name"), "natural key cannot be changed"),
    )
    filters = (
        ({"agency": "Q1-BN"}, {"q1-bn-sw1", "q1-bn-kiosk1"}),
        ({"agency": "Q1"}, {"q1-sw1"}),  # the ward's devices belong to the ward
        ({"site": "DC"}, {"core-r1"}),
        ({"status": "spare"}, {"q1-bn-kiosk1"}),
        ({"device_class": "access_switch", "vendor": "cisco"}, {"q1-sw1", "q1-bn-sw1"}),
        ({"monitoring": "icmp"}, {"q3-sw1"}),
        ({"funding_program": "DA-2020"}, {"core-r1", "q1-bn-sw1"}),
        ({"warranty_before": "2025-01-01"}, {"q1-bn-sw1"}),
        ({"warranty_before": "2026-01-01", "agency": "CITY"}, {"core-r1"}),
    )
    sort = "mgmt_address"
    search = ("foc3", {"q1-bn-sw1"})  # serial, any case
    in_use = "core-r1"  # its interfaces are link ends
    retires = True

    def test_search_by_serial_ip_asset_tag_model_and_custodian(self, api: Api) -> None:
        def keys(q: str) -> set[str]:
            return set(api.keys("device", q=q))

        assert keys("FDO1111") == {"core-r1"}
        assert keys("127.41.") == {"q1-sw1", "q1-bn-sw1"}
        assert keys("127.40.0.1") == {"core-r1"}
        assert keys("ks-001") == {"q1-bn-kiosk1"}
        assert keys("isr44") == {"core-r1"}
        assert keys("Nguyễn Văn") == keys("nguyen van") == keys("NGUYEN") == {"q1-bn-sw1"}
        assert keys("q1-bn") == {"q1-bn-sw1", "q1-bn-kiosk1"}
        assert keys("_") == set()  # LIKE wildcards are plain characters

    def test_duplicate_serial_names_field_serial_and_writes_nothing(self, api: Api) -> None:
        answer = api.client.patch(api.url("q3-sw1"), json={"serial": "FDO1111"})
        assert errors_at(answer) == {
            ("body", "serial"): "duplicate serial 'FDO1111': already on device 'core-r1'"}
        assert answer.json()["detail"][0]["type"] == "inventory"
        assert api.client.get(api.url("q3-sw1")).json()["serial"] == ""
        assert api.audit(via="api") == []
        assert api.hook_calls == []

    def test_retire_keeps_the_links_and_purge_is_refused_while_linked(self, api: Api) -> None:
        retired = api.client.delete(api.url("core-r1"))
        assert retired.status_code == 200 and retired.json()["status"] == "retired"
        assert api.keys("device", status="retired") == ["core-r1"]
        assert api.client.get(f"{BASE}/links", params={"device": "core-r1"}).json()["total"] == 2
        again = api.client.delete(api.url("core-r1"))
        assert again.status_code == 200 and api.hook_calls == [1]  # already retired: no change
        purge = api.client.delete(api.url("core-r1"), params={"purge": "true"})
        assert purge.status_code == 409
        assert "still used by link core--q1" in purge.json()["detail"]
        entries = api.audit(key="core-r1")
        assert [(e["action"], e["changes"]) for e in entries[:1]] == [
            ("retire", {"status": ["active", "retired"]})]

    def test_on_change_once_per_committed_write_never_on_failure(self, api: Api) -> None:
        c = api.client
        assert c.post(api.url(), json=_ups()).status_code == 201
        assert c.patch(api.url("q3-ups1"), json={"firmware": "1.0"}).status_code == 200
        assert c.put(api.url("q3-ups1"), json={**_ups(), "firmware": "1.0"}).status_code == 200
        assert api.hook_calls == [1, 1]  # the PUT changed nothing
        assert c.post(api.url(), json=_ups()).status_code == 409
        assert c.patch(api.url("q3-ups1"), json={"serial": "FOC2222"}).status_code == 422
        assert c.put(api.url("q3-ups1"), json={**_ups(), "site": "NOPE"}).status_code == 422
        assert c.delete(api.url("no-such")).status_code == 404
        assert api.hook_calls == [1, 1]
        assert c.delete(api.url("q3-ups1"), params={"purge": "true"}).status_code == 204
        assert api.hook_calls == [1, 1, 1]

    def test_record_shows_the_credentials_profile_name_only(self, api: Api) -> None:
        record = api.client.get(api.url("core-r1")).json()
        assert record["credentials"] == "lab"
        assert not {"password", "community", "auth_key", "priv_key", "secret"} & set(record)

    def test_audit_log_filters_and_pages_newest_first(self, api: Api) -> None:
        start = utcnow()  # after the seeding
        for firmware in ("1", "2", "3"):
            api.client.patch(api.url("q3-sw1"), json={"firmware": firmware})
        entries = api.audit(entity="device", key="q3-sw1", via="api")
        assert [e["changes"]["firmware"] for e in entries] == [["2", "3"], ["1", "2"],
                                                                ["", "1"]]
        assert {e["actor"] for e in entries} == {USER}
        page = api.client.get(f"{BASE}/audit", params={"via": "api", "limit": 1,
                                                       "offset": 1}).json()
        assert (page["total"], len(page["items"])) == (3, 1)
        assert page["items"][0]["changes"]["firmware"] == ["1", "2"]
        assert len(api.audit(via="lab")) > 10  # the seeded city
        assert len(api.audit(since=start.isoformat())) == 3
        assert api.audit(until=start.isoformat(), via="api") == []
        in_hanoi = start.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=7)))
        assert len(api.audit(since=in_hanoi.isoformat())) == 3
        assert api.audit(actor="someone-else") == []
        bad = api.client.get(f"{BASE}/audit", params={"entity": "toaster"})
        assert ("query", "entity") in errors_at(bad)
