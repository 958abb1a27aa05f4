"""A linkDown trap is evidence: the link is down until a newer poll says otherwise.

A linkDown trap makes the runtime re-poll its sender at once, but a big
router's poll takes seconds (longer when one is already running). Until a
poll *newer than the trap* has been folded into the state, the trap itself
raises the ``link_down`` alert of the inventory link on that port, with the
same fingerprint the poll-based rule uses; after that, polls decide as
usual. A linkUp trap withdraws it. Traps for ports the trap says are
administratively down, or that end no inventory link, raise nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collectors.traps import Trap
from inventory.catalog import Catalog
from noc.alerting.model import Condition
from noc.alerting.rules import RuleSet
from noc.alerting.topology import Topology
from noc.state import DeviceState

IF_ADMIN_STATUS = "1.3.6.1.2.1.2.2.1.7."
MAX_NOTED = 10_000  # bound on ports remembered (a flood of traps cannot grow it further)


@dataclass(frozen=True, slots=True)
class _Noted:
    at: float
    port: str


class LinkTraps:
    """linkDown traps not yet overtaken by a poll, by (device, ifIndex)."""

    def __init__(self) -> None:
        self._down: dict[tuple[str, int], _Noted] = {}

    def note(self, trap: Trap, device: str | None) -> bool:
        """Fold one trap in; True when it changed what is believed down."""
        if device is None or trap.if_index is None:
            return False
        key = (device, trap.if_index)
        if trap.kind == "link_up":
            return self._down.pop(key, None) is not None
        if trap.kind != "link_down":
            return False
        admin = trap.value(f"{IF_ADMIN_STATUS}{trap.if_index}")
        if admin is not None and admin.strip() not in ("1", "up", "up(1)"):
            return False  # shut down on purpose: not a fault
        if key not in self._down and len(self._down) >= MAX_NOTED:
            return False
        self._down[key] = _Noted(trap.received_at, trap.if_name() or f"ifIndex {trap.if_index}")
        return True

    def conditions(self, catalog: Catalog, devices: Mapping[str, DeviceState], topo: Topology,
                   rules: RuleSet) -> list[Condition]:
        """``link_down`` conditions the traps still vouch for (no newer poll yet)."""
        out = []
        for (device, if_index), noted in list(self._down.items()):
            state = devices.get(device)
            if state is not None and state.last_poll is not None and state.last_poll > noted.at:
                del self._down[(device, if_index)]  # the poll has the final word now
                continue
            name = topo.link_at(device, if_index)
            link = topo.link(name) if name else None
            if link is None:
                continue
            b = catalog.devices.get(link.b_device)
            agency = b.agency if b is not None else None
            rule = rules.effective("link_down", b, catalog.agencies.get(agency or ""))
            if not rule.enabled:
                continue
            out.append(Condition(
                rule.name, link.name, rule.severity,
                f"link {link.name} down (linkDown trap from {device} {noted.port})",
                link.b_device, agency,
                {"link": link.name, "a_device": link.a_device, "b_device": link.b_device,
                 "interface": noted.port}))
        return out
