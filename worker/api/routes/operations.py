"""Open operational routes (``/healthz``, ``/metrics``) and the token-only OpenAPI document."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from worker.api.deps import Services, Token
from worker.api.models import HealthOut

logger = logging.getLogger("worker.api.app")

#: The OpenAPI document, for bearer-token holders only (no interactive docs).
docs = APIRouter()
router = APIRouter()


@docs.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request, _: Token) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={503: {"model": HealthOut}},
    tags=["operations"],
)
def healthz(services: Services) -> Any:
    try:
        services.queries.ping()
    except Exception as exc:
        logger.warning("health check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return HealthOut(status="ok", database="reachable")


@router.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus."}},
)
def metrics() -> Response:
    from worker.metrics import metrics_registry

    return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)
