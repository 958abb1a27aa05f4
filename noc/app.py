"""The FastAPI application factory: API, dashboard, /metrics, /healthz."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from dashboards.views import HERE as DASHBOARD_DIR
from dashboards.views import make_router
from noc.api import health, make_api
from noc.metrics import NocCollector
from noc.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    """A web app serving ``runtime`` (a fresh metrics registry per app)."""
    app = FastAPI(title="Metronet NOC", version="0.1.0", docs_url="/api/docs",
                  openapi_url="/api/openapi.json")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NocCollector(runtime.snapshot))
    app.include_router(make_api(lambda: runtime))
    app.include_router(make_router(runtime.overview))
    app.mount("/static", StaticFiles(directory=str(DASHBOARD_DIR / "static")), name="static")

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return health(runtime)

    return app
