"""``/api/v1/report``: the gap report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from worker.api.deps import ERRORS, Now, Services, Token, parse_since, unprocessable
from worker.api.models import ReportOut
from worker.queries.support import REPORT_DIMENSIONS

#: Every route here documents the shared error answers (and, where given, its tag).
router = APIRouter(tags=["report"], responses=ERRORS)


@router.get(
    "/api/v1/report",
    response_model=ReportOut,
    summary="The gap report: outcomes, top reasons, worst domains",
)
def get_report(
    *,
    _: Token,
    services: Services,
    moment: Now,
    since: Annotated[str, Query(description="Period back from now, e.g. 24h, 7d.")] = "24h",
    by: Annotated[str | None, Query(description="domain, type or day.")] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    min_volume: Annotated[
        int, Query(ge=1, le=1_000_000, description="Least sent for a domain to rank.")
    ] = 20,
) -> ReportOut:
    if by is not None and by not in REPORT_DIMENSIONS:
        raise unprocessable(f"by must be one of {', '.join(REPORT_DIMENSIONS)}")
    start = parse_since(since, moment)
    if start is None:
        raise unprocessable("since is required for the report (e.g. 24h)")
    if start >= moment:
        raise unprocessable("since must be in the past")
    report = services.queries.gap_report(
        since=start, until=moment, by=by, top=top, min_domain_volume=min_volume
    )
    return ReportOut.of(report)
