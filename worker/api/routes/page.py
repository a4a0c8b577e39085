"""The support page: search (``GET /``), ``POST /login`` and ``POST /logout``.

``GET /`` with nothing searched shows the gap overview: the outcomes of the notifications
sent in the last 24 hours and 7 days (the same ``gap_report`` read as ``/api/v1/report``)
and the per-day rate chart as inline SVG (:mod:`worker.api.overview_chart`).

The page accepts a bearer token or the signed session cookie its login form sets (the API
never accepts the cookie, so it cannot be used for cross-site POSTs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from worker.api.deps import AppState, State, parse_since, valid_token
from worker.api.overview_chart import rate_chart_svg
from worker.api.sessions import SESSION_LIFETIME, sign_session, verify_session
from worker.domain.timestamps import format_timestamp
from worker.queries.rate_series import daily_rates
from worker.queries.support import (
    BADGES,
    StatusCounts,
    SupportQueries,
    describe,
    never_sent_view,
)

#: The cookie's name is kept from when it held the token; its value is now a signed session.
COOKIE_NAME = "inboxgap_token"

router = APIRouter()

#: The overview's periods (key, label, length) and columns (StatusCounts field, label).
OVERVIEW_PERIODS = (
    ("24h", "Last 24 hours", timedelta(hours=24)),
    ("7d", "Last 7 days", timedelta(days=7)),
)
OVERVIEW_COLUMNS = (
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("bounced", "Bounced"),
    ("quarantined", "Quarantined"),
    ("unknown", "Unknown"),
    ("pending", "Awaiting"),
)
#: Days the overview chart draws: today (so far) and the six before it.
CHART_DAYS = 7


@dataclass(frozen=True, slots=True)
class OverviewPeriod:
    key: str
    label: str
    counts: StatusCounts


def page_token(request: Request, state: AppState) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and valid_token(value.strip(), state.tokens):
        return value.strip()
    return verify_session(
        request.cookies.get(COOKIE_NAME),
        key=state.session_key,
        tokens=state.token_texts,
        now=state.services.clock(),
    )


def login_page(
    request: Request, state: AppState, *, error: str | None = None, code: int = 401
) -> Response:
    return state.templates.TemplateResponse(
        request, "login.html", {"error": error}, status_code=code
    )


def _search(state: AppState, q: str, since: str, moment: datetime) -> dict[str, Any]:
    """What the page shows for a query: the matches, or why there are none."""
    services = state.services
    context: dict[str, Any] = {"q": q, "since": since, "error": None, "views": []}
    try:
        start = parse_since(since or None, moment)
    except HTTPException as exc:
        context["error"] = str(exc.detail)
        return context
    result = services.queries.search(q, since=start)
    context["field"] = result.field
    context["views"] = [describe(r, now=moment, region=services.region) for r in result.records]
    if not result.records:
        if result.field == "email":
            badge, explanation = never_sent_view(q)
        else:
            badge = "No notification with this id"
            _, explanation = never_sent_view(None)
        context["empty"] = {"badge": badge, "explanation": explanation}
    return context


def overview(queries: SupportQueries, moment: datetime) -> dict[str, Any]:
    """The home page's gap overview as of ``moment``: two gap reports (24 h, 7 d) and one
    per-day series, all read from the daily aggregates plus the window's edges."""
    periods = [
        OverviewPeriod(
            key,
            label,
            queries.gap_report(since=moment - length, until=moment, top=1, with_opens=False).totals,
        )
        for key, label, length in OVERVIEW_PERIODS
    ]
    today = moment.astimezone(UTC).date()
    chart_since = datetime.combine(today - timedelta(days=CHART_DAYS - 1), time.min, tzinfo=UTC)
    series = queries.outcome_series(since=chart_since, until=moment, hourly=False)
    days = daily_rates(series, since=chart_since, until=moment)
    return {
        "periods": periods,
        "columns": OVERVIEW_COLUMNS,
        "until": format_timestamp(moment),
        # Built from numbers and our own labels, every text escaped by the builder.
        "chart": Markup(rate_chart_svg(days)),  # noqa: S704
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, state: State, q: str = "", since: str = "") -> Response:
    if page_token(request, state) is None:
        return login_page(request, state)
    if q.strip():
        context = _search(state, q, since, state.services.clock())
    else:
        context = {"q": q, "since": since, "error": None, "views": []}
        context["overview"] = overview(state.services.queries, state.services.clock())
    context["badges"] = BADGES
    return state.templates.TemplateResponse(request, "index.html", context)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
async def login(request: Request, state: State) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    if valid_token(token, state.tokens) is None:
        return login_page(request, state, error="That token is not valid.")
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE_NAME,
        sign_session(token, key=state.session_key, now=state.services.clock()),
        httponly=True,
        samesite="strict",
        secure=state.services.secure_cookies,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(state: State) -> Response:
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(
        COOKIE_NAME, httponly=True, samesite="strict", secure=state.services.secure_cookies
    )
    return response
