"""Time from a fault in the city lab to the page at an Alertmanager webhook, and the page count.

Runs ``noc run --lab --scale city`` at production intervals (SNMP poll every
60 s, ICMP every 10 s) pushing to a real Debian prometheus-alertmanager
(``group_wait: 1s``) whose webhook receiver is this script. For each of a
few district uplinks it breaks the link (``noc lab break``), measures the time
until the first page about it arrives at the webhook, counts every page that
arrives in the next 60 s, heals, and waits for the incident to resolve. Two
rounds:

* **trap**: the lab's core router sends a linkDown trap when the uplink
  breaks (the NOC re-polls it at once);
* **polling/ICMP**: traps off; the NOC learns it from ICMP (two silent
  cycles) and its polls.

A page is *about the fault* when its device is cut off by it, its agency is
the district or one of its wards, or it is the uplink itself; anything else
is printed as unrelated (the lab's recordings have their own health alerts).
Prints each run and the medians. Root only (lab faults use nftables).

    .venv/bin/python bench/time_to_page.py [--runs 3] [--rounds trap,polling]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from noc.lab.faults import unreachable  # noqa: E402
from noc.lab.topology import build_topology  # noqa: E402
from tests.helpers import free_udp_port  # noqa: E402
from tests.peers.alertmanager import AlertmanagerPeer  # noqa: E402
from tests.peers.noc_process import NocProcess, launch_noc  # noqa: E402
from tests.peers.webhook_sink import Received, WebhookSink  # noqa: E402

UPLINKS = ["q7-uplink-metronet", "q3-uplink-metronet", "tbinh-uplink-metronet",
           "q10-uplink-metronet", "gvap-uplink-metronet"]
WINDOW = 60.0  # seconds after a break during which pages are counted


def _scope(uplink: str) -> tuple[set[str], set[str], str]:
    """(devices cut off, agencies of the district and its wards, the uplink's A end)."""
    topo = build_topology("city")
    link = next(lk for lk in topo.links if lk.name == uplink)
    cut = unreachable(topo, [uplink])
    site_agency = {s.code: s.agency for s in topo.sites}
    district = site_agency[topo.device(link.b_device).site]
    agencies = {a.code for a in topo.agencies if a.code == district or a.parent == district}
    return cut, agencies, link.a_device


def _alerts(rec: Received) -> list[dict[str, Any]]:
    body = rec.body if isinstance(rec.body, dict) else {}
    return [a for a in body.get("alerts", [])
            if a.get("labels", {}).get("alertname") != "NocWatchdog"]


def _firing(sink: WebhookSink, since: float) -> list[Received]:
    return [r for r in sink.accepted() if r.at >= since and _alerts(r)
            and isinstance(r.body, dict) and r.body.get("status") == "firing"]


def _about(rec: Received, cut: set[str], agencies: set[str], uplink: str) -> bool:
    for alert in _alerts(rec):
        labels = alert.get("labels", {})
        if (labels.get("device") in cut or labels.get("agency") in agencies
                or labels.get("subject") == uplink):
            return True
    return False


def _lab(noc: NocProcess, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "noc", "lab", *args, "--data-dir", str(noc.data_dir)],
                   check=True, capture_output=True, timeout=60)


def _one(noc: NocProcess, sink: WebhookSink, uplink: str) -> tuple[float | None, int, list[str]]:
    cut, agencies, _a_end = _scope(uplink)
    broke = time.time()
    _lab(noc, "break", uplink)
    first: float | None = None
    while time.time() - broke < WINDOW:
        about = [r for r in _firing(sink, broke) if _about(r, cut, agencies, uplink)]
        if about and first is None:
            first = about[0].at - broke
        time.sleep(0.2)
    pages = _firing(sink, broke)
    related = [r for r in pages if _about(r, cut, agencies, uplink)]
    unrelated = [f"{a['labels'].get('alertname')}@{a['labels'].get('device')}"
                 for r in pages if r not in related for a in _alerts(r)]
    for r in related:
        print("    page:", *(a["annotations"].get("summary") for a in _alerts(r)))
    _lab(noc, "heal")
    time.sleep(45)  # ICMP and polls see the devices again; the incident resolves
    return first, len(related), unrelated


def _round(name: str, runs: int, traps: bool) -> tuple[list[float], list[int]]:
    times: list[float] = []
    counts: list[int] = []
    with tempfile.TemporaryDirectory(prefix="noc-page-") as tmp, WebhookSink() as sink, \
            AlertmanagerPeer(sink.url) as am:
        env = {"NOC_ALERTMANAGER_URL": am.url,
               "NOC_TRAP_LISTEN": f"127.0.0.1:{free_udp_port()}"}
        if not traps:
            env["NOC_ALERTING__TRAPS__ENABLED"] = "false"
        noc = launch_noc(Path(tmp), 60, scale="city", timeout=600, **env)
        try:
            print(f"{name}: city lab up; letting the first polls and facts settle (90 s)")
            time.sleep(90)
            for uplink in UPLINKS[:runs]:
                first, count, unrelated = _one(noc, sink, uplink)
                shown = f"{first:.1f} s" if first is not None else "no page"
                print(f"  {name} {uplink}: first page {shown}, pages about it in "
                      f"{WINDOW:g} s: {count}; unrelated pages meanwhile: {len(unrelated)} "
                      f"{sorted(set(unrelated))[:5]}")
                if first is not None:
                    times.append(first)
                counts.append(count)
        finally:
            noc.proc.terminate()
            noc.proc.wait(120)
            noc.log.close()
    return times, counts


def main() -> None:
    """Both rounds; print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="district uplinks per round")
    parser.add_argument("--rounds", default="trap,polling", help="trap, polling or both")
    args = parser.parse_args()
    wanted = set(args.rounds.split(","))
    results: dict[str, tuple[list[float], list[int]]] = {}
    for name, traps in (("trap", True), ("polling/ICMP", False)):
        if name.split("/")[0] in wanted:
            results[name] = _round(name, min(args.runs, len(UPLINKS)), traps)
    print("\nfault -> page at the Alertmanager webhook (city lab, poll 60 s, ICMP 10 s):")
    for name, (times, counts) in results.items():
        med = f"{statistics.median(times):.1f} s" if times else "n/a"
        rng = f"{min(times):.1f}-{max(times):.1f} s" if times else "n/a"
        print(f"  {name:13s} median {med} (range {rng}); pages per district uplink "
              f"failure: {counts}")
    target = {"trap": 5.0, "polling/ICMP": 30.0}
    for name, (times, counts) in results.items():
        ok = bool(times) and max(times) <= target[name] and all(c == 1 for c in counts)
        print(f"  {name}: {'met' if ok else 'NOT met'} (target <= {target[name]:g} s, one page)")


if __name__ == "__main__":
    main()
