"""End to end: a district uplink dies in the lab; on-call gets one page through a real Alertmanager.

``noc run --lab`` (small city) sends to Debian's prometheus-alertmanager, which
routes to a webhook receiver run by the test. The lab's core router sends a
linkDown trap when the uplink breaks, so the page comes within seconds; the
district switch, its servers, five wards and their workstations all going
dark behind it afterwards add no page; healing resolves the incident once.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import free_udp_port, wait_for
from tests.peers.alertmanager import AlertmanagerPeer
from tests.peers.noc_process import NocProcess, launch_noc
from tests.peers.webhook_sink import Received, WebhookSink

UPLINK = "q1-uplink-metronet"


def _pages(sink: WebhookSink, status: str) -> list[Received]:
    """Alertmanager notifications of ``status`` about anything but the heartbeat."""
    out = []
    for rec in sink.accepted():
        body = rec.body if isinstance(rec.body, dict) else {}
        alerts = [a for a in body.get("alerts", [])
                  if a.get("labels", {}).get("alertname") != "NocWatchdog"]
        if body.get("status") == status and alerts:
            out.append(rec)
    return out


def _lab(noc: NocProcess, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "noc", "lab", *args, "--data-dir", str(noc.data_dir)],
                   check=True, capture_output=True, timeout=30)


def _metric(noc: NocProcess, name: str) -> float:
    text = httpx.get(f"{noc.base}/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


@pytest.fixture
def paging(tmp_path: Path) -> Iterator[tuple[NocProcess, WebhookSink, AlertmanagerPeer]]:
    with WebhookSink() as sink, AlertmanagerPeer(sink.url) as am:
        noc = launch_noc(tmp_path, 10, NOC_ALERTMANAGER_URL=am.url,
                         NOC_TRAP_LISTEN=f"127.0.0.1:{free_udp_port()}",
                         NOC_ICMP__INTERVAL="3",
                         NOC_ALERTING__NOTIFY__ALERTMANAGER__HEARTBEAT_INTERVAL="5")
        try:
            yield noc, sink, am
        finally:
            noc.proc.terminate()
            noc.proc.wait(60)
            noc.log.close()


@pytest.mark.timeout(240)
def test_district_uplink_failure_pages_once_and_resolves_once(paging: tuple[
        NocProcess, WebhookSink, AlertmanagerPeer]) -> None:
    noc, sink, am = paging
    wait_for("the NocWatchdog heartbeat at Alertmanager",
             lambda: am.alerts(alertname="NocWatchdog"), 30)
    wait_for("a first poll of every lab device",
             lambda: _metric(noc, 'noc_alerts{state="firing"}') == 0
             and _metric(noc, "noc_alert_evaluation_seconds") > 0, 60)
    assert not _pages(sink, "firing"), "nothing is broken yet"

    broke = time.time()
    _lab(noc, "break", UPLINK)
    first = wait_for("the page at the webhook", lambda: _pages(sink, "firing"), 30)[0]
    took = first.at - broke
    assert took <= 10, f"page after {took:.1f} s with a linkDown trap"
    alert = first.body["alerts"][0]
    assert alert["labels"]["alertname"] == "link_down"
    assert alert["annotations"]["summary"].startswith("Quận 1 isolated: uplink " + UPLINK)
    assert "5 wards" in alert["annotations"]["summary"]
    assert "Quận 1 mất kết nối" in alert["annotations"]["summary_vi"]

    # everything behind the uplink goes dark over the next ICMP cycles: still one page
    wait_for("the devices behind the uplink to be suppressed",
             lambda: _metric(noc, 'noc_alerts{state="suppressed"}') >= 10, 40)
    time.sleep(5)
    assert len(_pages(sink, "firing")) == 1, [p.body for p in _pages(sink, "firing")]
    assert _metric(noc, "noc_alert_incidents") == 1
    page = httpx.get(f"{noc.base}/alerts", timeout=10).text
    assert "Quận 1" in page and UPLINK in page

    healed = time.time()
    _lab(noc, "heal", UPLINK)
    wait_for("the resolved page", lambda: _pages(sink, "resolved"), 40)
    wait_for("every alert to resolve",
             lambda: _metric(noc, 'noc_alerts{state="suppressed"}') == 0
             and _metric(noc, 'noc_alerts{state="firing"}') == 0, 60)
    time.sleep(3)
    late = [p for p in _pages(sink, "firing") if p.at > healed]
    assert not late, f"recovery paged again: {[p.body for p in late]}"
    assert len(_pages(sink, "resolved")) == 1
