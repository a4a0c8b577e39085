"""The support API and web page (FastAPI). Build it with :func:`create_app`.

Routes
    ``GET  /api/v1/notifications``            one of ``email``, ``message_id``, ``notification_id``
    ``POST /api/v1/notifications``            record sends (the sending application)
    ``GET  /api/v1/recipients/{email}``       history, failures, suppression-list state
    ``POST /api/v1/recipients/{email}/unsuppress``   remove from the SES list (audited)
    ``GET  /api/v1/report``                   the gap report
    ``GET  /api/v1/recipients/{email}/deliverability``   can the application still email it
    ``GET  /``  ``POST /login``  ``POST /logout``   the support page (search, and the
                                              gap overview when nothing is searched)
    ``GET  /healthz`` (liveness)  ``GET /readyz`` (readiness)  ``GET /metrics``   open

Errors are RFC 9457 problem details (:mod:`worker.api.problems`); the module-level app
for uvicorn and gunicorn is :mod:`worker.api.asgi`.

Every ``/api`` route wants ``Authorization: Bearer <token>`` with a token from
``INBOXGAP_API_TOKENS``; the page also accepts the session cookie set by its login form
(never the API, so a cookie cannot be used for cross-site POSTs). Tokens are compared in
constant time. With no token configured, every protected route answers 401.

What a browser is told (the page shows strangers' text: diagnostics, headers):

* every response carries a strict Content-Security-Policy (``default-src 'self'``, no
  inline script or style, ``frame-ancestors 'none'``, ``base-uri 'none'``,
  ``form-action 'self'``), ``X-Frame-Options: DENY``, ``X-Content-Type-Options:
  nosniff`` and ``Referrer-Policy: no-referrer``; everything but ``/static`` also
  ``Cache-Control: no-store`` (pages and API answers hold addresses);
* the login cookie is ``HttpOnly``, ``SameSite=Strict``, ``Secure`` unless
  ``INBOXGAP_WEB_INSECURE_COOKIE`` (local http), and holds a signed session
  (:mod:`worker.api.sessions`), never the token;
* no interactive docs (``/docs``, ``/redoc`` would load third-party scripts on this
  origin): ``GET /openapi.json`` gives the OpenAPI document to a bearer-token holder;
* a query or path holding a control character, invalid UTF-8 or an absurdly long value
  is a 422 before any route runs, and an unexpected error is a bare 500 problem (the
  traceback goes to the log only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from worker.api.deps import AppState, token_fingerprint
from worker.api.middleware import (
    CONTENT_SECURITY_POLICY,
    InputGuard,
    RequestMetrics,
    SecurityHeaders,
    security_headers,
)
from worker.api.page_text import linkify, percent, time_tag
from worker.api.problems import code_for_status, describe_responses, problem_response
from worker.api.routes import ROUTERS
from worker.api.routes.page import COOKIE_NAME
from worker.api.sessions import session_key
from worker.api.wiring import SupportServices
from worker.handlers.errors import http_problem
from worker.handlers.ports import StoreError
from worker.queries.support import display_time

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "COOKIE_NAME",
    "create_app",
    "token_fingerprint",
]

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    fields = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()))
        fields.append({"field": where, "message": str(error.get("msg", "invalid"))})
    # The detail keeps its old words (body fields without the "body." prefix).
    parts = [
        f"{f['field'].removeprefix('body.')}: {f['message']}" if f["field"] else f["message"]
        for f in fields
    ]
    return problem_response(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        "; ".join(parts) or "invalid request",
        code="validation_error",
        errors=fields,
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    """A route's :class:`Problem`, FastAPI's ``HTTPException`` and the router's 404/405."""
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or code_for_status(exc.status_code)
    return problem_response(
        exc.status_code, str(exc.detail), code=code, headers=getattr(exc, "headers", None)
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Runs outside the middlewares (Starlette's outermost layer): add the headers here.
    logger.exception("unexpected error in the support API on %s", request.url.path)
    response = problem_response(500, "internal error", code="internal_error")
    for name, value in security_headers(request.url.path):
        response.headers[name.decode()] = value.decode()
    return response


#: What a caller is told for each storage problem code (never the driver's message).
_STORE_DETAIL = {
    "schema_not_ready": "the notification log's schema is not at this version; run "
    "`inboxgap db upgrade`",
}


async def _store(_: Request, exc: Exception) -> JSONResponse:
    logger.warning("storage error in the support API: %s", type(exc).__name__)
    status_code, code = http_problem(exc)
    detail = _STORE_DETAIL.get(code, "the notification log is unavailable; try again shortly")
    return problem_response(status_code, detail, code=code)


def create_app(services: SupportServices) -> FastAPI:
    """The support API and page over ``services`` (no module-level state: the services and
    the token material go on ``app.state``, where the routers' dependencies read them)."""
    token_texts = tuple(t for t in services.api_tokens if t)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["display_time"] = display_time
    templates.env.globals["time_tag"] = time_tag
    templates.env.globals["linkify"] = linkify
    templates.env.filters["percent"] = percent
    app = FastAPI(
        title="InboxGap support API",
        version="1",
        description=(
            "What really happened to an email sent through Amazon SES: lookups with "
            "explanations, recipient health and the suppression list, the gap report, "
            "and recording sends."
        ),
        # Swagger UI and ReDoc load scripts from a CDN on the page's origin: off. The
        # OpenAPI document itself is served to bearer-token holders (routes.operations).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.inboxgap = AppState(
        services=services,
        tokens=tuple(t.encode() for t in token_texts),
        token_texts=token_texts,
        session_key=session_key(token_texts, services.session_secret),
        templates=templates,
    )
    app.add_middleware(RequestMetrics)
    app.add_middleware(InputGuard)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(StoreError, _store)
    for router in ROUTERS:
        app.include_router(router)
    _describe_problems(app)
    return app


def _describe_problems(app: FastAPI) -> None:
    """The OpenAPI document says every error is ``application/problem+json``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
