"""Start and stop the lab as a child process of ``noc run``.

The lab runs in its own process so its CPU cost is measurable apart from the
poller's and a crash of one does not take the other down. The parent waits
for the child's control file, and stops the child by PID (SIGTERM, then
SIGKILL) when it stops.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from noc.lab.control import control_file
from noc.procs import stop_process
from noc.settings import CredentialProfile, SnmpV3Auth

LAB_V3_USER = "noc-lab"


class LabStartError(RuntimeError):
    """The lab process did not come up."""


def lab_port(configured: int) -> int:
    """The lab's SNMP port: as configured, else 161 as root and 16161 otherwise."""
    if configured:
        return configured
    return 161 if os.geteuid() == 0 else 16161


def lab_profiles(data_dir: Path, community: SecretStr) -> dict[str, CredentialProfile]:
    """Credentials profiles of the lab; v3 keys are random per data dir, stored 0600."""
    path = data_dir / "lab" / "v3.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        keys = {"auth_key": secrets.token_hex(12), "priv_key": secrets.token_hex(12)}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(keys, out)
    keys = json.loads(path.read_text())
    v3 = SnmpV3Auth(user=LAB_V3_USER, auth_protocol="SHA", auth_key=SecretStr(keys["auth_key"]),
                    priv_protocol="AES", priv_key=SecretStr(keys["priv_key"]))
    return {"lab": CredentialProfile(snmp_version="2c", community=community),
            "lab-v3": CredentialProfile(snmp_version="3", v3=v3)}


class LabProcess:
    """``noc lab serve`` as a child process."""

    def __init__(self, scale: str, port: int, data_dir: Path, trap_target: str = "") -> None:
        self.scale, self.port, self.data_dir = scale, port, data_dir
        self.trap_target = trap_target  # HOST:PORT of the NOC's trap receiver, or empty
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> dict[str, object]:
        """Start the lab and wait until it serves; return its control info."""
        ctl = control_file(self.data_dir)
        ctl.unlink(missing_ok=True)
        log_path = self.data_dir / "lab" / "lab.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "noc", "lab", "serve", "--scale", self.scale,
                 "--port", str(self.port), "--data-dir", str(self.data_dir),
                 "--trap-target", self.trap_target],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise LabStartError(f"the lab exited with {self.proc.returncode}:\n{tail}")
            try:
                info: dict[str, object] = json.loads(ctl.read_text())
                if info.get("pid") == self.proc.pid:
                    return info
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise LabStartError(f"the lab did not start within {timeout:g} s (see {log_path})")

    def stop(self) -> None:
        """Stop the lab (SIGTERM, then SIGKILL after 10 s)."""
        stop_process(self.proc, 10.0)
