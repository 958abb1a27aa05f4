"""Normalization of fetched configurations, so that an unchanged device stores no new version.

Devices print lines that change on every fetch without any change of the
configuration: Cisco's "! Last configuration change at …" and
"Current configuration : N bytes" headers, ``ntp clock-period`` (adjusted by
NTP all the time), Junos' "## Last commit: …", Huawei's "!Last configuration
was updated at …". :func:`normalize` drops those, unifies line endings, trims
trailing blanks and blank lines at both ends. Everything else is kept as
fetched, so a stored version can still be restored.

To add a volatile line, add an anchored pattern to ``VOLATILE`` and a case to
``tests/unit/noc/configs/test_normalize.py``.
"""

from __future__ import annotations

import re

__all__ = ["VOLATILE", "is_volatile", "normalize"]

VOLATILE: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    # Cisco IOS / IOS-XE / NX-OS
    r"^Building configuration\.*\s*$",
    r"^Current configuration\s*:\s*\d+ bytes\s*$",
    r"^!\s*Last configuration change at ",
    r"^!\s*NVRAM config last updated at ",
    r"^!\s*No configuration change since last restart",
    r"^!\s*Time:\s",
    r"^!\s*Running configuration last done at:",
    r"^ntp clock-period \d+\s*$",
    # Juniper Junos (curly and "display set")
    r"^## Last (?:commit|changed): ",
    r"^\{(?:master|backup|primary|secondary|linecard)(?::(?:node)?\d+)?\}\s*$",
    # Huawei VRP
    r"^!Software Version ",
    r"^!Last configuration was (?:updated|saved) at ",
    r"^!Time: ",
))


def is_volatile(line: str) -> bool:
    """Whether ``line`` changes between fetches without a configuration change."""
    return any(pattern.search(line) for pattern in VOLATILE)


def normalize(text: str) -> str:
    r"""``text`` without volatile lines, with ``\n`` endings, trimmed, ending in one newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept = [line for line in lines if not is_volatile(line)]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept) + "\n" if kept else ""
