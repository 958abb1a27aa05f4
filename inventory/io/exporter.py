"""Write the inventory out as YAML or CSV, in natural-key order, fields in schema order.

Exporting, importing the file and exporting again gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from inventory.enums import Via
from inventory.io.formats import SECTIONS, write_csv, write_yaml
from inventory.schemas import RECORDS
from inventory.service import Actor, Inventory

_READER = Actor("export", Via.CLI)  # reads only: never audited


def export_records(session: Session, entities: Iterable[str] | None = None,
                   progress: Callable[[str], None] | None = None
                   ) -> dict[str, list[dict[str, Any]]]:
    """Every record of each entity (all by default), in natural-key order."""
    inv = Inventory(session, _READER, audit=False)
    inv.preload()
    out: dict[str, list[dict[str, Any]]] = {}
    for entity in entities or RECORDS:
        if entity not in RECORDS:
            raise ValueError(f"unknown entity {entity!r}; known: {', '.join(RECORDS)}")
        out[entity] = inv.records(entity)
        if progress:
            progress(entity)
    return out


def export_yaml(session: Session, progress: Callable[[str], None] | None = None) -> str:
    """The whole inventory as one YAML document."""
    return write_yaml(export_records(session, progress=progress))


def export_csv(session: Session, entity: str) -> str:
    """One entity's table as CSV text."""
    return write_csv(entity, export_records(session, [entity])[entity])


def export_csv_dir(session: Session, directory: Path,
                   progress: Callable[[str], None] | None = None) -> list[Path]:
    """One ``<section>.csv`` per entity in ``directory`` (created); the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for entity, records in export_records(session, progress=progress).items():
        path = directory / f"{SECTIONS[entity]}.csv"
        path.write_text(write_csv(entity, records), encoding="utf-8", newline="")
        written.append(path)
    return written
