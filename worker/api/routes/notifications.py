"""``/api/v1/notifications``: lookups by address or id, and recording sends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from worker.api.deps import ERRORS, Now, Services, Token, email_address, parse_since, unprocessable
from worker.api.models import (
    ExplanationOut,
    LookupOut,
    NotificationOut,
    RecordSendsIn,
    RecordSendsOut,
)
from worker.api.paging import decode_cursor, encode_cursor
from worker.api.problems import Problem
from worker.handlers.ports import TransientStoreError
from worker.handlers.sends import InvalidSendRecord, SendRecord, record_sends
from worker.queries.support import OutcomeKind, describe, never_sent_view

#: Every route here documents the shared error answers (and, where given, its tag).
router = APIRouter(responses=ERRORS)


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
    limit: Annotated[int, Query(ge=1, le=1000, description="Most notifications in one page.")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            description="Where the page starts: the `next` of the previous page (opaque). "
            "Keep the other parameters as they were."
        ),
    ] = None,
) -> LookupOut:
    field, value = _one_key(email=email, message_id=message_id, notification_id=notification_id)
    start = parse_since(since, moment)
    if field == "email":
        value = email_address(value)
    scope = f"{field}={value}"
    page = services.queries.lookup_page(
        email=value if field == "email" else None,
        message_id=value if field == "message_id" else None,
        notification_id=value if field == "notification_id" else None,
        since=start,
        limit=limit,
        after=decode_cursor(cursor, scope=scope) if cursor is not None else None,
    )
    views = [describe(r, now=moment, region=services.region) for r in page.records]
    kind = explanation = None
    if not views and field == "email" and cursor is None:
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
        has_more=page.has_more,
        next=encode_cursor(page.after, scope=scope) if page.after is not None else None,
        kind=kind,
        explanation=explanation,
        notifications=[NotificationOut.of(v, region=services.region) for v in views],
    )


@router.post(
    "/api/v1/notifications",
    response_model=RecordSendsOut,
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
            # The caller's own input: told back unmasked (it is not logged).
            raise unprocessable(f"sends.{index}: {exc.for_operator}", exc.code) from None
    try:
        result = record_sends(
            records,
            log=services.log,
            now=moment,
            feedback_window=services.feedback_window,
        )
    except TransientStoreError:
        raise Problem(
            503, "the notification log is busy; retry", code="database_unavailable"
        ) from None
    return RecordSendsOut(**result.summary())
