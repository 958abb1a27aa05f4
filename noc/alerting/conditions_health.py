"""Alert conditions about one device's health: interfaces, CPU, memory, disks and sensors.

Called by :func:`noc.alerting.conditions.evaluate` for devices that answered
their last poll, so every value read here is current. Interface rules run
over every interface of every polled device (tens of thousands in a city),
so they read only what they need and look rules up once per device.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from collectors.base import DeviceFacts, InterfaceSample
from inventory.catalog import CatDevice
from noc.alerting.model import Condition
from noc.alerting.rules import EffectiveRule
from noc.state import _RATED, DeviceState, InterfaceState

# Interface rates are read straight from InterfaceState's compact array (NaN:
# unknown): the per-name accessor costs most of an evaluation over tens of
# thousands of interfaces, every second.
_AT = {name: i for i, name in enumerate(_RATED)}
_PKTS = (_AT["in_ucast_pkts"], _AT["out_ucast_pkts"])

_HARDWARE = ("fan", "power_supply")
# read-only images and pseudo file systems that are full by design (Junos packages, devfs,
# CD-ROMs, snaps): never "disk full"
_FULL_MOUNTS = ("/packages/", "/dev", "/proc", "/sys", "/run", "/snap/", "/cdrom",
                "/media/cdrom", "/mnt/cdrom")
_FULL_TYPES = ("devfs", "procfs", "tmpfs", "iso9660", "squashfs")


def _full_by_design(disk_name: str) -> bool:
    """Whether a file system is a read-only image or a pseudo file system."""
    text = disk_name.lower()
    mount = text.rsplit("mounted on:", 1)[-1].strip()
    head = text.split(",")[0].split(":")[0]
    return mount.startswith(_FULL_MOUNTS) or any(t in head for t in _FULL_TYPES)


def fmt(value: float) -> str:
    """A number for a summary: at most one decimal, no trailing zero ("97", "0.5")."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def port_name(sample: InterfaceSample) -> str:
    """How an operator names a port: ifName, else ifDescr, else its ifIndex."""
    return sample.name or sample.descr or f"ifIndex {sample.if_index}"


def interface_conditions(dev: CatDevice, state: DeviceState, prof: Mapping[str, EffectiveRule],
                         link_ends: Collection[int], out: list[Condition]) -> None:
    """``interface_down`` (not on link ends), ``interface_errors`` and ``interface_discards``."""
    down = prof["interface_down"]
    errors = prof["interface_errors"]
    discards = prof["interface_discards"]
    checks = [(rule, _AT[f"in_{what}"], _AT[f"out_{what}"], rule.threshold, what)
              for rule, what in ((errors, "errors"), (discards, "discards"))
              if rule.enabled and rule.threshold is not None]
    if not down.enabled and not checks:
        return
    for index, iface in state.interfaces.items():
        sample = iface.sample
        if (down.enabled and sample.admin_status == 1 and sample.oper_status != 1
                and index not in link_ends):
            port = port_name(sample)
            out.append(Condition(down.name, f"{dev.name}/{index}", down.severity,
                                 f"interface {port} on {dev.name} down (admin up, oper down)",
                                 dev.name, dev.agency, {"interface": port}))
        rates = iface._rates
        for rule, i_in, i_out, threshold, what in checks:
            bad_in, bad_out = rates[i_in], rates[i_out]
            if bad_in > threshold or bad_out > threshold or bad_in + bad_out > threshold:
                _counter_rate(dev, index, iface, rule, what, out)


def _known(value: float) -> float:
    return 0.0 if value != value else value


def _counter_rate(dev: CatDevice, index: int, iface: InterfaceState, rule: EffectiveRule,
                  what: str, out: list[Condition]) -> None:
    """Fire when the rate exceeds the threshold and the share of packets exceeds the ratio.

    The share is bad / (bad + unicast packets): input errors are not counted
    as received packets, so this stays within 0..1.
    """
    rates = iface._rates
    rate = _known(rates[_AT[f"in_{what}"]]) + _known(rates[_AT[f"out_{what}"]])
    if rule.threshold is None or rate <= rule.threshold:
        return
    packets = _known(rates[_PKTS[0]]) + _known(rates[_PKTS[1]])
    share = rate / (rate + packets)
    if rule.ratio is not None and share <= rule.ratio:
        return
    port = port_name(iface.sample)
    out.append(Condition(
        rule.name, f"{dev.name}/{index}", rule.severity,
        f"{fmt(rate)} {what}/s on {dev.name} {port} ({fmt(share * 100)} % of packets; "
        f"threshold {fmt(rule.threshold)}/s and {fmt((rule.ratio or 0.0) * 100)} %)",
        dev.name, dev.agency, {"interface": port}, rate))


def facts_conditions(dev: CatDevice, facts: DeviceFacts, prof: Mapping[str, EffectiveRule],
                     out: list[Condition]) -> None:
    """CPU, memory, disks, temperature and hardware sensors from the last facts run."""
    name = dev.name
    cpu = prof["cpu_high"]
    if cpu.enabled and cpu.threshold is not None and facts.cpu_percent is not None \
            and facts.cpu_percent > cpu.threshold:
        out.append(Condition(cpu.name, name, cpu.severity,
                             f"cpu {fmt(facts.cpu_percent)} % on {name} "
                             f"(threshold {fmt(cpu.threshold)} %)", name, dev.agency,
                             value=facts.cpu_percent))
    mem = prof["memory_high"]
    if mem.enabled and mem.threshold is not None and facts.memory and facts.memory.total_bytes:
        used = facts.memory.used_bytes * 100 / facts.memory.total_bytes
        if used > mem.threshold:
            out.append(Condition(mem.name, name, mem.severity,
                                 f"memory {fmt(used)} % used on {name} "
                                 f"(threshold {fmt(mem.threshold)} %)", name, dev.agency,
                                 value=used))
    disk = prof["disk_full"]
    if disk.enabled and disk.threshold is not None:
        for d in facts.disks:
            if _full_by_design(d.name):
                continue
            used = d.used_bytes * 100 / d.total_bytes if d.total_bytes else 0.0
            if used > disk.threshold:
                out.append(Condition(disk.name, f"{name}:{d.name}", disk.severity,
                                     f"disk {d.name} {fmt(used)} % full on {name} "
                                     f"(threshold {fmt(disk.threshold)} %)", name, dev.agency,
                                     {"mount": d.name}, used))
    if facts.sensors:
        _sensor_conditions(dev, facts, prof, out)


def _sensor_conditions(dev: CatDevice, facts: DeviceFacts, prof: Mapping[str, EffectiveRule],
                       out: list[Condition]) -> None:
    temp, hardware = prof["temperature_high"], prof["hardware_failure"]
    for sensor in facts.sensors:
        subject = f"{dev.name}:{sensor.name}"
        labels = {"sensor": sensor.name, "sensor_kind": sensor.kind}
        if sensor.kind == "temperature" and temp.enabled and temp.threshold is not None:
            hot = sensor.value is not None and sensor.value > temp.threshold
            if hot or sensor.status == "failed":
                reading = (f"{fmt(sensor.value)} °C" if sensor.value is not None
                           else "no reading")
                state = "failed" if sensor.status == "failed" else "too hot"
                out.append(Condition(
                    temp.name, subject, temp.severity,
                    f"temperature {sensor.name} on {dev.name} {state}: {reading} "
                    f"(threshold {fmt(temp.threshold)} °C)", dev.name, dev.agency, labels,
                    sensor.value))
        elif sensor.kind in _HARDWARE and sensor.status == "failed" and hardware.enabled:
            what = "power supply" if sensor.kind == "power_supply" else "fan"
            out.append(Condition(hardware.name, subject, hardware.severity,
                                 f"{what} {sensor.name} failed on {dev.name}", dev.name,
                                 dev.agency, labels, sensor.value))
