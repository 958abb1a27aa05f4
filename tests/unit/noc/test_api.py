from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from collectors.base import InterfaceSample, PollResult, SystemInfo
from inventory.catalog import CatAgency, Catalog, CatDevice
from noc.app import create_app
from noc.runtime import Runtime
from noc.settings import CredentialProfile, load_settings

SECRET = "s3cret-community-value"


def runtime(tmp_path: Path) -> Runtime:
    settings = load_settings(None, data_dir=tmp_path)
    rt = Runtime(settings, {"core": CredentialProfile(community=SecretStr(SECRET))})
    rt.catalog = Catalog(
        {"Q1": CatAgency("Q1", "district", "Quận 1", "District 1", None)},
        {"q1-sw1": CatDevice("q1-sw1", "Q1", "Q1", "distribution_switch", "127.22.1.1", 161,
                             "core", "snmp")})
    sample = InterfaceSample(if_index=2, name="GE0/0/2", admin_status=1, oper_status=1,
                             counters={"in_octets": 5})
    rt.state.apply(PollResult("q1-sw1", True, 1.0, 0.01, system=SystemInfo(name="q1-sw1"),
                              interfaces=(sample,)))
    return rt


def test_agencies_devices_and_interfaces_without_secrets(tmp_path: Path):
    client = TestClient(create_app(runtime(tmp_path)))
    agencies = client.get("/api/v1/agencies").json()
    assert agencies[0]["name_vi"] == "Quận 1"
    assert agencies[0]["status"] == "up"
    devices = client.get("/api/v1/devices").json()
    assert devices[0]["credentials"] == "core"  # the profile's name, never its content
    detail = client.get("/api/v1/devices/q1-sw1").json()
    assert detail["interfaces"][0]["counters"] == {"in_octets": 5}
    for path in ("/api/v1/agencies", "/api/v1/devices", "/api/v1/devices/q1-sw1", "/metrics",
                 "/", "/healthz", "/api/v1/snmp/engines"):
        assert SECRET not in client.get(path).text, path


def test_unknown_device_is_404_with_its_name(tmp_path: Path):
    client = TestClient(create_app(runtime(tmp_path)))
    reply = client.get("/api/v1/devices/nope")
    assert reply.status_code == 404
    assert "nope" in reply.json()["detail"]
