"""A compact, read-only mapping of an interface's counters (name -> value).

The state keeps the latest sample of every interface, and a city fleet has
hundreds of thousands of them: a dict of eight Python ints costs ~600 bytes,
this ~130 (one unsigned 64-bit array plus a presence mask).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping

NAMES = ("in_octets", "out_octets", "in_ucast_pkts", "out_ucast_pkts", "in_errors",
         "out_errors", "in_discards", "out_discards")
_INDEX = {name: i for i, name in enumerate(NAMES)}
_MAX = 2**64 - 1


class CounterSet(Mapping[str, int]):
    """Counters by name; only :data:`NAMES` are kept (others are dropped)."""

    __slots__ = ("_mask", "_values")

    def __init__(self, counters: Mapping[str, int]) -> None:
        values = array("Q", bytes(8 * len(NAMES)))
        mask = 0
        for name, value in counters.items():
            i = _INDEX.get(name)
            if i is not None and 0 <= value <= _MAX:
                values[i] = value
                mask |= 1 << i
        self._values = values
        self._mask = mask

    def __getitem__(self, name: str) -> int:
        i = _INDEX.get(name)
        if i is None or not self._mask >> i & 1:
            raise KeyError(name)
        return int(self._values[i])

    def __iter__(self) -> Iterator[str]:
        return (name for i, name in enumerate(NAMES) if self._mask >> i & 1)

    def __len__(self) -> int:
        return self._mask.bit_count()

    def __repr__(self) -> str:
        return f"CounterSet({dict(self)!r})"
