"""The whole NOC against the small lab: `noc run` as a process, faults with `noc lab`."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from noc.lab.model import AgencyKind, LabTopology, Network
from noc.lab.topology import build_topology
from tests.helpers import wait_for
from tests.peers.noc_process import launch_noc

pytestmark = pytest.mark.integration
INTERVAL = 2.0
# "down within two poll intervals" + one request timeout and retry
DOWN_WITHIN = 2 * INTERVAL + 2.0
ICMP_INTERVAL = 3.0


@dataclass
class Noc:
    base: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    topo: LabTopology

    def agencies(self) -> dict[str, dict[str, object]]:
        reply = httpx.get(f"{self.base}/api/v1/agencies", timeout=5)  # raises if the NOC died
        reply.raise_for_status()
        return {a["code"]: a for a in reply.json()}

    def device(self, name: str) -> dict[str, Any]:
        reply = httpx.get(f"{self.base}/api/v1/devices/{name}", timeout=5)
        reply.raise_for_status()
        return dict(reply.json())

    def lab(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "noc", "lab", *args, "--data-dir",
                               str(self.data_dir)], capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def noc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Noc]:
    started = launch_noc(tmp_path_factory.mktemp("noc"), INTERVAL, NOC_POLL__TIMEOUT="0.5",
                         NOC_POLL__RETRIES="1", NOC_POLL__DEADLINE="4",
                         NOC_POLL__FACTS_INTERVAL="5", NOC_ICMP__INTERVAL=str(ICMP_INTERVAL))
    noc = Noc(started.base, started.data_dir, started.proc, build_topology("small"))
    try:
        yield noc
    finally:
        _stop(noc)
        started.log.close()


def _stop(noc: Noc) -> None:
    """Ctrl-C the NOC; it must stop the lab it started, by itself."""
    lab_pid = json.loads((noc.data_dir / "lab" / "control.json").read_text())["pid"]
    noc.proc.send_signal(signal.SIGINT)
    try:
        noc.proc.wait(20)
    except subprocess.TimeoutExpired:
        noc.proc.kill()
        raise
    lab_alive = Path(f"/proc/{lab_pid}").exists()
    if lab_alive:
        os.kill(lab_pid, signal.SIGKILL)
    assert not lab_alive, "Ctrl-C on noc run left the lab running"
    assert not (noc.data_dir / "lab" / "control.json").exists()


def _all_up(noc: Noc) -> dict[str, dict[str, object]] | None:
    agencies = noc.agencies()
    return agencies if all(a["status"] == "up" for a in agencies.values()) else None


def _ward_and_district_uplinks(topo: LabTopology) -> tuple[str, str, str, str]:
    sites = {s.code: s.agency for s in topo.sites}
    kinds = {a.code: a.kind for a in topo.agencies}
    ward_link = district_link = ward = district = ""
    for link in topo.links:
        agency = sites[topo.device(link.b_device).site]
        if link.network != Network.METRONET or agency == sites[topo.device(link.a_device).site]:
            continue
        if kinds[agency] == AgencyKind.WARD and not ward_link:
            ward_link, ward = link.name, agency
        if kinds[agency] == AgencyKind.DISTRICT and not district_link:
            district_link, district = link.name, agency
    return ward_link, ward, district_link, district


def test_every_agency_connected_at_start(noc: Noc):
    agencies = wait_for("every agency up", lambda: _all_up(noc), 30)
    codes = {a.code for a in noc.topo.agencies}
    assert set(agencies) == codes
    snmp_devices = sum(1 for d in noc.topo.devices if d.snmp)

    def all_devices_up() -> dict[str, Any] | None:  # an agency is up before all its devices are
        summary: dict[str, Any] = httpx.get(f"{noc.base}/api/v1/summary").json()
        return summary if summary["devices_up"] == snmp_devices else None

    summary = wait_for("every SNMP device up", all_devices_up, 30)
    assert summary["devices_total"] == snmp_devices


def _down_set(noc: Noc) -> set[str]:
    return {c for c, a in noc.agencies().items() if a["status"] == "down"}


def test_broken_ward_uplink_takes_down_that_ward_only(noc: Noc):
    wait_for("every agency up", lambda: _all_up(noc), 30)
    ward_link, ward, _, _ = _ward_and_district_uplinks(noc.topo)
    broke = noc.lab("break", ward_link)
    assert broke.returncode == 0, broke.stdout + broke.stderr
    wait_for(f"{ward} down", lambda: _down_set(noc) == {ward} or None, DOWN_WITHIN)
    assert noc.lab("heal").returncode == 0
    wait_for("recovery", lambda: _all_up(noc), DOWN_WITHIN + INTERVAL)
    # the outage is in the status history (written every few seconds), with its reason
    wait_for(f"{ward} down and up again in the history",
             lambda: _history(noc, ward)[-2:] == ["down", "up"] or None, 15)


def _history(noc: Noc, agency: str) -> list[str]:
    with sqlite3.connect(noc.data_dir / "noc.sqlite3") as db:
        return [status for (status,) in db.execute(
            "SELECT status FROM status_change WHERE kind = 'agency' AND subject = ? "
            "ORDER BY id", (agency,))]


def test_broken_district_uplink_takes_down_district_and_its_wards(noc: Noc):
    wait_for("every agency up", lambda: _all_up(noc), 30)
    _, _, district_link, district = _ward_and_district_uplinks(noc.topo)
    expected = {district} | {a.code for a in noc.topo.agencies if a.parent == district}
    assert len(expected) > 2
    assert noc.lab("break", district_link).returncode == 0
    wait_for(f"{sorted(expected)} down", lambda: _down_set(noc) == expected or None,
             DOWN_WITHIN)
    agencies = noc.agencies()
    wards = expected - {district}
    assert all(str(agencies[w]["reason"]).startswith("upstream") for w in wards)
    assert noc.lab("heal", district_link).returncode == 0
    wait_for("recovery", lambda: _all_up(noc), DOWN_WITHIN + INTERVAL)


def test_dual_homed_agency_losing_one_path_is_degraded_not_down(noc: Noc):
    wait_for("every agency up", lambda: _all_up(noc), 30)
    link = next(lk for lk in noc.topo.links if lk.network == Network.TSLCD)
    agency = {s.code: s.agency for s in noc.topo.sites}[noc.topo.device(link.b_device).site]
    assert noc.lab("break", link.name).returncode == 0
    try:
        got = wait_for(f"{agency} degraded",
                       lambda: (a := noc.agencies()[agency])["status"] == "degraded" and a,
                       DOWN_WITHIN)
        assert "redundancy lost" in str(got["reason"])
        assert link.name in str(got["reason"])
        assert _down_set(noc) == set()
    finally:
        assert noc.lab("heal").returncode == 0
    wait_for("recovery", lambda: _all_up(noc), DOWN_WITHIN + INTERVAL)


def _answers_ping(address: str) -> bool:
    result = subprocess.run(["fping", "-c", "1", "-t", "500", "-q", address],
                            capture_output=True, timeout=10)
    return result.returncode == 0


def test_broken_device_is_unreachable_to_icmp_too(noc: Noc):
    assert os.geteuid() == 0, "lab faults on ICMP need root (nftables); CI runs as root"
    ward_link, ward, _, _ = _ward_and_district_uplinks(noc.topo)
    sites = {s.code: s.agency for s in noc.topo.sites}
    ward_devices = [d for d in noc.topo.devices if sites[d.site] == ward]
    other = noc.topo.device(noc.topo.core_devices[0]).address
    assert _answers_ping(ward_devices[0].address)
    broke = noc.lab("break", ward_link)
    assert '"firewall": true' in broke.stdout, broke.stdout
    try:
        for dev in ward_devices:  # the switch and the ICMP-only workstations behind it
            assert not _answers_ping(dev.address), dev.name
        assert _answers_ping(other)
    finally:
        assert noc.lab("heal").returncode == 0
    assert _answers_ping(ward_devices[0].address)


def test_noc_icmp_job_declares_icmp_only_assets_down_and_up(noc: Noc):
    """A cut-off workstation (ICMP only) is down in the NOC within the confirmation budget."""
    ward_link, ward, _, _ = _ward_and_district_uplinks(noc.topo)
    sites = {s.code: s.agency for s in noc.topo.sites}
    assets = [d.name for d in noc.topo.devices if sites[d.site] == ward and not d.snmp]
    assert assets, "the ward has ICMP-only assets"
    wait_for("ICMP up for the ward's assets",
             lambda: all(noc.device(n)["up"] is True for n in assets) or None, 3 * ICMP_INTERVAL)
    assert noc.lab("break", ward_link).returncode == 0
    try:
        started = time.monotonic()
        wait_for("ICMP-only assets down", lambda: all(
            noc.device(n)["up"] is False for n in assets) or None, 2 * ICMP_INTERVAL + 10)
        took = time.monotonic() - started
        dev = noc.device(assets[0])
        assert dev["icmp"]["up"] is False and dev["icmp"]["loss_percent"] == 100.0
        assert "no reply" in dev["last_error"]
        metrics = httpx.get(f"{noc.base}/metrics", timeout=10).text
        assert f'noc_icmp_up{{device="{assets[0]}"}} 0\n' in metrics
        assert took <= 2 * ICMP_INTERVAL + 8  # confirm_cycles x interval + one cycle's deadline
    finally:
        assert noc.lab("heal").returncode == 0
    wait_for("ICMP-only assets up again", lambda: all(
        noc.device(n)["up"] is True for n in assets) or None, 2 * ICMP_INTERVAL + 5)


def test_inventory_written_through_the_api_is_watched_at_once(noc: Noc):
    """A kiosk added by a technician is pinged within a cycle; retiring it stops that."""
    site = next(s.code for s in noc.topo.sites if s.role == "one_stop_desk")
    kiosk = {"name": "e2e-kiosk-moi", "site": site, "device_class": "kiosk",
             "mgmt_address": "127.23.250.77", "monitoring": "icmp", "serial": "E2E-KIOSK-1",
             "custodian": "Trần Thị Thu"}
    anonymous = httpx.post(f"{noc.base}/api/v1/inventory/devices", json=kiosk, timeout=10)
    assert anonymous.status_code == 401  # the lab reads anonymously, never writes
    auth = {"Authorization": f"Bearer {_token(noc, 'tech-e2e', 'technician')}"}
    viewer = {"Authorization": f"Bearer {_token(noc, 'viewer-e2e', 'viewer')}"}
    refused = httpx.post(f"{noc.base}/api/v1/inventory/devices", json=kiosk, headers=viewer,
                         timeout=10)
    assert refused.status_code == 403
    created = httpx.post(f"{noc.base}/api/v1/inventory/devices", json=kiosk, headers=auth,
                         timeout=10)
    assert created.status_code == 201, created.text
    wait_for("the new kiosk pinged and up", lambda: _device_or_none(noc, kiosk["name"]),
             3 * ICMP_INTERVAL + 5)
    retired = httpx.delete(f"{noc.base}/api/v1/inventory/devices/{kiosk['name']}",
                           headers=auth, timeout=10)
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    audit = httpx.get(f"{noc.base}/api/v1/inventory/audit",
                      params={"key": kiosk["name"]}, timeout=10).json()["items"]
    assert [(a["action"], a["actor"], a["via"]) for a in audit] == [
        ("retire", "tech-e2e", "api"), ("create", "tech-e2e", "api")]  # newest first
    # the lab's devices answer discovery with the serials the inventory records: no drift
    drift = httpx.get(f"{noc.base}/api/v1/inventory/drift", timeout=10).json()
    assert not [d for d in (drift if isinstance(drift, list) else drift["items"])
                if d["kind"] == "serial"]


def _token(noc: Noc, user: str, role: str) -> str:
    """An API token for a new user, issued with the CLI (`noc user create`, `noc user token`)."""
    made = subprocess.run([sys.executable, "-m", "noc", "user", "create", user, "--role", role,
                           "--data-dir", str(noc.data_dir)], capture_output=True, text=True,
                          timeout=30)
    assert made.returncode == 0, made.stdout + made.stderr
    issued = subprocess.run([sys.executable, "-m", "noc", "user", "token", user, "e2e",
                             "--data-dir", str(noc.data_dir)], capture_output=True, text=True,
                            timeout=30)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    return next(line.split()[-1] for line in issued.stdout.splitlines()
                if line.startswith("token:"))


def _device_or_none(noc: Noc, name: str) -> dict[str, Any] | None:
    reply = httpx.get(f"{noc.base}/api/v1/devices/{name}", timeout=5)
    return reply.json() if reply.status_code == 200 and reply.json()["up"] is True else None


def test_v3_devices_engine_is_discovered(noc: Noc):
    v3 = [d.name for d in noc.topo.devices if d.snmp_version == "3"]
    assert v3, "the small lab has an SNMPv3 device"
    summary = wait_for("engine discovery",
                       lambda: (s := httpx.get(f"{noc.base}/api/v1/snmp/engines").json())
                       ["engines"].keys() >= set(v3) and s, 20)
    for name in v3:
        assert len(summary["engines"][name]["engine_id"]) >= 10  # hex of 5..32 octets
        assert summary["engines"][name]["boots"] >= 1
    text = httpx.get(f"{noc.base}/metrics").text
    assert f'noc_snmp_engine_boots{{device="{v3[0]}"}}' in text


def test_unknown_fault_target_is_refused(noc: Noc):
    result = noc.lab("break", "no-such-device")
    assert result.returncode == 1
    assert "no-such-device" in result.stdout + result.stderr


def test_metrics_pass_promtool_and_show_the_fleet(noc: Noc):
    wait_for("every agency up", lambda: _all_up(noc), 30)

    def with_health() -> str | None:
        text = httpx.get(f"{noc.base}/metrics").text
        wanted = ("noc_sensor_value{", "noc_device_memory_total_bytes{",
                  "noc_device_cpu_utilization_ratio{")
        return text if all(w in text for w in wanted) else None

    text = wait_for("health metrics from the facts job", with_health, 20)
    check = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                           capture_output=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    up_lines = [ln for ln in text.splitlines() if ln.startswith("noc_device_up{")]
    assert len(up_lines) == sum(1 for d in noc.topo.devices if d.snmp)  # assets: noc_icmp_up
    icmp_lines = [ln for ln in text.splitlines() if ln.startswith("noc_icmp_up{")]
    assert len(icmp_lines) == len(noc.topo.devices)
    assert "noc_interface_receive_bytes_total{" in text
    assert "public" not in text  # the community never leaks into metrics


def test_overview_page_renders_counts_in_vietnamese(noc: Noc):
    wait_for("every agency up", lambda: _all_up(noc), 30)
    page = httpx.get(f"{noc.base}/").text
    wards = sum(1 for a in noc.topo.agencies if a.kind == AgencyKind.WARD)
    assert f"{wards}/{wards}" in page
    assert "Phường" in page


def test_sigterm_stops_noc_and_lab_cleanly(tmp_path: Path):
    started = launch_noc(tmp_path, 60.0)
    lab_pid = json.loads((tmp_path / "lab" / "control.json").read_text())["pid"]
    started.proc.send_signal(signal.SIGTERM)
    try:
        assert started.proc.wait(20) == 0, started.log_tail()
    finally:
        started.log.close()
    assert not Path(f"/proc/{lab_pid}").exists()
