"""What every response says to a browser, input no route should ever see, request metrics.

Pure ASGI middlewares (and one Starlette one for the metrics) that
:func:`worker.api.app.create_app` installs around every route.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request, Response, status
from prometheus_client import Counter, Histogram
from starlette.middleware.base import BaseHTTPMiddleware

from worker.api.models import MAX_INPUT_CHARS, bad_text
from worker.api.problems import problem_response

API_REQUESTS = Counter(
    "inboxgap_api_requests_total", "Support API and page requests.", ["route", "status"]
)
API_SECONDS = Histogram(
    "inboxgap_api_request_duration_seconds",
    "Support API and page latency.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

#: Everything from this origin, nothing inline (the page's scripts and stylesheet are
#: files under /static; the overview chart's inline SVG styles itself with presentation
#: attributes such as fill=, which no CSP directive governs), no framing, no <base>, forms
#: post only here.
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


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    headers = list(SECURITY_HEADERS)
    if not path.startswith("/static/"):
        headers.append(NO_STORE)
    return [(name.encode(), value.encode()) for name, value in headers]


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware): adds the headers to every response start,
    error responses from the routes and the input guard included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""))

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


class InputGuard:
    """Refuses a request whose path or query could only break a route (422, one line)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = _input_problem(scope)
            if problem is not None:
                response = problem_response(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, problem, code="invalid_input"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequestMetrics(BaseHTTPMiddleware):
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
