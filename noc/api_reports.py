"""The inventory reports and the drift report over HTTP: JSON or CSV, adopt and expect.

* ``GET /api/v1/inventory/reports/{name}`` — ``by-class``, ``by-status``,
  ``by-funding``, ``lifecycle?months=N``; JSON, or CSV with ``?format=csv``;
* ``GET /api/v1/inventory/drift?silent_days=N`` — the drift report (JSON or CSV);
* ``POST /api/v1/inventory/drift/adopt`` and ``/expect`` with
  ``{subject, field, note}`` — audited as the request's actor, via ``api``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from inventory.drift import adopt, drift_report, expect
from inventory.enums import Via
from inventory.models import utcnow
from inventory.reports import REPORTS, Report, drift_table, run_report, to_csv
from inventory.service import Actor, Change, Inventory

Format = Annotated[Literal["json", "csv"],
                   Query(alias="format", description="json (default) or csv")]


class DriftAction(BaseModel):
    """What to adopt or expect: a drift item's subject and field, and why."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=120)
    field: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=500)


def _csv(report: Report, filename: str) -> Response:
    return Response(to_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def _change(change: Change | None, action: str, body: DriftAction) -> dict[str, Any]:
    return {"subject": body.subject, "field": body.field, "action": action,
            "changed": change is not None,
            "changes": change.changes if change is not None else {}}


def make_reports_api(sessions: sessionmaker[Session],
                     actor: Callable[[Request], str] = lambda r: "anonymous", *,
                     clock: Callable[[], datetime] = utcnow) -> APIRouter:
    """The router of the inventory reports and drift report (``clock``: naive UTC now)."""
    router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])

    @router.get("/reports/{name}", summary="An inventory report (JSON or CSV)",
                response_model=None)
    def report(name: str, fmt: Format = "json",
               months: Annotated[int, Query(ge=0, le=240)] = 6) -> dict[str, Any] | Response:
        """Counts by class, status or funding, or devices near end of warranty/life."""
        if name not in REPORTS:
            raise HTTPException(404, f"no report {name!r}; reports: {', '.join(REPORTS)}")
        with sessions() as session:
            built = run_report(session, name, clock().date(), months)
        return _csv(built, name) if fmt == "csv" else built.as_dict()

    @router.get("/drift", summary="Drift between the inventory and the network",
                response_model=None)
    def drift(fmt: Format = "json",
              silent_days: Annotated[int, Query(ge=1, le=3650)] = 7,
              ) -> list[dict[str, Any]] | Response:
        """Every unacknowledged difference between recorded and discovered values."""
        with sessions() as session:
            items = drift_report(session, clock(), silent_days)
        if fmt == "csv":
            return _csv(drift_table(items), "drift")
        return [item.as_dict() for item in items]

    def act(request: Request, body: DriftAction, action: str) -> dict[str, Any]:
        with sessions() as session:
            inv = Inventory(session, Actor(actor(request), Via.API))
            try:
                if action == "adopt":
                    change = adopt(inv, body.subject, body.field, body.note)
                else:
                    change = expect(inv, body.subject, body.field, body.note)
            except LookupError as exc:
                raise HTTPException(404, str(exc.args[0] if exc.args else exc)) from None
            except ValueError as exc:  # InventoryError and pydantic errors too
                raise HTTPException(422, str(exc)) from None
            session.commit()
        return _change(change, action, body)

    @router.post("/drift/adopt", summary="Adopt a discovered value into the record")
    def adopt_value(request: Request, body: Annotated[DriftAction, Body()]) -> dict[str, Any]:
        """Copy the discovered value of ``field`` into the device record (audited)."""
        return act(request, body, "adopt")

    @router.post("/drift/expect", summary="Mark a discovered difference as expected")
    def expect_value(request: Request, body: Annotated[DriftAction, Body()]) -> dict[str, Any]:
        """Leave this difference out of the drift report until its value changes (audited)."""
        return act(request, body, "expect")

    return router
