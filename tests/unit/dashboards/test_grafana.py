"""The Grafana dashboards in dashboards/grafana: provisioning-ready structure, no server needed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.dashboards.test_prometheus_rules import RULES, exported_metric_names, metric_names

GRAFANA = Path(__file__).resolve().parents[3] / "dashboards" / "grafana"
BOARDS = ("city-overview.json", "agency.json", "device.json", "link.json")
DS_REF = {"type": "prometheus", "uid": "${datasource}"}
BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s",
            "__range_ms", "__dashboard", "__from", "__to"}
_VAR = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")


def load(name: str) -> dict[str, Any]:
    return json.loads((GRAFANA / name).read_text(encoding="utf-8"))


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """All panels, rows' children included."""
    out = []
    for panel in board["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def variables_used(text: str) -> set[str]:
    return {a or b for a, b in _VAR.findall(text)}


def test_the_four_dashboards_exist_and_nothing_else():
    assert sorted(p.name for p in GRAFANA.glob("*.json")) == sorted(BOARDS)
    assert (GRAFANA / "README.md").is_file()


@pytest.mark.parametrize("name", BOARDS)
def test_required_keys_and_bilingual_title(name: str):
    board = load(name)
    for key in ("uid", "title", "schemaVersion", "panels", "templating", "time", "tags",
                "refresh", "version"):
        assert key in board, f"{name}: no {key!r}"
    assert board.get("id") is None, "provisioned dashboards must not pin a database id"
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    assert re.fullmatch(r"[a-z0-9-]{1,40}", board["uid"])
    assert "metronet" in board["tags"]
    vi, _, en = board["title"].partition(" / ")
    assert vi.startswith("Metronet — ") and en, board["title"]
    assert re.search(r"[^\x00-\x7f]", vi.removeprefix("Metronet — ")), (
        f"{board['title']}: no Vietnamese part")
    assert en.isascii()


def test_uids_and_titles_are_unique():
    boards = [load(n) for n in BOARDS]
    assert len({b["uid"] for b in boards}) == len(boards)
    assert len({b["title"] for b in boards}) == len(boards)


@pytest.mark.parametrize("name", BOARDS)
def test_datasource_variable_and_query_variables(name: str):
    variables = load(name)["templating"]["list"]
    names = [v["name"] for v in variables]
    assert len(names) == len(set(names))
    ds = variables[0]
    assert (ds["name"], ds["type"], ds["query"]) == ("datasource", "datasource", "prometheus")
    defined = {"datasource"}
    for var in variables[1:]:
        assert var["type"] == "query", var["name"]
        assert var["datasource"] == DS_REF, var["name"]
        query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
        assert var.get("definition", query) == query
        assert re.fullmatch(r"label_values\((?:[^,]+, )?\w+\)", query), query
        # chained variables only read variables defined before them
        assert variables_used(query) <= defined, f"{var['name']}: {query}"
        defined.add(var["name"])


@pytest.mark.parametrize("name", BOARDS)
def test_panels_have_unique_ids_and_fit_the_grid(name: str):
    board = load(name)
    ids = [p["id"] for p in panels(board)]
    assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
    cells: set[tuple[int, int]] = set()
    for panel in panels(board):
        assert panel["title"] and panel["type"], panel["id"]
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["w"] > 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        area = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"])
                for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not area & cells, f"{name}: {panel['title']!r} overlaps another panel"
        cells |= area


@pytest.mark.parametrize("name", BOARDS)
def test_every_target_uses_the_datasource_variable(name: str):
    for panel in panels(load(name)):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == DS_REF, panel["title"]
        targets = panel["targets"]
        assert targets, f"{panel['title']}: no targets"
        assert len({t["refId"] for t in targets}) == len(targets), panel["title"]
        for target in targets:
            assert target["datasource"] == DS_REF, panel["title"]
            assert target["expr"].strip(), panel["title"]


@pytest.mark.parametrize("name", BOARDS)
def test_expressions_reference_defined_variables_and_known_metrics(name: str):
    board = load(name)
    defined = {v["name"] for v in board["templating"]["list"]} | BUILTINS
    recorded = {r["record"] for g in yaml.safe_load(RULES.read_text())["groups"]
                for r in g["rules"] if "record" in r}
    known = exported_metric_names() | recorded
    for panel in panels(board):
        for target in panel.get("targets", []):
            expr = target["expr"]
            assert variables_used(expr) <= defined, f"{panel['title']}: {expr}"
            assert metric_names(expr) <= known | {"ALERTS"}, (
                f"{panel['title']}: unknown {metric_names(expr) - known}")
            assert expr.count("(") == expr.count(")"), expr
            assert "[5m]" not in expr or "noc:" in expr, f"use $__rate_interval: {expr}"
            if "rate(" in expr and "noc:" not in expr:
                assert "[$__rate_interval]" in expr, expr


def test_every_variable_is_used_by_some_panel():
    for name in BOARDS:
        board = load(name)
        text = json.dumps([p.get("targets", []) for p in panels(board)])
        text += json.dumps(board["templating"]["list"])
        for var in board["templating"]["list"]:
            assert f"${var['name']}" in text or f"${{{var['name']}}}" in text, (name, var["name"])


def test_dashboards_cover_the_nocs_main_families():
    text = " ".join(t["expr"] for n in BOARDS for p in panels(load(n))
                    for t in p.get("targets", []))
    used = metric_names(text)
    for family in ("noc_agency_connected", "noc_device_up", "noc_interface_oper_up",
                   "noc_interface_receive_bytes_per_second", "noc_device_cpu_utilization_ratio",
                   "noc_sensor_value", "noc_scheduler_lag_seconds",
                   "noc:interface_utilization:ratio", "noc_poll_module_duration_seconds"):
        assert family in used, family
