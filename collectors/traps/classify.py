"""What a trap means: known notification OIDs -> (name, kind, severity, what it clears).

The table covers the generic traps of SNMPv2-MIB/IF-MIB, ENTITY-MIB and
ENTITY-STATE-MIB, CISCO-ENVMON-MIB and CISCO-ENTITY-SENSOR-MIB, the JUNIPER-MIB
chassis alarms and their OK counterparts, HUAWEI-ENTITY-TRAP-MIB board, power
and fan basics, UPS-MIB (RFC 1628) and APC PowerNet-MIB. Unknown OIDs classify
as kind ``unknown`` (kept for triage, never dropped).

Some Cisco notifications are *stateful*: one notification OID is sent for both
the failure and the recovery, and a state varbind says which. Those entries
name the state column; a ``normal(1)`` state makes the trap a clear.

To add a vendor: add ``_entry(...)`` lines with the notification OID as the
trap receiver sees it (v1 enterprise-specific traps as ``enterprise.0.specific``,
RFC 3584) and, for a recovery trap, the names of the alarms it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

KINDS = ("link_down", "link_up", "cold_start", "warm_start", "auth_failure", "entity", "vendor",
         "unknown")


@dataclass(frozen=True, slots=True)
class TrapClass:
    """What one notification OID means."""

    name: str
    kind: str
    severity: str
    clears: tuple[str, ...] = ()  # names of the alarms a trap of this OID ends
    state_column: str = ""  # stateful notification: dotted OID of the state column


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classification of one received trap."""

    name: str
    kind: str
    severity: str
    clears: bool


_TABLE: dict[str, TrapClass] = {}


def _entry(oid: str, name: str, kind: str, severity: str, clears: Sequence[str] = (),
           state_column: str = "") -> None:
    _TABLE[oid] = TrapClass(name, kind, severity, tuple(clears), state_column)


_GENERIC = "1.3.6.1.6.3.1.1.5"
_entry(f"{_GENERIC}.1", "coldStart", "cold_start", "info")
_entry(f"{_GENERIC}.2", "warmStart", "warm_start", "info")
_entry(f"{_GENERIC}.3", "linkDown", "link_down", "warning")
_entry(f"{_GENERIC}.4", "linkUp", "link_up", "info", ["linkDown"])
_entry(f"{_GENERIC}.5", "authenticationFailure", "auth_failure", "warning")
_entry(f"{_GENERIC}.6", "egpNeighborLoss", "unknown", "info")

# ENTITY-MIB, ENTITY-STATE-MIB (RFC 4268)
_entry("1.3.6.1.2.1.47.2.0.1", "entConfigChange", "entity", "info")
_entry("1.3.6.1.2.1.131.0.1", "entStateOperEnabled", "entity", "info", ["entStateOperDisabled"])
_entry("1.3.6.1.2.1.131.0.2", "entStateOperDisabled", "entity", "major")

# CISCO-ENVMON-MIB: ciscoEnvMonMIBNotifications; state columns use CiscoEnvMonState.
_ENVMON = "1.3.6.1.4.1.9.9.13"
_TEMP_STATE = f"{_ENVMON}.1.3.1.6"
_FAN_STATE = f"{_ENVMON}.1.4.1.3"
_SUPPLY_STATE = f"{_ENVMON}.1.5.1.3"
_VOLT_STATE = f"{_ENVMON}.1.2.1.7"
_entry(f"{_ENVMON}.3.0.1", "ciscoEnvMonShutdownNotification", "vendor", "critical")
_entry(f"{_ENVMON}.3.0.2", "ciscoEnvMonVoltageNotification", "vendor", "major",
       state_column=_VOLT_STATE)
_entry(f"{_ENVMON}.3.0.3", "ciscoEnvMonTemperatureNotification", "vendor", "major",
       state_column=_TEMP_STATE)
_entry(f"{_ENVMON}.3.0.4", "ciscoEnvMonFanNotification", "vendor", "major",
       state_column=_FAN_STATE)
_entry(f"{_ENVMON}.3.0.5", "ciscoEnvMonRedundantSupplyNotification", "vendor", "major",
       state_column=_SUPPLY_STATE)
_entry(f"{_ENVMON}.3.0.6", "ciscoEnvMonVoltStatusChangeNotif", "vendor", "major",
       state_column=_VOLT_STATE)
_entry(f"{_ENVMON}.3.0.7", "ciscoEnvMonTempStatusChangeNotif", "vendor", "major",
       state_column=_TEMP_STATE)
_entry(f"{_ENVMON}.3.0.8", "ciscoEnvMonFanStatusChangeNotif", "vendor", "major",
       state_column=_FAN_STATE)
_entry(f"{_ENVMON}.3.0.9", "ciscoEnvMonSuppStatusChangeNotif", "vendor", "major",
       state_column=_SUPPLY_STATE)
# CISCO-ENTITY-SENSOR-MIB
_entry("1.3.6.1.4.1.9.9.91.2.0.1", "entSensorThresholdNotification", "vendor", "warning")

# JUNIPER-MIB: jnxChassisTraps and jnxChassisOKTraps
_JNX, _JNX_OK = "1.3.6.1.4.1.2636.4.1", "1.3.6.1.4.1.2636.4.2"
_entry(f"{_JNX}.1", "jnxPowerSupplyFailure", "vendor", "critical")
_entry(f"{_JNX}.2", "jnxFanFailure", "vendor", "major")
_entry(f"{_JNX}.3", "jnxOverTemperature", "vendor", "critical")
_entry(f"{_JNX}.4", "jnxRedundancySwitchOver", "vendor", "warning")
_entry(f"{_JNX}.5", "jnxFruRemoval", "vendor", "warning")
_entry(f"{_JNX}.9", "jnxFruFailed", "vendor", "major")
_entry(f"{_JNX_OK}.1", "jnxPowerSupplyOK", "vendor", "info", ["jnxPowerSupplyFailure"])
_entry(f"{_JNX_OK}.2", "jnxFanOK", "vendor", "info", ["jnxFanFailure"])
_entry(f"{_JNX_OK}.3", "jnxTemperatureOK", "vendor", "info", ["jnxOverTemperature"])
_entry(f"{_JNX_OK}.4", "jnxFruOK", "vendor", "info", ["jnxFruFailed"])

# HUAWEI-ENTITY-TRAP-MIB (hwEntityTrap): boards, power modules, fans
_HW = "1.3.6.1.4.1.2011.5.25.219.2"
_entry(f"{_HW}.2.1", "hwBoardRemove", "vendor", "major")
_entry(f"{_HW}.2.2", "hwBoardInsert", "vendor", "info", ["hwBoardRemove"])
_entry(f"{_HW}.2.3", "hwBoardFail", "vendor", "major")
_entry(f"{_HW}.2.4", "hwBoardFailResume", "vendor", "info", ["hwBoardFail"])
_entry(f"{_HW}.5.1", "hwPowerRemove", "vendor", "major")
_entry(f"{_HW}.5.2", "hwPowerInsert", "vendor", "info", ["hwPowerRemove"])
_entry(f"{_HW}.5.3", "hwPowerFail", "vendor", "critical")
_entry(f"{_HW}.5.4", "hwPowerFailResume", "vendor", "info", ["hwPowerFail"])
_entry(f"{_HW}.6.1", "hwFanRemove", "vendor", "major")
_entry(f"{_HW}.6.2", "hwFanInsert", "vendor", "info", ["hwFanRemove"])
_entry(f"{_HW}.6.3", "hwFanFail", "vendor", "major")
_entry(f"{_HW}.6.4", "hwFanFailResume", "vendor", "info", ["hwFanFail"])

# UPS-MIB (RFC 1628) upsTraps
_entry("1.3.6.1.2.1.33.2.1", "upsTrapOnBattery", "vendor", "major")
_entry("1.3.6.1.2.1.33.2.2", "upsTrapTestCompleted", "vendor", "info")
_entry("1.3.6.1.2.1.33.2.3", "upsTrapAlarmEntryAdded", "vendor", "warning")
_entry("1.3.6.1.2.1.33.2.4", "upsTrapAlarmEntryRemoved", "vendor", "info",
       ["upsTrapAlarmEntryAdded"])

# APC PowerNet-MIB: SMIv1 enterprise-specific traps of enterprise apc (318)
_APC = "1.3.6.1.4.1.318.0"
_entry(f"{_APC}.1", "communicationLost", "vendor", "major")
_entry(f"{_APC}.2", "upsOverload", "vendor", "major")
_entry(f"{_APC}.3", "upsDiagnosticsFailed", "vendor", "warning")
_entry(f"{_APC}.4", "upsDischarged", "vendor", "major")
_entry(f"{_APC}.5", "upsOnBattery", "vendor", "major")
_entry(f"{_APC}.7", "lowBattery", "vendor", "critical")
_entry(f"{_APC}.8", "communicationEstablished", "vendor", "info", ["communicationLost"])
_entry(f"{_APC}.9", "powerRestored", "vendor", "info", ["upsOnBattery", "upsDischarged"])
_entry(f"{_APC}.11", "returnFromLowBattery", "vendor", "info", ["lowBattery"])
_entry(f"{_APC}.17", "upsBatteryNeedsReplacement", "vendor", "warning")

_CLEARED_BY: dict[str, tuple[str, ...]] = {c.name: c.clears for c in _TABLE.values() if c.clears}
_CLEARED_BY.update({c.name: (c.name,) for c in _TABLE.values() if c.state_column})

# CiscoEnvMonState: normal(1) warning(2) critical(3) shutdown(4) notPresent(5) notFunctioning(6)
_ENVMON_SEVERITY = {2: "warning", 3: "critical", 4: "critical", 5: "warning", 6: "major"}


def lookup(trap_oid: str) -> TrapClass | None:
    """The table entry of a notification OID (dotted, no leading dot), if known.

    A v1 trap of an SMIv2 notification whose OID has no ``.0.`` arc (such as
    jnxFanFailure ``...2636.4.1.2``) arrives as ``...2636.4.1.0.2`` (RFC 3584
    3.1 and 3.2 are not inverses); the OID without that zero is tried too.
    """
    entry = _TABLE.get(trap_oid)
    if entry is None:
        head, sep, last = trap_oid.rpartition(".0.")
        if sep and last.isdigit():
            entry = _TABLE.get(f"{head}.{last}")
    return entry


def entries() -> dict[str, TrapClass]:
    """A copy of the whole table (notification OID -> class)."""
    return dict(_TABLE)


def alarms_cleared_by(name: str) -> tuple[str, ...]:
    """Names of the alarms that a clear trap called ``name`` ends (empty: none)."""
    return _CLEARED_BY.get(name, ())


def _state(varbinds: Sequence[tuple[str, str]], column: str) -> int | None:
    prefix = column + "."
    for oid, value in varbinds:
        if oid.startswith(prefix) and value.lstrip("-").isdigit():
            return int(value)
    return None


def classify(trap_oid: str, varbinds: Sequence[tuple[str, str]] = ()) -> Verdict:
    """Name, kind, severity and clear flag of a trap from its OID and payload varbinds."""
    entry = lookup(trap_oid)
    if entry is None:
        return Verdict("", "unknown", "info", False)
    if entry.state_column:
        state = _state(varbinds, entry.state_column)
        if state == 1:
            return Verdict(entry.name, entry.kind, "info", True)
        severity = _ENVMON_SEVERITY.get(state, entry.severity) if state else entry.severity
        return Verdict(entry.name, entry.kind, severity, False)
    return Verdict(entry.name, entry.kind, entry.severity, bool(entry.clears))
