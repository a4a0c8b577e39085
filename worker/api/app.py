"""The support API and web page (FastAPI). Build it with :func:`create_app`.

Routes
    ``GET  /api/v1/notifications``            one of ``email``, ``message_id``, ``notification_id``
    ``POST /api/v1/notifications``            record sends (the sending application)
    ``GET  /api/v1/recipients/{email}``       history, failures, suppression-list state
    ``POST /api/v1/recipients/{email}/unsuppress``   remove from the SES list (audited)
    ``GET  /api/v1/report``                   the gap report
    ``GET  /``  ``POST /login``  ``POST /logout``   the support page
    ``GET  /healthz``  ``GET /metrics``       open (no token)

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
  is a 422 before any route runs, and an unexpected error is a bare 500 (the traceback
  goes to the log only).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote_to_bytes

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware

from worker.api.models import (
    MAX_INPUT_CHARS,
    ErrorOut,
    ExplanationOut,
    HealthOut,
    LookupOut,
    NotificationOut,
    RecipientOut,
    RecordSendsIn,
    RecordSendsOut,
    ReportOut,
    SuppressionOut,
    UnsuppressIn,
    UnsuppressOut,
    bad_text,
)
from worker.api.sessions import SESSION_LIFETIME, session_key, sign_session, verify_session
from worker.api.wiring import SupportServices
from worker.domain.addresses import mask_address, normalise_address
from worker.durations import parse_duration
from worker.handlers.errors import http_status
from worker.handlers.ports import StoreError, TransientStoreError
from worker.handlers.ports.suppression import SuppressionError, SuppressionUnavailable
from worker.handlers.sends import InvalidSendRecord, SendRecord, record_sends
from worker.handlers.unsuppress import InvalidUnsuppressRequest, unsuppress_recipient
from worker.queries.support import (
    BADGES,
    REPORT_DIMENSIONS,
    OutcomeKind,
    describe,
    display_time,
    never_sent_view,
)

__all__ = ["COOKIE_NAME", "create_app"]

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: The cookie's name is kept from when it held the token; its value is now a signed session.
COOKIE_NAME = "inboxgap_token"
#: Longest ``since`` a caller may ask for (the log keeps 90 days by default).
MAX_SINCE = timedelta(days=3660)

API_REQUESTS = Counter(
    "inboxgap_api_requests_total", "Support API and page requests.", ["route", "status"]
)
API_SECONDS = Histogram(
    "inboxgap_api_request_seconds",
    "Support API and page latency.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid bearer token."},
    422: {"model": ErrorOut, "description": "Invalid input; `detail` says what to fix."},
}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def token_fingerprint(token: str) -> str:
    """Names a token in audit entries without revealing it."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:10]


def _valid_token(candidate: str | None, tokens: tuple[bytes, ...]) -> str | None:
    if not candidate or not tokens:
        return None
    given = candidate.encode()
    match = False
    for token in tokens:  # no early exit: the time does not depend on which one matched
        match |= hmac.compare_digest(given, token)
    return candidate if match else None


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=message)


def _parse_since(since: str | None, now: datetime) -> datetime | None:
    """``24h``/``7d``/ISO duration (a period back from now) or an ISO-8601 time."""
    if since is None or not since.strip() or since.strip() == "all":
        return None
    from worker.domain.timestamps import parse_timestamp

    try:
        period = parse_duration(since)
    except ValueError:
        moment = parse_timestamp(since)
        if moment is None:
            raise _unprocessable(
                f"since={since[:40]!r} is neither a period (24h, 7d, 30m) nor an ISO-8601 time"
            ) from None
        return moment
    if period <= timedelta(0) or period > MAX_SINCE:
        raise _unprocessable("since must be a positive period of at most 10 years")
    return now - period


def _email(value: str) -> str:
    address = normalise_address(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or len(address) > 320:
        raise _unprocessable("not an email address (expected name@domain.example)")
    return address


# --------------------------------------------------------------------------------------
# what every response says to a browser, and input no route should ever see
# --------------------------------------------------------------------------------------

#: Everything from this origin, nothing inline (the page's only script and stylesheet are
#: files under /static), no framing, no <base>, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)
#: Pages and API answers name people: no browser or proxy cache keeps them.
NO_STORE = ("cache-control", "no-store")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _security_headers(path: str) -> list[tuple[bytes, bytes]]:
    headers = list(SECURITY_HEADERS)
    if not path.startswith("/static/"):
        headers.append(NO_STORE)
    return [(name.encode(), value.encode()) for name, value in headers]


class _SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware): adds the headers to every response start,
    error responses from the routes and the input guard included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _security_headers(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {extra_name for extra_name, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _input_problem(scope: Scope) -> str | None:
    raw_path: bytes = scope.get("raw_path") or scope.get("path", "").encode()
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return "the path is not valid UTF-8"
    problem = bad_text(path)
    if problem:
        return f"the path {problem}"
    query: bytes = scope.get("query_string", b"")
    if len(query) > 4 * MAX_INPUT_CHARS:
        return "the query string is too long"
    for pair in query.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8")
            value = unquote_to_bytes(raw_value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return f"query parameter {_shown(raw_name.decode('latin-1'))} is not valid UTF-8"
        problem = bad_text(name, limit=100)
        if problem:
            return f"a query parameter name {problem}"
        problem = bad_text(value)
        if problem:
            return f"query parameter {_shown(name)} {problem}"
    return None


def _shown(name: str) -> str:
    return repr(name[:40].encode("unicode_escape").decode("ascii"))


class _InputGuard:
    """Refuses a request whose path or query could only break a route (422, one line)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = _input_problem(scope)
            if problem is not None:
                response = JSONResponse(
                    {"detail": problem}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Metrics(BaseHTTPMiddleware):
    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        API_REQUESTS.labels(route=name, status=str(response.status_code)).inc()
        API_SECONDS.labels(route=name).observe(time.perf_counter() - start)
        return response


# --------------------------------------------------------------------------------------
# the app
# --------------------------------------------------------------------------------------


def create_app(services: SupportServices) -> FastAPI:
    """The support API and page over ``services`` (no module-level state)."""
    tokens = tuple(t.encode() for t in services.api_tokens if t)
    token_texts = tuple(t for t in services.api_tokens if t)
    key = session_key(token_texts, services.session_secret)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["display_time"] = display_time
    bearer = HTTPBearer(auto_error=False, description="A token from INBOXGAP_API_TOKENS.")

    app = FastAPI(
        title="InboxGap support API",
        version="1",
        description=(
            "What really happened to an email sent through Amazon SES: lookups with "
            "explanations, recipient health and the suppression list, the gap report, "
            "and recording sends."
        ),
        # Swagger UI and ReDoc load scripts from a CDN on the page's origin: off. The
        # OpenAPI document itself is served to bearer-token holders below.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(_Metrics)
    app.add_middleware(_InputGuard)
    app.add_middleware(_SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
            parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error["msg"])
        return JSONResponse(
            {"detail": "; ".join(parts) or "invalid request"},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Runs outside the middlewares (Starlette's outermost layer): add the headers here.
        logger.exception("unexpected error in the support API on %s", request.url.path)
        response = JSONResponse({"detail": "internal error"}, status_code=500)
        for name, value in _security_headers(request.url.path):
            response.headers[name.decode()] = value.decode()
        return response

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> JSONResponse:
        logger.warning("storage error in the support API: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "the notification log is unavailable; try again shortly"},
            status_code=http_status(exc),
        )

    # Dependencies as defaults (not Annotated): they are local to this factory, and string
    # annotations are resolved in the module's globals.
    def api_token(
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ) -> str:
        token = _valid_token(credentials.credentials if credentials else None, tokens)
        if token is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="a valid bearer token is required (Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return token

    token_dependency = Depends(api_token)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(_: str = token_dependency) -> JSONResponse:
        return JSONResponse(app.openapi())

    def now() -> datetime:
        return services.clock()

    # --- API ----------------------------------------------------------------------
    @app.get(
        "/api/v1/notifications",
        response_model=LookupOut,
        responses=_ERRORS,
        tags=["lookups"],
        summary="Notifications to an address, or with an SES message id or our id",
    )
    def get_notifications(
        *,
        _: str = token_dependency,
        email: Annotated[str | None, Query(description="Recipient address.")] = None,
        message_id: Annotated[
            str | None, Query(description="SES message id (or the Message-ID header).")
        ] = None,
        notification_id: Annotated[str | None, Query(description="Our notification id.")] = None,
        since: Annotated[
            str | None, Query(description="A period back from now (24h, 7d) or an ISO time.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="Most notifications.")] = 50,
    ) -> LookupOut:
        given = {
            k: v
            for k, v in (
                ("email", email),
                ("message_id", message_id),
                ("notification_id", notification_id),
            )
            if v is not None
        }
        if len(given) != 1:
            raise _unprocessable("give exactly one of email, message_id or notification_id")
        field, value = next(iter(given.items()))
        if not value.strip():
            raise _unprocessable(f"{field} is empty")
        moment = now()
        start = _parse_since(since, moment)
        if field == "email":
            value = _email(value)
        records = services.queries.lookup(
            email=value if field == "email" else None,
            message_id=value if field == "message_id" else None,
            notification_id=value if field == "notification_id" else None,
            since=start,
            limit=limit,
        )
        views = [describe(r, now=moment, region=services.region) for r in records]
        kind = explanation = None
        if not views and field == "email":
            _, never = never_sent_view(value)
            kind = OutcomeKind.NEVER_SENT.value
            explanation = ExplanationOut(
                headline=never.headline,
                next_steps=list(never.next_steps),
                audience=never.audience.value,
            )
        return LookupOut(
            query={field: value, **({"since": since} if since else {})},
            count=len(views),
            kind=kind,
            explanation=explanation,
            notifications=[NotificationOut.of(v, region=services.region) for v in views],
        )

    @app.post(
        "/api/v1/notifications",
        response_model=RecordSendsOut,
        responses=_ERRORS,
        tags=["sends"],
        summary="Record sends (one row per recipient of an SES message); idempotent",
    )
    def post_notifications(body: RecordSendsIn, _: str = token_dependency) -> RecordSendsOut:
        records = []
        for index, send in enumerate(body.sends):
            try:
                records.append(SendRecord.from_mapping(send.model_dump()))
            except InvalidSendRecord as exc:
                raise _unprocessable(f"sends.{index}: {exc}") from None
        try:
            result = record_sends(
                records,
                log=services.log,
                now=now(),
                feedback_window=services.feedback_window,
            )
        except TransientStoreError:
            raise HTTPException(503, "the notification log is busy; retry") from None
        return RecordSendsOut(**result.summary())

    def _suppression_state(address: str) -> SuppressionOut:
        try:
            return SuppressionOut.of(services.suppression.get(address), None)
        except SuppressionError as exc:
            return SuppressionOut.of(None, str(exc))

    @app.get(
        "/api/v1/recipients/{email}",
        response_model=RecipientOut,
        responses=_ERRORS,
        tags=["recipients"],
        summary="Recent notifications, hard-bounce and complaint history, suppression state",
    )
    def get_recipient(
        *,
        _: str = token_dependency,
        email: str,
        since: Annotated[str | None, Query(description="Period of the recent list.")] = None,
    ) -> RecipientOut:
        address = _email(email)
        moment = now()
        health = services.queries.recipient_health(address, since=_parse_since(since, moment))
        views = [describe(r, now=moment, region=services.region) for r in health.recent]
        return RecipientOut.of(
            health,
            views,
            region=services.region,
            suppression=_suppression_state(address),
            audit=list(services.audit.history(address)),
        )

    @app.post(
        "/api/v1/recipients/{email}/unsuppress",
        response_model=UnsuppressOut,
        responses={
            **_ERRORS,
            502: {"model": ErrorOut, "description": "SES refused the request."},
            503: {"model": ErrorOut, "description": "SES could not be reached."},
        },
        tags=["recipients"],
        summary="Remove the address from the SES account suppression list (audited)",
    )
    def post_unsuppress(
        email: str, body: UnsuppressIn, token: str = token_dependency
    ) -> UnsuppressOut:
        address = _email(email)
        actor = token_fingerprint(token)
        if body.requested_by:
            actor = f"{body.requested_by.strip()} via {actor}"
        try:
            result = unsuppress_recipient(
                address,
                actor=actor,
                why=body.reason,
                now=now(),
                suppression=services.suppression,
                audit=services.audit,
            )
        except InvalidUnsuppressRequest as exc:
            raise _unprocessable(str(exc)) from None
        except SuppressionUnavailable as exc:
            raise HTTPException(503, str(exc)) from None
        except SuppressionError as exc:
            raise HTTPException(502, str(exc)) from None
        logger.info("unsuppress requested for %s", mask_address(address))
        return UnsuppressOut(
            recipient=result.recipient,
            action=result.action,
            removed=result.removed,
            previous_reason=result.previous.reason if result.previous else None,
            audited_as=actor,
        )

    @app.get(
        "/api/v1/report",
        response_model=ReportOut,
        responses=_ERRORS,
        tags=["report"],
        summary="The gap report: outcomes, top reasons, worst domains",
    )
    def get_report(
        *,
        _: str = token_dependency,
        since: Annotated[str, Query(description="Period back from now, e.g. 24h, 7d.")] = "24h",
        by: Annotated[str | None, Query(description="domain, type or day.")] = None,
        top: Annotated[int, Query(ge=1, le=100)] = 10,
        min_volume: Annotated[
            int, Query(ge=1, le=1_000_000, description="Least sent for a domain to rank.")
        ] = 20,
    ) -> ReportOut:
        if by is not None and by not in REPORT_DIMENSIONS:
            raise _unprocessable(f"by must be one of {', '.join(REPORT_DIMENSIONS)}")
        moment = now()
        start = _parse_since(since, moment)
        if start is None:
            raise _unprocessable("since is required for the report (e.g. 24h)")
        if start >= moment:
            raise _unprocessable("since must be in the past")
        report = services.queries.gap_report(
            since=start, until=moment, by=by, top=top, min_domain_volume=min_volume
        )
        return ReportOut.of(report)

    # --- health and metrics (open) ------------------------------------------------
    @app.get(
        "/healthz",
        response_model=HealthOut,
        responses={503: {"model": HealthOut}},
        tags=["operations"],
    )
    def healthz() -> Any:
        try:
            services.queries.ping()
        except Exception as exc:
            logger.warning("health check failed: %s", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return HealthOut(status="ok", database="reachable")

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus."}},
    )
    def metrics() -> Response:
        from worker.metrics import metrics_registry

        return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)

    # --- the page -------------------------------------------------------------------
    def page_token(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and _valid_token(value.strip(), tokens):
            return value.strip()
        return verify_session(
            request.cookies.get(COOKIE_NAME), key=key, tokens=token_texts, now=services.clock()
        )

    def login_page(request: Request, *, error: str | None = None, code: int = 401) -> Response:
        return templates.TemplateResponse(request, "login.html", {"error": error}, status_code=code)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, q: str = "", since: str = "") -> Response:
        if page_token(request) is None:
            return login_page(request)
        moment = now()
        context: dict[str, Any] = {"q": q, "since": since, "error": None, "views": []}
        if q.strip():
            try:
                start = _parse_since(since or None, moment)
            except HTTPException as exc:
                context["error"] = str(exc.detail)
                start = None
            if context["error"] is None:
                result = services.queries.search(q, since=start)
                context["field"] = result.field
                context["views"] = [
                    describe(r, now=moment, region=services.region) for r in result.records
                ]
                if not result.records:
                    if result.field == "email":
                        badge, explanation = never_sent_view(q)
                    else:
                        badge = "No notification with this id"
                        _, explanation = never_sent_view(None)
                    context["empty"] = {"badge": badge, "explanation": explanation}
        context["badges"] = BADGES
        return templates.TemplateResponse(request, "index.html", context)

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        if _valid_token(token, tokens) is None:
            return login_page(request, error="That token is not valid.")
        response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
        response.set_cookie(
            COOKIE_NAME,
            sign_session(token, key=key, now=services.clock()),
            httponly=True,
            samesite="strict",
            secure=services.secure_cookies,
            max_age=int(SESSION_LIFETIME.total_seconds()),
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
        response.delete_cookie(
            COOKIE_NAME, httponly=True, samesite="strict", secure=services.secure_cookies
        )
        return response

    return app
