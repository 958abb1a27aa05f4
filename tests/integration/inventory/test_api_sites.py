"""REST API of sites: the CRUD contract over the seeded city."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tests.integration.inventory.crud_contract import Api, CrudContract

pytestmark = pytest.mark.integration


def _vts() -> dict[str, Any]:
    return {"code": "Q3-VTS", "agency": "Q3", "name": "Bộ phận một cửa Võ Thị Sáu",
            "role": "one_stop_desk", "latitude": 10.78, "longitude": 106.69}


class TestSites(CrudContract):
    plural, entity, existing = "sites", "site", "Q1"
    valid = staticmethod(_vts)
    patch: ClassVar[dict[str, Any]] = {
        "name": "Một cửa Phường Võ Thị Sáu", "latitude": 10.79, "agency": "Q1"}
    invalid = (
        ({"agency": "Q9"}, ("body", "agency"), "unknown agency 'Q9'"),
        ({"latitude": 91}, ("body", "latitude"), "less than or equal to 90"),
        ({"role": "castle"}, ("body", "role"), "Input should be"),
        ({"name": ""}, ("body", "name"), "at least 1 character"),
        ({"colour": "red"}, ("body", "colour"), "Extra inputs are not permitted"),
    )
    patch_invalid = (
        ({"agency": "NOPE"}, ("body", "agency"), "unknown agency 'NOPE'"),
        ({"longitude": 200}, ("body", "longitude"), "less than or equal to 180"),
        ({"code": "Q1-NEW"}, ("body", "code"), "natural key cannot be changed"),
    )
    filters = (({"agency": "Q1-BN"}, {"Q1-BN"}), ({"role": "agency_office"}, {"Q1", "Q3"}),
               ({"role": "datacenter", "agency": "CITY"}, {"DC"}),
               ({"agency": "STTTT"}, set()))
    sort = "agency"
    search = ("tru so q1", {"Q1", "Q1-BN"})  # name "Trụ sở Q1..."
    in_use = "Q1-BN"

    def test_unknown_filter_value_of_a_closed_set_is_422(self, api: Api) -> None:
        answer = api.client.get(api.url(), params={"role": "castle"})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["query", "role"]
