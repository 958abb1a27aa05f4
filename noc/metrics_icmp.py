"""ICMP metric families: per-device reachability, round-trip time and loss; the job's own health.

Per-device series carry only ``device`` (join inventory labels from
``noc_device_info``). ``noc_icmp_up`` is the *confirmed* reachability (several
silent probes in a row before 0); RTT and loss are the last cycle's.
"""

from __future__ import annotations

from collections.abc import Iterator

from noc.icmp_monitor import IcmpStats
from noc.metrics_text import Family
from noc.state import DeviceState


def icmp_device_families(devices: dict[str, DeviceState]) -> Iterator[Family]:
    """Reachability, RTT and loss of every device with an ICMP result."""
    up = Family("noc_icmp_up", "gauge",
                "1 if the device answers ICMP echo (confirmed), 0 if confirmed silent.",
                ["device"])
    rtt = Family("noc_icmp_rtt_seconds", "gauge", "Average echo round-trip time, last cycle.",
                 ["device"])
    rtt_max = Family("noc_icmp_rtt_max_seconds", "gauge", "Slowest echo reply, last cycle.",
                     ["device"])
    loss = Family("noc_icmp_loss_ratio", "gauge", "Echo requests lost in the last cycle, 0..1.",
                  ["device"])
    for name, dev in devices.items():
        lv = (name,)
        if dev.icmp_up is not None:
            up.add(lv, 1 if dev.icmp_up else 0)
        sample = dev.icmp
        if sample is None or sample.sent <= 0:
            continue
        loss.add(lv, (sample.sent - sample.received) / sample.sent)
        if sample.rtt_avg_ms is not None:
            rtt.add(lv, sample.rtt_avg_ms / 1000)
        if sample.rtt_max_ms is not None:
            rtt_max.add(lv, sample.rtt_max_ms / 1000)
    yield from (up, rtt, rtt_max, loss)


def icmp_self_families(stats: IcmpStats | None) -> Iterator[Family]:
    """The ICMP job's own figures (nothing when the job is off)."""
    if stats is None:
        return
    for name, kind, help_, value in (
            ("noc_icmp_cycles", "counter", "ICMP cycles run.", stats.cycles),
            ("noc_icmp_cycle_errors", "counter", "ICMP cycles that failed as a whole.",
             stats.errors),
            ("noc_icmp_overruns", "counter", "fping processes stopped at a cycle's deadline.",
             stats.overran),
            ("noc_icmp_rechecks", "counter",
             "Quick re-probes of the addresses silent in a cycle (confirming outages).",
             stats.rechecks),
            ("noc_icmp_hosts", "gauge", "Addresses pinged in the last cycle.", stats.hosts),
            ("noc_icmp_hosts_replied", "gauge", "Addresses that replied in the last cycle.",
             stats.replied),
            ("noc_icmp_cycle_duration_seconds", "gauge", "Duration of the last cycle.",
             stats.last_duration)):
        family = Family(name, kind, help_)
        family.add((), value)
        yield family
