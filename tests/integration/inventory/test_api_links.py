"""REST API of links: the CRUD contract, filters on either end, ends recorded on the fly."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tests.integration.inventory.crud_contract import BASE, Api, CrudContract

pytestmark = pytest.mark.integration


def _vpn() -> dict[str, Any]:
    return {"name": "q3--q1-bn", "a_device": "q3-sw1", "a_interface": "Gi0/48",
            "b_device": "q1-bn-sw1", "b_interface": "Gi1/0/3", "network": "internet-vpn",
            "bandwidth_mbps": 50, "provider": "FPT", "circuit_id": "FPT-0001"}


class TestLinks(CrudContract):
    plural, entity, existing = "links", "link", "core--q1"
    valid = staticmethod(_vpn)
    patch: ClassVar[dict[str, Any]] = {
        "bandwidth_mbps": 100, "provider": "Viettel", "b_interface": "Gi1/0/4"}
    invalid = (
        ({"a_device": "nope"}, ("body", "a_device"), "unknown device 'nope'"),
        ({"network": "carrier-pigeon"}, ("body", "network"), "Input should be"),
        ({"b_device": "q3-sw1", "b_interface": "Gi0/48"}, ("body",), "same interface"),
        ({"bandwidth_mbps": 0}, ("body", "bandwidth_mbps"), "greater than or equal to 1"),
    )
    patch_invalid = (
        ({"b_device": "nope"}, ("body", "b_device"), "unknown device 'nope'"),
        ({"network": "x"}, ("body", "network"), "Input should be"),
    )
    filters = (({"network": "megawan"}, {"core--q3"}),
               ({"device": "q1-sw1"}, {"core--q1", "q1--q1-bn"}),
               ({"provider": "VNPT"}, {"core--q3"}),
               ({"device": "core-r1", "network": "metronet"}, {"core--q1"}))
    sort = "bandwidth_mbps"
    search = ("vnpt", {"core--q3"})
    in_use = None  # nothing refers to a link, so it can always be deleted:
    test_delete_of_record_in_use_is_409 = None  # type: ignore[assignment]  # (not collected)

    def test_ends_are_recorded_and_sortable_by_end_device(self, api: Api) -> None:
        assert api.client.post(api.url(), json=_vpn()).status_code == 201
        ifaces = api.client.get(f"{BASE}/interfaces", params={"device": "q1-bn-sw1"})
        names = {i["name"] for i in ifaces.json()["items"]}
        assert "Gi1/0/3" in names
        assert api.keys("link", sort="-b_device") == ["core--q3", "core--q1", "q1--q1-bn",
                                                      "q3--q1-bn"]  # ties by age
