"""A linkDown trap pages the link at once; a newer poll or a linkUp trap takes it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.traps import Trap
from tests.unit.alerting.test_service import LINK_FP, T0, UPLINK, World, open_sessions

LINK_DOWN, LINK_UP = "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4"


def _link_trap(up: bool, if_index: int = 10, admin: str = "1", at: float = T0) -> Trap:
    varbinds = ((f"1.3.6.1.2.1.2.2.1.1.{if_index}", str(if_index)),
                (f"1.3.6.1.2.1.2.2.1.7.{if_index}", admin),
                (f"1.3.6.1.2.1.2.2.1.8.{if_index}", "1" if up else "2"),
                (f"1.3.6.1.2.1.2.2.1.2.{if_index}", "ge-1/0/10"))
    return Trap(received_at=at, source="127.31.0.1", port=50162, version="2c",
                trap_oid=LINK_UP if up else LINK_DOWN, kind="link_up" if up else "link_down",
                name="linkUp" if up else "linkDown", severity="info" if up else "warning",
                uptime_ticks=42, if_index=if_index, varbinds=varbinds)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    for sessions in open_sessions(tmp_path):
        yield World(sessions)


def test_link_down_trap_pages_before_any_poll_sees_it(world: World) -> None:
    world.states["core1"].last_poll = T0 - 5  # polled before the fault; the port still reads up
    world.service.receive_trap(_link_trap(up=False))
    [page] = world.at(0.2)
    assert page.incident == LINK_FP and page.labels["alertname"] == "link_down"
    assert page.labels["subject"] == UPLINK
    assert "linkDown trap from core1" in page.annotations["description"]
    assert world.repolled == [["core1"]]  # and the sender is re-polled to confirm


def test_a_newer_poll_that_still_sees_the_port_up_withdraws_it(world: World) -> None:
    world.states["core1"].last_poll = T0 - 5
    world.service.receive_trap(_link_trap(up=False))
    assert len(world.at(0.2)) == 1
    world.states["core1"].last_poll = T0 + 2  # the re-poll: the port answers up after all
    assert [n.status for n in world.at(3)] == ["resolved"]


def test_link_up_trap_withdraws_it_and_admin_down_is_not_a_fault(world: World) -> None:
    world.states["core1"].last_poll = T0 - 5
    world.service.receive_trap(_link_trap(up=False))
    assert len(world.at(0.2)) == 1
    world.service.receive_trap(_link_trap(up=True, at=T0 + 1))
    assert [n.status for n in world.at(1.5)] == ["resolved"]
    world.service.receive_trap(_link_trap(up=False, admin="2", at=T0 + 2))
    assert world.at(2.5) == []


def test_trap_for_a_port_that_ends_no_link_raises_nothing(world: World) -> None:
    world.states["core1"].last_poll = T0 - 5
    world.service.receive_trap(_link_trap(up=False, if_index=77))
    assert world.at(0.2) == []
