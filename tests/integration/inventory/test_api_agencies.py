"""REST API of agencies: the CRUD contract, plus search folding Vietnamese diacritics."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tests.integration.inventory.crud_contract import Api, CrudContract

pytestmark = pytest.mark.integration


def _q5() -> dict[str, Any]:
    return {"code": "Q5", "kind": "district", "name_vi": "Quận 5", "name_en": "District 5"}


class TestAgencies(CrudContract):
    plural, entity, existing = "agencies", "agency", "Q1"
    valid = staticmethod(_q5)
    patch: ClassVar[dict[str, Any]] = {
        "name_en": "District Five", "contact_email": "q5@example.gov.vn"}
    invalid = (
        ({"code": "Q 5"}, ("body", "code"), "should match pattern"),
        ({"kind": "province"}, ("body", "kind"), "Input should be"),
        ({"parent": "Q9"}, ("body", "parent"), "unknown agency 'Q9'"),
        ({"contact_email": "not-mail"}, ("body", "contact_email"), "not an e-mail address"),
    )
    patch_invalid = (
        ({"kind": "x"}, ("body", "kind"), "Input should be"),
        ({"parent": "Q1"}, ("body",), "cannot be its own parent"),
        ({"parent": "NOPE"}, ("body", "parent"), "unknown agency 'NOPE'"),
    )
    filters = (({"kind": "district"}, {"Q1", "Q3"}), ({"parent": "Q1"}, {"Q1-BN"}),
               ({"parent": "CITY", "kind": "department"}, {"STTTT"}),
               ({"kind": "ward", "parent": "Q3"}, set()))
    sort = "parent"
    search = ("phuong ben", {"Q1-BN"})  # only name_vi "Phường Bến Nghé" has it
    in_use = "Q1"


    def test_search_with_or_without_diacritics_in_any_case(self, api: Api) -> None:
        def keys(q: str) -> set[str]:
            return set(api.keys("agency", q=q))

        assert keys("Bến Nghé") == keys("ben nghe") == keys("BẾN NGHÉ") == {"Q1-BN"}
        assert keys("QUẬN") == keys("quan") == {"Q1", "Q3"}
        assert keys("thong tin") == keys("Thông Tin") == {"STTTT"}
        assert keys("q1") == {"Q1", "Q1-BN"}  # the code too
        assert keys("dữ liệu") == keys("du lieu") == {"CITY"}
