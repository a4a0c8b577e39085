"""Open operational routes and the token-only OpenAPI document.

``/healthz`` is liveness (the process answers and reaches the database); ``/readyz`` is
readiness: the database answers *and* its migrations are at this code's head, else 503
with a problem details body (``database_unavailable`` or ``schema_not_ready``), so an
orchestrator sends no traffic to a process started before ``inboxgap db upgrade``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from worker.api.deps import Services, Token
from worker.api.models import HealthOut, ReadyOut
from worker.api.problems import PROBLEM_JSON, ProblemOut, problem_body

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
    if services.database_missing():
        # Not pinged: connecting would create the SQLite file, empty.
        return JSONResponse({"status": "unavailable", "database": "missing"}, 503)
    try:
        services.queries.ping()
    except Exception as exc:
        logger.warning("health check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return HealthOut(status="ok", database="reachable")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={
        503: {
            "model": ProblemOut,
            "description": "Not ready: the database is unreachable (database_unavailable) "
            "or its migrations are not at head (schema_not_ready).",
        }
    },
    tags=["operations"],
)
def readyz(services: Services) -> Any:
    ready = services.readiness()
    if not ready.ready:
        body = problem_body(503, ready.detail, code=ready.code)
        body.update(database=ready.database, migrations=ready.schema)
        return JSONResponse(body, 503, media_type=PROBLEM_JSON)
    return ReadyOut(status="ready", database=ready.database, migrations=ready.schema)


@router.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus."}},
)
def metrics() -> Response:
    from worker.metrics import metrics_registry

    return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)
