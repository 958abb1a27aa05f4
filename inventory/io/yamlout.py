"""A fast block-style YAML writer for flat inventory records (PyYAML's is ~10x slower).

Only what an inventory document holds: a mapping of scalars and lists of flat
mappings whose values are text, numbers, dates, booleans or None. Text is
written plain when it reads back as the same text (diacritics stay readable),
double-quoted with escapes otherwise. ``yaml.safe_load`` of the output gives
back the same values; tests check that on awkward strings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
# characters YAML does not allow raw in a stream, or that break a line (NEL, LS, PS)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
                          "\ufeff\ufffe\uffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _resolves_to_text(value: str) -> bool:
    """Whether a plain scalar ``value`` loads as text (not a number, date, bool, null)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]  # untyped in the stubs
    return bool(tag == _STR_TAG)


@lru_cache(maxsize=65536)
def _text(value: str) -> str:
    """A text value as a plain or double-quoted YAML scalar."""
    plain = (value and value == value.strip() and value[0] not in _INDICATORS
             and "\n" not in value and "\r" not in value and "\t" not in value
             and ": " not in value and " #" not in value and not value.endswith(":")
             and not _UNPRINTABLE.search(value)
             and _resolves_to_text(value))
    if plain:
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def scalar(value: Any) -> str:
    """One value as a YAML scalar that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
    if isinstance(value, date):
        return value.isoformat()
    return _text(str(value))


def dump(header: Mapping[str, Any], sections: Mapping[str, Iterable[Mapping[str, Any]]]) -> str:
    """``header`` scalars, then each section as a list of flat mappings."""
    out = [f"{key}: {scalar(value)}\n" for key, value in header.items()]
    for name, items in sections.items():
        lines = []
        for item in items:
            first = True
            for key, value in item.items():
                lines.append(f"{'- ' if first else '  '}{key}: {scalar(value)}\n")
                first = False
            if first:
                lines.append("- {}\n")
        out.append(f"{name}:\n" + "".join(lines) if lines else f"{name}: []\n")
    return "".join(out)
