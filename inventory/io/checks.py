"""Check a whole import before anything is written: records, duplicates, references.

:func:`plan` validates every row (a row names only the fields it changes: the
others keep their recorded value, or the default for a new record), refuses the
same key, serial or asset tag twice, and references that resolve neither in the
file nor in the database; it collects *every* problem and returns them with the
ordered list of writes and deletes that :mod:`inventory.io.importer` applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from inventory.io.errors import RowError
from inventory.io.formats import KEY_FIELDS, SECTIONS, Batch, Row, fields_of
from inventory.schemas import RECORDS, record_key
from inventory.service import Inventory

REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "agency": (("parent", "agency"),), "site": (("agency", "agency"),),
    "device": (("site", "site"),), "interface": (("device", "device"),),
    "link": (("a_device", "device"), ("b_device", "device")),
}
"""Reference fields of each entity and the entity they name."""
UNIQUE = ("serial", "asset_tag")
Progress = Callable[[str, int, int], None]
"""Called with (phase, rows done, rows in all) while long work goes on."""


@dataclass(slots=True)
class Plan:
    """What an import will do: ``puts`` in dependency order, then ``deletes`` (when pruning)."""

    puts: list[tuple[Row, BaseModel]] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def plan(inv: Inventory, batch: Batch, *, prune: bool, purge: bool,
         progress: Progress | None = None) -> Plan:
    """Check ``batch`` against itself and the database (read only) and order its changes."""
    inv.preload()
    existing = {e: {record_key(e, r): r for r in inv.records(e)} for e in RECORDS}
    result = Plan(errors=list(batch.errors))
    valid: dict[str, dict[str, tuple[Row, BaseModel]]] = {e: {} for e in RECORDS}
    named: dict[str, set[str]] = {e: set() for e in RECORDS}  # valid or not: no echo errors
    for done, row in enumerate(batch.rows, start=1):
        named[row.entity].add(_validate(row, existing[row.entity], valid[row.entity],
                                        result.errors))
        if progress and done % 1000 == 0:
            progress("checking", done, len(batch.rows))
    gone = {e for e in batch.entities if prune and (e != "device" or purge)}
    known = {e: named[e] | (set() if e in gone else set(existing[e])) for e in RECORDS}
    for entity in RECORDS:
        items = list(valid[entity].values())
        if entity == "agency":
            items = _parents_first(items, result.errors)
        for row, rec in items:
            _references(row, rec, known, existing, result.errors)
        result.puts.extend(items)
    _unique(result.puts, existing["device"], result.errors)
    if prune:
        result.deletes = _absent(batch, existing, valid)
    sources = {row.source: n for n, row in enumerate(reversed(batch.rows))}
    result.errors.sort(key=lambda e: (-sources.get(e.source, len(batch.rows)), e.row))
    return result


def _validate(row: Row, existing: dict[str, dict[str, Any]],
              valid: dict[str, tuple[Row, BaseModel]], errors: list[RowError]) -> str:
    """Validate one row merged over its recorded values; the key it names ("" if none)."""
    keys = KEY_FIELDS[row.entity]
    raw = {k: str(row.data.get(k) or "").strip() for k in keys}
    key = record_key(row.entity, raw) if all(raw.values()) else ""
    merged = {**existing.get(key, {}), **row.data}
    try:
        rec = RECORDS[row.entity].model_validate(merged)
    except ValidationError as exc:
        errors.extend(row.error(str(e["loc"][0]) if e["loc"] else "", message(row.entity, e))
                      for e in exc.errors())
        return key
    key = record_key(row.entity, rec)
    if key in valid:
        shown = valid[key][0]
        errors.append(row.error(keys[-1], f"duplicate {row.entity} {key!r}: already on "
                                          f"{shown.unit} {shown.number}"))
        return key
    valid[key] = (row, rec)
    return key


def message(entity: str, error: ErrorDetails) -> str:
    """A technician's wording of one pydantic error."""
    kind, value = error["type"], error.get("input")
    if kind in ("value_error", "assertion_error"):
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        return f"unknown field; known fields: {', '.join(fields_of(entity))}"
    if kind == "enum":
        return f"unknown value {value!r}; expected {error.get('ctx', {}).get('expected', '')}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if kind.startswith("int"):
        return f"{value!r} is not a whole number"
    if kind.startswith("float"):
        return f"{value!r} is not a number"
    if kind == "string_type":
        return f"expected text, got {value!r} (in YAML, put it in quotes)"
    if isinstance(value, str | int | float) and repr(value) not in error["msg"]:
        return f"{error['msg']} (got {value!r})"
    return error["msg"]


def _parents_first(items: list[tuple[Row, BaseModel]], errors: list[RowError]
                   ) -> list[tuple[Row, BaseModel]]:
    """Agencies ordered so that a parent in the file is written before its wards."""
    pending = {record_key("agency", rec): (row, rec) for row, rec in items}
    placed: set[str] = set()
    out: list[tuple[Row, BaseModel]] = []

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in placed or key not in pending:
            return
        row, rec = pending[key]
        if key in trail:
            errors.append(row.error("parent", "parent cycle: " + " → ".join((*trail, key))))
            placed.add(key)
            return
        parent = getattr(rec, "parent", None)
        if parent:
            visit(parent, (*trail, key))
        if key not in placed:
            placed.add(key)
            out.append((row, rec))

    for key in pending:
        visit(key, ())
    return out


def _references(row: Row, rec: BaseModel, known: dict[str, set[str]],
                existing: dict[str, dict[str, dict[str, Any]]], errors: list[RowError]) -> None:
    for name, target in REFERENCES[row.entity]:
        ref = getattr(rec, name)
        if ref and ref not in known[target]:
            where = ("in the database, but absent from the file and pruned"
                     if ref in existing[target] else "neither in the file nor in the database")
            errors.append(row.error(name, f"unknown {target} {ref!r} ({where})"))


def _unique(puts: list[tuple[Row, BaseModel]], existing: dict[str, dict[str, Any]],
            errors: list[RowError]) -> None:
    """Serials and asset tags: one device each, checked in the order the writes happen."""
    for column in UNIQUE:
        owner: dict[str, tuple[str, Row | None]] = {
            rec[column]: (name, None) for name, rec in existing.items() if rec[column]}
        current = {name: rec[column] for name, rec in existing.items()}
        for row, rec in puts:
            if row.entity != "device":
                continue
            name, value = record_key("device", rec), getattr(rec, column)
            held = owner.get(value) if value else None
            if held is not None and held[0] != name:
                where = (f"{held[1].unit} {held[1].number}" if held[1] is not None
                         else "in the database")
                errors.append(row.error(column, f"duplicate {column} {value!r}: already on "
                                                f"device {held[0]!r} ({where})"))
                continue
            if current.get(name):
                owner.pop(current[name], None)
            current[name] = value
            if value:
                owner[value] = (name, row)


def _absent(batch: Batch, existing: dict[str, dict[str, dict[str, Any]]],
            valid: dict[str, dict[str, tuple[Row, BaseModel]]]) -> list[tuple[str, str]]:
    """Records of the file's entities that the file does not name, children first."""
    keep = {e: set(valid[e]) for e in RECORDS}
    for _row, rec in valid["link"].values():  # link ends are recorded on the fly
        keep["interface"] |= {f"{rec.a_device}/{rec.a_interface}",  # type: ignore[attr-defined]
                              f"{rec.b_device}/{rec.b_interface}"}  # type: ignore[attr-defined]
    out = [(e, key) for e in reversed(SECTIONS) if e in batch.entities
           for key in existing[e] if key not in keep[e]]
    agencies = existing["agency"]

    def depth(key: str) -> int:
        parent, seen = agencies[key]["parent"], {key}
        while parent in agencies and parent not in seen:
            seen.add(parent)
            parent = agencies[parent]["parent"]
        return len(seen)

    order = list(reversed(SECTIONS))  # children first; wards before their district
    return sorted(out, key=lambda d: (order.index(d[0]),
                                      -depth(d[1]) if d[0] == "agency" else 0))
