"""Configuration backup of one device: fetch the running configuration over SSH, store it.

:func:`backup_device` runs the platform's command from :data:`CONFIG_COMMANDS`
in one :class:`~collectors.ssh.SshPool` session, stores the output in a
:class:`~noc.configs.store.ConfigStore` (off the event loop) and returns a
:class:`ConfigChange` when a new version was stored — the runtime turns it
into a ``config_changed`` event — or None when nothing changed.

An output that is empty or is the device's error message (a command the
platform does not know, a missing privilege) raises
:class:`~collectors.ssh.SshCommandError` and stores nothing: a failed fetch
must never look like a configuration that lost all its lines. Connection,
login and timeout failures propagate as the SSH collector's errors.

To back up another platform, add its netmiko device type and command here and
its secrets to :mod:`noc.configs.mask`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime

from collectors.ssh import SshCommandError, SshPool, SshTarget
from noc.configs.store import ConfigStore

__all__ = ["CONFIG_COMMANDS", "ConfigChange", "backup_device", "config_command"]

CONFIG_COMMANDS: dict[str, str] = {
    "cisco_ios": "show running-config",
    "cisco_xe": "show running-config",
    "huawei": "display current-configuration",
    "juniper_junos": "show configuration | display set",
    "hp_procurve": "show running-config",
}

_ERROR_OUTPUT = re.compile(
    r"^\s*(?:% ?(?:Invalid input|Incomplete command|Ambiguous command|Unknown command|"
    r"Authorization failed)|Error: (?:Unrecognized command|Wrong parameter)|"
    r"(?:error: )?syntax error|Invalid input:)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """A new configuration version of a device; ``diff`` is masked, "" for the first one."""

    device: str
    rev: int
    digest: str
    diff: str
    lines_added: int
    lines_removed: int
    first: bool


def config_command(platform: str) -> str | None:
    """The command printing the running configuration on ``platform`` (None: not known)."""
    return CONFIG_COMMANDS.get(platform)


def _check_output(target: SshTarget, command: str, output: str) -> None:
    """Refuse an empty output or a device error message instead of a configuration."""
    lines = [line for line in output.splitlines() if line.strip()]
    problem = ""
    if not lines:
        problem = "empty output"
    elif _ERROR_OUTPUT.search(lines[0]) or (len(lines) <= 3 and any(
            _ERROR_OUTPUT.search(line) for line in lines)):
        problem = f"the device answered with an error ({lines[0].strip()[:80]!r})"
    if problem:
        raise SshCommandError(
            f"{target.name} ({target.host}:{target.port}): {command!r} gave no configuration: "
            f"{problem}", name=target.name, host=target.host, port=target.port)


def _store(store: ConfigStore, target: SshTarget, text: str,
           at: datetime | None) -> ConfigChange | None:
    """Save and, for a new version, build its change (blocking: runs in a worker thread)."""
    saved = store.save(target.name, text, at)
    if saved is None:
        return None
    version = saved.version
    diff = "" if saved.first else store.diff(target.name, version.rev - 1, version.rev,
                                             platform=target.device_type)
    return ConfigChange(target.name, version.rev, version.digest, diff, version.lines_added,
                        version.lines_removed, saved.first)


async def backup_device(pool: SshPool, target: SshTarget, store: ConfigStore,
                        at: datetime | None = None, *,
                        command: str | None = None) -> ConfigChange | None:
    """Fetch and store ``target``'s configuration; the change, or None if it did not change.

    ``command`` overrides the platform's entry in :data:`CONFIG_COMMANDS`
    (e.g. ``cat /etc/…`` for a ``linux`` target). SshError subclasses on failure.
    """
    command = command or config_command(target.device_type)
    if command is None:
        raise SshCommandError(
            f"{target.name}: no configuration backup command for platform "
            f"{target.device_type!r} (known: {', '.join(sorted(CONFIG_COMMANDS))})",
            name=target.name, host=target.host, port=target.port)
    session = await pool.run(target, [command])
    output = session.outputs.get(command, "")
    _check_output(target, command, output)
    return await asyncio.to_thread(_store, store, target, output, at)
