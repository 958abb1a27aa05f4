"""Network device CLI over SSH: identity, interfaces and inventory, parsed by ntc-templates.

What is run per netmiko device type (:data:`PARSERS`), each output parsed by
the ntc-templates TextFSM template for that command and normalised into
:class:`~collectors.base.DeviceFacts` fields:

==============  =====================  ==========================  ==========================
device type     identity               interfaces                  inventory
==============  =====================  ==========================  ==========================
cisco_ios       show version           show interfaces             show inventory
huawei          display version        display interface           display device
juniper_junos   show version,          show interfaces             show chassis hardware
                show system uptime
hp_procurve     show system            show interfaces brief,      (no template)
                                       show interfaces
==============  =====================  ==========================  ==========================

Interfaces carry IF-MIB status codes (admin/oper 1 up, 2 down), the
configured description as ``alias`` and error counters under ``counters``
(``in_errors``, ``out_errors``, ``crc_errors``) when the command shows them;
``if_index`` is 0 (the CLI has no ifIndex). Inventory items are
:class:`~collectors.base.PhysicalModule` rows numbered in output order.

To add a platform: add its commands to :data:`PARSERS` with one normaliser
each, and a recorded capture ``tests/fixtures/cli/<device type>/<command
slug>/<case>.raw`` with the expected ``.yml`` (a meta-test insists).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ntc_templates.parse import parse_output

from collectors.base import DeviceFacts, InterfaceSample, Memory, PhysicalModule, SystemInfo
from collectors.ssh.errors import SshCommandError
from collectors.ssh.pool import SshPool, SshTarget

__all__ = ["NTC_PLATFORMS", "PARSERS", "CliParser", "collect_cli", "command_slug",
           "hostname_from_prompt", "merge_facts", "parse_command", "uptime_seconds"]

Rows = list[dict[str, Any]]
#: netmiko device type → ntc-templates platform name.
NTC_PLATFORMS = {"cisco_ios": "cisco_ios", "huawei": "huawei_vrp",
                 "juniper_junos": "juniper_junos", "hp_procurve": "hp_procurve"}
_UNITS = {"year": 365 * 86400, "week": 7 * 86400, "day": 86400, "hour": 3600, "min": 60,
          "sec": 1}
_UPTIME_PART = re.compile(r"(\d+)\s*(year|week|day|hour|min|sec)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CliParser:
    """One command of one device type and how its template rows become DeviceFacts."""

    device_type: str
    command: str
    normalise: Callable[[Rows], DeviceFacts]

    @property
    def slug(self) -> str:
        """The command as a fixture directory name (``show_version``)."""
        return command_slug(self.command)


def command_slug(command: str) -> str:
    """A command as a directory name: ``df -P -k`` → ``df_P_k``."""
    return re.sub(r"\W+", "_", command).strip("_")


def uptime_seconds(text: str) -> int | None:
    """``2 years, 5 weeks, 1 day, 3 hours, 12 minutes`` (or ``25 mins``) in seconds."""
    parts = _UPTIME_PART.findall(text)
    return sum(int(n) * _UNITS[unit.lower()] for n, unit in parts) if parts else None


def _int(value: Any) -> int | None:
    text = str(value or "").replace(",", "").strip()
    return int(text) if text.isdigit() else None


def _mac(value: Any) -> str:
    digits = re.sub(r"[^0-9a-fA-F]", "", str(value or "")).lower()
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)) if len(digits) == 12 else ""


def _first(value: Any) -> str:
    return str(value[0] if isinstance(value, list) and value else value or "").strip()


def _ticks(seconds: int | None) -> int:
    return seconds * 100 if seconds is not None else 0


def _counters(**values: int | None) -> dict[str, int]:
    return {name: value for name, value in values.items() if value is not None}


# ----------------------------------------------------------------------------- Cisco IOS
def _ios_version(rows: Rows) -> DeviceFacts:
    row = rows[0]
    seconds = sum(int(row[f"UPTIME_{unit.upper()}S"] or 0) * _UNITS[unit]
                  for unit in ("year", "week", "day", "hour")) + 60 * int(
                      row["UPTIME_MINUTES"] or 0)
    return DeviceFacts(system=SystemInfo(name=row["HOSTNAME"], uptime_ticks=_ticks(seconds)),
                       vendor="Cisco", model=_first(row["HARDWARE"]),
                       serial=_first(row["SERIAL"]), firmware=row["VERSION"])


def _ios_interfaces(rows: Rows) -> DeviceFacts:
    return DeviceFacts(interfaces=[InterfaceSample(
        0, name=r["INTERFACE"], alias=r["DESCRIPTION"], mac=_mac(r["MAC_ADDRESS"]),
        admin_status=2 if "admin" in r["LINK_STATUS"].lower() else 1,
        oper_status=1 if r["PROTOCOL_STATUS"].lower().startswith("up") else 2,
        speed_bps=(_int(r["BANDWIDTH"].split()[0]) or 0) * 1000 if r["BANDWIDTH"] else 0,
        counters=_counters(in_errors=_int(r["INPUT_ERRORS"]), crc_errors=_int(r["CRC"]),
                           out_errors=_int(r["OUTPUT_ERRORS"])))
        for r in rows])


def _ios_inventory(rows: Rows) -> DeviceFacts:
    return DeviceFacts(modules=[PhysicalModule(
        i, name=r["NAME"], descr=r["DESCR"], model=r["PID"].strip(), serial=r["SN"],
        hardware_rev=r["VID"].strip()) for i, r in enumerate(rows, 1)])


# ----------------------------------------------------------------------------- Huawei VRP
def _vrp_version(rows: Rows) -> DeviceFacts:
    row = rows[0]
    return DeviceFacts(system=SystemInfo(uptime_ticks=_ticks(uptime_seconds(row["UPTIME"]))),
                       vendor="Huawei",
                       model=re.sub(r"\s+(Routing\s+Switch|Switch)$", "", row["MODEL"].strip()),
                       firmware=f"{row['VRP_VERSION']} ({row['PRODUCT_VERSION']})")


def _vrp_interfaces(rows: Rows) -> DeviceFacts:
    return DeviceFacts(interfaces=[InterfaceSample(
        0, name=r["INTERFACE"], alias=r["INTERFACE_DESCRIPTION"].strip(),
        mac=_mac(r["MAC_ADDRESS"]),
        admin_status=2 if "admin" in r["LINK_STATUS"].lower() else 1,
        oper_status=1 if r["PROTOCOL_STATUS"].upper().startswith("UP") else 2,
        speed_bps=(_int(r["SPEED"]) or 0) * 1_000_000) for r in rows])


def _vrp_device(rows: Rows) -> DeviceFacts:
    return DeviceFacts(modules=[PhysicalModule(
        i, name=f"slot {r['SLOT']}" + (f" card {r['CARD']}" if r["CARD"] not in ("", "-") else ""),
        model=r["PID"].strip(), descr=f"{r['ONLINE_STATUS']}, {r['REGISTER_STATUS']}")
        for i, r in enumerate(rows, 1)])


# ----------------------------------------------------------------------------- Junos
def _junos_version(rows: Rows) -> DeviceFacts:
    row = rows[0]
    return DeviceFacts(system=SystemInfo(name=row["HOSTNAME"]), vendor="Juniper",
                       model=row["MODEL"].upper(), serial=row["SERIAL_NUMBER"],
                       firmware=row["JUNOS_VERSION"].strip())


def _junos_uptime(rows: Rows) -> DeviceFacts:
    row = rows[0]

    def stamp(prefix: str) -> int:
        text = row[f"{prefix}MONTH"]
        month = int(text) if text.isdigit() else list(calendar.month_abbr).index(text[:3].title())
        h, m, s = (int(x) for x in row[f"{prefix}TIME"].split(":"))
        return calendar.timegm((int(row[f"{prefix}YEAR"]), month, int(row[f"{prefix}DAY"]),
                                h, m, s, 0, 0, 0))

    return DeviceFacts(system=SystemInfo(uptime_ticks=_ticks(stamp("") - stamp("BOOT_"))),
                       load_average=[float(row[f"LOAD_AVERAGE_{n}MIN"]) for n in (1, 5, 15)])


def _junos_interfaces(rows: Rows) -> DeviceFacts:
    physical = [r for r in rows if r["ADMIN_STATE"]]  # logical units have no admin state
    return DeviceFacts(interfaces=[InterfaceSample(
        0, name=r["INTERFACE"], alias=r["DESCRIPTION"].strip(),
        admin_status=1 if r["ADMIN_STATE"].lower() == "enabled" else 2,
        oper_status=1 if r["LINK_STATUS"].lower() == "up" else 2) for r in physical])


def _junos_hardware(rows: Rows) -> DeviceFacts:
    modules: list[PhysicalModule] = []
    serial = ""
    for row in rows:
        kind = next((k for k in ("CHASSIS", "RE", "FPC", "PS", "FAN", "XCVR")
                     if row.get(f"{k}_SERIAL_NUMBER") or row.get(f"{k}_DESCRIPTION")), "")
        if kind == "CHASSIS":
            serial = row["CHASSIS_SERIAL_NUMBER"]
        label = {"CHASSIS": "Chassis", "RE": "Routing Engine", "FPC": "FPC",
                 "PS": "Power Supply", "FAN": "Fan", "XCVR": "Xcvr"}.get(kind, "")
        number = row.get(f"{kind}_NUMBER", "")
        modules.append(PhysicalModule(
            len(modules) + 1, name=f"{label} {number}".strip(),
            descr=row.get(f"{kind}_DESCRIPTION", "").strip(), model=row.get(f"{kind}_PART", ""),
            serial=row.get(f"{kind}_SERIAL_NUMBER", ""),
            hardware_rev=row.get(f"{kind}_VERSION", "")))
    return DeviceFacts(serial=serial, modules=modules)


# ----------------------------------------------------------------------------- HP ProCurve
def _procurve_system(rows: Rows) -> DeviceFacts:
    row = rows[0]
    total, free = _int(row["MEM_TOT"]), _int(row["MEM_FREE"])
    return DeviceFacts(
        system=SystemInfo(name=row["NAME"], location=row["LOCATION"].strip(),
                          contact=row["CONTACT"].strip(),
                          uptime_ticks=_ticks(uptime_seconds(row["UPTIME"]))),
        vendor="HPE", serial=row["SERIAL"], firmware=row["SOFTWARE_VERSION"],
        cpu_percent=float(row["CPU_UTIL"]) if row["CPU_UTIL"] else None,
        memory=Memory(total, total - free) if total is not None and free is not None else None)


def _procurve_brief(rows: Rows) -> DeviceFacts:
    return DeviceFacts(interfaces=[InterfaceSample(
        0, name=r["PORT"], descr=r["TYPE"], admin_status=1 if r["ENABLED"] == "Yes" else 2,
        oper_status=1 if r["STATUS"] == "Up" else 2) for r in rows])


def _procurve_counters(rows: Rows) -> DeviceFacts:
    return DeviceFacts(interfaces=[InterfaceSample(
        0, name=r["PORT"], counters=_counters(in_errors=_int(r["ERRORS_RX"]),
                                              out_discards=_int(r["DROPS_TX"])))
        for r in rows])


def _parsers(device_type: str, *pairs: tuple[str, Callable[[Rows], DeviceFacts]]
             ) -> tuple[CliParser, ...]:
    return tuple(CliParser(device_type, command, fn) for command, fn in pairs)


#: Commands per netmiko device type, in the order they run (one session per device).
PARSERS: dict[str, tuple[CliParser, ...]] = {
    "cisco_ios": _parsers("cisco_ios", ("show version", _ios_version),
                          ("show interfaces", _ios_interfaces),
                          ("show inventory", _ios_inventory)),
    "huawei": _parsers("huawei", ("display version", _vrp_version),
                       ("display interface", _vrp_interfaces), ("display device", _vrp_device)),
    "juniper_junos": _parsers("juniper_junos", ("show version", _junos_version),
                              ("show system uptime", _junos_uptime),
                              ("show interfaces", _junos_interfaces),
                              ("show chassis hardware", _junos_hardware)),
    "hp_procurve": _parsers("hp_procurve", ("show system", _procurve_system),
                            ("show interfaces brief", _procurve_brief),
                            ("show interfaces", _procurve_counters)),
}


def parse_command(device_type: str, command: str, output: str) -> DeviceFacts:
    """One command's output as the DeviceFacts fields it knows (SshCommandError if unusable)."""
    parser = next((p for p in PARSERS.get(device_type, ()) if p.command == command), None)
    if parser is None:
        raise SshCommandError(f"no parser for {command!r} on device type {device_type!r}")
    try:
        rows = parse_output(platform=NTC_PLATFORMS[device_type], command=command, data=output)
    except Exception as exc:  # textfsm raises its own error types for unexpected lines
        raise SshCommandError(f"{command!r}: template did not match "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from exc
    if not rows:
        raise SshCommandError(f"{command!r}: no rows in the output")
    try:  # normalisers use the template's own (upper-case) value names
        return parser.normalise([{key.upper(): value for key, value in row.items()}
                                 for row in rows])
    except (KeyError, ValueError, IndexError) as exc:
        raise SshCommandError(f"{command!r}: unexpected values ({type(exc).__name__}: {exc})"
                              ) from exc


def _fill(current: Any, new: Any, names: Iterable[str]) -> None:
    for name in names:
        if not getattr(current, name) and getattr(new, name):
            setattr(current, name, getattr(new, name))


def merge_facts(parts: Iterable[DeviceFacts]) -> DeviceFacts:
    """Several commands' facts as one: first non-empty value wins, interfaces merged by name."""
    merged = DeviceFacts()
    system: dict[str, Any] = {}
    by_name: dict[str, InterfaceSample] = {}
    for part in parts:
        for key in ("name", "descr", "uptime_ticks", "location", "contact", "object_id"):
            if not system.get(key):
                system[key] = getattr(part.system, key)
        _fill(merged, part, ("vendor", "model", "serial", "firmware", "hardware_rev",
                             "manufacturer", "cpu_percent", "memory", "load_average",
                             "processes"))
        for sample in part.interfaces:
            known = by_name.get(sample.name)
            if known is None:
                by_name[sample.name] = known = InterfaceSample(0, name=sample.name)
                merged.interfaces.append(known)
            _fill(known, sample, ("descr", "alias", "speed_bps", "admin_status",
                                  "oper_status", "mac"))
            known.counters = {**sample.counters, **known.counters}
        merged.modules.extend(part.modules)
        merged.errors.extend(part.errors)
    merged.system = SystemInfo(**system)
    return merged


def hostname_from_prompt(prompt: str) -> str:
    """``q1-dist-sw1#``, ``<q3-core-r1>``, ``noc@q7-edge-r1>`` → the host name."""
    name = re.sub(r"^[<\[]+|[>\]#$]+$", "", prompt.strip())
    return name.rsplit("@", 1)[-1].strip()


async def collect_cli(pool: SshPool, target: SshTarget) -> DeviceFacts:
    """One session to a network device: run its :data:`PARSERS` commands and merge them."""
    parsers = PARSERS.get(target.device_type)
    if parsers is None:
        raise SshCommandError(f"{target.name}: no CLI commands for device type "
                              f"{target.device_type!r}", name=target.name, host=target.host,
                              port=target.port)
    session = await pool.run(target, [parser.command for parser in parsers])
    parts, errors = [], []
    for parser in parsers:
        try:
            parts.append(parse_command(target.device_type, parser.command,
                                       session.outputs[parser.command]))
        except SshCommandError as exc:
            errors.append(str(exc))
    facts = merge_facts(parts)
    if not facts.system.name:
        facts.system = SystemInfo(**{**_system_dict(facts.system),
                                     "name": hostname_from_prompt(session.prompt)})
    facts.address, facts.errors = target.host, [*facts.errors, *errors]
    facts.modules_run, facts.duration = ["ssh_cli"], session.duration
    return facts


def _system_dict(system: SystemInfo) -> dict[str, Any]:
    return {key: getattr(system, key) for key in SystemInfo.__slots__}
