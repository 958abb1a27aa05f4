"""Traps in alerting: the ``alerting.traps`` settings and the book of recent traps.

:class:`TrapBook` keeps the last ``keep`` traps for the alerts page, maps each
sender to an inventory device, asks for an immediate re-poll of a device that
reports a link going down or up, and turns traps into alert conditions:

============================  ====================  ========  =========================
trap                          rule                  severity  subject
============================  ====================  ========  =========================
authenticationFailure         ``snmp_auth_failure``  warning   device (or sender address)
coldStart / warmStart         ``device_restarted``   info      device (or sender address)
entity/vendor alarm (>info)   ``hardware_trap``      table     ``device:trapName``
============================  ====================  ========  =========================

Each condition holds ``hold`` seconds after its last trap; a matching clear
trap (jnxFanOK after jnxFanFailure, a Cisco envmon notification in state
normal...) ends a ``hardware_trap`` condition at once. Link traps raise no
condition (interface alerts come from polling, which the re-poll refreshes);
unknown traps raise nothing and are only listed.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from collectors.snmp.v3 import V3Credentials
from collectors.traps.classify import alarms_cleared_by
from collectors.traps.model import Trap
from collectors.traps.receiver import TrapReceiver
from noc.alerting.model import Condition, severity_rank
from noc.alerting.view import TrapSummary

log = logging.getLogger(__name__)

AUTH_RULE = "snmp_auth_failure"
RESTART_RULE = "device_restarted"
HARDWARE_RULE = "hardware_trap"


class TrapSettings(BaseModel):
    """The trap receiver and how long trap-raised alerts last."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    listen: str = Field("127.0.0.1:162", description="HOST:PORT of the UDP trap listener")
    communities: list[SecretStr] = Field(
        default_factory=list,
        description="v1/v2c communities accepted besides those of the credentials profiles")
    rate_per_source: float = Field(50.0, gt=0, description="traps a second per sender")
    burst: int = Field(200, ge=1, description="traps a sender may send at once")
    rate_total: float = Field(1000.0, gt=0, description="traps a second from all senders")
    queue_size: int = Field(10000, ge=1, le=1_000_000)
    keep: int = Field(500, ge=1, le=100_000, description="recent traps listed")
    hold: float = Field(900.0, gt=0, description="seconds a trap-raised alert stays active "
                                                 "after its last trap")

    @field_validator("listen")
    @classmethod
    def _listen_form(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError("listen must be HOST:PORT, e.g. 127.0.0.1:162")
        return value

    @property
    def listen_host_port(self) -> tuple[str, int]:
        """``listen`` split into host and port (brackets of an IPv6 host removed)."""
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)

    def community_bytes(self) -> list[bytes]:
        """The configured communities as bytes (secrets: never log them)."""
        return [c.get_secret_value().encode() for c in self.communities]


def build_receiver(settings: TrapSettings, communities: Iterable[bytes],
                   v3_users: Sequence[V3Credentials],
                   on_trap: Callable[[Trap], None]) -> TrapReceiver:
    """A receiver accepting ``settings.communities`` plus ``communities`` (from profiles)."""
    accepted = {*settings.community_bytes(), *(bytes(c) for c in communities if c)}
    return TrapReceiver(accepted, v3_users, on_trap=on_trap,
                        rate_per_source=settings.rate_per_source, burst=settings.burst,
                        rate_total=settings.rate_total, queue_size=settings.queue_size)


@dataclass(slots=True)
class _Held:
    condition: Condition
    last: float
    count: int = 1


class TrapBook:
    """Recent traps, and the alert conditions they raise."""

    def __init__(self, settings: TrapSettings, device_by_address: Callable[[str], str | None],
                 on_link_change: Callable[[str, int | None], None]) -> None:
        self.settings = settings
        self._device_by_address = device_by_address
        self._on_link_change = on_link_change
        self._recent: deque[TrapSummary] = deque(maxlen=settings.keep)
        self._held: dict[tuple[str, str], _Held] = {}

    def device_of(self, trap: Trap) -> str | None:
        """The inventory device that sent ``trap`` (by sender, then v1 agent address)."""
        device = self._device_by_address(trap.source)
        if device is None and trap.agent_address:
            device = self._device_by_address(trap.agent_address)
        return device

    def add(self, trap: Trap) -> None:
        """Take one received trap."""
        device = self.device_of(trap)
        self._recent.append(TrapSummary(at=trap.received_at, source=trap.source, device=device,
                                        version=trap.version, kind=trap.kind,
                                        trap_oid=trap.trap_oid, summary=trap.summary()))
        who = device or trap.source
        if trap.kind in ("link_down", "link_up"):
            if device is not None:
                try:
                    self._on_link_change(device, trap.if_index)
                except Exception:
                    log.exception("re-poll request for %s failed", device)
        elif trap.kind == "auth_failure":
            self._hold(trap, AUTH_RULE, who, "warning", device,
                       f"{who} reports an SNMP authentication failure (wrong community or "
                       "user)")
        elif trap.kind in ("cold_start", "warm_start"):
            how = "cold start" if trap.kind == "cold_start" else "warm start"
            self._hold(trap, RESTART_RULE, who, "info", device, f"{who} restarted ({how})")
        elif trap.kind in ("entity", "vendor"):
            self._hardware(trap, who, device)

    def _hardware(self, trap: Trap, who: str, device: str | None) -> None:
        if trap.clears:
            for alarm in alarms_cleared_by(trap.name):
                self._held.pop((HARDWARE_RULE, f"{who}:{alarm}"), None)
            return
        if severity_rank(trap.severity) >= severity_rank("info"):
            return
        name = trap.name or trap.trap_oid
        self._hold(trap, HARDWARE_RULE, f"{who}:{name}", trap.severity, device,
                   f"{who}: {trap.summary()}", sensor=name)

    def _hold(self, trap: Trap, rule: str, subject: str, severity: str, device: str | None,
              summary: str, **labels: str) -> None:
        key = (rule, subject)
        held = self._held.get(key)
        count = held.count + 1 if held is not None else 1
        condition = Condition(rule=rule, subject=subject, severity=severity, summary=summary,
                              device=device, value=float(count),
                              labels={"source": trap.source, "trap_oid": trap.trap_oid,
                                      **labels})
        self._held[key] = _Held(condition, max(trap.received_at, held.last if held else 0.0),
                                count)

    def conditions(self, now: float) -> list[Condition]:
        """Trap-raised conditions active at ``now`` (expired ones are forgotten)."""
        hold = self.settings.hold
        for key in [k for k, h in self._held.items() if now - h.last >= hold]:
            del self._held[key]
        return [h.condition for h in self._held.values()]

    def recent(self) -> list[TrapSummary]:
        """The kept traps, newest first."""
        return list(reversed(self._recent))
