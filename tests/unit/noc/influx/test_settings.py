"""The ``influx:`` settings block."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from noc.settings import InfluxSettings, Settings


def test_disabled_by_default() -> None:
    assert not Settings().influx.enabled


@pytest.mark.parametrize("kw", [
    {"url": "http://x:8086", "kind": "v2", "org": "o"},
    {"url": "http://x:8086", "kind": "v1"},
    {"url": "x:8086", "kind": "v1", "database": "d"},
    {"url": "http://x:8086", "kind": "v1", "database": "d", "password": "changeme"},
    {"url": "http://x:8086", "kind": "v1", "database": "d", "bogus": 1},
])
def test_incomplete_or_unknown_is_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        InfluxSettings.model_validate(kw)


def test_complete_v2_and_v1() -> None:
    v2 = InfluxSettings.model_validate({"url": "http://x", "org": "o", "bucket": "b",
                                        "token": "tok-1234567"})
    v1 = InfluxSettings.model_validate({"url": "http://x", "kind": "v1", "database": "d"})
    assert v2.enabled and v1.enabled
    assert "tok-1234567" not in str(v2.model_dump())
