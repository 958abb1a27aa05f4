"""TrapBook: recent traps, re-poll on link traps, trap-raised conditions held and cleared."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from collectors.traps import Trap
from collectors.traps.classify import classify
from noc.alerting.traps import (
    AUTH_RULE,
    HARDWARE_RULE,
    RESTART_RULE,
    TrapBook,
    TrapSettings,
    build_receiver,
)
from noc.lab.traps import encode_v2c_trap

DEVICES = {"127.0.0.5": "q7-core", "127.99.9.9": "legacy-sw"}
FAN = "1.3.6.1.4.1.2636.4.1.2"
FAN_OK = "1.3.6.1.4.1.2636.4.2.2"


def trap(oid: str, at: float, source: str = "127.0.0.5", agent: str = "",
         varbinds: tuple[tuple[str, str], ...] = (), if_index: int | None = None) -> Trap:
    verdict = classify(oid, varbinds)
    return Trap(received_at=at, source=source, port=162, version="2c", trap_oid=oid,
                kind=verdict.kind, name=verdict.name, severity=verdict.severity,
                uptime_ticks=1, if_index=if_index, varbinds=varbinds, agent_address=agent,
                clears=verdict.clears)


@pytest.fixture
def links() -> list[tuple[str, int | None]]:
    return []


@pytest.fixture
def book(links: list[tuple[str, int | None]]) -> TrapBook:
    settings = TrapSettings(hold=100.0, keep=3)
    return TrapBook(settings, DEVICES.get, lambda d, i: links.append((d, i)))


def rules(book: TrapBook, now: float) -> dict[str, str]:
    return {c.subject: c.rule for c in book.conditions(now)}


def test_link_traps_ask_for_a_repoll_of_the_device(
        book: TrapBook, links: list[tuple[str, int | None]]) -> None:
    book.add(trap("1.3.6.1.6.3.1.1.5.3", 1.0, if_index=3))
    book.add(trap("1.3.6.1.6.3.1.1.5.4", 2.0, if_index=3))
    book.add(trap("1.3.6.1.6.3.1.1.5.3", 3.0, source="127.0.0.99", if_index=1))  # not ours
    assert links == [("q7-core", 3), ("q7-core", 3)]
    assert book.conditions(4.0) == []


def test_auth_failure_is_held_then_expires(book: TrapBook) -> None:
    book.add(trap("1.3.6.1.6.3.1.1.5.5", 10.0))
    book.add(trap("1.3.6.1.6.3.1.1.5.5", 50.0, source="127.0.0.200"))
    conds = {c.subject: c for c in book.conditions(60.0)}
    assert set(conds) == {"q7-core", "127.0.0.200"}
    assert conds["q7-core"].rule == AUTH_RULE and conds["q7-core"].severity == "warning"
    assert conds["q7-core"].device == "q7-core" and conds["127.0.0.200"].device is None
    assert set(rules(book, 110.0)) == {"127.0.0.200"}  # q7-core's expired at 10 + 100
    assert book.conditions(150.0) == []


def test_repeated_trap_extends_the_hold_and_counts(book: TrapBook) -> None:
    book.add(trap("1.3.6.1.6.3.1.1.5.5", 10.0))
    book.add(trap("1.3.6.1.6.3.1.1.5.5", 90.0))
    [cond] = book.conditions(150.0)
    assert cond.value == 2.0


def test_restart_raises_info_condition_for_the_device(book: TrapBook) -> None:
    book.add(trap("1.3.6.1.6.3.1.1.5.1", 5.0))
    [cond] = book.conditions(6.0)
    assert (cond.rule, cond.subject, cond.severity) == (RESTART_RULE, "q7-core", "info")


def test_v1_agent_address_maps_to_the_device(book: TrapBook) -> None:
    book.add(trap("1.3.6.1.6.3.1.1.5.2", 5.0, source="127.0.0.77", agent="127.99.9.9"))
    assert rules(book, 6.0) == {"legacy-sw": RESTART_RULE}
    assert book.recent()[0].device == "legacy-sw"


def test_hardware_alarm_is_cleared_by_its_ok_trap(book: TrapBook) -> None:
    book.add(trap(FAN, 5.0, varbinds=(("1.3.6.1.4.1.2636.3.1.13.1.5.4.1.1.0", "Fan Tray 0"),)))
    [cond] = book.conditions(6.0)
    assert (cond.rule, cond.subject, cond.severity) == (HARDWARE_RULE, "q7-core:jnxFanFailure",
                                                        "major")
    assert "Fan Tray 0" in cond.summary
    book.add(trap(FAN_OK, 7.0, source="127.0.0.6"))  # another device's OK clears nothing here
    assert len(book.conditions(8.0)) == 1
    book.add(trap(FAN_OK, 9.0))
    assert book.conditions(10.0) == []


def test_stateful_cisco_notification_clears_itself(book: TrapBook) -> None:
    fan = "1.3.6.1.4.1.9.9.13.3.0.4"
    book.add(trap(fan, 1.0, varbinds=(("1.3.6.1.4.1.9.9.13.1.4.1.3.1", "3"),)))
    assert rules(book, 2.0) == {"q7-core:ciscoEnvMonFanNotification": HARDWARE_RULE}
    book.add(trap(fan, 3.0, varbinds=(("1.3.6.1.4.1.9.9.13.1.4.1.3.1", "1"),)))
    assert book.conditions(4.0) == []


def test_info_entity_and_unknown_traps_raise_nothing_but_are_listed(book: TrapBook) -> None:
    book.add(trap("1.3.6.1.2.1.47.2.0.1", 1.0))
    book.add(trap("1.3.6.1.4.1.99999.0.7", 2.0))
    assert book.conditions(3.0) == []
    assert [s.kind for s in book.recent()] == ["unknown", "entity"]


def test_recent_keeps_the_newest_first(book: TrapBook) -> None:
    for i in range(5):
        book.add(trap("1.3.6.1.6.3.1.1.5.1", float(i)))
    recent = book.recent()
    assert [s.at for s in recent] == [4.0, 3.0, 2.0]
    assert recent[0].summary == "coldStart" and recent[0].version == "2c"


def test_a_failing_repoll_callback_does_not_break_add() -> None:
    def fail(device: str, if_index: int | None) -> None:
        raise RuntimeError("down")

    book = TrapBook(TrapSettings(), DEVICES.get, fail)
    book.add(trap("1.3.6.1.6.3.1.1.5.3", 1.0, if_index=1))
    assert len(book.recent()) == 1


def test_settings_validate_and_hide_communities() -> None:
    settings = TrapSettings(listen="127.0.0.1:1162", communities=[SecretStr("trap-secret")])
    assert settings.listen_host_port == ("127.0.0.1", 1162)
    assert "trap-secret" not in repr(settings) and "trap-secret" not in settings.model_dump_json()
    with pytest.raises(ValidationError):
        TrapSettings(listen="nohost")
    with pytest.raises(ValidationError):
        TrapSettings(unknown=1)  # type: ignore[call-arg]
    got: list[Trap] = []
    rx = build_receiver(settings, [b"profile-comm"], [], got.append)
    for community in (b"profile-comm", b"trap-secret", b"other"):
        rx.receive(encode_v2c_trap(community, "1.3.6.1.6.3.1.1.5.1", 1, []), ("127.0.0.5", 162))
    rx.process_pending()
    assert (rx.stats.accepted, rx.stats.bad_auth, len(got)) == (2, 1, 2)
