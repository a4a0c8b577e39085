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

from worker.api.models import ErrorOut
from worker.api.wiring import SupportServices
from worker.domain.addresses import normalise_address
from worker.durations import parse_duration

#: Longest ``since`` a caller may ask for (the log keeps 90 days by default).
MAX_SINCE = timedelta(days=3660)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid bearer token."},
    422: {"model": ErrorOut, "description": "Invalid input; `detail` says what to fix."},
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


def unprocessable(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=message)


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
                f"since={since[:40]!r} is neither a period (24h, 7d, 30m) nor an ISO-8601 time"
            ) from None
        return moment
    if period <= timedelta(0) or period > MAX_SINCE:
        raise unprocessable("since must be a positive period of at most 10 years")
    return now - period


def email_address(value: str) -> str:
    address = normalise_address(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or len(address) > 320:
        raise unprocessable("not an email address (expected name@domain.example)")
    return address


def api_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The caller's bearer token, or 401."""
    token = valid_token(credentials.credentials if credentials else None, app_state(request).tokens)
    if token is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token


Token = Annotated[str, Depends(api_token)]
