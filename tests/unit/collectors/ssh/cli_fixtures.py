"""Recorded CLI captures: where they live, which parser reads them, how results compare.

``tests/fixtures/cli/<platform>/<command slug>/<case>.raw`` is what the device
printed; ``<case>.yml`` is the expected normalised result, written as
:func:`compact` of it (dataclass fields left at their default are omitted).
Platforms are netmiko device types; ``linux`` is :mod:`collectors.ssh.linux`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collectors.ssh.cli import PARSERS, command_slug, parse_command
from collectors.ssh.linux import COMMANDS, LinuxFacts

FIXTURES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "cli"


def _linux(command: str) -> Callable[[str], Any]:
    def parse(raw: str) -> LinuxFacts:
        facts = LinuxFacts()
        COMMANDS[command](facts, raw)
        return facts
    return parse


def _cli(device_type: str, command: str) -> Callable[[str], Any]:
    return lambda raw: parse_command(device_type, command, raw)


def parsers() -> dict[tuple[str, str], Callable[[str], Any]]:
    """Every (platform, command slug) the code can parse, with its parse function."""
    table = {("linux", command_slug(c)): _linux(c) for c in COMMANDS}
    for device_type, commands in PARSERS.items():
        for parser in commands:
            table[(device_type, parser.slug)] = _cli(device_type, parser.command)
    return table


def cases() -> list[Path]:
    """Every recorded ``.raw`` capture, sorted."""
    return sorted(FIXTURES.glob("*/*/*.raw"))


def compact(value: Any) -> Any:
    """Dataclasses as dicts of their non-default fields (recursively), for YAML comparison."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = dataclasses.MISSING
            if item != default:
                out[f.name] = compact(item)
        return out
    if isinstance(value, list | tuple):
        return [compact(v) for v in value]
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items()}
    return value
