"""The FastAPI application factory: API, dashboard, /metrics, /healthz."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from dashboards.pages_inventory import make_inventory_router
from dashboards.pages_ops import make_ops_router
from dashboards.views import HERE as DASHBOARD_DIR
from dashboards.views import make_router
from noc.api import health, make_api
from noc.api_alerts import make_alerts_api
from noc.api_inventory import make_inventory_api
from noc.api_reports import make_reports_api
from noc.auth.install import install_auth
from noc.auth.roles import actor_name
from noc.metrics import NocCollector, parse_scope, render
from noc.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    """A web app serving ``runtime`` (a fresh metrics collector per app)."""
    app = FastAPI(title="Metronet NOC", version="0.1.0", docs_url="/api/docs",
                  openapi_url="/api/openapi.json")
    app.state.lab = runtime.lab
    app.state.runtime = runtime  # templates shared by every page read alerting through it
    collector = NocCollector(runtime.snapshot)
    app.include_router(make_api(lambda: runtime))
    app.include_router(make_alerts_api(lambda: runtime))
    app.include_router(make_inventory_api(runtime.sessions, on_change=runtime.inventory_changed,
                                          actor=actor_name))
    app.include_router(make_reports_api(runtime.sessions, actor=actor_name))
    app.include_router(make_inventory_router(runtime.sessions,
                                             on_change=runtime.inventory_changed))
    app.include_router(make_ops_router(runtime))  # before the plain overview: it extends it
    app.include_router(make_router(runtime.overview), include_in_schema=False)  # HTML, shadowed
    install_auth(app, runtime.sessions, runtime.settings, lab=runtime.lab)
    app.mount("/static", StaticFiles(directory=str(DASHBOARD_DIR / "static")), name="static")

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Exposition text; ``?shard=i&of=n`` or ``?agency=CODE`` scope it (400 if bad)."""
        try:
            scope = parse_scope(request.query_params, runtime.catalog.agencies)
        except ValueError as exc:
            return PlainTextResponse(f"bad /metrics parameters: {exc}\n", status_code=400)
        body, headers = render(collector, scope, request.headers.get("accept-encoding", ""))
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers=headers)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return health(runtime)

    return app
