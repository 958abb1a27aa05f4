"""The received trap as the rest of the NOC sees it, whatever SNMP version carried it.

A :class:`Trap` never holds the community string or any v3 key.
"""

from __future__ import annotations

from dataclasses import dataclass

IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
_IF_NAMES = ("1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.31.1.1.1.18")
_LINK_KINDS = frozenset({"link_down", "link_up"})
_DETAIL_MAX = 80


@dataclass(frozen=True, slots=True)
class Trap:
    """One received notification, in SNMPv2 terms (v1 traps converted per RFC 3584).

    ``varbinds`` are the payload varbinds (``sysUpTime.0`` and
    ``snmpTrapOID.0`` are in ``uptime_ticks`` and ``trap_oid``) as (dotted
    OID, printable value). ``clears`` marks a recovery trap (linkUp, a
    vendor "OK"/"restored" trap, a stateful notification in its normal state).
    """

    received_at: float
    source: str  # sender IP address
    port: int
    version: str  # 1 | 2c | 3
    trap_oid: str
    kind: str  # link_down link_up cold_start warm_start auth_failure entity vendor unknown
    name: str  # e.g. "linkDown"; "" when the OID is unknown
    severity: str  # critical | major | warning | info
    uptime_ticks: int | None
    if_index: int | None
    varbinds: tuple[tuple[str, str], ...]
    user: str = ""  # v3 user name
    enterprise: str = ""  # v1 enterprise OID
    agent_address: str = ""  # v1 agent-addr
    clears: bool = False

    def value(self, prefix: str) -> str | None:
        """The first varbind value whose OID is ``prefix`` or lies under it."""
        for oid, value in self.varbinds:
            if oid == prefix or oid.startswith(prefix + "."):
                return value
        return None

    def if_name(self) -> str | None:
        """The interface name a link trap carries (ifName, ifDescr or ifAlias of if_index)."""
        if self.if_index is None:
            return None
        for column in _IF_NAMES:
            value = self.value(f"{column}.{self.if_index}")
            if value:
                return value
        return None

    def summary(self) -> str:
        """One line for a human, e.g. ``linkDown ifIndex 3 (Gi0/3)``."""
        label = self.name or f"trap {self.trap_oid}"
        if self.kind in _LINK_KINDS and self.if_index is not None:
            name = self.if_name()
            return f"{label} ifIndex {self.if_index}" + (f" ({name})" if name else "")
        detail = next((v for _, v in self.varbinds
                       if v and not v.lstrip("-").isdigit() and not _dotted(v)), "")
        if len(detail) > _DETAIL_MAX:
            detail = detail[:_DETAIL_MAX - 1] + "…"
        return f"{label}: {detail}" if detail else label


def _dotted(text: str) -> bool:
    parts = text.split(".")
    return len(parts) > 3 and all(p.isdigit() for p in parts)
