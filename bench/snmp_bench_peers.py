"""Peers of the SNMP benchmark, started and stopped by PID.

/proc CPU accounting, the network namespace, net-snmp snmpd and
prometheus-snmp-exporter, for bench/snmp_poll.py.
"""


from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from noc.procs import stop_process

TICK = os.sysconf("SC_CLK_TCK")
AGENT_PORT = 16100  # inside our own namespace: no other user of the port
EXPORTER_PORT = 9116
MAIN_SCRIPT = str(Path(__file__).with_name("snmp_poll.py"))  # the worker runs it
EXPORTER_CONFIG = Path(__file__).resolve().parents[2] / "shared/peers/snmp_exporter-if_mib.yml"
SNMP_IN_PKTS = "1.3.6.1.2.1.11.1.0"  # SNMPv2-MIB snmpInPkts: the agent's own PDU count
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_MIB_SUBTREES = ((1, 3, 6, 1, 2, 1, 2), (1, 3, 6, 1, 2, 1, 31, 1, 1))  # the module's walk
IF_MIB_COLUMNS = (*((1, 3, 6, 1, 2, 1, 2, 2, 1, c) for c in range(1, 23)),
                  *((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, c) for c in range(1, 20)))
MODES = ("exporter", "ours-columns", "ours-subtrees", "production")
OURS_HEADLINE = "ours-columns"
FLEET, FLEET_INTERVAL = 10_000, 300.0  # 10,000 devices every 5 minutes
SNMP_TIMEOUT, SNMP_RETRIES = 2.0, 1  # the NOC's defaults (noc.settings.PollSettings)



# --------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs of the machine spent not idle (every process, ours included)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(slots=True)
class CpuWindow:
    """CPU seconds of some processes and the wall time between start() and stop().

    PID 0 stands for the whole machine: ``others()`` is what processes not
    listed used meanwhile (the shared machine's noise).
    """

    pids: dict[str, int]
    cpu: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0

    def start(self) -> CpuWindow:
        """Take the 'before' readings."""
        self.cpu = {k: _cpu(p) for k, p in self.pids.items()}
        self.wall = time.monotonic()
        return self

    def stop(self) -> CpuWindow:
        """Replace the readings by the deltas since start()."""
        self.wall = time.monotonic() - self.wall
        self.cpu = {k: _cpu(p) - self.cpu[k] for k, p in self.pids.items()}
        return self

    def cores(self, name: str) -> float:
        """Average cores one process used in the window."""
        return self.cpu[name] / self.wall

    def others(self) -> float:
        """Average cores used by processes outside the window's list."""
        listed = sum(self.cpu[k] for k, p in self.pids.items() if p)
        return max(0.0, (self.cpu["machine"] - listed) / self.wall)


def _cpu(pid: int) -> float:
    return machine_busy_seconds() if pid == 0 else cpu_seconds(pid)


# --------------------------------------------------------------------------- namespace


def run_ip(*args: str, stdin: str | None = None) -> None:
    """Run ``ip ARGS`` (raises on failure)."""
    subprocess.run(["ip", *args], input=stdin, text=True, check=True, capture_output=True)


def create_netns(name: str, interfaces: int) -> None:
    """A namespace with lo up and veth ends so that it has ``interfaces`` interfaces.

    Both ends of a pair count; an odd remainder gets a pair whose peer lives in
    a second namespace ``NAME-peer``.
    """
    run_ip("netns", "add", name)
    veths = max(0, interfaces - 1)
    lines = ["link set lo up"]
    for i in range(veths // 2):
        lines += [f"link add nbA{i} type veth peer name nbB{i}", f"link set nbA{i} up",
                  f"link set nbB{i} up"]
    if veths % 2:
        run_ip("netns", "add", f"{name}-peer")
        lines += [f"link add nbA{veths} type veth peer name nbB{veths} netns {name}-peer",
                  f"link set nbA{veths} up"]
    run_ip("-n", name, "-batch", "-", stdin="\n".join(lines) + "\n")


def delete_netns(name: str) -> None:
    """Stop what still runs in the namespaces (by PID) and delete them with their veths."""
    for ns in (name, f"{name}-peer"):
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
        for pid in pids.stdout.split():
            with suppress(ProcessLookupError):
                os.kill(int(pid), 9)
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)


# --------------------------------------------------------------------------- peers


def snmp_env(directory: Path) -> dict[str, str]:
    """Environment for snmpd and the net-snmp tools: no MIBs, a private state dir."""
    return {**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(directory / "persist")}


def start_snmpd(directory: Path, addresses: list[str]) -> subprocess.Popen[bytes]:
    """One snmpd answering at every address (community ``public``), like tests/peers/snmpd."""
    (directory / "persist").mkdir(parents=True, exist_ok=True)
    listen = ",".join(f"udp:{a}:{AGENT_PORT}" for a in addresses)
    conf = directory / "snmpd.conf"
    conf.write_text(f"[snmp] persistentDir {directory / 'persist'}\nagentAddress {listen}\n"
                    "rocommunity public 127.0.0.0/8\nmaster no\nsysName noc-bench-agent\n")
    with (directory / "snmpd.log").open("wb") as log:
        return subprocess.Popen(
            ["snmpd", "-f", "-Lo", "-C", "-c", str(conf), "-p", str(directory / "snmpd.pid"),
             "-m", "", "-I", "-smux"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=snmp_env(directory))


def snmp_get(directory: Path, address: str, oid: str) -> int | None:
    """One integer value by ``snmpget`` (None when the agent does not answer)."""
    out = subprocess.run(["snmpget", "-m", "", "-v2c", "-c", "public", "-On", "-Oqv", "-t", "1",
                          "-r", "1", f"{address}:{AGENT_PORT}", oid],
                         capture_output=True, text=True, env=snmp_env(directory))
    try:
        return int(out.stdout.split()[0])
    except (IndexError, ValueError):
        return None


def start_exporter(directory: Path, config: Path) -> subprocess.Popen[bytes]:
    """prometheus-snmp-exporter with upstream's if_mib module, unchanged."""
    with (directory / "exporter.log").open("wb") as log:
        return subprocess.Popen(
            ["prometheus-snmp-exporter", f"--config.file={config}",
             f"--web.listen-address=127.0.0.1:{EXPORTER_PORT}"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll ``check`` until true; SystemExit after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not come up in {timeout:g} s")


def exporter_ready() -> bool:
    """Whether the exporter answers HTTP."""
    try:
        return httpx.get(f"http://127.0.0.1:{EXPORTER_PORT}/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate one process we started (by its PID), kill it if it lingers."""
    stop_process(proc, 5.0)

def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p99 and max (zeros when empty)."""
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)
    return {"p50": ordered[len(ordered) // 2], "p99": ordered[int(len(ordered) * 0.99)],
            "max": ordered[-1]}
