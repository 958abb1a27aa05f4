"""The status history: device and agency changes reach the database once, across restarts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from collectors.base import PollResult
from inventory.records import StatusChange
from noc.db import init_schema, make_engine, session_factory
from noc.history import HistoryRecorder
from noc.state import State
from noc.status import AgencyStatus

T0 = 1_790_000_000.0


def _agency(status: str, since: float | None = T0) -> AgencyStatus:
    return AgencyStatus("Q1-BN", "ward", "Phường Bến Nghé", "Ben Nghe Ward", status, since, 0, 2,
                        "upstream q1-dist down" if status == "down" else "")


def _rows(sessions) -> list[tuple[str, str, str, str]]:
    with sessions() as s:
        return [(r.kind, r.subject, r.status, r.reason) for r in
                s.scalars(select(StatusChange).order_by(StatusChange.id))]


def test_changes_are_written_once_and_survive_a_restart(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/h.sqlite3")
    init_schema(engine)
    sessions = session_factory(engine)
    state = State()
    state.apply(PollResult("q1-bn-sw1", True, T0, 0.01))
    state.apply(PollResult("q1-bn-sw1", False, T0 + 10, 1.0, error="timeout"))
    state.apply(PollResult("q1-bn-sw1", False, T0 + 20, 1.0, error="timeout"))  # still down
    rec = HistoryRecorder(sessions)
    rec.note_devices(state.drain_changes())
    rec.note_agencies([_agency("down", T0 + 10)], T0 + 30)
    rec.note_agencies([_agency("down", T0 + 10)], T0 + 40)  # same status: nothing new
    rec.note_agencies([_agency("unknown", None)], T0 + 40)  # no information: not stored
    assert rec.flush() == 3
    assert state.drain_changes() == []
    assert _rows(sessions) == [("device", "q1-bn-sw1", "up", ""),
                               ("device", "q1-bn-sw1", "down", "timeout"),
                               ("agency", "Q1-BN", "down", "upstream q1-dist down")]

    again = HistoryRecorder(sessions)  # a restart: the last stored statuses are known
    again.note_agencies([_agency("down", T0 + 10)], T0 + 50)
    state.apply(PollResult("q1-bn-sw1", True, T0 + 60, 0.01))
    again.note_devices(state.drain_changes())
    assert again.flush() == 1
    assert _rows(sessions)[-1] == ("device", "q1-bn-sw1", "up", "")
    engine.dispose()


def test_a_failed_write_keeps_the_changes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/h.sqlite3")
    sessions = session_factory(engine)
    rec = HistoryRecorder(sessions)
    rec._last = {}
    rec.note_agencies([_agency("up")], T0)
    with pytest.raises(OperationalError):
        rec.flush()
    assert rec.errors == 1
    init_schema(engine)
    assert rec.flush() == 1
    assert _rows(sessions) == [("agency", "Q1-BN", "up", "")]
    engine.dispose()
