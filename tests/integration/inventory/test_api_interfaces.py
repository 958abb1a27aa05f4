"""REST API of interfaces: the CRUD contract, keyed ``/interfaces/{device}/{name}``."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tests.integration.inventory.crud_contract import Api, CrudContract

pytestmark = pytest.mark.integration


def _uplink() -> dict[str, Any]:
    return {"device": "q3-sw1", "name": "Gi1/0/1", "description": "uplink to the Q3 office",
            "speed_mbps": 1000}


class TestInterfaces(CrudContract):
    plural, entity, existing = "interfaces", "interface", "q1-bn-sw1/Gi1/0/2"
    valid = staticmethod(_uplink)
    patch: ClassVar[dict[str, Any]] = {
        "description": "kiosk 2", "mac": "00:11:22:33:44:66", "if_index": 10102}
    invalid = (
        ({"mac": "zz"}, ("body", "mac"), "not a MAC address"),
        ({"device": "nope"}, ("body", "device"), "unknown device 'nope'"),
        ({"speed_mbps": -1}, ("body", "speed_mbps"), "greater than or equal to 0"),
        ({"name": ""}, ("body", "name"), "at least 1 character"),
    )
    patch_invalid = (
        ({"if_index": 0}, ("body", "if_index"), "greater than or equal to 1"),
        ({"mac": "00:11"}, ("body", "mac"), "not a MAC address"),
        ({"device": "q1-sw1"}, ("body", "device"), "natural key cannot be changed"),
    )
    filters = (({"device": "core-r1"}, {"core-r1/Gi0/1", "core-r1/Gi0/2"}),
               ({"device": "q1-bn-sw1"}, {"q1-bn-sw1/Gi1/0/2", "q1-bn-sw1/Gi1/0/48"}),
               ({"device": "q1-bn-kiosk1"}, set()))
    sort = "name"
    search = ("KIOSK", {"q1-bn-sw1/Gi1/0/2"})  # in the description
    in_use = "core-r1/Gi0/1"

    def test_names_with_slashes_and_mac_normalised(self, api: Api) -> None:
        url = api.url("q3-sw1/TenGigabitEthernet1/1/4")
        answer = api.client.put(url, json={"device": "q3-sw1", "name": "TenGigabitEthernet1/1/4",
                                           "mac": "00-1A-2B-3C-4D-5E"})
        assert answer.status_code == 201, answer.text
        assert api.client.get(url).json()["mac"] == "00:1a:2b:3c:4d:5e"
        assert api.keys("interface", q="3c:4d") == ["q3-sw1/TenGigabitEthernet1/1/4"]
        wrong = api.client.put(url, json={"device": "q3-sw1", "name": "Te1/1/4"})
        assert wrong.json()["detail"][0]["loc"] == ["body", "name"]
        assert api.client.get(api.url("no-such-device/Gi0/1")).status_code == 404
