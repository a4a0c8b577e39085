"""``/api/v1/recipients/{email}``: one address's overview, and unsuppressing it."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query

from worker.api.deps import (
    ERRORS,
    Now,
    Services,
    Token,
    email_address,
    parse_since,
    token_fingerprint,
    unprocessable,
)
from worker.api.models import (
    DeliverabilityOut,
    RecipientOut,
    UnsuppressIn,
    UnsuppressOut,
)
from worker.api.problems import Problem, ProblemOut
from worker.domain.addresses import mask_address
from worker.handlers.ports.suppression import SuppressionError, SuppressionUnavailable
from worker.handlers.unsuppress import (
    InvalidUnsuppressRequest,
    UnsuppressRefused,
    unsuppress_recipient,
)
from worker.queries.recipient import recipient_deliverability, recipient_overview

logger = logging.getLogger("worker.api.app")

#: Every route here documents the shared error answers (and, where given, its tag).
router = APIRouter(tags=["recipients"], responses=ERRORS)


@router.get(
    "/api/v1/recipients/{email}",
    response_model=RecipientOut,
    summary="Recent notifications, hard-bounce and complaint history, suppression state",
)
def get_recipient(
    *,
    _: Token,
    services: Services,
    moment: Now,
    email: str,
    since: Annotated[str | None, Query(description="Period of the recent list.")] = None,
) -> RecipientOut:
    address = email_address(email)
    overview = recipient_overview(
        address,
        since=parse_since(since, moment),
        now=moment,
        region=services.region,
        queries=services.queries,
        suppression=services.suppression,
        audit=services.audit,
    )
    return RecipientOut.of_overview(overview, region=services.region)


@router.get(
    "/api/v1/recipients/{email}/deliverability",
    response_model=DeliverabilityOut,
    summary="Can the application still email this address: state, user message, actions",
)
def get_deliverability(*, _: Token, services: Services, email: str) -> DeliverabilityOut:
    address = email_address(email)
    answer = recipient_deliverability(
        address, queries=services.queries, suppression=services.suppression, audit=services.audit
    )
    return DeliverabilityOut.of(answer)


@router.post(
    "/api/v1/recipients/{email}/unsuppress",
    response_model=UnsuppressOut,
    responses={
        409: {
            "model": ProblemOut,
            "description": "The mailbox or its domain does not exist (unsuppress_refused).",
        },
        502: {"model": ProblemOut, "description": "SES refused the request (ses_refused)."},
        503: {"model": ProblemOut, "description": "SES could not be reached (ses_unavailable)."},
    },
    summary="Remove the address from the SES account suppression list (audited)",
)
def post_unsuppress(
    email: str, body: UnsuppressIn, token: Token, services: Services, moment: Now
) -> UnsuppressOut:
    address = email_address(email)
    actor = token_fingerprint(token)
    if body.requested_by:
        actor = f"{body.requested_by.strip()} via {actor}"
    try:
        result = unsuppress_recipient(
            address,
            actor=actor,
            why=body.reason,
            now=moment,
            suppression=services.suppression,
            audit=services.audit,
            recent=services.queries.recipient_outcomes(address),
        )
    except InvalidUnsuppressRequest as exc:
        raise unprocessable(str(exc)) from None
    except UnsuppressRefused as exc:
        raise Problem(409, str(exc), code="unsuppress_refused") from None
    except SuppressionUnavailable as exc:
        raise Problem(503, str(exc), code="ses_unavailable") from None
    except SuppressionError as exc:
        raise Problem(502, str(exc), code="ses_refused") from None
    logger.info("unsuppress requested for %s", mask_address(address))
    return UnsuppressOut(
        recipient=result.recipient,
        action=result.action,
        removed=result.removed,
        previous_reason=result.previous.reason if result.previous else None,
        audited_as=actor,
    )
