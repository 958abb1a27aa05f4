"""``noc probe``: argument handling, rendering of DeviceFacts as tables and JSON, secrets."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from typer.testing import CliRunner

from collectors.base import (
    DeviceFacts,
    InterfaceSample,
    Neighbor,
    Sensor,
    SystemInfo,
)
from collectors.snmp.client import SnmpTarget
from noc import probe as probe_module
from noc.cli import app
from noc.probe import (
    EXIT_USAGE,
    ProbeError,
    ProbeOptions,
    build_target,
    facts_to_dict,
    parse_endpoint,
    render_json,
    render_tables,
    resolve_ipv4,
    run_probe,
)
from tests.helpers import free_udp_port

COMMUNITY = "s3cr3t-community-xyzzy"
AUTH_KEY = "auth-key-plugh-4711"
PRIV_KEY = "priv-key-plover-0815"


# ---------------------------------------------------------------- HOST[:PORT]
@pytest.mark.parametrize(("text", "expected"), [
    ("10.1.2.3", ("10.1.2.3", 161)),
    ("10.1.2.3:1161", ("10.1.2.3", 1161)),
    ("core-sw1.example", ("core-sw1.example", 161)),
    ("core-sw1.example:65535", ("core-sw1.example", 65535)),
    (" 127.0.0.1:1 ", ("127.0.0.1", 1)),
])
def test_endpoint_forms_parse_with_port_161_by_default(text: str,
                                                       expected: tuple[str, int]) -> None:
    assert parse_endpoint(text) == expected


@pytest.mark.parametrize(("text", "why"), [
    ("10.1.2.3:0", "bad port"),
    ("10.1.2.3:65536", "bad port"),
    ("10.1.2.3:snmp", "bad port"),
    ("10.1.2.3:-1", "bad port"),
    ("10.1.2.3:", "bad port"),
    (":161", "no host"),
    ("", "no host"),
    ("fe80::1", "IPv6"),
])
def test_bad_endpoints_are_usage_errors(text: str, why: str) -> None:
    with pytest.raises(ProbeError, match=why) as info:
        parse_endpoint(text)
    assert info.value.exit_code == EXIT_USAGE


def test_resolve_keeps_ipv4_literals_and_resolves_localhost() -> None:
    assert resolve_ipv4("192.0.2.7") == "192.0.2.7"
    assert resolve_ipv4("localhost").startswith("127.")


def test_unresolvable_host_fails_with_exit_1() -> None:
    with pytest.raises(ProbeError, match=r"cannot resolve 'no-such-host\.invalid'") as info:
        resolve_ipv4("no-such-host.invalid")
    assert info.value.exit_code == 1


# ---------------------------------------------------------------- target
def test_default_target_is_v2c_public() -> None:
    target = build_target(ProbeOptions("h"), "127.0.0.1", 161)
    assert (target.version, target.community, target.timeout, target.retries) == (
        "2c", b"public", 1.0, 1)


def test_v3_user_implies_version_3_with_auth_and_priv() -> None:
    options = ProbeOptions("h", v3_user="ops", auth_proto="SHA256", auth_key=AUTH_KEY,
                           priv_proto="AES", priv_key=PRIV_KEY)
    target = build_target(options, "127.0.0.1", 1161)
    assert target.version == "3"
    assert target.v3 is not None
    assert (target.v3.has_auth, target.v3.has_priv) == (True, True)


def test_v3_without_keys_is_noauth_nopriv() -> None:
    target = build_target(ProbeOptions("h", v3_user="ops"), "127.0.0.1", 161)
    assert target.v3 is not None
    assert (target.v3.has_auth, target.v3.has_priv) == (False, False)


@pytest.mark.parametrize(("options", "why"), [
    (ProbeOptions("h", version="4"), "bad SNMP version"),
    (ProbeOptions("h", version="3"), "needs --v3-user"),
    (ProbeOptions("h", version="2c", v3_user="ops"), "needs SNMP version 3"),
    (ProbeOptions("h", v3_user="ops", auth_proto="ROT13", auth_key=AUTH_KEY), "auth protocol"),
    (ProbeOptions("h", v3_user="ops", priv_key=PRIV_KEY), "privacy needs authentication"),
    (ProbeOptions("h", timeout=0), "timeout"),
    (ProbeOptions("h", retries=-1), "retries"),
])
def test_bad_options_are_usage_errors(options: ProbeOptions, why: str) -> None:
    with pytest.raises(ProbeError, match=why) as info:
        build_target(options, "127.0.0.1", 161)
    assert info.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize("version", ["1", "v1", "2", "2c", "V2C"])
def test_version_spellings(version: str) -> None:
    target = build_target(ProbeOptions("h", version=version), "127.0.0.1", 161)
    assert target.version == ("1" if version.endswith("1") else "2c")


def test_options_repr_hides_secrets() -> None:
    text = repr(ProbeOptions("h", community=COMMUNITY, v3_user="ops", auth_key=AUTH_KEY,
                             priv_key=PRIV_KEY))
    for secret in (COMMUNITY, AUTH_KEY, PRIV_KEY):
        assert secret not in text


# ---------------------------------------------------------------- rendering
def fake_facts() -> DeviceFacts:
    return DeviceFacts(
        address="192.0.2.7",
        system=SystemInfo(descr="Cisco IOS Software, C3560 Software, Version 12.2(55)SE3",
                          object_id="1.3.6.1.4.1.9.1.617", uptime_ticks=123456,
                          name="trạm-quận-1"),
        vendor="Cisco", model="WS-C3560G-48TS-E", serial="FOC1408Z61U", firmware="12.2(55)SE3",
        interfaces=[
            InterfaceSample(if_index=10101, name="Gi0/1", descr="GigabitEthernet0/1",
                            alias="uplink to core", if_type=6, speed_bps=1_000_000_000,
                            admin_status=1, oper_status=1, counter_bits=64,
                            counters={"in_octets": 2**40, "out_octets": 7},
                            mac="00:1b:54:aa:bb:01"),
            InterfaceSample(if_index=10102, name="Gi0/2", if_type=6, admin_status=2,
                            oper_status=7),
        ],
        neighbors=[Neighbor(local_port="Gi0/1", remote_name="core-1", remote_port="Te1/1",
                            protocol="cdp")],
        sensors=[Sensor(kind="temperature", name="chassis", value=41.5, unit="celsius",
                        status="ok"),
                 Sensor(kind="fan", name="fan 1", status="failed")],
        errors=[f"lldp: walk failed (community {COMMUNITY} refused)"],
        pdus=12, duration=0.25,
    )


def test_json_has_exactly_the_sections_and_the_fields() -> None:
    doc = facts_to_dict(fake_facts())
    assert list(doc) == ["identity", "interfaces", "neighbors", "sensors", "errors"]
    assert doc["identity"] == {
        "sys_name": "trạm-quận-1", "sys_descr": fake_facts().system.descr,
        "sys_object_id": "1.3.6.1.4.1.9.1.617", "uptime_seconds": 1234.56, "vendor": "Cisco",
        "model": "WS-C3560G-48TS-E", "serial": "FOC1408Z61U", "firmware": "12.2(55)SE3"}
    assert doc["interfaces"][0] == {
        "index": 10101, "name": "Gi0/1", "descr": "GigabitEthernet0/1",
        "alias": "uplink to core", "type": 6, "speed_bps": 1_000_000_000,
        "admin_status": "up", "oper_status": "up", "mac": "00:1b:54:aa:bb:01",
        "in_octets": 2**40, "out_octets": 7}
    assert doc["interfaces"][1]["oper_status"] == "lowerLayerDown"
    assert doc["interfaces"][1]["in_octets"] is None
    assert doc["neighbors"] == [{"local_port": "Gi0/1", "remote_system_name": "core-1",
                                 "remote_port": "Te1/1", "protocol": "cdp"}]
    assert doc["sensors"][0] == {"kind": "temperature", "name": "chassis", "value": 41.5,
                                 "unit": "celsius", "status": "ok"}
    assert doc["sensors"][1]["value"] is None


def test_json_output_parses_back_and_keeps_unicode_readable() -> None:
    out = io.StringIO()
    render_json(fake_facts(), out)
    assert "trạm-quận-1" in out.getvalue()
    assert json.loads(out.getvalue()) == facts_to_dict(fake_facts())


def test_tables_show_every_section() -> None:
    out = io.StringIO()
    render_tables(fake_facts(), probe_module.Console(file=out, width=250))
    text = out.getvalue()
    for expected in ("identity", "interfaces (2)", "neighbors (1)", "sensors (2)",
                     "WS-C3560G-48TS-E", "FOC1408Z61U", "trạm-quận-1", "Gi0/1",
                     "uplink to core", "00:1b:54:aa:bb:01", "1099511627776",
                     "lowerLayerDown", "core-1", "Te1/1", "41.5", "celsius", "failed",
                     "lldp: walk failed", "12 PDUs"):
        assert expected in text, expected


def test_device_text_is_never_taken_for_rich_markup() -> None:
    facts = DeviceFacts(system=SystemInfo(descr="[/bold] [red]odd[/red] agent", name="[x]"),
                        errors=["lldp: [/yellow] broken"])
    out = io.StringIO()
    render_tables(facts, probe_module.Console(file=out, width=200))
    assert "[/bold] [red]odd[/red] agent" in out.getvalue()
    assert "[x]" in out.getvalue()
    assert "lldp: [/yellow] broken" in out.getvalue()


def test_empty_sections_say_none_found() -> None:
    out = io.StringIO()
    render_tables(DeviceFacts(), probe_module.Console(file=out, width=200))
    assert "neighbors: none found" in out.getvalue()
    assert "sensors: none found" in out.getvalue()


# ---------------------------------------------------------------- secrets and failures
SECRET_ARGS = ["--community", COMMUNITY]


def _secrets_absent(*texts: str) -> None:
    for text in texts:
        for secret in (COMMUNITY, AUTH_KEY, PRIV_KEY):
            assert secret not in text


@pytest.fixture
def fake_probe(monkeypatch: pytest.MonkeyPatch) -> list[SnmpTarget]:
    seen: list[SnmpTarget] = []

    async def probe(target: SnmpTarget, label: str, deadline: float) -> DeviceFacts:
        seen.append(target)
        return fake_facts()

    monkeypatch.setattr(probe_module, "probe", probe)
    return seen


@pytest.mark.parametrize("as_json", [True, False])
def test_output_and_errors_never_show_the_secrets(fake_probe: list[SnmpTarget],
                                                  as_json: bool) -> None:
    for options in (ProbeOptions("127.0.0.1", community=COMMUNITY, as_json=as_json),
                    ProbeOptions("127.0.0.1", community=COMMUNITY, v3_user="ops",
                                 auth_key=AUTH_KEY, priv_key=PRIV_KEY, as_json=as_json)):
        out, err = io.StringIO(), io.StringIO()
        assert run_probe(options, out, err) == 0
        assert "lldp: walk failed (community *** refused)" in out.getvalue()
        _secrets_absent(out.getvalue(), err.getvalue())
    assert fake_probe[0].community == COMMUNITY.encode()
    assert fake_probe[1].v3 is not None and fake_probe[1].v3.priv_key == PRIV_KEY


def test_an_unexpected_failure_is_one_redacted_line_without_traceback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def probe(target: SnmpTarget, label: str, deadline: float) -> DeviceFacts:
        raise RuntimeError(f"boom with {AUTH_KEY} and {COMMUNITY}")

    monkeypatch.setattr(probe_module, "probe", probe)
    result = CliRunner().invoke(app, ["probe", "127.0.0.1", "--v3-user", "ops", "--auth-key",
                                      AUTH_KEY, "--priv-key", PRIV_KEY, *SECRET_ARGS])
    assert result.exit_code == 1
    assert "noc probe: failed: RuntimeError: boom with *** and ***\n" in result.output
    assert "Traceback" not in result.output
    _secrets_absent(result.output)


def test_cli_json_goes_through_run_probe(fake_probe: list[SnmpTarget]) -> None:
    result = CliRunner().invoke(app, ["probe", "localhost:1161", "--json", *SECRET_ARGS,
                                      "--timeout", "0.5", "--retries", "3"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["identity"]["serial"] == "FOC1408Z61U"
    target = fake_probe[0]
    assert (target.address, target.port, target.timeout, target.retries) == (
        "127.0.0.1", 1161, 0.5, 3)
    _secrets_absent(result.output)


def test_cli_community_from_the_environment(fake_probe: list[SnmpTarget]) -> None:
    result = CliRunner().invoke(app, ["probe", "127.0.0.1", "--json"],
                                env={"NOC_PROBE_COMMUNITY": COMMUNITY})
    assert result.exit_code == 0, result.output
    assert fake_probe[0].community == COMMUNITY.encode()


def test_cli_bad_port_exits_2(fake_probe: list[SnmpTarget]) -> None:
    result = CliRunner().invoke(app, ["probe", "127.0.0.1:99999"])
    assert result.exit_code == 2
    assert "bad port '99999'" in result.output
    assert not fake_probe


def test_silent_port_fails_fast_with_a_clear_message() -> None:
    port = free_udp_port()  # nothing listens there
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = run_probe(ProbeOptions(f"127.0.0.1:{port}", community=COMMUNITY, timeout=0.2,
                                  retries=1), out, err)
    elapsed = time.monotonic() - started
    assert code == 1
    assert re.match(rf"noc probe: no SNMP response from 127\.0\.0\.1:{port} within 0\.4 s",
                    err.getvalue())
    assert elapsed < 2.0
    assert out.getvalue() == ""
    _secrets_absent(err.getvalue())
