"""``noc probe`` as a process against real device walks (snmpsim) and a real snmpd (v3).

Every expected value is read from the recording file snmpsim serves (or, for
snmpd, asked of the agent with net-snmp's own tools), never written down by
hand: sysName, sysDescr, sysObjectID, the ifIndexes and an interface name,
and model and serial from where the device keeps them (the ENTITY-MIB
chassis, a vendor MIB scalar, or sysDescr).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collectors.snmp.ber import Oid, Value
from collectors.snmp.parsers import text
from noc.lab.snmprec import ParseStats, parse_oid, parse_records
from tests.helpers import free_udp_port
from tests.peers.snmpd import AUTH_KEY, PRIV_KEY, V3_USERS, SnmpdPeer
from tests.peers.snmpd import snmpd_peer as snmpd_peer
from tests.peers.snmpsim import DEVICES, SnmpsimPeer, community_of
from tests.peers.snmpsim import snmpsim_peer as snmpsim_peer

pytestmark = pytest.mark.integration

Records = dict[Oid, Value]
Source = Callable[[Records], str]
SYS_DESCR, SYS_OBJECT_ID, SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 1, 0), (1, 3, 6, 1, 2, 1, 1, 2, 0), (
    1, 3, 6, 1, 2, 1, 1, 5, 0)
IF_DESCR, IF_OPER = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2), (1, 3, 6, 1, 2, 1, 2, 2, 1, 8)
IF_NAME = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1)
ENT_PHYSICAL = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
PROBE_TIMEOUT = ("--timeout", "3", "--retries", "1")


# ---------------------------------------------------------------- where a recording keeps things
def chassis(column: int) -> Source:
    """A cell of the ENTITY-MIB chassis row: the lowest entPhysicalIndex of class 3."""
    def read(records: Records) -> str:
        classes = {oid[-1]: v for oid, v in records.items() if oid[:-1] == (*ENT_PHYSICAL, 5)}
        index = min(i for i, cls in classes.items() if cls == 3)
        return text(records[(*ENT_PHYSICAL, column, index)]).strip()
    return read


def scalar(dotted: str) -> Source:
    """A scalar of the recording (a vendor MIB object)."""
    return lambda records: text(records[parse_oid(dotted)]).strip()


def in_descr(pattern: str) -> Source:
    """The first group of ``pattern`` in the recorded sysDescr."""
    def read(records: Records) -> str:
        match = re.search(pattern, text(records[SYS_DESCR]))
        assert match, f"{pattern!r} not in the recorded sysDescr"
        return match[1]
    return read


def nothing(records: Records) -> str:
    """The device does not say."""
    return ""


MODEL, SERIAL = chassis(13), chassis(11)
JNX_BOX_SERIAL = "1.3.6.1.4.1.2636.3.1.3.0"
#: community -> (model source, serial source)
IDENTITY: dict[str, tuple[Source, Source]] = {
    "cisco-c3560": (MODEL, SERIAL),
    "cisco-c3750": (MODEL, SERIAL),
    "dlink-des3038": (in_descr(r"D-Link (DES-\d+)"), nothing),
    "h3c-e528-2": (MODEL, SERIAL),
    "huawei-s5720": (in_descr(r"^(S5720[\w-]+)"), SERIAL),  # entPhysicalModelName is empty
    "ruijie-s5750-24gt12sfp": (MODEL, SERIAL),
    "juniper-mx960-13-3r9-13": (lambda r: "MX960", scalar(JNX_BOX_SERIAL)),
    "vyatta-unknown": (nothing, nothing),
    "paloalto-pa-5000": (MODEL, SERIAL),
    "unknown-002": (nothing, nothing),
    "ibm-x3550-m3": (nothing, nothing),
    "apc-8641": (in_descr(r"MN:(\S+)"), in_descr(r"SN: ?(\w+)")),
}


@dataclass(frozen=True)
class Expected:
    """What a probe of one recording must report."""

    sys_name: str
    sys_descr: str
    sys_object_id: str
    if_indexes: list[int]
    if_names: dict[int, str]
    model: str
    serial: str


def expected_from(path: Path, community: str) -> Expected:
    """Read the expected values out of the ``.snmprec`` file itself."""
    records = {r.oid: r.value for r in parse_records(path.read_bytes(), ParseStats(), keep=None)}

    def column(col: Oid) -> dict[int, Value]:
        return {oid[-1]: v for oid, v in records.items() if oid[:-1] == col}

    descrs, names = column(IF_DESCR), column(IF_NAME)
    indexes = sorted(set(descrs) | set(column(IF_OPER)) | set(names))
    model, serial = IDENTITY[community]
    oid = records[SYS_OBJECT_ID]
    assert isinstance(oid, tuple)
    return Expected(
        sys_name=text(records[SYS_NAME]), sys_descr=text(records[SYS_DESCR]),
        sys_object_id=".".join(map(str, oid)), if_indexes=indexes,
        if_names={i: text(names.get(i)) or text(descrs.get(i)) for i in indexes},
        model=model(records), serial=serial(records))


# ---------------------------------------------------------------- running `noc probe`
def noc_probe(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m noc probe ARGS`` as a process."""
    return subprocess.run([sys.executable, "-m", "noc", "probe", *args], capture_output=True,
                          text=True, timeout=timeout)


@dataclass(frozen=True)
class Probed:
    """One probe's process result, its JSON and how long it took."""

    result: subprocess.CompletedProcess[str]
    doc: dict[str, Any]
    seconds: float


@pytest.fixture(scope="module")
def probed(snmpsim_peer: SnmpsimPeer) -> Iterator[dict[str, Probed]]:
    """Every recording probed once (two at a time), by community."""
    def run(community: str) -> Probed:
        started = time.monotonic()
        result = noc_probe(snmpsim_peer.endpoint(), "--community", community, "--json",
                           *PROBE_TIMEOUT)
        seconds = time.monotonic() - started
        doc = json.loads(result.stdout) if result.returncode == 0 else {}
        return Probed(result, doc, seconds)

    with ThreadPoolExecutor(max_workers=2) as pool:
        yield dict(zip(snmpsim_peer.communities,
                       pool.map(run, snmpsim_peer.communities), strict=True))


# ---------------------------------------------------------------- snmpsim: real devices
def test_snmpsim_serves_a_dozen_devices_of_many_vendors(snmpsim_peer: SnmpsimPeer) -> None:
    assert len(snmpsim_peer.communities) >= 10
    assert set(IDENTITY) == set(snmpsim_peer.communities)


@pytest.mark.parametrize("community", [community_of(d) for d in DEVICES])
def test_probe_reports_what_the_recording_holds(snmpsim_peer: SnmpsimPeer,
                                                probed: dict[str, Probed],
                                                community: str) -> None:
    got = probed[community]
    assert got.result.returncode == 0, got.result.stderr
    expected = expected_from(snmpsim_peer.recording_path(community), community)
    doc = got.doc
    assert list(doc) == ["identity", "interfaces", "neighbors", "sensors", "errors"]
    identity = doc["identity"]
    assert identity["sys_name"] == expected.sys_name
    assert identity["sys_descr"] == expected.sys_descr
    assert identity["sys_object_id"] == expected.sys_object_id
    assert identity["uptime_seconds"] > 0
    assert identity["vendor"]
    assert (identity["model"], identity["serial"]) == (expected.model, expected.serial)
    assert [i["index"] for i in doc["interfaces"]] == expected.if_indexes
    first = doc["interfaces"][0]
    assert first["name"] == expected.if_names[first["index"]]
    assert doc["errors"] == []
    assert got.seconds < 20


def test_probe_finds_neighbors_and_sensors_where_recorded(probed: dict[str, Probed]) -> None:
    assert probed["cisco-c3750"].doc["neighbors"], "CDP neighbors of the 3750"
    assert probed["juniper-mx960-13-3r9-13"].doc["sensors"], "Juniper sensors"
    for sensor in probed["juniper-mx960-13-3r9-13"].doc["sensors"]:
        assert set(sensor) == {"kind", "name", "value", "unit", "status"}


def test_probe_tables_show_identity_and_interfaces(snmpsim_peer: SnmpsimPeer) -> None:
    result = noc_probe(snmpsim_peer.endpoint(), "--community", "cisco-c3560", *PROBE_TIMEOUT)
    assert result.returncode == 0, result.stderr
    expected = expected_from(snmpsim_peer.recording_path("cisco-c3560"), "cisco-c3560")
    for needle in ("identity", f"interfaces ({len(expected.if_indexes)})", "neighbors",
                   "sensors", expected.sys_name, expected.model, expected.serial,
                   expected.if_names[expected.if_indexes[-1]]):
        assert needle in result.stdout, needle
    assert "cisco-c3560" not in result.stdout + result.stderr  # the community is a secret


def test_wrong_community_is_no_response(snmpsim_peer: SnmpsimPeer) -> None:
    result = noc_probe(snmpsim_peer.endpoint(), "--community", "not-a-recording",
                       "--timeout", "0.3", "--retries", "0")
    assert result.returncode == 1
    assert f"no SNMP response from {snmpsim_peer.endpoint()} within 0.3 s" in result.stderr
    assert "not-a-recording" not in result.stdout + result.stderr


# ---------------------------------------------------------------- snmpd: SNMPv3
V3_USER = next(u for u in V3_USERS if u.name == "noc-sha256-aes256")


def v3_args(peer: SnmpdPeer, auth_key: str = AUTH_KEY) -> list[str]:
    return [peer.endpoint(), "--v3-user", V3_USER.name, "--auth-proto", V3_USER.auth,
            "--auth-key", auth_key, "--priv-proto", V3_USER.priv, "--priv-key", PRIV_KEY,
            *PROBE_TIMEOUT]


def test_v3_probe_of_a_real_snmpd(snmpd_peer: SnmpdPeer) -> None:
    result = noc_probe(*v3_args(snmpd_peer), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["identity"]["sys_name"] == "noc-test-agent"
    assert doc["identity"]["sys_object_id"].startswith("1.3.6.1.4.1.8072.")
    walked = snmpd_peer.snmpwalk("1.3.6.1.2.1.2.2.1.1")
    indexes = [int(line.rsplit(" ", 1)[1]) for line in walked.splitlines() if line]
    assert [i["index"] for i in doc["interfaces"]] == indexes
    assert any(i["name"] == "lo" for i in doc["interfaces"])
    for secret in (AUTH_KEY, PRIV_KEY):
        assert secret not in result.stdout + result.stderr


def test_v3_wrong_key_fails_without_echoing_it(snmpd_peer: SnmpdPeer) -> None:
    wrong = "wrong-auth-passphrase-123"
    result = noc_probe(*v3_args(snmpd_peer, auth_key=wrong), timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith(f"noc probe: SNMP error: {snmpd_peer.endpoint()}: "
                                    "SNMPv3 error: ")
    for secret in (wrong, PRIV_KEY):
        assert secret not in result.stdout + result.stderr


# ---------------------------------------------------------------- a dead address
def test_dead_address_exits_1_within_timeout_times_attempts() -> None:
    port = free_udp_port()  # nothing answers there
    started = time.monotonic()
    result = noc_probe(f"127.0.0.1:{port}", "--timeout", "0.5", "--retries", "1",
                       "--community", "dead-secret")
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert result.stderr.startswith(f"noc probe: no SNMP response from 127.0.0.1:{port} "
                                    "within 1 s")
    assert "dead-secret" not in result.stdout + result.stderr
    assert elapsed < 1.0 + 3.0  # the attempts, plus starting Python
