"""``noc ssh ...``: host keys of SSH devices and a one-off check of what the SSH job collects.

* ``trust DEVICE [--replace]``: fetch the key the device offers now (bare key
  exchange, no login), store it in ``DATA_DIR/ssh/known_hosts`` and print its
  fingerprint, to compare with the one the device shows on its console
  (``ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub``, ``show ip ssh``...).
  A key different from the trusted one is refused unless ``--replace``.
* ``forget DEVICE``: drop the keys trusted for the device.
* ``check DEVICE``: one facts session with the device's credentials profile,
  printed as tables (nothing is stored).

The device's address, SSH port, platform and profile name come from the
inventory database; secrets from the settings' ``credentials`` profiles.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from noc.cli_common import (
    ConfigOpt,
    DataDirOpt,
    console,
    err_console,
    open_database,
    settings_or_exit,
)
from noc.settings import Settings

if TYPE_CHECKING:
    from noc.ssh_collect import Collected

ssh_app = typer.Typer(help="SSH devices: trust or forget host keys, check a device once.",
                      no_args_is_help=True)
DeviceArg = Annotated[str, typer.Argument(help="Device name, as in the inventory.")]


@dataclass(frozen=True, slots=True)
class SshDevice:
    """What the commands need of an inventory device."""

    name: str
    host: str
    port: int
    platform: str
    credentials: str


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(Text(message, style="red"), soft_wrap=True)
    return typer.Exit(code)


def load_device(settings: Settings, name: str) -> SshDevice:
    """The device from the inventory database; exit 1 if unknown or without an address."""
    from inventory.enums import Via  # late: keeps `noc --help` fast
    from inventory.service import Actor, Inventory

    engine = open_database(settings)
    try:
        with Session(engine) as session:
            dev = Inventory(session, Actor("cli", Via.CLI), audit=False).get("device", name)
            if dev is None:
                raise _fail(f"device {name!r} is not in the inventory")
            if not dev.mgmt_address:
                raise _fail(f"device {name!r} has no management address")
            return SshDevice(dev.name, dev.mgmt_address, dev.ssh_port, dev.platform or "",
                             dev.credentials or "")
    finally:
        engine.dispose()


@ssh_app.command()
def trust(device: DeviceArg,
          replace: Annotated[bool, typer.Option(
              "--replace", help="Replace a different key trusted before (device re-keyed).")]
          = False, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Trust the host key DEVICE offers now and print its fingerprint."""
    from collectors.ssh import HostKeyChangedError, SshError
    from noc.ssh_collect import known_hosts

    settings = settings_or_exit(config, data_dir=data_dir)
    dev = load_device(settings, device)
    store = known_hosts(settings)
    try:
        fingerprint = store.trust(dev.host, dev.port, timeout=settings.ssh.timeout,
                                  replace=replace)
    except HostKeyChangedError as exc:
        raise _fail(f"{device}: {exc}; if the device was re-keyed, check the new fingerprint "
                    f"and run `noc ssh trust {device} --replace`") from None
    except SshError as exc:
        raise _fail(f"{device}: {exc}") from None
    console.print(Text(f"{device} ({dev.host}:{dev.port}): trusted {fingerprint}"),
                  soft_wrap=True)
    console.print(Text("Compare it with the fingerprint the device shows on its console; "
                       f"if they differ, run `noc ssh forget {device}`."), soft_wrap=True)


@ssh_app.command()
def forget(device: DeviceArg, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Forget every host key trusted for DEVICE (its sessions are refused until trusted)."""
    from noc.ssh_collect import known_hosts

    settings = settings_or_exit(config, data_dir=data_dir)
    dev = load_device(settings, device)
    if known_hosts(settings).forget(dev.host, dev.port):
        console.print(Text(f"{device} ({dev.host}:{dev.port}): host key forgotten"))
    else:
        console.print(Text(f"{device} ({dev.host}:{dev.port}): no host key was trusted"))


@ssh_app.command()
def check(device: DeviceArg, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Open one SSH session to DEVICE and print what the SSH job would collect."""
    from noc.ssh_collect import FACT_PLATFORMS

    settings = settings_or_exit(config, data_dir=data_dir)
    dev = load_device(settings, device)
    profile = settings.credentials.get(dev.credentials)
    if profile is None or not profile.ssh_username:
        raise _fail(f"{device}: credentials profile {dev.credentials!r} "
                    f"{'is unknown' if profile is None else 'has no ssh_username'}")
    if dev.platform not in FACT_PLATFORMS:
        raise _fail(f"{device}: platform {dev.platform!r} is not one of "
                    f"{', '.join(sorted(FACT_PLATFORMS))}")
    _print(asyncio.run(_collect(settings, dev)), device)


async def _collect(settings: Settings, dev: SshDevice) -> Collected:
    from collectors.ssh import SshPool
    from noc.ssh_collect import collect_facts, error_text, known_hosts, ssh_target

    target = ssh_target(dev.name, dev.host, dev.platform, dev.port,
                        settings.credentials[dev.credentials], settings.ssh.timeout)
    async with SshPool(known_hosts(settings), max_workers=1) as pool:
        try:
            return await collect_facts(pool, target)
        except Exception as exc:  # every failure is reported the way the job reports it
            raise _fail(error_text(dev.name, target, exc)) from None


def _size(value: float) -> str:
    """Bytes in the largest binary unit that keeps the number at 1 or more."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}" if unit != "B" else f"{value:.0f} B"
        value /= 1024
    return f"{value:.1f} TiB"


def _uptime(ticks: int) -> str:
    minutes, _ = divmod(ticks // 100, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d}:{minutes:02d}"


def _print(got: Collected, device: str) -> None:
    facts = got.facts
    table = Table("fact", "value", title=f"{device} over SSH")
    rows = [("name", facts.system.name), ("description", facts.system.descr),
            ("uptime", _uptime(facts.system.uptime_ticks)),
            ("vendor / model", " ".join(p for p in (facts.vendor, facts.model) if p)),
            ("serial", facts.serial), ("firmware", facts.firmware)]
    if facts.load_average:
        rows.append(("load average", " ".join(f"{v:.2f}" for v in facts.load_average)))
    if facts.processes is not None:
        rows.append(("processes", str(facts.processes)))
    if facts.memory is not None:
        rows.append(("memory used / total",
                     f"{_size(facts.memory.used_bytes)} / {_size(facts.memory.total_bytes)}"))
    rows += [(f"disk {d.name}", f"{_size(d.used_bytes)} / {_size(d.total_bytes)}")
             for d in facts.disks]
    if facts.interfaces:
        up = sum(1 for i in facts.interfaces if i.oper_status == 1)
        rows.append(("interfaces", f"{len(facts.interfaces)} ({up} up)"))
    if facts.modules:
        rows.append(("inventory items", str(len(facts.modules))))
    rows += [("error", error) for error in facts.errors]
    for key, value in rows:
        if value:
            table.add_row(key, Text(value))
    console.print(table)
    if got.linux is not None and got.linux.top_processes:
        top = Table("pid", "user", "cpu %", "mem %", "command", title="top processes")
        for p in got.linux.top_processes:
            top.add_row(str(p.pid), p.user, f"{p.cpu_percent:.1f}", f"{p.mem_percent:.1f}",
                        Text(p.command))
        console.print(top)
