"""ENTITY-SENSOR-MIB (RFC 3433) entPhySensorTable: standard environmental sensors.

Collects, for each sensor entity, entPhySensorType, Scale, Precision, Value
and OperStatus, and names it by entPhysicalName (else entPhysicalDescr) of
ENTITY-MIB. Values are converted to base units: value x 10^(3 x (scale - 9))
x 10^-precision, so a sensor of type celsius, scale units(9), precision 1
and value 415 reads 41.5 celsius.

Arista, Palo Alto and Cisco NX-OS/IOS-XE fill it. Vendors whose health lives
in their own MIB have a module of their own (:mod:`.cisco` CISCO-ENVMON-MIB,
:mod:`.juniper` jnxOperatingTable, :mod:`.huawei` HUAWEI-ENTITY-EXTENT-MIB);
to add one, write such a module producing :class:`collectors.base.Sensor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.base import DeviceFacts, Sensor
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first
from collectors.snmp.modules.entity import COLUMNS as ENTITY

SENSOR_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 99, 1, 1, 1)
TYPE, SCALE, PRECISION, VALUE, OPER_STATUS = ((*SENSOR_ENTRY, c) for c in (1, 2, 3, 4, 5))
# entPhySensorType -> (kind, unit)
TYPES: dict[int, tuple[str, str]] = {
    3: ("voltage", "volts"), 4: ("voltage", "volts"), 5: ("current", "amperes"),
    6: ("power", "watts"), 7: ("other", "hertz"), 8: ("temperature", "celsius"),
    9: ("other", "percentRH"), 10: ("fan", "rpm"), 11: ("fan", "cmm"), 12: ("other", ""),
}
STATUS = {1: "ok", 2: "unknown", 3: "failed"}  # ok, unavailable, nonoperational
_UNITS_SCALE = 9  # units(9): no multiplier


@dataclass(kw_only=True)
class Sensors(ModuleResult):
    """The sensors of a device."""

    sensors: list[Sensor] = field(default_factory=list)


def scaled(value: int, scale: int, precision: int) -> float | None:
    """A sensor value in base units (RFC 3433 SensorDataScale and SensorPrecision).

    None for a scale outside yocto(1)..yotta(17) or a precision outside -8..9.
    """
    if not (1 <= scale <= 17 and -8 <= precision <= 9):
        return None
    return value * 10.0 ** (3 * (scale - _UNITS_SCALE) - precision)


def kind_of(sensor_type: int, name: str) -> tuple[str, str]:
    """(kind, unit) of a sensor; a truth-value sensor named like a supply is a power supply."""
    kind, unit = TYPES.get(sensor_type, ("other", ""))
    lowered = name.lower()
    if sensor_type == 12 and ("power" in lowered or "psu" in lowered or "supply" in lowered):
        return "power_supply", ""
    return kind, unit


class EntitySensorModule:
    """entPhySensorTable with names from entPhysicalName/Descr."""

    name = "sensors"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = (TYPE, SCALE, PRECISION, VALUE, OPER_STATUS, ENTITY["name"],
                                ENTITY["descr"])
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> Sensors:
        """One :class:`Sensor` per entPhySensorTable row with a type and a value."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        types, values = by_first(read.ints(TYPE)), by_first(read.ints(VALUE))
        scales, precisions = by_first(read.ints(SCALE)), by_first(read.ints(PRECISION))
        status = by_first(read.ints(OPER_STATUS))
        names, descrs = by_first(read.texts(ENTITY["name"])), by_first(read.texts(ENTITY["descr"]))
        sensors = []
        for index in sorted(set(types) & set(values)):
            name = names.get(index) or descrs.get(index) or f"sensor {index}"
            kind, unit = kind_of(types[index], name)
            value = None if types[index] == 12 else scaled(
                values[index], scales.get(index, _UNITS_SCALE), precisions.get(index, 0))
            if value is None and types[index] != 12:
                read.bad(f"sensor {index}: scale/precision out of range, value ignored")
            sensors.append(Sensor(kind, name, value, unit, STATUS.get(status.get(index, 0),
                                                                      "unknown"), self.name))
        return Sensors(sensors=sensors, errors=errors)

    def apply(self, result: Sensors, facts: DeviceFacts) -> None:
        """Add the sensors."""
        facts.sensors.extend(result.sensors)


MODULE = EntitySensorModule()
