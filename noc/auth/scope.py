"""What a viewer limited to one agency may see: that agency and the wards under it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class _HasParent(Protocol):
    @property
    def parent(self) -> str | None: ...


class _HasAgencies(Protocol):
    @property
    def agencies(self) -> Mapping[str, _HasParent]: ...


def visible_agencies(scope: str | None, catalog: _HasAgencies) -> set[str] | None:
    """Agency codes visible to ``scope`` (None: all of them, no filtering).

    The agency itself and every agency below it (a district's wards), however
    deep. An agency the catalog does not know still sees itself and nothing else.
    """
    if scope is None:
        return None
    children: dict[str, list[str]] = {}
    for code, agency in catalog.agencies.items():
        if agency.parent is not None:
            children.setdefault(agency.parent, []).append(code)
    seen = {scope}
    todo = [scope]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen
