"""Device state -> InfluxDB line protocol, one device poll at a time.

Layouts (``influx.layout``):

* ``wide`` (default): measurement ``interface`` with tags ``agency, device,
  interface, site`` and fields ``in_octets, out_octets`` (raw counters,
  integers), ``in_bps, out_bps`` (floats), ``in_errors, out_errors``
  (integers), ``oper_up`` (integer 1/0); measurement ``device`` with tags
  ``agency, device, site`` and fields ``up`` (integer), ``uptime_seconds``,
  ``poll_duration_seconds`` (floats).
* ``per_metric``: one measurement per field (``interface_in_octets``...) with
  a single field ``value`` (what Prometheus-style backends prefer).

``measurement_prefix`` is prepended to every measurement. Timestamps are the
poll's start time in **milliseconds** (writes use ``precision=ms``). A field
whose value is unknown (no rate yet, counter not exposed) is left out; a
point without fields is not written. Tag values are UTF-8 and escaped per the
line protocol (comma, equals sign and space get a backslash; line breaks
become spaces; empty tags are left out).

Integer fields are signed 64-bit in InfluxDB 1.x (no ``u`` suffix there), so
a Counter64 value of 2^63 or more (~23 years of a saturated 100G link, or a
broken agent) is written as its two's complement (``value - 2^64``): the bits
are kept and a line with it is never refused; read it back modulo 2^64.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal

from inventory.catalog import CatDevice
from noc.state import DeviceState, InterfaceState

Layout = Literal["wide", "per_metric"]
FieldValue = int | float
PRECISION = "ms"
_INT64_MAX = 2**63 - 1
_TAG_ESCAPES = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\ ", "\r": r"\ "})
_NAME_ESCAPES = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\ ", "\r": r"\ "})


@lru_cache(maxsize=65536)
def escape_tag(value: str) -> str:
    """Escape a tag key, tag value or field key."""
    return value.translate(_TAG_ESCAPES)


@lru_cache(maxsize=1024)
def escape_measurement(value: str) -> str:
    """Escape a measurement name."""
    return value.translate(_NAME_ESCAPES)


def format_value(value: FieldValue) -> str | None:
    """A field value in line protocol (ints get ``i``); None for NaN or infinities."""
    if isinstance(value, bool):
        return f"{int(value)}i"
    if isinstance(value, int):
        return f"{value - 2**64 if value > _INT64_MAX else value}i"
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return repr(float(value))


def tag_set(tags: Iterable[tuple[str, str]]) -> str:
    """``,k=v,...`` sorted by key, empty values left out."""
    return "".join(f",{escape_tag(k)}={escape_tag(v)}" for k, v in sorted(tags) if v)


def render(measurement: str, tags: str, fields: Iterable[tuple[str, FieldValue]],
           ts_ms: int) -> str | None:
    """One line; ``tags`` from :func:`tag_set`; None when no field has a value."""
    parts = []
    for key, value in fields:
        text = format_value(value)
        if text is not None:
            parts.append(f"{escape_tag(key)}={text}")
    if not parts:
        return None
    return f"{escape_measurement(measurement)}{tags} {','.join(parts)} {ts_ms}"


class PointBuilder:
    """Builds the lines of one device poll in the configured layout."""

    def __init__(self, layout: Layout = "wide", prefix: str = "") -> None:
        self.layout = layout
        self.prefix = prefix

    def _emit(self, out: list[str], kind: str, tags: str,
              fields: list[tuple[str, FieldValue]], ts_ms: int) -> None:
        if self.layout == "wide":
            line = render(self.prefix + kind, tags, fields, ts_ms)
            if line is not None:
                out.append(line)
            return
        for key, value in fields:
            line = render(f"{self.prefix}{kind}_{key}", tags, (("value", value),), ts_ms)
            if line is not None:
                out.append(line)

    def device_lines(self, dev: DeviceState, cat: CatDevice | None) -> list[str]:
        """The device point and one point per interface of the device's last poll."""
        if dev.last_poll is None or dev.up is None:
            return []
        ts_ms = int(dev.last_poll * 1000)
        agency, site = (cat.agency, cat.site) if cat is not None else ("", "")
        base = (("agency", agency), ("device", dev.name), ("site", site))
        out: list[str] = []
        fields: list[tuple[str, FieldValue]] = [("up", 1 if dev.up else 0),
                                                ("poll_duration_seconds", dev.last_duration)]
        if dev.up and dev.system is not None:
            fields.append(("uptime_seconds", dev.system.uptime_ticks / 100))
        self._emit(out, "device", tag_set(base), fields, ts_ms)
        if not dev.up:
            return out
        # tags sorted: agency, device | interface | site
        head = tag_set(base[:2])
        tail = tag_set(base[2:])
        if self.layout == "wide":
            meas = escape_measurement(self.prefix + "interface")
            out.extend(_wide_interface_line(meas, head, tail, index, iface, ts_ms)
                       for index, iface in dev.interfaces.items())
            return out
        for index, iface in dev.interfaces.items():
            tags = f"{head},interface={escape_tag(_if_name(index, iface))}{tail}"
            self._emit(out, "interface", tags, _interface_fields(iface), ts_ms)
        return out


def _if_name(index: int, iface: InterfaceState) -> str:
    sample = iface.sample
    return sample.name or sample.descr or f"if{index}"


def _wide_interface_line(meas: str, head: str, tail: str, index: int, iface: InterfaceState,
                         ts_ms: int) -> str:
    """The hot path: one interface in the wide layout, formatted directly."""
    sample = iface.sample
    counters = sample.counters
    series = f"{meas}{head},interface={escape_tag(_if_name(index, iface))}{tail}"
    oper = 1 if sample.oper_status == 1 else 0
    try:  # the common case first: every counter and both rates known, all < 2^63
        a, b, c, d = (counters["in_octets"], counters["out_octets"], counters["in_errors"],
                      counters["out_errors"])
        ib, ob = iface.in_bps, iface.out_bps
        if ib is not None and ob is not None and ib - ib == ob - ob == 0 \
                and max(a, b, c, d) <= _INT64_MAX:
            return (f"{series} in_octets={a}i,out_octets={b}i,in_bps={ib!r},out_bps={ob!r},"
                    f"in_errors={c}i,out_errors={d}i,oper_up={oper}i {ts_ms}")
    except KeyError:
        pass
    parts = [_counter(counters, key) for key in ("in_octets", "out_octets")]
    for key, bps in (("in_bps", iface.in_bps), ("out_bps", iface.out_bps)):
        if bps is not None and bps - bps == 0:  # known, and neither NaN nor infinite
            parts.append(f"{key}={bps!r}")
    parts += [_counter(counters, key) for key in ("in_errors", "out_errors")]
    parts.append(f"oper_up={oper}i")
    return f"{series} {','.join(p for p in parts if p)} {ts_ms}"


def _counter(counters: Mapping[str, int], key: str) -> str:
    """``key=<int64>i``, or "" when the agent does not have the counter."""
    try:
        value = counters[key]
    except KeyError:
        return ""
    return f"{key}={value if value <= _INT64_MAX else value - 2**64}i"


def _interface_fields(iface: InterfaceState) -> list[tuple[str, FieldValue]]:
    counters = iface.sample.counters
    fields: list[tuple[str, FieldValue]] = []
    for name in ("in_octets", "out_octets"):
        if (value := counters.get(name)) is not None:
            fields.append((name, value))
    if (bps := iface.in_bps) is not None:
        fields.append(("in_bps", bps))
    if (bps := iface.out_bps) is not None:
        fields.append(("out_bps", bps))
    for name in ("in_errors", "out_errors"):
        if (value := counters.get(name)) is not None:
            fields.append((name, value))
    fields.append(("oper_up", 1 if iface.sample.oper_status == 1 else 0))
    return fields
