"""Linux servers over SSH (netmiko ``linux``): uptime, load, memory, disks, top processes.

Four commands, one session (:data:`COMMANDS`); each output has a pure parser
(no I/O) tested on recorded captures under ``tests/fixtures/cli/linux/``:

=========================================================  ===================
command                                                    parser
=========================================================  ===================
``cat /proc/uptime /proc/loadavg``                         :func:`parse_uptime_load`
``cat /proc/meminfo``                                      :func:`parse_meminfo`
``df -P -k``                                               :func:`parse_df`
``ps -eo pid,user,pcpu,pmem,comm --sort=-pcpu | head ...`` :func:`parse_ps`
=========================================================  ===================

A parser that cannot read its output records why in ``LinuxFacts.errors`` and
the other values are still returned. Memory "used" is ``MemTotal -
MemAvailable`` (what ``free`` calls used plus reclaimable caches excluded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Disk, Memory, SystemInfo
from collectors.ssh.pool import SshPool, SshTarget

__all__ = ["COMMANDS", "LinuxFacts", "ProcessSample", "collect_linux", "parse_df",
           "parse_linux", "parse_meminfo", "parse_ps", "parse_uptime_load"]

UPTIME_LOAD = "cat /proc/uptime /proc/loadavg"
MEMINFO = "cat /proc/meminfo"
DF = "df -P -k"
TOP_PROCESSES = 10
PS = f"ps -eo pid,user,pcpu,pmem,comm --sort=-pcpu | head -n {TOP_PROCESSES + 1}"
#: File systems that hold no disk space of their own.
PSEUDO_FILESYSTEMS = frozenset({"tmpfs", "devtmpfs", "udev", "none", "shm", "proc", "sysfs",
                                "cgroup", "cgroup2", "efivarfs", "devpts"})


@dataclass(slots=True)
class ProcessSample:
    """One row of ``ps``: the busiest processes first."""

    pid: int
    user: str
    cpu_percent: float
    mem_percent: float
    command: str


@dataclass(slots=True)
class UptimeLoad:
    """``/proc/uptime`` + ``/proc/loadavg``."""

    uptime_seconds: float
    load_average: list[float]  # 1, 5, 15 minutes
    running: int  # runnable scheduling entities now
    processes: int  # scheduling entities (threads included) in total


@dataclass(slots=True)
class LinuxFacts:
    """Everything one Linux session returned; empty values when a command failed."""

    uptime_seconds: float | None = None
    load_average: list[float] = field(default_factory=list)
    processes: int | None = None
    memory: Memory | None = None
    disks: list[Disk] = field(default_factory=list)
    top_processes: list[ProcessSample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_device_facts(self, address: str = "", hostname: str = "") -> DeviceFacts:
        """The same values as :class:`~collectors.base.DeviceFacts` (for the state module)."""
        ticks = round(self.uptime_seconds * 100) if self.uptime_seconds is not None else 0
        return DeviceFacts(address=address, system=SystemInfo(name=hostname, uptime_ticks=ticks),
                           memory=self.memory, disks=list(self.disks),
                           load_average=list(self.load_average), processes=self.processes,
                           errors=list(self.errors), modules_run=["ssh_linux"])


def parse_uptime_load(output: str) -> UptimeLoad:
    """``cat /proc/uptime /proc/loadavg``: ``8748.67 11257.18`` + ``0.12 0.37 0.70 2/89 2420``."""
    lines = [line.split() for line in output.strip().splitlines() if line.strip()]
    if len(lines) != 2 or len(lines[0]) != 2 or len(lines[1]) != 5 or "/" not in lines[1][3]:
        raise ValueError(f"expected /proc/uptime and /proc/loadavg, got {output[:80]!r}")
    running, total = lines[1][3].split("/", 1)
    return UptimeLoad(float(lines[0][0]), [float(v) for v in lines[1][:3]], int(running),
                      int(total))


def parse_meminfo(output: str) -> Memory:
    """``/proc/meminfo``: total and used (total - available) bytes."""
    values: dict[str, int] = {}
    for line in output.splitlines():
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if sep and parts and parts[0].isdigit():
            scale = 1024 if parts[1:] == ["kB"] else 1
            values[key.strip()] = int(parts[0]) * scale
    if "MemTotal" not in values:
        raise ValueError("no MemTotal in /proc/meminfo output")
    total = values["MemTotal"]
    available = values.get("MemAvailable")
    if available is None:  # kernels before 3.14
        available = sum(values.get(k, 0) for k in ("MemFree", "Buffers", "Cached"))
    return Memory(total_bytes=total, used_bytes=max(0, total - available))


def parse_df(output: str) -> list[Disk]:
    """``df -P -k``: one Disk per real file system, named by mount point, in bytes."""
    lines = output.strip().splitlines()
    if not lines or not lines[0].startswith("Filesystem"):
        raise ValueError(f"expected df -P output, got {output[:80]!r}")
    disks = []
    for line in lines[1:]:
        # the mount point is the rest of the line after the capacity: it may hold spaces
        parts = line.split(None, 5)
        if len(parts) != 6 or not parts[1].isdigit() or not parts[4].endswith("%"):
            raise ValueError(f"unexpected df line {line!r}")
        source, blocks, used, mount = parts[0], int(parts[1]), int(parts[2]), parts[5]
        if source in PSEUDO_FILESYSTEMS or blocks == 0:
            continue
        disks.append(Disk(name=mount, total_bytes=blocks * 1024, used_bytes=used * 1024))
    return disks


def parse_ps(output: str) -> list[ProcessSample]:
    """``ps -eo pid,user,pcpu,pmem,comm``: rows after the header (command names may hold spaces)."""
    lines = output.strip().splitlines()
    if not lines or lines[0].split()[:2] != ["PID", "USER"]:
        raise ValueError(f"expected ps output with a PID USER header, got {output[:80]!r}")
    rows = []
    for line in lines[1:]:
        parts = line.split(None, 4)
        if len(parts) != 5:
            raise ValueError(f"unexpected ps line {line!r}")
        rows.append(ProcessSample(int(parts[0]), parts[1], float(parts[2]), float(parts[3]),
                                  parts[4].strip()))
    return rows


def _apply_uptime(facts: LinuxFacts, output: str) -> None:
    value = parse_uptime_load(output)
    facts.uptime_seconds, facts.load_average = value.uptime_seconds, value.load_average
    facts.processes = value.processes


def _apply_meminfo(facts: LinuxFacts, output: str) -> None:
    facts.memory = parse_meminfo(output)


def _apply_df(facts: LinuxFacts, output: str) -> None:
    facts.disks = parse_df(output)


def _apply_ps(facts: LinuxFacts, output: str) -> None:
    facts.top_processes = parse_ps(output)


#: Command → how its output lands in :class:`LinuxFacts`, in the order they run.
COMMANDS: dict[str, Callable[[LinuxFacts, str], None]] = {
    UPTIME_LOAD: _apply_uptime,
    MEMINFO: _apply_meminfo,
    DF: _apply_df,
    PS: _apply_ps,
}


def parse_linux(outputs: dict[str, str]) -> LinuxFacts:
    """Every command's output (by command) parsed into one :class:`LinuxFacts`."""
    facts = LinuxFacts()
    for command, apply in COMMANDS.items():
        if command not in outputs:
            facts.errors.append(f"{command}: no output")
            continue
        try:
            apply(facts, outputs[command])
        except ValueError as exc:
            facts.errors.append(f"{command}: {exc}")
    return facts


async def collect_linux(pool: SshPool, target: SshTarget) -> LinuxFacts:
    """One session to a Linux server: run :data:`COMMANDS`, parse them (SshError on failure)."""
    session = await pool.run(target, list(COMMANDS))
    return parse_linux(session.outputs)
