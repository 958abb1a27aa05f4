"""Volatile lines are dropped, so an unchanged device gives the same normalized text."""

from __future__ import annotations

import pytest

from noc.configs.normalize import is_volatile, normalize

CISCO_A = """Building configuration...

Current configuration : 1024 bytes
!
! Last configuration change at 10:12:33 ICT Fri Mar 1 2024 by noc
! NVRAM config last updated at 10:13:00 ICT Fri Mar 1 2024 by noc
!
hostname q1-dist-sw1
ntp clock-period 36028797
ntp server 127.0.0.60
end
"""
CISCO_B = CISCO_A.replace("1024 bytes", "1025 bytes").replace("10:12:33", "11:00:00") \
    .replace("36028797", "36028801").replace("10:13:00", "11:01:00")


def test_cisco_fetches_differing_only_in_volatile_lines_normalize_equal() -> None:
    assert CISCO_A != CISCO_B
    assert normalize(CISCO_A) == normalize(CISCO_B)
    assert normalize(CISCO_A) == "!\n!\nhostname q1-dist-sw1\nntp server 127.0.0.60\nend\n"


@pytest.mark.parametrize("line", [
    "## Last commit: 2024-03-01 10:12:33 ICT by noc",
    "## Last changed: 2024-03-01 10:12:33 ICT",
    "{master:0}",
    "!Software Version V200R019C10SPC500",
    "!Last configuration was updated at 2024-03-01 10:12:33+07:00 by noc",
    "!Last configuration was saved at 2024-03-01 10:12:33+07:00 by noc",
    "!Time: Fri Mar  1 10:12:33 2024",
    "! No configuration change since last restart",
])
def test_volatile_lines_of_other_platforms(line: str) -> None:
    assert is_volatile(line)


@pytest.mark.parametrize("line", [
    "! interface to q2-core", "ntp server 127.0.0.60", "hostname q1-dist-sw1",
    "## comment by noc", "set system host-name q1-core-r1", "#", "description Last commit",
])
def test_real_configuration_lines_are_kept(line: str) -> None:
    assert not is_volatile(line)
    assert normalize(line) == line + "\n"


def test_line_endings_trailing_blanks_and_empty_edges() -> None:
    assert normalize("\r\n\r\nhostname q1  \r\n!\r\nend \r\n\r\n") == "hostname q1\n!\nend\n"
    assert normalize("   \n\n") == ""
