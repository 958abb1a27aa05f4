"""``noc alerts``, ``noc maintenance`` and ``noc oncall`` through CliRunner on SQLite."""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from inventory.enums import Via
from inventory.service import Actor, Inventory
from noc.alerting.model import Alert, AlertEvent, AlertState, fingerprint
from noc.alerting.store import AlertStore
from noc.cli import app
from noc.cli_common import open_database
from noc.db import session_factory
from noc.settings import load_settings

runner = CliRunner()
ACTOR = f"cli:{getpass.getuser()}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory whose SQLite inventory has agency Q7, site Q7-HQ, device q7-core."""
    engine = open_database(load_settings(None, data_dir=tmp_path))
    with Session(engine) as session:
        inv = Inventory(session, Actor("import", Via.IMPORT))
        inv.put("agency", {"code": "Q7", "kind": "district", "name_vi": "Quận 7"})
        inv.put("site", {"code": "Q7-HQ", "agency": "Q7", "name": "UBND Quận 7"})
        inv.put("device", {"name": "q7-core", "site": "Q7-HQ", "device_class": "router",
                           "monitoring": "none"})
        session.commit()
    engine.dispose()
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.output


def _rows(out: str) -> list[list[str]]:
    """The tab-separated rows of piped output (header included)."""
    return [line.split("\t") for line in out.splitlines() if "\t" in line]


def _store(data_dir: Path) -> AlertStore:
    engine = open_database(load_settings(None, data_dir=data_dir))
    return AlertStore(session_factory(engine))


def test_add_list_end_windows_and_the_history_audits_them(data_dir: Path) -> None:
    dd = ("--data-dir", str(data_dir))
    code, out = _run("maintenance", "add", "device", "q7-core", "--for", "30m",
                     "--note", "swap PSU", *dd)
    assert code == 0, out
    assert "maintenance #1 on device q7-core: one-off" in out
    code, out = _run("maintenance", "add", "site", "Q7-HQ", "--weekly", "mon,wed,fri",
                     "--at", "22:00", "--duration", "2h", "--from", "2020-01-01",
                     "--note", "backups", *dd)
    assert code == 0, out
    code, out = _run("maintenance", "add", "agency", "Q7", "--note", "fiber works", *dd)
    assert code == 0, out
    code, out = _run("maintenance", "list", *dd)
    assert code == 0, out
    rows = {row[0]: row for row in _rows(out)[1:]}
    assert set(rows) == {"1", "2", "3"}
    assert rows["1"][1:5] == ["device", "q7-core", "one-off", "active"]
    assert rows["2"][1:4] == ["site", "Q7-HQ", "weekly mon,wed,fri 22:00 for 2h"]
    assert rows["2"][5].endswith(" 22:00") and rows["2"][7] == "forever"
    assert rows["3"][1:3] == ["agency", "Q7"] and rows["3"][8:] == [ACTOR, "fiber works"]
    # the one-off agency window lasts the default two hours
    window = next(m for m in _store(data_dir).maintenance(time.time()) if m.id == 3)
    assert window.ends_at is not None and window.ends_at - window.starts_at == 7200

    code, out = _run("maintenance", "end", "1", *dd)
    assert code == 0 and "maintenance #1 on device q7-core ended" in out
    assert [r[0] for r in _rows(_run("maintenance", "list", *dd)[1])[1:]] == ["2", "3"]
    all_rows = _rows(_run("maintenance", "list", "--all", *dd)[1])[1:]
    assert all_rows[0][0] == "1" and all_rows[0][4] == f"ended by {ACTOR}"
    code, out = _run("maintenance", "end", "1", *dd)
    assert code == 2 and "maintenance window 1 is already over" in out
    code, out = _run("maintenance", "end", "99", *dd)
    assert code == 2 and "no maintenance window 99" in out

    code, out = _run("alerts", "history", "--limit", "10", *dd)
    assert code == 0, out
    events = [(r[1], r[2], r[4]) for r in _rows(out)[1:]]
    assert events[0] == ("maintenance_end", ACTOR, "maintenance #1 device q7-core")
    assert ("maintenance", ACTOR, "maintenance #2 site Q7-HQ") in events
    assert ("maintenance", ACTOR, "maintenance #1 device q7-core") in events
    assert len(_rows(_run("alerts", "history", "--limit", "2", *dd)[1])) == 3


def test_unknown_target_exits_2_naming_it(data_dir: Path) -> None:
    dd = ("--data-dir", str(data_dir))
    code, out = _run("maintenance", "add", "device", "q9-core", "--note", "x", *dd)
    assert code == 2 and "no device named 'q9-core' in the inventory" in out
    code, out = _run("maintenance", "add", "site", "q7-core", "--note", "x", *dd)
    assert code == 2 and "no site with code 'q7-core'" in out
    code, out = _run("maintenance", "add", "toaster", "Q7", "--note", "x", *dd)
    assert code == 2 and "must be one of device, site, agency, not 'toaster'" in out
    assert _store(data_dir).maintenance(time.time()) == []
    assert _store(data_dir).history() == []


@pytest.mark.parametrize(("args", "message"), [
    (("--weekly", "mon,funday", "--at", "22:00", "--duration", "2h"),
     "unknown weekday 'funday'"),
    (("--weekly", "mon", "--at", "25:00", "--duration", "2h"),
     "start time must be HH:MM (00:00 to 23:59), not '25:00'"),
    (("--weekly", "mon", "--duration", "2h"), "--weekly needs --at HH:MM and --duration"),
    (("--weekly", "mon", "--at", "22:00", "--duration", "8d"),
     "at most 7 days"),
    (("--for", "2x"), "invalid duration '2x'"),
    (("--at", "22:00"), "--at and --duration are for weekly windows"),
    (("--until", "2020-01-01"), "maintenance must end after it starts"),
    (("--weekly", "sun", "--at", "9:00", "--duration", "1h", "--from", "2019-01-01",
      "--until", "2020-01-01"), "maintenance window is already over"),
    (("--from", "tomorrow"), "invalid time 'tomorrow'"),
    (("--timezone", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
])
def test_bad_window_options_exit_2_with_a_clear_message(data_dir: Path, args: tuple[str, ...],
                                                         message: str) -> None:
    code, out = _run("maintenance", "add", "device", "q7-core", *args, "--note", "x",
                     "--data-dir", str(data_dir))
    assert code == 2, out
    assert message in out and "Traceback" not in out


def test_alerts_list_shows_stored_alerts(data_dir: Path) -> None:
    dd = ("--data-dir", str(data_dir))
    assert _rows(_run("alerts", "list", *dd)[1]) == [
        ["state", "severity", "rule", "subject", "since (UTC+7)", "acked by", "suppressed by",
         "muted", "fingerprint"]]
    root_fp = fingerprint("device_unreachable", "q7-core")
    fired = 1795399200.0  # 2026-11-23 09:00 UTC+7
    root = Alert(root_fp, "device_unreachable", "q7-core", "critical", "q7-core is down",
                 device="q7-core", state=AlertState.FIRING, active_since=fired - 60,
                 fired_at=fired, acked_by="lan")
    child = Alert(fingerprint("if_down", "q7-sw1/3"), "if_down", "q7-sw1/3", "warning",
                  "port down", state=AlertState.PENDING, active_since=fired + 30,
                  suppressed_by=root_fp)
    store = _store(data_dir)
    store.save([root, child], [])
    store.record([AlertEvent(fired, root_fp, "firing", rule="device_unreachable",
                             subject="q7-core")])
    code, out = _run("alerts", "list", *dd)
    assert code == 0, out
    rows = _rows(out)[1:]
    assert rows[0] == ["firing", "critical", "device_unreachable", "q7-core",
                       "2026-11-23 09:00", "lan", "", "", root_fp]
    assert rows[1][:7] == ["pending", "warning", "if_down", "q7-sw1/3", "2026-11-23 09:00",
                           "", "device_unreachable q7-core"]
    code, out = _run("alerts", "list", "--json", *dd)
    data = json.loads(out)
    assert [a["fingerprint"] for a in data] == [root_fp, child.fingerprint]
    assert data[0]["state"] == "firing" and data[1]["suppressed_by"] == root_fp
    code, out = _run("alerts", "history", "--fingerprint", root_fp, "--json", *dd)
    assert code == 0 and [e["kind"] for e in json.loads(out)] == ["firing"]
    code, out = _run("alerts", "history", "--fingerprint", "0" * 16, "--json", *dd)
    assert json.loads(out) == []


ONCALL = """\
alerting:
  oncall:
    people:
      - {name: An, email: an@metronet.example, phone: "0901"}
      - {name: Binh, email: binh@metronet.example}
    rotations:
      - {name: network, members: [An, Binh], handoff: "monday 08:00", start: 2026-11-02}
    chains:
      - name: default
        levels:
          - notify: ["rotation:network", "email:noc@metronet.example"]
    default_chain: default
"""


def test_oncall_names_the_person_on_each_side_of_a_handoff(tmp_path: Path) -> None:
    config = tmp_path / "noc.yaml"
    config.write_text(ONCALL, encoding="utf-8")
    # weeks from 2026-11-02 08:00: An, Binh, An; the fourth (Binh) starts 2026-11-23 08:00
    code, out = _run("oncall", "--at", "2026-11-23 07:59", "--config", str(config))
    assert code == 0, out
    assert ["network", "An", "an@metronet.example", "0901"] in _rows(out)
    assert "level 0: rotation:network, email:noc@metronet.example → an@metronet.example, " \
        "noc@metronet.example" in out
    code, out = _run("oncall", "--at", "2026-11-23 08:00", "--config", str(config))
    assert code == 0, out
    assert ["network", "Binh", "binh@metronet.example", ""] in _rows(out)
    assert "→ binh@metronet.example, noc@metronet.example" in out
    code, out = _run("oncall", "--at", "soon", "--config", str(config))
    assert code == 2 and "invalid time 'soon'" in out
