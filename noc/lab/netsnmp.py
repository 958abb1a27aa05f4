"""A real net-snmp ``snmpd`` serving the lab's SNMPv3 (authPriv) devices.

The lab's own responder speaks v1/v2c; devices marked ``snmp_version="3"``
are answered by Debian's snmpd instead, bound to each such device's
127.x.y.z address, with one USM user (SHA + AES). Being a real third-party
agent, it also proves the poller against an implementation the project did
not write. It serves this host's own data (a Linux server, as those devices
are). It runs in the foreground, with its own config and persistent
directory, and is stopped by PID.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from noc.procs import stop_process

log = logging.getLogger(__name__)
SNMPD = "/usr/sbin/snmpd"


class SnmpdError(RuntimeError):
    """snmpd is missing or did not start."""


def snmpd_config(addresses: Sequence[str], port: int, user: str, auth_key: str,
                 priv_key: str, community: str) -> str:
    """The snmpd.conf text for the lab (keys go only into this 0600 file)."""
    agent = ",".join(f"udp:{a}:{port}" for a in addresses)
    return "\n".join([
        f"agentAddress {agent}",
        "master no",
        f"rocommunity {community} 127.0.0.0/8",
        f'createUser {user} SHA "{auth_key}" AES "{priv_key}"',
        f"rouser {user} priv",
        "sysLocation Trung tâm Dữ liệu Thành phố",
        "sysContact noc@tphcm.gov.vn.example",
        "dontLogTCPWrappersConnects yes",
        "",
    ])


class LabSnmpd:
    """One snmpd process answering at several loopback addresses."""

    def __init__(self, addresses: Sequence[str], port: int, user: str, auth_key: str,
                 priv_key: str, community: str) -> None:
        self._conf = snmpd_config(addresses, port, user, auth_key, priv_key, community)
        self._addresses = list(addresses)
        self._dir: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start snmpd; raise :class:`SnmpdError` with its log if it does not stay up."""
        if not shutil.which(SNMPD):
            raise SnmpdError("snmpd is not installed (Debian package 'snmpd')")
        self._dir = Path(tempfile.mkdtemp(prefix="noc-lab-snmpd-"))
        conf = self._dir / "snmpd.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(self._conf)
        env = dict(os.environ, SNMP_PERSISTENT_DIR=str(self._dir), MIBS="")
        logfile = self._dir / "snmpd.log"
        self.proc = subprocess.Popen(
            [SNMPD, "-f", "-Lf", str(logfile), "-C", "-c", str(conf), "-p",
             str(self._dir / "snmpd.pid"), "-m", "", "-I", "-smux"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            text = logfile.read_text(errors="replace") if logfile.exists() else ""
            self.stop()
            raise SnmpdError(f"snmpd exited with {self.proc.returncode}: {text[-800:]}")
        log.info("snmpd (SNMPv3) serving %d lab devices", len(self._addresses))

    def stop(self) -> None:
        """Stop snmpd by PID and remove its directory."""
        stop_process(self.proc, 5.0)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
