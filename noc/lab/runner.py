"""``noc lab serve``: the simulated city network as one process.

Starts the SNMP responder for every v1/v2c lab device, a real snmpd for the
SNMPv3 devices, and the control channel; applies break/heal requests by
computing what a fault cuts off (:mod:`noc.lab.faults`) and silencing it in
the responder and, as root, in nftables. SIGTERM or Ctrl-C stops it all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

from noc.lab.agent import LabAgent
from noc.lab.control import control_file, serve_control
from noc.lab.faults import Firewall, UnknownTargetError, resolve, unreachable
from noc.lab.live import build_views
from noc.lab.model import LabTopology
from noc.lab.netsnmp import LabSnmpd, SnmpdError
from noc.lab.process import LAB_V3_USER
from noc.lab.recordings import port_ifindex
from noc.lab.topology import build_topology
from noc.lab.traps import send_link_trap

log = logging.getLogger(__name__)


class Lab:
    """A running lab: responder, snmpd, faults."""

    def __init__(self, topo: LabTopology, port: int, data_dir: Path,
                 community: str = "public", trap_target: tuple[str, int] | None = None) -> None:
        self.topo = topo
        self.trap_target = trap_target  # where devices send linkDown/linkUp (None: nowhere)
        self.community = community.encode()
        self.port = port
        self.data_dir = data_dir
        self.broken: set[str] = set()
        self.cut: set[str] = set()
        self.firewall = Firewall()
        v2 = [d for d in topo.devices if d.snmp and d.snmp_version != "3"]
        self.views = {view.name: view for view in build_views(topo, v2)}
        self.agent = LabAgent(self.views.values(), port, community.encode())
        self.snmpd = self._snmpd(community)

    def _snmpd(self, community: str) -> LabSnmpd | None:
        v3 = [d.address for d in self.topo.devices if d.snmp and d.snmp_version == "3"]
        keys_file = self.data_dir / "lab" / "v3.json"
        if not v3 or not keys_file.exists():
            return None
        keys = json.loads(keys_file.read_text())
        return LabSnmpd(v3, self.port, LAB_V3_USER, keys["auth_key"], keys["priv_key"],
                        community)

    async def start(self) -> None:
        """Start serving and write the control file."""
        for table in self.firewall.remove_stale():
            log.warning("removed nftables table %s left by a lab that died", table)
        await self.agent.start()
        if self.snmpd is not None:
            try:
                await asyncio.to_thread(self.snmpd.start)
            except SnmpdError as exc:
                log.error("SNMPv3 devices will not answer: %s", exc)
                self.snmpd = None
        self._control = await serve_control(self.handle)
        control_port = self._control.sockets[0].getsockname()[1]
        path = control_file(self.data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "control_port": control_port,
                                   "snmp_port": self.port, "scale": self.topo.scale}))
        tmp.replace(path)
        log.info("lab '%s' serving %d SNMP devices on port %d", self.topo.scale,
                 sum(1 for d in self.topo.devices if d.snmp), self.port)

    async def stop(self) -> None:
        """Stop everything this lab started and heal the firewall."""
        self._control.close()
        await self.agent.stop()
        if self.snmpd is not None:
            await asyncio.to_thread(self.snmpd.stop)
        self.firewall.close()
        control_file(self.data_dir).unlink(missing_ok=True)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one control request: break, heal or status."""
        op, target = request.get("op"), request.get("target")
        try:
            if op == "break" and isinstance(target, str):
                kind = resolve(self.topo, target)
                self.broken.add(target)
                self._apply()
                return {"ok": True, "broken": target, "kind": kind, **self._summary()}
            if op == "heal":
                if target is None:
                    self.broken.clear()
                elif target in self.broken:
                    self.broken.discard(target)
                else:
                    return {"ok": False, "error": f"'{target}' is not broken"}
                self._apply()
                return {"ok": True, **self._summary()}
            if op == "status":
                return {"ok": True, **self._summary()}
        except UnknownTargetError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": False, "error": f"unknown request {request!r}"}

    def _apply(self) -> None:
        self.cut = unreachable(self.topo, self.broken)
        self.agent.set_down(self.cut)
        self._links_down()
        addresses = {d.address for d in self.topo.devices if d.name in self.cut}
        self.firewall.apply(addresses)
        log.info("faults %s: %d devices cut off", sorted(self.broken) or "none", len(self.cut))

    def _links_down(self) -> None:
        """Ports of broken links, and of links to dead neighbours, go oper down.

        A device that still answers sends a linkDown (linkUp) trap for each of
        its ports that went down (came back), like a real switch.
        """
        before = {name: set(view.ports_down) for name, view in self.views.items()}
        for each in self.views.values():
            each.ports_down.clear()
        dead = self.cut | self.broken
        for link in self.topo.links:
            if link.name not in self.broken and not {link.a_device, link.b_device} & dead:
                continue
            for name, ordinal in ((link.a_device, link.a_port), (link.b_device, link.b_port)):
                view = self.views.get(name)
                if view is not None and view.device.recording:
                    view.ports_down.add(port_ifindex(view.device.recording, ordinal))
        self._send_traps(before)

    def _send_traps(self, before: dict[str, set[int]]) -> None:
        if self.trap_target is None:
            return
        now = time.time()
        for name, view in self.views.items():
            if name in self.cut:
                continue  # a cut-off device's traps do not get through
            old, new = before.get(name, set()), view.ports_down
            for ifindex, up in [(i, False) for i in sorted(new - old)] + \
                               [(i, True) for i in sorted(old - new)]:
                send_link_trap(view.device.address, self.trap_target, self.community, up,
                               ifindex, f"port{ifindex}", view.uptime_ticks(now))

    def _summary(self) -> dict[str, Any]:
        return {"faults": sorted(self.broken), "unreachable": len(self.cut),
                "unreachable_snmp": sorted(n for n in self.cut if self.topo.device(n).snmp),
                "firewall": self.firewall.enabled}


async def _run(scale: str, port: int, data_dir: Path,
               trap_target: tuple[str, int] | None = None) -> None:
    lab = Lab(build_topology(scale), port, data_dir, trap_target=trap_target)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await lab.start()
    watchdog = asyncio.create_task(_stop_when_orphaned(stop))
    try:
        await stop.wait()
    finally:
        watchdog.cancel()
        await lab.stop()
        log.info("lab stopped")


async def _stop_when_orphaned(stop: asyncio.Event) -> None:
    """Stop the lab if the process that started it dies (no orphan labs)."""
    parent = os.getppid()
    while not stop.is_set():
        await asyncio.sleep(1.0)
        if os.getppid() != parent:
            log.warning("parent process %d is gone: stopping the lab", parent)
            stop.set()


def serve_lab(scale: str, port: int, data_dir: Path, trap_target: str = "") -> None:
    """Serve the lab until SIGTERM or Ctrl-C; ``trap_target`` is HOST:PORT or empty."""
    target = None
    if trap_target:
        host, _, tport = trap_target.rpartition(":")
        target = (host, int(tport))
    asyncio.run(_run(scale, port, data_dir, target))
