"""Errors of an import: each names the file, the row (or YAML item), the field and why."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 100
"""How many errors an :class:`InventoryImportError` lists before "and N more"."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of an import file.

    ``row`` counts as a spreadsheet does (header = row 1, first record = row 2)
    for CSV, and from 1 within its section for YAML (``unit`` is then "item");
    0 means the file as a whole. ``field`` is empty when the whole row is at fault.
    """

    source: str
    row: int
    field: str
    message: str
    unit: str = "row"

    def __str__(self) -> str:
        where = f"{self.source} {self.unit} {self.row}" if self.row else self.source
        return f"{where}, field {self.field}: {self.message}" if self.field else \
            f"{where}: {self.message}"


class InventoryImportError(ValueError):
    """An import refused as a whole; ``errors`` lists every problem found (nothing changed)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(self.summary())

    def summary(self, limit: int = MAX_SHOWN) -> str:
        """The errors one per line, at most ``limit`` of them, then "and N more"."""
        lines = [str(e) for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"and {len(self.errors) - limit} more")
        head = f"import rejected, nothing changed: {len(self.errors)} error(s)"
        return "\n".join([head, *lines])
