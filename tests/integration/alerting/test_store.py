"""AlertStore on SQLite and PostgreSQL: alert state across restarts, history, windows, silences."""

from __future__ import annotations

import dataclasses

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from noc.alerting.model import Alert, AlertEvent, AlertState, fingerprint
from noc.alerting.store import AlertStore
from noc.alerting.tables import AlertStateRow
from noc.db import alembic_config, init_schema, make_engine, schema_differences, session_factory
from tests.integration.inventory.conftest import Db

pytestmark = pytest.mark.integration
T0 = 1_790_000_000.25  # 2026-09-21, a time with an exact binary fraction
TABLES = {"alert_state", "alert_event", "maintenance_window", "alert_silence", "alert_meta"}


def _alert(rule: str = "device_unreachable", subject: str = "q7-core", **kw: object) -> Alert:
    base = Alert(fingerprint(rule, subject), rule, subject, "critical",
                 f"{subject} không trả lời ping và SNMP", device=subject, agency="Q7",
                 labels={"site": "UBND Quận 7", "ghi_chú": "Phường Tân Phong"}, value=1.5,
                 state=AlertState.FIRING, active_since=T0, fired_at=T0 + 60.5,
                 last_true=T0 + 120.125, flapping=True, suppressed_by="00ff00ff00ff00ff",
                 incident="00ff00ff00ff00ff", acked_by="lan", acked_at=T0 + 200.0,
                 ack_note="Đang xử lý", notified=True)
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


@pytest.fixture
def store(db: Db) -> AlertStore:
    return AlertStore(db.sessions)


def test_firing_alert_round_trips_with_every_field(store: AlertStore):
    alert = _alert()
    store.save([alert], [])
    assert store.load_active() == [alert]
    assert store.load_active()[0].labels["ghi_chú"] == "Phường Tân Phong"


def test_save_updates_in_place_and_deletes_resolved_alerts(store: AlertStore, db: Db):
    a, b = _alert(), _alert("if_down", "q7-core/3", state=AlertState.PENDING, fired_at=None,
                            acked_by=None, acked_at=None, ack_note="", notified=False,
                            value=None, device="q7-core", agency=None, labels={})
    store.save([a, b], [])
    a2 = dataclasses.replace(a, severity="major", summary="đổi", acked_by=None, acked_at=None)
    store.save([a2], [])
    assert {x.fingerprint: x for x in store.load_active()} == {a.fingerprint: a2,
                                                             b.fingerprint: b}
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AlertStateRow)) == 2
    store.save([], [b.fingerprint])
    assert store.load_active() == [a2]
    store.save([dataclasses.replace(a2, state=AlertState.RESOLVED, resolved_at=T0 + 900)], [])
    assert store.load_active() == []


def test_a_restart_sees_the_same_active_alerts_acked_and_notified(store: AlertStore, db: Db):
    alerts = [_alert(subject=f"phuong-{i}", notified=i % 2 == 0) for i in range(1203)]
    store.save(alerts, [])  # more rows than one upsert statement carries
    store.save([dataclasses.replace(alerts[5], acked_by="minh", ack_note="đã biết")], [])
    engine = make_engine(db.url)  # a new process: new engine, new store
    try:
        init_schema(engine)
        restored = {a.fingerprint: a for a in AlertStore(session_factory(engine)).load_active()}
    finally:
        engine.dispose()
    assert len(restored) == 1203
    assert restored[alerts[5].fingerprint].acked_by == "minh"
    assert restored[alerts[5].fingerprint].ack_note == "đã biết"
    assert restored[alerts[4].fingerprint].notified is True
    assert restored[alerts[3].fingerprint].notified is False
    assert restored[alerts[7].fingerprint] == alerts[7]


def test_history_is_newest_first_limited_and_filtered(store: AlertStore):
    events = [AlertEvent(T0 + i, f"{i % 3:016x}", "firing", "", f"sự kiện {i}", "r", f"s{i}")
              for i in range(10)]
    store.record(events)
    store.record([])
    assert store.history() == events[::-1]
    assert store.history(limit=3) == events[:-4:-1]
    assert [e.note for e in store.history(fingerprint=f"{1:016x}")] == [
        "sự kiện 7", "sự kiện 4", "sự kiện 1"]
    assert [e.at for e in store.history(since=T0 + 8)] == [T0 + 9, T0 + 8]
    store.prune_history(T0 + 5)
    assert len(store.history()) == 5


def test_maintenance_add_end_and_list_leave_an_audit(store: AlertStore):
    now = T0
    w1 = store.add_maintenance("site", "Q7-HQ", now - 60, now + 3600, "lan",
                               note="Thay switch lõi", now=now)
    w2 = store.add_maintenance("device", "q1-core", now, None, "minh", weekdays=[6, 0],
                               start_time="23:00", duration=7200, now=now)
    w3 = store.add_maintenance("agency", "Q1", now + 86400, now + 90000, "lan", now=now)
    assert w2.weekdays == (0, 6)
    assert w2.recurring
    assert store.maintenance(now) == [w1, w2, w3]
    ended = store.end_maintenance(w1.id, "hoa", now + 10)
    assert ended.ends_at == now + 10
    store.end_maintenance(w3.id, "hoa", now + 10)  # a future window is cancelled
    assert store.maintenance(now + 20) == [w2]
    with pytest.raises(ValueError, match="already over"):
        store.end_maintenance(w1.id, "hoa", now + 30)
    with pytest.raises(KeyError):
        store.end_maintenance(9999, "hoa", now)
    audit = store.history()
    assert [(e.kind, e.actor) for e in audit] == [
        ("maintenance_end", "hoa"), ("maintenance_end", "hoa"), ("maintenance", "lan"),
        ("maintenance", "minh"), ("maintenance", "lan")]
    assert audit[-1].note == "Thay switch lõi"
    assert audit[-1].subject == f"maintenance #{w1.id} site Q7-HQ"


def test_silence_add_end_and_list_leave_an_audit(store: AlertStore):
    now = T0
    s1 = store.add_silence(now + 600, "lan", note="Đang thay cáp", rule="if_down",
                           device="q7-core", now=now)
    s2 = store.add_silence(now + 60, "minh", fingerprint="0123456789abcdef", now=now)
    assert store.silences(now) == [s2, s1]
    assert store.silences(now + 60) == [s1]  # s2 expired
    assert s1.created_at == now
    assert s1.matches(_alert("if_down", "q7-core/3", device="q7-core"))
    store.end_silence(s1.id, "hoa", now + 30)
    assert store.silences(now + 31) == [s2]
    with pytest.raises(KeyError):
        store.end_silence(4242, "hoa", now)
    kinds = [(e.kind, e.actor, e.subject) for e in store.history()]
    assert kinds == [
        ("silence_end", "hoa", f"silence #{s1.id} rule=if_down device=q7-core"),
        ("silence", "minh", f"silence #{s2.id} fingerprint=0123456789abcdef"),
        ("silence", "lan", f"silence #{s1.id} rule=if_down device=q7-core")]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "building"}, "kind must be one of device, site, agency"),
    ({"target": " "}, "target is empty"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"ends_at": T0 - 10}, "must end after it starts"),
    ({"ends_at": None}, "one-off maintenance window needs an end time"),
    ({"weekdays": [7], "start_time": "22:00", "duration": 60}, "weekdays go from 0"),
    ({"weekdays": [1], "start_time": "24:00", "duration": 60}, "start time must be HH:MM"),
    ({"weekdays": [1], "start_time": "9:5", "duration": 60}, "start time must be HH:MM"),
    ({"weekdays": [1], "start_time": "22:00", "duration": 0}, "more than 0"),
    ({"duration": 60}, "for weekly windows"),
])
def test_bad_maintenance_is_rejected_and_nothing_is_written(
        store: AlertStore, kwargs: dict[str, object], message: str):
    args: dict[str, object] = {"kind": "device", "target": "q7-core", "starts_at": T0,
                               "ends_at": T0 + 3600, "created_by": "lan", "now": T0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        store.add_maintenance(**args)  # type: ignore[arg-type]
    assert store.maintenance(T0) == []
    assert store.history() == []


def test_bad_silence_is_rejected_and_nothing_is_written(store: AlertStore):
    with pytest.raises(ValueError, match="at least one of"):
        store.add_silence(T0 + 60, "lan", now=T0)
    with pytest.raises(ValueError, match="end in the future"):
        store.add_silence(T0, "lan", rule="if_down", now=T0)
    with pytest.raises(ValueError, match="who creates it"):
        store.add_silence(T0 + 60, " ", rule="if_down", now=T0)
    assert store.silences(T0) == []
    assert store.history() == []


def test_meta_values_are_stored_and_replaced(store: AlertStore):
    assert store.get_meta("escalation") is None
    store.set_meta("escalation", '{"a": 1}')
    store.set_meta("escalation", '{"người": "Lan"}')
    assert store.get_meta("escalation") == '{"người": "Lan"}'


def test_migration_0004_matches_the_models_and_goes_down_and_up(db: Db):
    with db.engine.connect() as conn:
        assert schema_differences(conn) == []
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    init_schema(db.engine)
    with db.engine.connect() as conn:
        assert schema_differences(conn) == []
