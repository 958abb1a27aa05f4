"""Discovery MIB modules: small plugins that each ask one MIB a few questions.

Like a NAV ipdevpoll plugin, a module declares *what to poll* and knows how to
read the answer, nothing else:

- ``name``: unique in a :class:`Registry` (a duplicate raises);
- ``scalars``: OIDs to GET (all modules' scalars go out in shared GET PDUs);
- ``columns``: table columns to walk (only the columns needed, never a whole
  enterprise subtree; all modules' columns are walked side by side);
- ``vendors``: the vendors (see :mod:`collectors.snmp.modules.identity`) the
  module applies to; empty means every device;
- ``max_rows``: optional cap for tables that can be huge (ARP): the walk of
  the module stops past it and the module is skipped with a note;
- ``parse(scalars, columns)``: a PURE function from the varbinds to a typed
  :class:`ModuleResult` (tested on literal captures of real devices);
- ``apply(result, facts)``: copy the result into :class:`DeviceFacts`.

A wrong value type (an OCTET STRING where an INTEGER is expected), a missing
cell or a truncated table is not an exception: :class:`Reader` drops the
value and notes it in ``result.errors``. Anything a parser still raises is
caught by discovery, which then records an error for that module only.

To add a MIB: write a module file with one class, give it a docstring naming
the MIB, the objects collected and how to add a vendor, and register an
instance in :func:`default_registry`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from collectors.base import DeviceFacts
from collectors.snmp.ber import Oid, Tag, Value, VarBind
from collectors.snmp.parsers import text

Scalars = Mapping[Oid, tuple[int, Value]]
Columns = Mapping[Oid, list[VarBind]]

_INT_TAGS = frozenset({Tag.INTEGER, Tag.COUNTER32, Tag.GAUGE32, Tag.TIMETICKS, Tag.COUNTER64})
_TEXT_TAGS = frozenset({Tag.OCTET_STRING, Tag.OPAQUE})
_OID_TAGS = frozenset({Tag.OID})
_EXCEPTION_TAGS = frozenset({Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW})


@dataclass(kw_only=True)
class ModuleResult:
    """The base of every module's result: notes about values that were ignored."""

    errors: list[str] = field(default_factory=list)


R = TypeVar("R", bound=ModuleResult)


class MibModule(Protocol[R]):
    """What discovery needs from a MIB module (see the package docstring)."""

    name: str
    scalars: tuple[Oid, ...]
    columns: tuple[Oid, ...]
    vendors: frozenset[str]
    max_rows: int | None

    def parse(self, scalars: Scalars, columns: Columns) -> R:
        """The module's typed result from GET scalars and walked columns (pure)."""
        ...

    def apply(self, result: R, facts: DeviceFacts) -> None:
        """Copy ``result`` into ``facts``."""
        ...


AnyModule = MibModule[Any]


class Registry:
    """MIB modules by name, in registration order; a duplicate name raises."""

    def __init__(self, modules: Iterable[AnyModule] = ()) -> None:
        self._modules: dict[str, AnyModule] = {}
        for module in modules:
            self.register(module)

    def register(self, module: AnyModule) -> None:
        """Add ``module``; raise :class:`ValueError` if its name is taken."""
        if module.name in self._modules:
            raise ValueError(f"duplicate MIB module name {module.name!r}")
        self._modules[module.name] = module

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._modules)

    def select(self, names: Sequence[str] | None = None) -> list[AnyModule]:
        """The named modules (all when None), in registration order; unknown names raise."""
        if names is None:
            return list(self._modules.values())
        unknown = sorted(set(names) - set(self._modules))
        if unknown:
            raise ValueError(f"unknown MIB module(s) {', '.join(unknown)}; "
                             f"known: {', '.join(self._modules)}")
        return [m for name, m in self._modules.items() if name in names]

    def __contains__(self, name: object) -> bool:
        return name in self._modules

    def __len__(self) -> int:
        return len(self._modules)


@functools.cache
def default_registry() -> Registry:
    """The project's modules, in the order their results are applied (built once)."""
    from collectors.snmp.modules import (
        arp,
        cisco,
        entity,
        h3c,
        hostres,
        huawei,
        interfaces,
        juniper,
        lldp,
        sensors,
        ucd,
    )
    return Registry([
        interfaces.MODULE, entity.MODULE, hostres.MODULE, ucd.MODULE, sensors.MODULE,
        cisco.MODULE, juniper.MODULE, huawei.MODULE, h3c.MODULE, lldp.LLDP_MODULE,
        lldp.CDP_MODULE, arp.MODULE,
    ])


# --------------------------------------------------------------------------- reading values


def dotted(oid: Oid) -> str:
    """``1.3.6...`` text of an OID."""
    return ".".join(map(str, oid))


class Reader:
    """Typed access to GET scalars and walked columns; wrong types become notes.

    Column accessors return ``{row index: value}`` where the index is the OID
    suffix after the column (a tuple: ``(5,)`` for ifIndex 5). Exception
    varbinds and OIDs outside the column are skipped; values of the wrong type
    are dropped and counted in one note per column in ``errors``.
    """

    def __init__(self, scalars: Scalars, columns: Columns, errors: list[str]) -> None:
        self._scalars = scalars
        self._columns = columns
        self.errors = errors

    def _raw(self, column: Oid) -> dict[Oid, tuple[int, Value]]:
        n = len(column)
        return {oid[n:]: (tag, value) for oid, tag, value in self._columns.get(column, ())
                if tag not in _EXCEPTION_TAGS and len(oid) > n and oid[:n] == column}

    def _typed(self, column: Oid, tags: frozenset[int], kind: str) -> dict[Oid, Value]:
        out: dict[Oid, Value] = {}
        wrong: list[int] = []
        for index, (tag, value) in self._raw(column).items():
            if tag in tags:
                out[index] = value
            else:
                wrong.append(tag)
        if wrong:
            self.errors.append(f"{dotted(column)}: {len(wrong)} value(s) ignored "
                               f"(expected {kind}, got {_tag_name(wrong[0])})")
        return out

    def ints(self, column: Oid) -> dict[Oid, int]:
        """Integer-valued cells (INTEGER, Gauge32, Counter...) of a column."""
        return {k: v for k, v in self._typed(column, _INT_TAGS, "an integer").items()
                if isinstance(v, int)}

    def texts(self, column: Oid) -> dict[Oid, str]:
        """OCTET STRING cells of a column, as text (UTF-8, else Latin-1)."""
        return {k: text(v) for k, v in self._typed(column, _TEXT_TAGS, "a string").items()}

    def octets(self, column: Oid) -> dict[Oid, bytes]:
        """OCTET STRING cells of a column, as raw bytes (MAC addresses, chassis ids)."""
        return {k: v for k, v in self._typed(column, _TEXT_TAGS, "a string").items()
                if isinstance(v, bytes)}

    def oids(self, column: Oid) -> dict[Oid, Oid]:
        """OBJECT IDENTIFIER cells of a column (hrStorageType...)."""
        return {k: v for k, v in self._typed(column, _OID_TAGS, "an OID").items()
                if isinstance(v, tuple)}

    def any_text(self, column: Oid) -> dict[Oid, str]:
        """Cells of any type rendered as text (for columns agents type inconsistently)."""
        return {k: text(v) for k, (_tag, v) in self._raw(column).items()}

    def int_scalar(self, oid: Oid) -> int | None:
        """An integer scalar (None when absent or of the wrong type, with a note)."""
        got = self._scalars.get(oid)
        if got is None:
            return None
        tag, value = got
        if tag not in _INT_TAGS or not isinstance(value, int):
            self.errors.append(f"{dotted(oid)}: ignored (expected an integer, "
                               f"got {_tag_name(tag)})")
            return None
        return value

    def text_scalar(self, oid: Oid) -> str:
        """A string scalar as text ("" when absent)."""
        got = self._scalars.get(oid)
        return "" if got is None else text(got[1])

    def bad(self, what: str) -> None:
        """Note a value that is present but unusable (out of range, unparsable)."""
        self.errors.append(what)


def by_first(cells: Mapping[Oid, Any]) -> dict[int, Any]:
    """Re-key single-index cells by their one index arc (ifIndex, entPhysicalIndex)."""
    return {k[0]: v for k, v in cells.items() if len(k) == 1}


def mac_text(raw: bytes) -> str:
    """``aa:bb:cc:dd:ee:ff`` for a 6-octet MAC ("" for anything else)."""
    return ":".join(f"{b:02x}" for b in raw) if len(raw) == 6 else ""


def _tag_name(tag: int) -> str:
    try:
        return Tag(tag).name.replace("_", " ")
    except ValueError:
        return f"tag 0x{tag:02x}"
