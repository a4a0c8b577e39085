"""EventBridge events from ``aws.ses`` (reference reader): the SES document in
``detail``, or account-level service news that is about no message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from worker.domain.events import (
    ControlKind,
    ControlMessage,
    Envelope,
    EventType,
    FeedbackEvent,
    ParseResult,
    RejectionCode,
)
from worker.domain.parser.document import noting, parse_ses_document
from worker.domain.parser.rejections import opt_object, reject

EVENTBRIDGE_DETAIL_TYPES: dict[str, EventType] = {
    "Email Sent": EventType.SEND,
    "Email Delivered": EventType.DELIVERY,
    "Email Bounced": EventType.BOUNCE,
    "Email Complaint Received": EventType.COMPLAINT,
    "Email Rejected": EventType.REJECT,
    "Email Rendering Failed": EventType.RENDERING_FAILURE,
    "Email Delivery Delayed": EventType.DELIVERY_DELAY,
    "Email Opened": EventType.OPEN,
    "Email Clicked": EventType.CLICK,
    "Email Subscribed": EventType.SUBSCRIPTION,
}


def parse_eventbridge(document: dict[str, Any], received_at: datetime | None) -> ParseResult:
    detail_type = document.get("detail-type")
    if detail_type is not None and not isinstance(detail_type, str):
        reject(RejectionCode.WRONG_TYPE, "EventBridge 'detail-type' must be a string")
    labelled = EVENTBRIDGE_DETAIL_TYPES.get(detail_type) if detail_type is not None else None
    detail = document.get("detail")
    if isinstance(detail, dict) and (
        "mail" in detail or "eventType" in detail or "notificationType" in detail
    ):
        # A message document: it decides, whatever the label (a rule may label every SES
        # event "SES Email Event"). Half a document is a dead letter, never news.
        if labelled is None:
            label = repr(detail_type[:60]) if detail_type is not None else "(none)"
            if "eventType" not in detail and "notificationType" not in detail:
                reject(
                    RejectionCode.UNKNOWN_EVENT_TYPE,
                    f"EventBridge event from aws.ses has a 'mail' object but no 'eventType', "
                    f"and its detail-type {label} names no SES event",
                )
            if "mail" not in detail:
                reject(
                    RejectionCode.UNKNOWN_EVENT_TYPE,
                    f"EventBridge event from aws.ses has an 'eventType' but no 'mail' object "
                    f"(detail-type {label})",
                )
        result = parse_ses_document(
            detail,
            Envelope.EVENTBRIDGE,
            sns=None,
            default_type=labelled,
            received_at=received_at,
        )
        if isinstance(result, FeedbackEvent) and result.event_type is not labelled:
            shown = repr(detail_type[:60]) if detail_type is not None else "missing"
            return noting(result, f"EventBridge detail-type {shown}")
        return result
    if labelled is None:
        if detail_type is None:
            reject(
                RejectionCode.BAD_ENVELOPE,
                "EventBridge event from aws.ses has no 'detail-type' and no SES document",
            )
        # Sending paused/resumed, advisor recommendations...: account-level news, not
        # about a message (no message document). Recorded, never parsed as an event.
        return ControlMessage(
            kind=ControlKind.SERVICE_EVENT,
            message=f"SES service event: {detail_type[:200]}",
            detail_type=detail_type,
        )
    detail = opt_object(document, "detail", "EventBridge event")
    if detail is None:
        reject(RejectionCode.BAD_ENVELOPE, f"EventBridge '{detail_type}' event has no 'detail'")
    return parse_ses_document(
        detail, Envelope.EVENTBRIDGE, sns=None, default_type=labelled, received_at=received_at
    )
