"""Every recorded CLI capture parses to its expected result; every parser has a capture."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.unit.collectors.ssh.cli_fixtures import FIXTURES, cases, compact, parsers

PARSERS = parsers()


@pytest.mark.parametrize("raw", cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_recorded_output_parses_to_expected_result(raw: Path) -> None:
    platform, slug = raw.parent.parent.name, raw.parent.name
    assert (platform, slug) in PARSERS, f"{raw}: no parser for {platform} {slug}"
    expected_file = raw.with_suffix(".yml")
    assert expected_file.exists(), f"{raw}: missing expected result {expected_file.name}"
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    result = compact(PARSERS[(platform, slug)](raw.read_text(encoding="utf-8")))
    assert result == expected


def test_every_parser_has_a_recorded_fixture() -> None:
    recorded = {(p.parent.parent.name, p.parent.name) for p in cases()}
    missing = sorted(set(PARSERS) - recorded)
    assert not missing, f"parsers without a recorded capture under {FIXTURES}: {missing}"


def test_every_fixture_directory_belongs_to_a_parser() -> None:
    dirs = {(d.parent.name, d.name) for d in FIXTURES.glob("*/*") if d.is_dir()}
    assert not dirs - set(PARSERS), f"fixtures nobody parses: {sorted(dirs - set(PARSERS))}"
