"""CSV and YAML inventory files ↔ numbered rows of plain dicts, with an exact round trip.

*YAML* is one document ``{format: metronet-inventory, version: 1, agencies: [...],
sites: [...], devices: [...], interfaces: [...], links: [...]}``; a missing section
means "nothing to do" for that entity. Items are numbered from 1 in their section.

*CSV* is one table per entity; the header is the record's fields in schema order
and tells which entity a file holds. Rows are numbered as in a spreadsheet
(header = row 1). An empty cell is None for a field that may be None
(``str | None``, dates, optional numbers), "" for a plain text field, and
"not given" (the default, or the recorded value on update) for anything else,
so exporting and importing again gives byte-identical files. A UTF-8 BOM (as
Excel writes) is accepted; files are written without one, with LF line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from types import NoneType
from typing import Any, Literal, get_args

import yaml

from inventory.io import yamlout
from inventory.io.errors import RowError
from inventory.schemas import RECORDS

FORMAT, VERSION = "metronet-inventory", 1
SECTIONS: dict[str, str] = {"agency": "agencies", "site": "sites", "device": "devices",
                            "interface": "interfaces", "link": "links"}
"""The YAML section (and CSV file stem) of each entity, in dependency order."""
KEY_FIELDS: dict[str, tuple[str, ...]] = {"agency": ("code",), "site": ("code",),
                                          "device": ("name",), "interface": ("device", "name"),
                                          "link": ("name",)}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Kind = Literal["text", "nullable", "value"]


@dataclass(slots=True)
class Row:
    """One record as read from a file: ``number`` as :class:`RowError` counts rows."""

    entity: str
    source: str
    number: int
    data: dict[str, Any]
    unit: str = "row"

    def error(self, field: str, message: str) -> RowError:
        """A :class:`RowError` pointing at this row."""
        return RowError(self.source, self.number, field, message, self.unit)


@dataclass(slots=True)
class Batch:
    """What a file holds: its rows, the entities it covers, and the problems found reading it."""

    rows: list[Row] = field(default_factory=list)
    entities: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        """Add another file's rows, entities and errors."""
        self.rows.extend(other.rows)
        self.entities |= other.entities
        self.errors.extend(other.errors)


def fields_of(entity: str) -> list[str]:
    """The record fields of ``entity`` in schema order (the CSV header)."""
    return list(RECORDS[entity].model_fields)


@cache
def field_kind(entity: str, name: str) -> Kind:
    """How an empty value of a field reads: None, "" (text), or not given (value)."""
    annotation = RECORDS[entity].model_fields[name].annotation
    if NoneType in get_args(annotation):
        return "nullable"
    return "text" if annotation is str else "value"


def clean(entity: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Apply the empty-value rules to one row (unknown keys are kept for validation)."""
    out: dict[str, Any] = {}
    model_fields = RECORDS[entity].model_fields
    for key, value in data.items():
        if key in model_fields and (value is None or value == ""):
            kind = field_kind(entity, key)
            if kind == "value":
                continue
            value = "" if kind == "text" else None
        out[key] = value
    return out


# -- CSV ---------------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def write_csv(entity: str, records: Iterable[Mapping[str, Any]]) -> str:
    """One entity's records as CSV text (header in schema order, LF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = fields_of(entity)
    writer.writerow(names)
    writer.writerows([_cell(rec.get(n)) for n in names] for rec in records)
    return out.getvalue()


def detect_entity(header: list[str], source: str, entity: str | None = None
                  ) -> tuple[str | None, list[RowError]]:
    """The entity a CSV header belongs to (exact field set), or errors naming the columns."""
    def problem(message: str) -> tuple[None, list[RowError]]:
        return None, [RowError(source, 1, "", message)]

    if not header or header == [""]:
        return problem("empty file: the first row must be the header")
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        return problem(f"column(s) named twice: {', '.join(doubled)}")
    if entity is None:
        for name in RECORDS:
            if set(header) == set(fields_of(name)):
                return name, []
        closest = max(RECORDS, key=lambda n: len(set(header) & set(fields_of(n))))
        unknown = [h for h in header if h not in fields_of(closest)]
        missing = [f for f in fields_of(closest) if f not in header]
        return problem(f"the header matches no entity; closest is {closest}: "
                       + "; ".join(_columns(unknown, missing))
                       + " (or name the entity with --entity to import some columns only)")
    unknown = [h for h in header if h not in fields_of(entity)]
    keys = [k for k in KEY_FIELDS[entity] if k not in header]
    if unknown or keys:
        return problem(f"not a {entity} table: " + "; ".join(_columns(unknown, keys)))
    return entity, []


def _columns(unknown: list[str], missing: list[str]) -> list[str]:
    parts = [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
    return parts + ([f"missing column(s) {', '.join(missing)}"] if missing else [])


def read_csv(text: str, source: str, entity: str | None = None) -> Batch:
    """The rows of one CSV table; ``entity`` forces the entity (columns may then be missing)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        found, errors = detect_entity(header, source, entity)
        if found is None:
            return Batch(errors=errors)
        batch = Batch(entities={found})
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line keeps its number, as in a spreadsheet
            if len(cells) > len(header):
                batch.errors.append(RowError(source, number, "", f"{len(cells)} cells but the "
                                             f"header has {len(header)} columns"))
                continue
            cells += [""] * (len(header) - len(cells))
            batch.rows.append(Row(found, source, number, clean(found, dict(zip(header, cells,
                                                                                 strict=True)))))
    except csv.Error as exc:
        return Batch(errors=[RowError(source, reader.line_num, "", f"unreadable CSV: {exc}")])
    return batch


# -- YAML --------------------------------------------------------------------------------------

def write_yaml(records: Mapping[str, Iterable[Mapping[str, Any]]]) -> str:
    """A YAML document of the given entities' records (readable diacritics, ISO dates)."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for entity, section in SECTIONS.items():
        if entity in records:
            names = fields_of(entity)
            sections[section] = [{n: rec.get(n) for n in names} for rec in records[entity]]
    return yamlout.dump({"format": FORMAT, "version": VERSION}, sections)


def read_yaml(text: str, source: str) -> Batch:
    """The rows of a YAML inventory document (sections in any order, each optional)."""
    def problem(message: str) -> Batch:
        return Batch(errors=[RowError(source, 0, "", message)])

    try:
        doc = yaml.load(text.removeprefix("\ufeff"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        return problem(f"not valid YAML: {exc}")
    if not isinstance(doc, dict):
        return problem(f"not an inventory document: expected a mapping with format: {FORMAT}")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        return problem(f"not an inventory document: expected format: {FORMAT} and version: "
                       f"{VERSION}, found format: {doc.get('format')!r}, "
                       f"version: {doc.get('version')!r}")
    known = {"format", "version", *SECTIONS.values()}
    unknown = [str(k) for k in doc if k not in known]
    batch = problem(f"unknown section(s) {', '.join(unknown)}; known: "
                    f"{', '.join(SECTIONS.values())}") if unknown else Batch()
    for entity, section in SECTIONS.items():
        if section in doc:
            batch.extend(_section(entity, doc[section], f"{source} {section}"))
    return batch


def _section(entity: str, items: Any, source: str) -> Batch:
    if items is None:
        items = []
    if not isinstance(items, list):
        return Batch(errors=[RowError(source, 0, "", "a section is a list of records")])
    batch = Batch(entities={entity})
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            data = {str(k): v for k, v in item.items()}
            batch.rows.append(Row(entity, source, number, clean(entity, data), "item"))
        else:
            batch.errors.append(RowError(source, number, "", "a record is a mapping of "
                                         "field: value", "item"))
    return batch


# -- files and in-memory documents --------------------------------------------------------------

def read_path(path: Path, entity: str | None = None) -> Batch:
    """Read a .yaml/.yml file, a .csv file, or a directory of ``<section>.csv`` files."""
    if path.is_dir():
        return _read_dir(path)
    text = _text(path)
    if isinstance(text, RowError):
        return Batch(errors=[text])
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(text, path.name)
    if suffix == ".csv":
        return read_csv(text, path.name, entity)
    return Batch(errors=[RowError(path.name, 0, "", "expected a .yaml, .yml or .csv file, "
                                  "or a directory of CSV files")])


def _read_dir(path: Path) -> Batch:
    batch = Batch()
    stems = {section: entity for entity, section in SECTIONS.items()}
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    for extra in (p for p in files if p.stem not in stems):
        batch.errors.append(RowError(extra.name, 0, "", "unknown table; expected "
                                     + ", ".join(f"{s}.csv" for s in SECTIONS.values())))
    if not files:
        batch.errors.append(RowError(path.name, 0, "", "no CSV files in this directory"))
    for file in sorted((p for p in files if p.stem in stems),
                       key=lambda p: list(stems).index(p.stem)):
        text = _text(file)
        batch.extend(Batch(errors=[text]) if isinstance(text, RowError)
                     else read_csv(text, file.name, stems[file.stem]))
    return batch


def _text(path: Path) -> str | RowError:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return RowError(path.name, 0, "", f"not UTF-8 text (byte {exc.start}); save it as "
                        "UTF-8 (\"CSV UTF-8\" in Excel)")
    except OSError as exc:
        return RowError(path.name, 0, "", f"cannot read: {exc.strerror or exc}")


def batch_from_records(records: Mapping[str, Iterable[Mapping[str, Any]]],
                       source: str = "records") -> Batch:
    """A batch made in memory (for the lab and for tests), numbered like YAML items."""
    batch = Batch()
    for entity, section in SECTIONS.items():
        if entity in records:
            batch.entities.add(entity)
            batch.rows.extend(Row(entity, f"{source} {section}", n, clean(entity, dict(rec)),
                                  "item") for n, rec in enumerate(records[entity], start=1))
    return batch
