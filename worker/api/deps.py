"""What the routes share: the services and clock from ``app.state``, the bearer-token
dependency, and the input helpers (periods, addresses) that answer 422.

:func:`worker.api.app.create_app` puts the services and the token material on
``app.state``; the routers (:mod:`worker.api.routes`) receive them through ``Depends``, so
no route closes over a factory's locals.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from worker.api.problems import Problem, ProblemOut
from worker.api.wiring import SupportServices
from worker.domain.addresses import InvalidAddress, check_address
from worker.durations import parse_duration

#: Longest ``since`` a caller may ask for (the log keeps 90 days by default).
MAX_SINCE = timedelta(days=3660)

#: The error answers every protected route documents (``application/problem+json``).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemOut, "description": "Missing or invalid bearer token (unauthorized)."},
    422: {
        "model": ProblemOut,
        "description": "Invalid input; `detail` says what to fix, `code` which rule "
        "(validation_error, invalid_address, invalid_since, invalid_cursor, invalid_input).",
    },
    503: {
        "model": ProblemOut,
        "description": "The notification log is unreachable or busy (database_unavailable).",
    },
}

bearer = HTTPBearer(auto_error=False, description="A token from INBOXGAP_API_TOKENS.")


@dataclass(frozen=True, slots=True)
class AppState:
    """What ``create_app`` computes once and every request reads (``app.state.inboxgap``)."""

    services: SupportServices
    tokens: tuple[bytes, ...]
    token_texts: tuple[str, ...]
    session_key: bytes
    templates: Jinja2Templates


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.inboxgap
    return state


def support_services(request: Request) -> SupportServices:
    return app_state(request).services


def request_time(request: Request) -> datetime:
    """The services' clock, read once per request."""
    return app_state(request).services.clock()


State = Annotated[AppState, Depends(app_state)]
Services = Annotated[SupportServices, Depends(support_services)]
Now = Annotated[datetime, Depends(request_time)]


def token_fingerprint(token: str) -> str:
    """Names a token in audit entries without revealing it."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:10]


def valid_token(candidate: str | None, tokens: tuple[bytes, ...]) -> str | None:
    if not candidate or not tokens:
        return None
    given = candidate.encode()
    match = False
    for token in tokens:  # no early exit: the time does not depend on which one matched
        match |= hmac.compare_digest(given, token)
    return candidate if match else None


def unprocessable(message: str, code: str = "validation_error") -> HTTPException:
    return Problem(status.HTTP_422_UNPROCESSABLE_CONTENT, message, code=code)


def parse_since(since: str | None, now: datetime) -> datetime | None:
    """``24h``/``7d``/ISO duration (a period back from now) or an ISO-8601 time."""
    if since is None or not since.strip() or since.strip() == "all":
        return None
    from worker.domain.timestamps import parse_timestamp

    try:
        period = parse_duration(since)
    except ValueError:
        moment = parse_timestamp(since)
        if moment is None:
            raise unprocessable(
                f"since={since[:40]!r} is neither a period (24h, 7d, 30m) nor an ISO-8601 time",
                "invalid_since",
            ) from None
        return moment
    if period <= timedelta(0) or period > MAX_SINCE:
        raise unprocessable("since must be a positive period of at most 10 years", "invalid_since")
    return now - period


def email_address(value: str) -> str:
    """The normalised address, by the one address rule (the CLI's too), or 422
    ``invalid_address`` naming what was given (it is the caller's own input)."""
    try:
        return check_address(value)
    except InvalidAddress as exc:
        raise unprocessable(str(exc), "invalid_address") from None


def api_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The caller's bearer token, or 401."""
    token = valid_token(credentials.credentials if credentials else None, app_state(request).tokens)
    if token is None:
        raise Problem(
            status.HTTP_401_UNAUTHORIZED,
            "a valid bearer token is required (Authorization: Bearer <token>)",
            code="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token


Token = Annotated[str, Depends(api_token)]
