"""``noc probe``: one-shot SNMP discovery of one device, printed as tables or JSON.

The command line (:mod:`noc.cli`) only gathers the options into
:class:`ProbeOptions` and calls :func:`run_probe`, which resolves the host
(SNMP targets are IPv4 literals), checks that the agent answers at all (one GET
of sysObjectID, so a dead host fails within ``timeout * (retries + 1)``), runs
:func:`collectors.snmp.discovery.discover` and renders its
:class:`~collectors.base.DeviceFacts`: four sections (identity, interfaces,
neighbors, sensors) plus the errors discovery met, as rich tables or, with
``--json``, as one JSON object with exactly those keys (see :func:`facts_to_dict`).

Secrets (the community, USM keys) are never printed: they stay out of
``repr``, error messages are redacted before printing, and no traceback is
ever shown (an unexpected failure prints its type and redacted message only).
Exit codes: 0 done, 1 no answer or failure, 2 bad arguments, 130 interrupted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from collectors.base import DeviceFacts, InterfaceSample
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.errors import SnmpError, SnmpProtocolError, SnmpTimeout
from collectors.snmp.mibs import SYS_OBJECT_ID
from collectors.snmp.v3 import V3Credentials

__all__ = ["ProbeError", "ProbeOptions", "build_target", "facts_to_dict", "parse_endpoint",
           "render_json", "render_tables", "resolve_ipv4", "run_probe"]

DEFAULT_PORT = 161
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: IF-MIB ifAdminStatus / ifOperStatus names
IF_STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent",
             7: "lowerLayerDown"}
_VERSIONS = {"1": "1", "v1": "1", "2": "2c", "2c": "2c", "v2c": "2c", "3": "3", "v3": "3"}


class ProbeError(Exception):
    """A probe that cannot go on; ``exit_code`` 2 for bad arguments, 1 otherwise."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    """What ``noc probe`` was asked to do. Secrets are kept out of ``repr``."""

    host: str  # HOST or HOST:PORT as typed
    version: str | None = None  # "1", "2c" or "3"; None: 3 with a v3 user, else 2c
    community: str = field(default="public", repr=False)
    v3_user: str = ""
    auth_proto: str = "SHA"
    auth_key: str = field(default="", repr=False)
    priv_proto: str = "AES"
    priv_key: str = field(default="", repr=False)
    timeout: float = 1.0
    retries: int = 1
    deadline: float = 30.0
    as_json: bool = False

    def secrets(self) -> list[str]:
        """The secret strings of these options (to redact from messages)."""
        return [s for s in (self.community, self.auth_key, self.priv_key) if s]


def parse_endpoint(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``HOST`` or ``HOST:PORT`` -> (host, port); :class:`ProbeError` (exit 2) when bad."""
    host, sep, port_text = text.strip().partition(":")
    if ":" in port_text:
        raise ProbeError(f"bad address {text!r}: IPv6 is not supported, use an IPv4 address "
                         "or a host name", EXIT_USAGE)
    if not host:
        raise ProbeError(f"bad address {text!r}: no host (use HOST or HOST:PORT)", EXIT_USAGE)
    if not sep:
        return host, default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ProbeError(f"bad port {port_text!r} in {text!r}: must be 1..65535", EXIT_USAGE)
    return host, int(port_text)


def resolve_ipv4(host: str) -> str:
    """The IPv4 address of ``host`` (a literal is returned as is); ProbeError if none."""
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise ProbeError(f"cannot resolve {host!r} to an IPv4 address: {reason}") from None
    return str(infos[0][4][0])


def _version(options: ProbeOptions) -> str:
    if options.version is None:
        return "3" if options.v3_user else "2c"
    version = _VERSIONS.get(options.version.strip().lower())
    if version is None:
        raise ProbeError(f"bad SNMP version {options.version!r}: use 1, 2c or 3", EXIT_USAGE)
    if version == "3" and not options.v3_user:
        raise ProbeError("SNMPv3 needs --v3-user", EXIT_USAGE)
    if version != "3" and options.v3_user:
        raise ProbeError(f"--v3-user needs SNMP version 3, not {version}", EXIT_USAGE)
    return version


def build_target(options: ProbeOptions, address: str, port: int) -> SnmpTarget:
    """The :class:`SnmpTarget` for the options and a resolved IPv4 ``address``."""
    version = _version(options)
    if options.timeout <= 0 or options.retries < 0 or options.deadline <= 0:
        raise ProbeError("--timeout and --deadline must be > 0, --retries >= 0", EXIT_USAGE)
    v3 = None
    if version == "3":
        try:
            v3 = V3Credentials(options.v3_user, options.auth_proto if options.auth_key else "",
                               options.auth_key, options.priv_proto if options.priv_key else "",
                               options.priv_key)
        except ValueError as exc:
            raise ProbeError(str(exc), EXIT_USAGE) from None
    return SnmpTarget(address, port, version, community=options.community.encode(), v3=v3,
                      timeout=options.timeout, retries=options.retries)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced by ``***`` (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


# --------------------------------------------------------------------------- the probe


def _status(value: int) -> str:
    return IF_STATUS.get(value, str(value)) if value else ""


def _interface(sample: InterfaceSample) -> dict[str, Any]:
    return {"index": sample.if_index, "name": sample.name, "descr": sample.descr,
            "alias": sample.alias, "type": sample.if_type, "speed_bps": sample.speed_bps,
            "admin_status": _status(sample.admin_status),
            "oper_status": _status(sample.oper_status), "mac": sample.mac,
            "in_octets": sample.counters.get("in_octets"),
            "out_octets": sample.counters.get("out_octets")}


def facts_to_dict(facts: DeviceFacts, secrets: list[str] | None = None) -> dict[str, Any]:
    """The probe's JSON document: identity, interfaces, neighbors, sensors and errors."""
    system = facts.system
    return {
        "identity": {"sys_name": system.name, "sys_descr": system.descr,
                     "sys_object_id": system.object_id,
                     "uptime_seconds": round(system.uptime_ticks / 100, 2),
                     "vendor": facts.vendor, "model": facts.model, "serial": facts.serial,
                     "firmware": facts.firmware},
        "interfaces": [_interface(sample) for sample in facts.interfaces],
        "neighbors": [{"local_port": n.local_port, "remote_system_name": n.remote_name,
                       "remote_port": n.remote_port, "protocol": n.protocol}
                      for n in facts.neighbors],
        "sensors": [{"kind": s.kind, "name": s.name, "value": s.value, "unit": s.unit,
                     "status": s.status} for s in facts.sensors],
        "errors": [redact(error, secrets or []) for error in facts.errors],
    }


def render_json(facts: DeviceFacts, out: TextIO, secrets: list[str] | None = None) -> None:
    """Write :func:`facts_to_dict` as indented JSON (UTF-8 text, not escaped)."""
    out.write(json.dumps(facts_to_dict(facts, secrets), indent=2, ensure_ascii=False) + "\n")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _uptime(seconds: float) -> str:
    """``12d 03:04:05 (1047845.5 s)``."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours:02d}:{rest // 60:02d}:{rest % 60:02d} ({_cell(float(seconds))} s)"


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Table:
    table = Table(*columns, title=f"{title} ({len(rows)})", title_justify="left")
    for row in rows:
        table.add_row(*(Text(_cell(row[column])) for column in columns))  # never markup
    return table


def render_tables(facts: DeviceFacts, console: Console,
                  secrets: list[str] | None = None) -> None:
    """Print the four sections as rich tables, then the errors discovery met."""
    doc = facts_to_dict(facts, secrets)
    identity = Table("field", "value", title="identity", title_justify="left")
    for key, value in doc["identity"].items():
        identity.add_row(key, Text(_uptime(value) if key == "uptime_seconds" else _cell(value)))
    console.print(identity)
    for section in ("interfaces", "neighbors", "sensors"):
        rows = doc[section]
        if rows:
            console.print(_table(section, rows, list(rows[0])))
        else:
            console.print(f"{section}: none found")
    for error in doc["errors"]:
        console.print(f"[yellow]error:[/yellow] {escape(error)}", highlight=False)
    console.print(f"{facts.pdus} PDUs in {facts.duration:.2f} s", highlight=False)


async def probe(target: SnmpTarget, label: str, deadline: float) -> DeviceFacts:
    """Check that ``target`` answers at all (fast), then :func:`discover` it."""
    from collectors.snmp.discovery import discover
    from collectors.snmp.v3 import close_v3_engine

    async with SnmpClient() as client:
        try:
            try:
                await client.get(target, [SYS_OBJECT_ID])
            except SnmpTimeout:
                within = target.timeout * (target.retries + 1)
                raise ProbeError(f"no SNMP response from {label} within {within:g} s "
                                 "(host down, or community/credentials refused)") from None
            except SnmpProtocolError:
                pass  # an error-status is an answer: the agent is there
            except SnmpError as exc:  # v3: unknown user, wrong digest...; names the target
                raise ProbeError(f"SNMP error: {exc}") from None
            return await discover(client, target, deadline=deadline)
        finally:
            if target.version == "3":
                close_v3_engine()


def _fail(err: TextIO, message: str) -> None:
    err.write(f"noc probe: {message}\n")
    err.flush()


def run_probe(options: ProbeOptions, out: TextIO | None = None,
              err: TextIO | None = None) -> int:
    """Probe, print (tables or JSON) and return the exit code; never raises, never a traceback.

    Every failure is one line on ``err`` with secrets redacted.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    secrets = options.secrets()
    try:
        host, port = parse_endpoint(options.host)
        target = build_target(options, resolve_ipv4(host), port)
        facts = asyncio.run(probe(target, f"{host}:{port}", options.deadline))
        if options.as_json:
            render_json(facts, out, secrets)
        else:
            width = None if out.isatty() else 200
            render_tables(facts, Console(file=out, width=width), secrets)
    except ProbeError as exc:
        _fail(err, redact(str(exc), secrets))
        return exc.exit_code
    except KeyboardInterrupt:
        _fail(err, "interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # no traceback: its frames hold the secrets
        _fail(err, f"failed: {type(exc).__name__}: {redact(str(exc), secrets)}")
        return EXIT_FAILED
    return 0
