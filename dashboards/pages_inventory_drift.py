"""The drift page: where the network disagrees with the inventory, and acting on it.

Lists :func:`inventory.drift.drift_report` (filtered by kind and agency, and
by the user's agency scope). Each difference has an *Adopt* button (copy the
discovered value into the record; serial, model, firmware and vendor only)
and an *Expect* button (the difference is normal: hide it until discovery
finds another value), both with a note, both audited as the user (``via=ui``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dashboards.pages_inventory_web import (
    InventoryPages,
    Lang,
    PostedForm,
    Reader,
    Writer,
    agency_choices,
    redirect,
    scope_codes,
)
from inventory.drift import KINDS, VALUE_FIELDS, adopt, drift_report, expect
from inventory.models import utcnow
from inventory.service import InventoryError


def add_drift_routes(router: APIRouter, pages: InventoryPages) -> None:
    """Add ``/inventory/drift`` and its adopt / expect actions to ``router``."""

    @router.get("/inventory/drift", name="inventory_drift")
    def drift(request: Request, user: Reader, lang: Lang = "vi", kind: str = "",
              agency: str = "") -> Response:
        with pages.reading() as session:
            codes = scope_codes(session, request)
            items = [i for i in drift_report(session, utcnow())
                     if (codes is None or i.agency in codes)
                     and (not kind or i.kind == kind) and (not agency or i.agency == agency)]
            agencies = agency_choices(session, codes)
        return pages.render(request, lang, "drift.html", items=items, kinds=KINDS,
                            adoptable=VALUE_FIELDS, kind=kind, agency=agency,
                            agencies=agencies)

    def act(request: Request, form: PostedForm, action: str) -> Response:
        subject, field, note = form.get("subject"), form.get("field"), form.get("note")[:500]
        back = {k: form.get(f"back_{k}") for k in ("kind", "agency") if form.get(f"back_{k}")}
        url = "/inventory/drift" + (f"?{urlencode(back)}" if back else "")
        try:
            with pages.writing(request) as inv:
                if action == "adopt":
                    adopt(inv, subject, field, note)
                else:
                    expect(inv, subject, field, note)
        except (LookupError, ValueError, InventoryError) as exc:
            return redirect(url, f"{subject} {field}: {exc}")
        return redirect(url, f"flash_{action}ed")

    @router.post("/inventory/drift/adopt", name="inventory_drift_adopt")
    def adopt_value(request: Request, user: Writer, form: PostedForm) -> Response:
        return act(request, form, "adopt")

    @router.post("/inventory/drift/expect", name="inventory_drift_expect")
    def expect_value(request: Request, user: Writer, form: PostedForm) -> Response:
        return act(request, form, "expect")
