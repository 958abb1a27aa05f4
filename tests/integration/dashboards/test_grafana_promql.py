"""Every PromQL expression of the Grafana dashboards, run by a real Prometheus scraping the NOC.

The NOC runs on the small lab (as in tests/integration/noc/test_end_to_end.py);
Prometheus scrapes it every second and loads dashboards/prometheus/noc-rules.yml.
Template variables are replaced by real lab values the way Grafana would, then
every target must parse (API status success) and, unless listed in
``MAY_BE_EMPTY`` with a reason, return data; legends may only name labels the
result carries.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from noc.lab.model import AgencyKind, Network
from noc.lab.topology import build_topology
from tests.helpers import free_tcp_port, free_udp_port, wait_for
from tests.peers.prometheus import PrometheusPeer

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
GRAFANA = ROOT / "dashboards" / "grafana"
RULES = ROOT / "dashboards" / "prometheus" / "noc-rules.yml"
BOARDS = ("city-overview.json", "agency.json", "device.json", "link.json")
RATE_INTERVAL = "15s"

# (dashboard, panel title) -> why an empty result is correct on a healthy lab
MAY_BE_EMPTY = {
    ("city-overview.json", "Cơ quan mất kết nối / Disconnected agencies"):
        "lists agencies whose connection is down: none while the lab is healthy",
    ("city-overview.json", "Thiết bị mất kết nối / Devices down"):
        "lists devices that did not answer: none while the lab is healthy",
    ("city-overview.json", "Cảnh báo đang bật / Firing alerts"):
        "ALERTS: nothing fires on a healthy lab within the rules' `for:` delays",
    ("agency.json", "Cảm biến bất thường / Sensors not OK"):
        "sensors in warning or failed state: the chosen agency's may all be OK",
    ("agency.json", "Cảnh báo / Alerts"):
        "ALERTS of the agency: nothing pending or firing on a healthy lab",
    ("link.json", "Đường truyền đang mất / Links down (city)"):
        "links that went down within a day: none unless a fault was injected",
}


# of those, the ones a broken ward uplink must fill (the others need `for:` to pass, or
# a failed sensor)
FILLED_BY_A_FAULT = {
    ("city-overview.json", "Cơ quan mất kết nối / Disconnected agencies"),
    ("city-overview.json", "Thiết bị mất kết nối / Devices down"),
    ("agency.json", "Cảnh báo / Alerts"),
    ("link.json", "Đường truyền đang mất / Links down (city)"),
}


@dataclass
class Stack:
    noc_base: str
    data_dir: Path
    prom: PrometheusPeer

    def lab(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "noc", "lab", *args, "--data-dir",
                               str(self.data_dir)], capture_output=True, text=True, timeout=30)


def _healthy(proc: subprocess.Popen[bytes], base: str, log: Path) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"noc run exited with {proc.returncode}:\n"
                             f"{log.read_text(errors='replace')[-3000:]}")
    try:
        return httpx.get(f"{base}/healthz", timeout=2).is_success
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("noc")
    http_port = free_tcp_port()
    env = dict(os.environ, NOC_LAB__PORT=str(free_udp_port(("127.20.0.1", "127.22.1.1"))),
               NOC_POLL__TIMEOUT="0.5", NOC_POLL__RETRIES="1", NOC_POLL__DEADLINE="4",
               NOC_POLL__FACTS_INTERVAL="5")
    log_path = data_dir / "noc.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "noc", "run", "--lab", "--scale", "small", "--listen",
         f"127.0.0.1:{http_port}", "--data-dir", str(data_dir), "--interval", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    prom: PrometheusPeer | None = None
    try:
        wait_for("the NOC to answer /healthz", lambda: _healthy(proc, base, log_path), 90)
        prom = PrometheusPeer({"noc": f"127.0.0.1:{http_port}"}, scrape_interval="1s",
                              rule_files=[RULES]).start()
        yield Stack(base, data_dir, prom)
    finally:
        if prom is not None:
            prom.stop()
        _stop_noc(proc, data_dir)
        log.close()


def _stop_noc(proc: subprocess.Popen[bytes], data_dir: Path) -> None:
    control = data_dir / "lab" / "control.json"
    lab_pid = json.loads(control.read_text())["pid"] if control.exists() else None
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    if lab_pid is not None and Path(f"/proc/{lab_pid}").exists():
        os.kill(lab_pid, signal.SIGKILL)  # the lab child we started through the NOC


def _first(prom: PrometheusPeer, promql: str, label: str) -> str | None:
    result = prom.query(promql)
    values = sorted(r["metric"][label] for r in result if label in r["metric"])
    return values[0] if values else None


@pytest.fixture(scope="module")
def values(stack: Stack) -> dict[str, str]:
    """Real lab values for the template variables, once Prometheus has enough data."""
    prom = stack.prom
    # a device with everything the device dashboard shows: CPU, memory, disks, temperatures
    rich = ('count by (device) (noc_sensor_value{kind="temperature"})'
            " and on (device) count by (device) (noc_device_disk_total_bytes)"
            " and on (device) noc_device_cpu_utilization_ratio"
            " and on (device) noc_device_memory_total_bytes"
            " and on (device) count by (device) (noc:interface_utilization_rate5m:ratio)")
    device = wait_for("a device with health, sensors, disks and traffic in Prometheus",
                      lambda: _first(prom, rich, "device"), 60)
    busy = (f'noc:interface_utilization_rate5m:ratio{{device="{device}"}}'
            f' and on (device, interface) (noc_interface_oper_up == 1)'
            f' and on (device, interface) noc:interface_utilization:ratio')
    result = wait_for(f"an up interface with traffic on {device}",
                      lambda: prom.query(busy), 30)
    names = sorted(r["metric"]["interface"] for r in result)
    interface = next((n for n in names if re.fullmatch(r"[\w/]+", n)), names[0])
    agency = _first(prom, f'noc_device_info{{device="{device}"}}', "agency")
    assert agency
    # let every rule be evaluated at least once on real data, and rate() windows fill
    wait_for("the rules evaluated", lambda: _rules_evaluated(prom), 30)
    time.sleep(3)
    return {"datasource": "prometheus", "agency": agency, "device": device,
            "interface": interface, "__rate_interval": RATE_INTERVAL, "__interval": "5s",
            "__range": "5m"}


def _rules_evaluated(prom: PrometheusPeer) -> bool:
    rules = [r for g in prom.rules() for r in g["rules"]]
    return bool(rules) and all(r.get("lastEvaluation", "").startswith("20") and
                               r.get("health") == "ok" for r in rules)


def _substitute(expr: str, values: dict[str, str]) -> str:
    """Replace $var and ${var} as Grafana does (regex-escaped inside =~ and !~ matchers)."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in values, f"no test value for ${name}"
        value = values[name]
        in_regex = re.search(r'[=!]~\s*"[^"]*$', expr[:match.start()]) is not None
        return re.escape(value).replace("\\", "\\\\") if in_regex else value
    return re.sub(r"\$(?:\{(\w+)\}|(\w+))", one, expr)


def _targets() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for name in BOARDS:
        board = json.loads((GRAFANA / name).read_text(encoding="utf-8"))
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                out.append((name, panel["title"], target))
    return out


def _run(prom: PrometheusPeer, expr: str, ranged: bool) -> tuple[dict[str, Any], list[Any]]:
    if ranged:
        now = time.time()
        params = {"query": expr, "start": f"{now - 30:.3f}", "end": f"{now:.3f}", "step": "5"}
        reply = httpx.get(f"{prom.url}/api/v1/query_range", params=params, timeout=30)
    else:
        reply = httpx.get(f"{prom.url}/api/v1/query", params={"query": expr}, timeout=30)
    body = reply.json()
    assert reply.status_code == 200 and body.get("status") == "success", f"{expr}\n{body}"
    return body, body["data"]["result"]


def test_rules_load_and_evaluate_cleanly_on_real_data(stack: Stack, values: dict[str, str]):
    groups = stack.prom.rules()
    assert {g["name"] for g in groups} == {"noc-recording", "noc-alerts"}
    for rule in (r for g in groups for r in g["rules"]):
        assert rule["health"] == "ok", f"{rule['name']}: {rule.get('lastError')}"
    for record in ("noc:interface_utilization:ratio", "noc:agencies_connected:ratio",
                   "noc:agency_devices_up:ratio", "noc:interface_errors:rate5m",
                   "noc:agency_traffic_bytes:rate"):
        assert stack.prom.query(record), f"{record} recorded nothing on the lab"
    ratio = stack.prom.value("noc:agencies_connected:ratio")
    assert ratio is not None and 0 <= ratio <= 1


def test_template_variable_queries_return_the_chosen_values(stack: Stack,
                                                            values: dict[str, str]):
    for name in BOARDS:
        board = json.loads((GRAFANA / name).read_text(encoding="utf-8"))
        for var in board["templating"]["list"][1:]:
            query = _substitute(var["query"]["query"], values)
            match = re.fullmatch(r"label_values\((?:(.+), )?(\w+)\)", query)
            assert match, query
            params = {"match[]": match.group(1)} if match.group(1) else {}
            reply = httpx.get(f"{stack.prom.url}/api/v1/label/{match.group(2)}/values",
                              params=params, timeout=10).json()
            assert reply["status"] == "success", reply
            assert values[var["name"]] in reply["data"], f"{name} ${var['name']}: {query}"


def test_every_dashboard_expression_parses_and_returns_data(stack: Stack,
                                                            values: dict[str, str]):
    targets = _targets()
    assert len(targets) > 50
    empty, seen_exempt = [], set()
    for board, title, target in targets:
        expr = _substitute(target["expr"], values)
        assert "$" not in expr, expr
        _, result = _run(stack.prom, expr, ranged=not target.get("instant", False))
        if (board, title) in MAY_BE_EMPTY:
            seen_exempt.add((board, title))
            continue
        if not result:
            empty.append(f"{board} / {title}: {expr}")
            continue
        legend = target.get("legendFormat", "")
        for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend):
            assert all(label in series["metric"] for series in result), (
                f"{board} / {title}: legend {legend!r} names a label the result lacks: {expr}")
    assert not empty, "expressions without data on the lab:\n" + "\n".join(empty)
    assert seen_exempt == set(MAY_BE_EMPTY), "stale MAY_BE_EMPTY entries"


def test_device_panels_show_the_chosen_devices_own_numbers(stack: Stack,
                                                           values: dict[str, str]):
    device, interface = values["device"], values["interface"]
    metrics = httpx.get(f"{stack.noc_base}/metrics", timeout=10).text
    speed = re.search(rf'^noc_interface_speed_bytes\{{device="{re.escape(device)}",'
                      rf'interface="{re.escape(interface)}"\}} (\S+)$', metrics, re.M)
    assert speed, f"{device} {interface} not in /metrics"
    link = json.loads((GRAFANA / "link.json").read_text(encoding="utf-8"))
    panel = next(p for p in link["panels"] if p["title"] == "Tốc độ / Speed")
    got = stack.prom.value(_substitute(panel["targets"][0]["expr"], values))
    assert got == pytest.approx(float(speed.group(1)) * 8)


def _ward_uplink() -> tuple[str, str]:
    """A Metronet link from a district into one of its wards, and that ward's code."""
    topo = build_topology("small")
    sites = {site.code: site.agency for site in topo.sites}
    kinds = {agency.code: agency.kind for agency in topo.agencies}
    for link in topo.links:
        agency = sites[topo.device(link.b_device).site]
        if (link.network == Network.METRONET and kinds[agency] == AgencyKind.WARD
                and agency != sites[topo.device(link.a_device).site]):
            return link.name, agency
    raise AssertionError("the small lab has no ward uplink")


def test_a_broken_ward_uplink_fills_the_panels_that_may_be_empty(stack: Stack,
                                                                 values: dict[str, str]):
    """The exemptions above are "empty when healthy", not "always empty": break a ward."""
    link, ward = _ward_uplink()
    broke = stack.lab("break", link)
    assert broke.returncode == 0, broke.stdout + broke.stderr
    try:
        wait_for(f"{ward} disconnected in Prometheus",
                 lambda: stack.prom.value(f'noc_agency_connected{{agency="{ward}"}}') == 0, 30)
        pending = wait_for(
            "NocDeviceUnreachable pending for the ward's switch",
            lambda: stack.prom.query(f'ALERTS{{alertname="NocDeviceUnreachable", '
                                     f'agency="{ward}", alertstate="pending"}}'), 20)
        assert {s["metric"]["site"] for s in pending} == {ward}  # the join gave the site
        fault = values | {"agency": ward}

        still_empty: list[str] = []

        def all_filled() -> bool:
            still_empty[:] = [
                f"{board} / {title}: {expr}" for board, title, target in _targets()
                if (board, title) in FILLED_BY_A_FAULT
                and not _run(stack.prom, expr := _substitute(target["expr"], fault), False)[1]]
            return not still_empty

        try:
            wait_for("every fault panel to show the fault", all_filled, 20)
        except AssertionError as timeout:
            raise AssertionError("still empty with a ward down:\n"
                                 + "\n".join(still_empty)) from timeout
    finally:
        healed = stack.lab("heal")
        assert healed.returncode == 0, healed.stdout + healed.stderr
    wait_for(f"{ward} connected again",
             lambda: stack.prom.value(f'noc_agency_connected{{agency="{ward}"}}') == 1, 30)
