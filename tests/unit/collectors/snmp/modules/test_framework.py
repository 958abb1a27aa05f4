"""The module framework: registry, Reader notes, and a docstring/fixture meta-test."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.base import DeviceFacts
from collectors.snmp.ber import Oid, Tag
from collectors.snmp.modules import (
    Columns,
    ModuleResult,
    Reader,
    Registry,
    Scalars,
    by_first,
    default_registry,
    mac_text,
)

COL: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 8)
MODULE_FILES = {"interfaces": "interfaces", "entity": "entity", "hostres": "hostres",
                "ucd": "ucd", "sensors": "sensors", "cisco": "cisco", "juniper": "juniper",
                "huawei": "huawei", "h3c": "h3c", "lldp": "lldp", "cdp": "lldp", "arp": "arp"}
TESTED = {name: f"test_{file}" for name, file in MODULE_FILES.items()}


@dataclass(kw_only=True)
class _Empty(ModuleResult):
    pass


class _Dummy:
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = ()
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def __init__(self, name: str) -> None:
        self.name = name

    def parse(self, scalars: Scalars, columns: Columns) -> _Empty:
        return _Empty()

    def apply(self, result: _Empty, facts: DeviceFacts) -> None:
        pass


def test_duplicate_module_name_raises():
    registry = Registry([_Dummy("a")])
    with pytest.raises(ValueError, match="duplicate MIB module name 'a'"):
        registry.register(_Dummy("a"))


def test_select_keeps_registration_order_and_rejects_unknown_names():
    registry = Registry([_Dummy("a"), _Dummy("b"), _Dummy("c")])
    assert [m.name for m in registry.select(["c", "a"])] == ["a", "c"]
    assert len(registry.select()) == len(registry) == 3
    with pytest.raises(ValueError, match="unknown MIB module"):
        registry.select(["a", "nope"])


def test_default_registry_has_every_module_once():
    assert default_registry().names() == list(MODULE_FILES)


@pytest.mark.parametrize("name", list(MODULE_FILES))
def test_every_module_is_documented_and_tested_on_a_capture(name: str):
    module = next(m for m in default_registry().select([name]))
    source = importlib.import_module(f"collectors.snmp.modules.{MODULE_FILES[name]}")
    doc = source.__doc__ or ""
    assert "MIB" in doc and "vendor" in doc.lower()
    assert len(module.columns) == len(set(module.columns))
    assert all(len(c) > 7 for c in module.columns), "walk columns, never whole subtrees"
    importlib.import_module(f"tests.unit.collectors.snmp.modules.{TESTED[name]}")


def test_reader_drops_wrong_types_with_one_note_per_column():
    errors: list[str] = []
    columns = {COL: [((*COL, 1), Tag.INTEGER, 1), ((*COL, 2), Tag.OCTET_STRING, b"up"),
                     ((*COL, 3), Tag.OCTET_STRING, b"down"), ((*COL, 4), Tag.NO_SUCH_INSTANCE,
                                                               None)]}
    cells = Reader({}, columns, errors).ints(COL)
    assert cells == {(1,): 1}
    assert errors == ["1.3.6.1.2.1.2.2.1.8: 2 value(s) ignored (expected an integer, "
                      "got OCTET STRING)"]


def test_reader_ignores_oids_outside_the_column_and_notes_bad_scalars():
    errors: list[str] = []
    scalar: Oid = (1, 3, 6, 1, 2, 1, 1, 3, 0)
    read = Reader({scalar: (Tag.OCTET_STRING, b"12")},
                  {COL: [((*COL[:-1], 9, 1), Tag.INTEGER, 5)]}, errors)
    assert read.ints(COL) == {}
    assert read.int_scalar(scalar) is None and read.int_scalar((1, 3)) is None
    assert errors == ["1.3.6.1.2.1.1.3.0: ignored (expected an integer, got OCTET STRING)"]


def test_helpers():
    assert by_first({(5,): "a", (1, 2): "b"}) == {5: "a"}
    assert mac_text(bytes.fromhex("0023899123ff")) == "00:23:89:91:23:ff"
    assert mac_text(b"\x00\x01") == ""


_INTS = st.one_of(st.integers(-5, 120), st.integers(-(2**31), 2**31 - 1))
_VALUES = st.one_of(  # integers twice: most columns want them, so rows line up more often
    st.tuples(st.just(int(Tag.INTEGER)), _INTS),
    st.tuples(st.just(int(Tag.INTEGER)), _INTS),
    st.tuples(st.sampled_from([int(Tag.GAUGE32), int(Tag.COUNTER64)]), st.integers(0, 2**64 - 1)),
    st.tuples(st.just(int(Tag.OCTET_STRING)), st.binary(max_size=24)),
    st.tuples(st.just(int(Tag.OID)), st.lists(st.integers(0, 2**32), min_size=2,
                                               max_size=12).map(tuple)),
    st.tuples(st.sampled_from([int(Tag.NULL), int(Tag.NO_SUCH_INSTANCE)]), st.none()),
)
_INDEXES = st.one_of(st.tuples(st.integers(0, 3)),
                   st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=7).map(tuple))


@pytest.mark.parametrize("name", list(MODULE_FILES))
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_varbinds_parse_and_apply_without_raising(name: str, data: st.DataObject):
    module = default_registry().select([name])[0]
    rows = data.draw(st.lists(_INDEXES, min_size=1, max_size=3))  # shared: rows line up
    columns = {column: [((*column, *data.draw(st.sampled_from(rows))), *data.draw(_VALUES))
                        for _ in range(data.draw(st.integers(0, 3)))]
               for column in module.columns}
    scalars = {oid: data.draw(_VALUES) for oid in module.scalars}
    result = module.parse(scalars, columns)
    module.apply(result, DeviceFacts())
