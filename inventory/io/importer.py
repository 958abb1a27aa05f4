"""Apply an import file to the inventory: all of it in one transaction, or nothing.

:func:`run_import` first checks the whole batch (:func:`inventory.io.checks.plan`),
and refuses it with *every* problem listed if anything is wrong. Otherwise it
writes each record through :class:`inventory.service.Inventory` (so each change
is audited with who, through which path, and the before/after of each field;
unchanged records are not), deletes what the file no longer names when pruning,
and commits, or rolls back for a dry run. A refusal by the service while
writing (a race with another writer, a record that cannot be deleted) rolls
everything back and is reported with its row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.enums import Action
from inventory.io.checks import Plan, Progress, plan
from inventory.io.errors import InventoryImportError, RowError
from inventory.io.formats import Batch
from inventory.schemas import RECORDS
from inventory.service import Actor, Change, Inventory, InventoryError

ACTIONS = ("create", "update", "unchanged", "retire", "delete")
"""The columns of an import's counts, per entity."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: ``prune`` deletes what the file's entities no longer name.

    Pruned devices are retired (status ``retired``), or deleted with ``purge``.
    ``dry_run`` does everything, then rolls back.
    """

    dry_run: bool = False
    prune: bool = False
    purge: bool = False


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    dry_run: bool
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {e: Counter() for e in RECORDS})
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """How many records were created, updated, retired or deleted."""
        return len(self.changes)

    def count(self, entity: str, action: str) -> int:
        """How many records of ``entity`` got ``action`` (one of :data:`ACTIONS`)."""
        return self.counts[entity][action]

    def note(self, entity: str, change: Change | None) -> None:
        """Count one record's outcome (None or an empty retire: unchanged)."""
        if change is None or (change.action is Action.RETIRE and not change.changes):
            self.counts[entity]["unchanged"] += 1
            return
        self.counts[entity][change.action.value] += 1
        self.changes.append(change)


def run_import(session: Session, batch: Batch, actor: Actor,
               options: ImportOptions | None = None, progress: Progress | None = None
               ) -> ImportReport:
    """Check and apply ``batch`` in one transaction of ``session`` (commit, or roll back).

    Raises :class:`InventoryImportError` listing every problem; nothing is changed then.
    """
    options = options or ImportOptions()
    inv = Inventory(session, actor)
    try:
        checked = plan(inv, batch, prune=options.prune, purge=options.purge, progress=progress)
        if checked.errors:
            raise InventoryImportError(checked.errors)
        report = _apply(inv, checked, options, progress)
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise InventoryImportError([RowError("database", 0, "", f"refused: {exc.orig}")]
                                   ) from exc
    except BaseException:
        session.rollback()
        raise
    if options.dry_run:
        session.rollback()
    else:
        session.commit()
    return report


def _apply(inv: Inventory, checked: Plan, options: ImportOptions,
           progress: Progress | None) -> ImportReport:
    report = ImportReport(options.dry_run)
    total = len(checked.puts) + len(checked.deletes)
    for done, (row, rec) in enumerate(checked.puts, start=1):
        try:
            report.note(row.entity, inv.put(row.entity, rec))
        except InventoryError as exc:
            raise InventoryImportError([row.error(exc.field, exc.reason)]) from exc
        if progress and done % 1000 == 0:
            progress("writing", done, total)
    for done, (entity, key) in enumerate(checked.deletes, start=len(checked.puts) + 1):
        try:
            report.note(entity, inv.delete(entity, key, purge=options.purge))
        except InventoryError as exc:
            raise InventoryImportError([RowError(
                "prune", 0, exc.field, f"{entity} {key!r} is absent from the file but cannot "
                f"be deleted: {exc.reason}")]) from exc
        if progress and done % 100 == 0:
            progress("writing", done, total)
    if progress:
        progress("writing", total, total)
    return report
