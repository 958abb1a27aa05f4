"""Self-monitoring families of the SSH job (sessions, configuration backups).

The devices' own values collected over SSH (up, uptime, CPU, memory, disks)
are not here: they are in the state like SNMP ones and leave through the usual
device and health families. These figures say how the job itself is doing;
they come from :meth:`noc.ssh_job.SshJob.stats` (in memory, no I/O).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from noc.metrics_text import Family

if TYPE_CHECKING:  # the SSH stack is slow to import; /metrics needs only the figures
    from noc.ssh_job import SshJobStats

#: Kinds of session failures, always exported (0 until one happens) so alerts can rate() them.
FAILURE_KINDS = ("auth", "command", "connect", "host_key", "other", "timeout")


def ssh_self_families(stats: SshJobStats | None) -> Iterator[Family]:
    """The SSH job's own figures (nothing when the job is off)."""
    if stats is None:
        return
    sessions = Family("noc_ssh_sessions", "counter", "SSH sessions (facts and backups) by result.",
                      ["result"])
    sessions.add(("ok",), stats.sessions_ok)
    sessions.add(("failed",), stats.sessions_failed)
    failures = Family("noc_ssh_session_failures", "counter",
                      "Failed SSH sessions by reason (host_key: unknown or changed key).",
                      ["reason"])
    for kind in sorted({*FAILURE_KINDS, *stats.failures}):
        failures.add((kind,), stats.failures.get(kind, 0))
    devices = Family("noc_ssh_devices", "gauge", "Devices the SSH job works on, by job.",
                     ["job"])
    devices.add(("facts",), stats.facts_devices)
    devices.add(("backup",), stats.backup_devices)
    duration = Family("noc_ssh_last_duration_seconds", "gauge",
                      "Duration of the last SSH session of each job.", ["job"])
    duration.add(("facts",), stats.last_facts_duration)
    duration.add(("backup",), stats.last_backup_duration)
    backups = Family("noc_config_backups", "counter", "Configuration backups by result.",
                     ["result"])
    backups.add(("ok",), stats.backups_ok)
    backups.add(("failed",), stats.backups_failed)
    yield from (sessions, failures, devices, duration, backups)
    for name, help_, value in (
            ("noc_config_versions_stored", "New configuration versions stored.",
             stats.versions_stored),
            ("noc_config_changes", "Configuration changes seen (new versions after the first).",
             stats.config_changes)):
        family = Family(name, "counter", help_)
        family.add((), value)
        yield family
    versions = Family("noc_config_version", "gauge",
                      "Newest stored configuration revision of a device (backed up by this "
                      "process).", ["device"])
    for device, rev in sorted(stats.versions.items()):
        versions.add((device,), rev)
    yield versions
