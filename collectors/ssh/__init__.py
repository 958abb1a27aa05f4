"""SSH collectors: Linux servers and network device CLIs, over netmiko in a thread pool.

- :mod:`collectors.ssh.pool`: :class:`SshPool` runs sessions in a bounded
  thread pool, awaited from asyncio, with a per-device deadline.
- :mod:`collectors.ssh.hostkeys`: the NOC's known-hosts file; trust on first
  use is an explicit :meth:`KnownHosts.trust` call, never a side effect of polling.
- :mod:`collectors.ssh.linux`: uptime, load, memory, disks, top processes.
- :mod:`collectors.ssh.cli`: show version / interfaces / inventory per
  platform, parsed with ntc-templates into :class:`~collectors.base.DeviceFacts`.
"""

from collectors.ssh.cli import collect_cli, parse_command
from collectors.ssh.errors import (
    HostKeyChangedError,
    HostKeyError,
    HostKeyUnknownError,
    SshAuthError,
    SshCommandError,
    SshConnectError,
    SshError,
    SshTimeoutError,
)
from collectors.ssh.hostkeys import KnownHosts
from collectors.ssh.linux import LinuxFacts, collect_linux
from collectors.ssh.pool import SessionOutput, SshCredentials, SshPool, SshTarget

__all__ = ["HostKeyChangedError", "HostKeyError", "HostKeyUnknownError", "KnownHosts",
           "LinuxFacts", "SessionOutput", "SshAuthError", "SshCommandError", "SshConnectError",
           "SshCredentials", "SshError", "SshPool", "SshTarget", "SshTimeoutError",
           "collect_cli", "collect_linux", "parse_command"]
