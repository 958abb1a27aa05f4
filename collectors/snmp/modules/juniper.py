"""Juniper health and identity: JUNIPER-MIB jnxBoxAnatomy (jnxBoxDescr, jnxOperatingTable).

Collects jnxBoxDescr (the model: "Juniper MX960 Internet Backbone Router" ->
MX960) and jnxBoxSerialNo (the chassis serial: Junos has no ENTITY-MIB), and
from jnxOperatingTable (indexed by contents, L1, L2, L3) jnxOperatingDescr,
State, Temp (celsius), CPU (percent), Buffer (percent of memory used) and
MemoryMB. Temperatures become sensors (fan rows excepted: their temperature
is the tray's air), fan rows (contents 4) fans, PEM rows (contents 2) power
supplies; the master Routing Engine (contents 9, state running) gives CPU
and memory. Only for sysObjectID enterprise 2636.

jnxOperatingState: running(2) / ready(3) / runningAtFullSpeed(5) /
standby(7) ok, reset(4) warning, down(6) failed, unknown(1) unknown.
Another Junos platform family needs nothing new; a new contents index
(jnxContentsContainerIndex) for another kind of part goes into :data:`KINDS`.
To add a vendor with a chassis table of its own, write a module like this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Memory, Sensor
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars

BOX = (1, 3, 6, 1, 4, 1, 2636, 3, 1)
JNX_BOX_DESCR: Oid = (*BOX, 2, 0)
JNX_BOX_SERIAL: Oid = (*BOX, 3, 0)
OPERATING = (*BOX, 13, 1)
DESCR, STATE, TEMP, CPU, BUFFER, MEMORY_MB = ((*OPERATING, c) for c in (5, 6, 7, 8, 11, 15))
FAN, PEM, ROUTING_ENGINE = 4, 2, 9
KINDS = {FAN: "fan", PEM: "power_supply"}
STATES = {1: "unknown", 2: "ok", 3: "ok", 4: "warning", 5: "ok", 6: "failed", 7: "ok"}
RUNNING = 2
_MODEL = re.compile(r"Juniper\s+(\S+)", re.IGNORECASE)
MIB = 2**20


@dataclass(kw_only=True)
class JuniperHealth(ModuleResult):
    """Model and serial of the box, its sensors, CPU and memory of the master RE."""

    model: str = ""
    serial: str = ""
    sensors: list[Sensor] = field(default_factory=list)
    cpu_percent: float | None = None
    memory: Memory | None = None


def _sensors(descrs: dict[Oid, str], states: dict[Oid, int],
             temps: dict[Oid, int]) -> list[Sensor]:
    out = []
    for index in sorted(set(descrs) | set(states)):
        name, status = descrs.get(index, ".".join(map(str, index))), STATES.get(
            states.get(index, 1), "unknown")
        if index[0] in KINDS:
            out.append(Sensor(KINDS[index[0]], name, None, "", status, "juniper"))
        if index[0] != FAN and temps.get(index, 0) > 0:
            out.append(Sensor("temperature", name, float(temps[index]), "celsius", status,
                              "juniper"))
    return out


def _master_re(states: dict[Oid, int], cpus: dict[Oid, int]) -> Oid | None:
    engines = sorted(i for i in set(states) | set(cpus) if i[0] == ROUTING_ENGINE)
    running = [i for i in engines if states.get(i) == RUNNING]
    chosen = running or engines
    return chosen[0] if chosen else None


class JuniperModule:
    """jnxBoxDescr/jnxBoxSerialNo and jnxOperatingTable."""

    name = "juniper"
    scalars: tuple[Oid, ...] = (JNX_BOX_DESCR, JNX_BOX_SERIAL)
    columns: tuple[Oid, ...] = (DESCR, STATE, TEMP, CPU, BUFFER, MEMORY_MB)
    vendors: frozenset[str] = frozenset({"Juniper"})
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> JuniperHealth:
        """Identity, sensors, CPU and memory (see the module docstring)."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        descrs, states, cpus = read.texts(DESCR), read.ints(STATE), read.ints(CPU)
        match = _MODEL.search(read.text_scalar(JNX_BOX_DESCR))
        result = JuniperHealth(model=match.group(1) if match else "",
                               serial=read.text_scalar(JNX_BOX_SERIAL).strip(),
                               sensors=_sensors(descrs, states, read.ints(TEMP)), errors=errors)
        master = _master_re(states, cpus)
        if master is not None:
            result.cpu_percent = float(cpus[master]) if master in cpus else None
            total = read.ints(MEMORY_MB).get(master, 0) * MIB
            buffer = read.ints(BUFFER).get(master)
            if total and buffer is not None:
                result.memory = Memory(total, total * buffer // 100)
        return result

    def apply(self, result: JuniperHealth, facts: DeviceFacts) -> None:
        """Model and serial (Junos has no ENTITY-MIB), sensors, CPU and memory."""
        facts.model = result.model or facts.model
        facts.serial = facts.serial or result.serial
        facts.sensors.extend(result.sensors)
        if result.cpu_percent is not None:
            facts.cpu_percent = result.cpu_percent
        if result.memory is not None:
            facts.memory = result.memory


MODULE = JuniperModule()
