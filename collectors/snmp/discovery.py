"""Discovery of one device: identity, inventory, health and neighbours in a few PDUs.

:func:`discover` runs the MIB modules of :mod:`collectors.snmp.modules`
(all of them by default) against one target:

1. one GET pass for the system group and every module's scalars, in PDUs of
   at most :data:`GET_BATCH` OIDs (noSuchObject answers are simply absent);
2. the vendor from sysObjectID, which drops the modules of other vendors;
3. one walk pass: the columns of the remaining modules walked side by side,
   :data:`WALK_GROUP` columns per GETBULK (whole modules per group, so that a
   broken table costs only the modules walked with it); a column shared by
   two modules (entPhysicalName) is walked once; modules with ``max_rows``
   (ARP) are walked on their own and abandoned past the limit;
4. each module's pure ``parse`` and its ``apply`` into :class:`DeviceFacts`,
   right after its group is walked (a deadline keeps what was done);
5. model, firmware and serial from sysDescr where the modules found none.

A module that fails (wrong types, truncated table, an agent error) leaves its
part of the facts empty and adds a line to ``DeviceFacts.errors``; discover
itself never raises for device or network trouble.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from collectors.base import DeviceFacts
from collectors.snmp import mibs
from collectors.snmp.ber import Oid, PduType, Tag, Value, VarBind
from collectors.snmp.client import SnmpClient, SnmpTarget, walk_columns_with
from collectors.snmp.errors import SnmpError, SnmpProtocolError, SnmpTimeout
from collectors.snmp.modules import AnyModule, Registry, default_registry
from collectors.snmp.modules.identity import describe, vendor_of
from collectors.snmp.parsers import parse_system

__all__ = ["GET_BATCH", "WALK_GROUP", "discover"]

GET_BATCH = 20  # OIDs per GET PDU
WALK_GROUP = 16  # columns per walk; PDUs barely depend on it (responses fill up anyway)
_NO_SUCH_NAME = 2
_EXCEPTIONS = (Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW)


class TableTooLargeError(SnmpError):
    """A walk of a module with ``max_rows`` went past the limit."""


class _Session:
    """One discovery: the client, the target and the PDUs sent."""

    def __init__(self, client: SnmpClient, target: SnmpTarget) -> None:
        self.client = client
        self.target = target
        self.pdus = 0

    async def get(self, oids: Sequence[Oid]) -> dict[Oid, tuple[int, Value]]:
        """GET ``oids`` in batches; v1 noSuchName drops the OID named and retries."""
        out: dict[Oid, tuple[int, Value]] = {}
        for start in range(0, len(oids), GET_BATCH):
            batch = list(oids[start:start + GET_BATCH])
            while batch:
                self.pdus += 1
                try:
                    varbinds = await self.client.get(self.target, batch)
                except SnmpProtocolError as exc:
                    if exc.error_status != _NO_SUCH_NAME or not 1 <= exc.error_index <= len(batch):
                        raise
                    del batch[exc.error_index - 1]
                    continue
                out.update((oid, (tag, value)) for oid, tag, value in varbinds
                           if tag not in _EXCEPTIONS)
                break
        return out

    async def walk(self, columns: Sequence[Oid],
                   max_rows: int | None = None) -> dict[Oid, list[VarBind]]:
        """Walk ``columns`` side by side; past ``max_rows`` rows raise TableTooLargeError."""
        target = self.target
        if target.version == "3":
            self.pdus += 1  # the v3 path does not report its PDUs
            return await self.client.walk_columns(target, columns)
        bulk = target.version != "1"
        pdu_type = PduType.GETBULK if bulk else PduType.GETNEXT
        budget = None if max_rows is None else (max_rows + target.max_repetitions) * len(columns)
        seen = 0

        async def step(oids: list[Oid], max_rep: int) -> tuple[int, int, list[VarBind]]:
            nonlocal seen
            self.pdus += 1
            msg = await self.client.request(target, pdu_type, oids, max_rep if bulk else 0)
            seen += len(msg.varbinds)
            if budget is not None and seen > budget:
                raise TableTooLargeError(f"more than {max_rows} rows")
            return msg.error_status, msg.error_index, msg.varbinds

        return await walk_columns_with(step, target, columns, bulk=bulk)


def _groups(modules: Iterable[AnyModule]) -> list[list[AnyModule]]:
    """Modules packed in order into groups of at most :data:`WALK_GROUP` columns."""
    groups: list[list[AnyModule]] = []
    size = WALK_GROUP
    for module in modules:
        if not module.columns:
            continue
        if module.max_rows is not None or size + len(module.columns) > WALK_GROUP:
            groups.append([])
            size = 0
        groups[-1].append(module)
        size += len(module.columns)
        if module.max_rows is not None:
            size = WALK_GROUP  # a bounded module walks alone
    return groups


def _apply(module: AnyModule, scalars: Mapping[Oid, tuple[int, Value]],
           walked: Mapping[Oid, list[VarBind]], facts: DeviceFacts) -> None:
    """Parse and apply one module; any failure becomes an error line, never an exception."""
    columns = {column: walked.get(column, []) for column in module.columns}
    try:
        result: Any = module.parse(scalars, columns)
        module.apply(result, facts)
    except Exception as exc:  # a vendor quirk in one module must not stop discovery
        facts.errors.append(f"{module.name}: parse failed ({type(exc).__name__}: {exc})")
        return
    facts.errors.extend(f"{module.name}: {note}" for note in result.errors)
    facts.modules_run.append(module.name)


async def _walk_group(session: _Session, group: list[AnyModule],
                      walked: dict[Oid, list[VarBind]]) -> str:
    """Walk a group's columns not walked yet into ``walked``; "" or the error."""
    columns = list(dict.fromkeys(c for m in group for c in m.columns if c not in walked))
    if not columns:
        return ""
    limit = group[0].max_rows if len(group) == 1 else None
    try:
        walked.update(await session.walk(columns, limit))
    except TableTooLargeError as exc:
        return f"skipped: table has {exc}"
    except SnmpTimeout:
        return "walk timed out"
    except SnmpError as exc:
        return f"walk failed ({exc})"
    return ""


async def _run(session: _Session, modules: list[AnyModule], facts: DeviceFacts) -> None:
    scalar_oids = list(dict.fromkeys((*mibs.SYSTEM_SCALARS,
                                      *(oid for m in modules for oid in m.scalars))))
    scalars = await session.get(scalar_oids)
    facts.system = parse_system((oid, tag, value) for oid, (tag, value) in scalars.items())
    facts.vendor = vendor_of(facts.system.object_id)
    chosen = [m for m in modules if not m.vendors or facts.vendor in m.vendors]
    for module in chosen:
        if not module.columns:
            _apply(module, scalars, {}, facts)
    walked: dict[Oid, list[VarBind]] = {}
    for group in _groups(chosen):
        error = await _walk_group(session, group, walked)
        for module in group:
            if error:
                facts.errors.append(f"{module.name}: {error}")
            else:
                _apply(module, scalars, walked, facts)


def _fallback(facts: DeviceFacts) -> None:
    """Model, firmware and serial from sysDescr where the modules found none."""
    found = describe(facts.vendor, facts.system.descr)
    facts.model = facts.model or found.model
    facts.firmware = facts.firmware or found.firmware
    facts.serial = facts.serial or found.serial


async def discover(client: SnmpClient, target: SnmpTarget,
                   modules: Sequence[str] | None = None, deadline: float = 30.0,
                   registry: Registry | None = None) -> DeviceFacts:
    """Everything the chosen modules (default: all) can learn about ``target``.

    Never raises for device or network trouble: a dead device gives facts with
    an error line; unknown module names raise :class:`ValueError`.
    """
    chosen = (registry or default_registry()).select(modules)
    facts = DeviceFacts(address=target.address)
    session = _Session(client, target)
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(deadline):
            await _run(session, chosen, facts)
    except TimeoutError:
        facts.errors.append(f"deadline of {deadline:g} s exceeded")
    except SnmpTimeout:
        facts.errors.append("no SNMP response (timeout)")
    except SnmpError as exc:
        facts.errors.append(f"SNMP error: {exc}")
    except OSError as exc:
        facts.errors.append(f"network error: {exc.strerror or exc}")
    _fallback(facts)
    facts.pdus = session.pdus
    facts.duration = time.perf_counter() - t0
    return facts
