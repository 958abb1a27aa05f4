"""Fault injection: what a broken site, link or device cuts off, and how to cut it.

:func:`unreachable` is pure: given the topology and the set of broken things
(device names, link names, site codes or agency codes) it returns every
device that can no longer be reached from the core, by a breadth-first walk
over the links that still work. ICMP-only assets at a site share the fate of
the site's switch.

Two mechanisms apply a fault, and the lab uses both:

* the lab's own SNMP responder stops answering for those devices (works
  without privileges, SNMP only);
* as root, an nftables table drops every packet *to* those addresses on the
  input hook, so ICMP, SNMP (including the real snmpd serving v3 devices) and
  SSH all time out exactly like a real outage. Without root this part is
  skipped and said so once in the log.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections import deque
from collections.abc import Iterable

from noc.lab.model import LabTopology

log = logging.getLogger(__name__)


class UnknownTargetError(ValueError):
    """A break/heal target that names nothing in the lab."""


def resolve(topo: LabTopology, target: str) -> str:
    """Check that ``target`` names a device, link, site or agency; return its kind."""
    if any(d.name == target for d in topo.devices):
        return "device"
    if any(link.name == target for link in topo.links):
        return "link"
    if any(s.code == target for s in topo.sites):
        return "site"
    if any(a.code == target for a in topo.agencies):
        return "agency"
    raise UnknownTargetError(f"'{target}' is not a device, link, site or agency of this lab")


def unreachable(topo: LabTopology, broken: Iterable[str]) -> set[str]:
    """Names of every device cut off from the core by the broken things."""
    broken = set(broken)
    site_of_agency = {s.code: s.agency for s in topo.sites}
    dead = {d.name for d in topo.devices
            if d.name in broken or d.site in broken or site_of_agency.get(d.site) in broken}
    adjacency: dict[str, list[str]] = {}
    for link in topo.links:
        if link.name in broken:
            continue
        adjacency.setdefault(link.a_device, []).append(link.b_device)
        adjacency.setdefault(link.b_device, []).append(link.a_device)
    seen = {c for c in topo.core_devices if c not in dead}
    queue = deque(seen)
    while queue:
        for nxt in adjacency.get(queue.popleft(), ()):
            if nxt not in seen and nxt not in dead:
                seen.add(nxt)
                queue.append(nxt)
    cut = {d.name for d in topo.devices if d.snmp and d.name not in seen}
    reachable_sites = {d.site for d in topo.devices if d.snmp and d.name in seen}
    for dev in topo.devices:
        if not dev.snmp and (dev.name in dead or dev.site not in reachable_sites):
            cut.add(dev.name)
    return cut


class Firewall:
    """An nftables table that drops traffic to unreachable lab addresses (root only)."""

    def __init__(self, table: str | None = None) -> None:
        self.table = table or f"noc_lab_{os.getpid()}"
        self.enabled = os.geteuid() == 0 and shutil.which("nft") is not None
        self._created = False
        if not self.enabled:
            log.warning("not root or no nft: lab faults are SNMP-only (ICMP still answers)")

    def remove_stale(self) -> list[str]:
        """Delete tables left by labs that died without healing (their PID is gone)."""
        if not self.enabled:
            return []
        listing = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True,
                                 timeout=10, check=False).stdout
        stale = []
        for line in listing.splitlines():
            name = line.split()[-1] if line.startswith("table inet noc_lab_") else ""
            pid = name.removeprefix("noc_lab_")
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                self._nft(f"delete table inet {name}\n")
                stale.append(name)
        return stale

    def _nft(self, script: str) -> None:
        subprocess.run(["nft", "-f", "-"], input=script, text=True, check=True,
                       capture_output=True, timeout=10)

    def apply(self, addresses: Iterable[str]) -> None:
        """Make exactly ``addresses`` unreachable (replacing the previous set)."""
        if not self.enabled:
            return
        addrs = sorted(set(addresses))
        script = []
        if not self._created:
            script += [f"add table inet {self.table}",
                       f"add set inet {self.table} down {{ type ipv4_addr; }}",
                       f"add chain inet {self.table} input "
                       "{ type filter hook input priority -10; policy accept; }",
                       f"add rule inet {self.table} input ip daddr @down drop"]
        script.append(f"flush set inet {self.table} down")
        if addrs:
            script.append(f"add element inet {self.table} down {{ {', '.join(addrs)} }}")
        try:
            self._nft("\n".join(script) + "\n")
            self._created = True
        except (subprocess.CalledProcessError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            log.error("nftables failed, faults are SNMP-only: %s", detail.strip())
            self.enabled = False

    def close(self) -> None:
        """Delete the table (heals everything)."""
        if self.enabled and self._created:
            try:
                self._nft(f"delete table inet {self.table}\n")
            except (subprocess.CalledProcessError, OSError) as exc:
                log.error("could not delete nftables table %s: %s", self.table, exc)
            self._created = False
