"""``/api/v1/notifications``: lookups by address or id, and recording sends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from worker.api.deps import ERRORS, Now, Services, Token, email_address, parse_since, unprocessable
from worker.api.models import (
    ExplanationOut,
    LookupOut,
    NotificationOut,
    RecordSendsIn,
    RecordSendsOut,
)
from worker.handlers.ports import TransientStoreError
from worker.handlers.sends import InvalidSendRecord, SendRecord, record_sends
from worker.queries.support import OutcomeKind, describe, never_sent_view

router = APIRouter()


def _one_key(**keys: str | None) -> tuple[str, str]:
    given = {k: v for k, v in keys.items() if v is not None}
    if len(given) != 1:
        raise unprocessable("give exactly one of email, message_id or notification_id")
    field, value = next(iter(given.items()))
    if not value.strip():
        raise unprocessable(f"{field} is empty")
    return field, value


@router.get(
    "/api/v1/notifications",
    response_model=LookupOut,
    responses=ERRORS,
    tags=["lookups"],
    summary="Notifications to an address, or with an SES message id or our id",
)
def get_notifications(
    *,
    _: Token,
    services: Services,
    moment: Now,
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
    field, value = _one_key(email=email, message_id=message_id, notification_id=notification_id)
    start = parse_since(since, moment)
    if field == "email":
        value = email_address(value)
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


@router.post(
    "/api/v1/notifications",
    response_model=RecordSendsOut,
    responses=ERRORS,
    tags=["sends"],
    summary="Record sends (one row per recipient of an SES message); idempotent",
)
def post_notifications(
    body: RecordSendsIn, _: Token, services: Services, moment: Now
) -> RecordSendsOut:
    records = []
    for index, send in enumerate(body.sends):
        try:
            records.append(SendRecord.from_mapping(send.model_dump()))
        except InvalidSendRecord as exc:
            raise unprocessable(f"sends.{index}: {exc}") from None
    try:
        result = record_sends(
            records,
            log=services.log,
            now=moment,
            feedback_window=services.feedback_window,
        )
    except TransientStoreError:
        raise HTTPException(503, "the notification log is busy; retry") from None
    return RecordSendsOut(**result.summary())
