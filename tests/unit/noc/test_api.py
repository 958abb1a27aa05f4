from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from collectors.base import InterfaceSample, PollResult, SystemInfo
from inventory.catalog import CatAgency, Catalog, CatDevice
from inventory.enums import Via
from inventory.service import Actor, Inventory
from noc.app import create_app
from noc.auth.credentials import Credentials
from noc.auth.roles import Role
from noc.auth.store import UserStore
from noc.runtime import Runtime
from noc.settings import CredentialProfile, load_settings

SECRET = "s3cret-community-value"


def runtime(tmp_path: Path, lab: bool = True) -> Runtime:
    """A runtime over a two-agency catalog; ``lab``: anonymous read-only is on."""
    settings = load_settings(None, data_dir=tmp_path)
    rt = Runtime(settings, {"core": CredentialProfile(community=SecretStr(SECRET))}, lab=lab)
    rt.catalog = Catalog(
        {"Q1": CatAgency("Q1", "district", "Quận 1", "District 1", None),
         "Q1-BN": CatAgency("Q1-BN", "ward", "Phường Bến Nghé", "Ben Nghe Ward", "Q1"),
         "Q3": CatAgency("Q3", "district", "Quận 3", "District 3", None)},
        {"q1-sw1": CatDevice("q1-sw1", "Q1", "Q1", "distribution_switch", "127.22.1.1", 161,
                             "core", "snmp"),
         "q3-sw1": CatDevice("q3-sw1", "Q3", "Q3", "distribution_switch", "127.22.3.1", 161,
                             "core", "snmp")})
    sample = InterfaceSample(if_index=2, name="GE0/0/2", admin_status=1, oper_status=1,
                             counters={"in_octets": 5})
    rt.state.apply(PollResult("q1-sw1", True, 1.0, 0.01, system=SystemInfo(name="q1-sw1"),
                              interfaces=(sample,)))
    return rt


def test_agencies_devices_and_interfaces_without_secrets(tmp_path: Path):
    client = TestClient(create_app(runtime(tmp_path)))
    agencies = client.get("/api/v1/agencies").json()
    assert [a["name_vi"] for a in agencies] == ["Quận 1", "Phường Bến Nghé", "Quận 3"]
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


def test_the_api_needs_a_login_outside_the_lab(tmp_path: Path):
    client = TestClient(create_app(runtime(tmp_path, lab=False)))
    assert client.get("/api/v1/devices").status_code == 401
    assert client.get("/healthz").status_code == 200  # liveness stays open


def test_a_viewer_scoped_to_a_district_sees_it_and_its_wards_only(tmp_path: Path):
    rt = runtime(tmp_path, lab=False)
    with rt.sessions() as session:
        inv = Inventory(session, Actor("setup", Via.CLI))
        inv.put("agency", {"code": "Q1", "kind": "district", "name_vi": "Quận 1"})
        session.commit()
    UserStore(rt.sessions).create("q1-viewer", Role.VIEWER, "setup", Via.CLI, agency="Q1")
    token = Credentials(rt.sessions).create_token("q1-viewer", "wall", "setup", Via.CLI)[1]
    client = TestClient(create_app(rt), headers={"Authorization": f"Bearer {token}"})
    assert {a["code"] for a in client.get("/api/v1/agencies").json()} == {"Q1", "Q1-BN"}
    assert [d["name"] for d in client.get("/api/v1/devices").json()] == ["q1-sw1"]
    assert client.get("/api/v1/devices/q3-sw1").status_code == 404
    assert client.get("/api/v1/devices/q1-sw1").status_code == 200
