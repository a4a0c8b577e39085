"""Envelope wrappers: turn an SES document into the text of one SQS message body (raw,
SNS-wrapped, EventBridge), plus the control bodies (subscription confirmation, setup
notice, service events)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final, Literal

from worker.simulation.documents import (
    _PLACEHOLDER_CERT,
    ACCOUNT_ID,
    CONFIGURATION_SET,
    DEFAULT_TOPIC_ARN,
    DETAIL_TYPES,
    EVENT_PUBLISHING_SETUP_MESSAGE,
    FROM_DOMAIN,
    PLACEHOLDER_SIGNATURE,
    REGION,
    SES_EVENT_SUBJECT,
    SUB_OBJECT_KEYS,
    Signer,
    _region_of,
    _stable_uuid,
    to_event_publishing,
)

_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
#: ``json.dumps`` of one string (quoted, ASCII-escaped), without the encoder's overhead.
_escape_json_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


def _dumps(value: Any) -> str:
    """Compact single-line JSON, as SES writes its documents."""
    return _ENCODE(value)


def _event_timestamp(doc: Mapping[str, Any]) -> str:
    kind = doc.get("eventType") or doc.get("notificationType")
    sub = doc.get(SUB_OBJECT_KEYS.get(str(kind), ""), None)
    if isinstance(sub, Mapping) and isinstance(sub.get("timestamp"), str):
        return str(sub["timestamp"])
    mail = doc.get("mail")
    if isinstance(mail, Mapping) and isinstance(mail.get("timestamp"), str):
        return str(mail["timestamp"])
    return "1970-01-01T00:00:00.000Z"


def as_raw(doc: Mapping[str, Any]) -> str:
    """Raw message delivery (path C): the SES document itself, no envelope."""
    return _dumps(doc)


class _Auto:
    """Marker type for "choose the default" arguments."""


_AUTO: Final = _Auto()


def _sns_body(
    type_: str,
    message: str,
    *,
    topic_arn: str,
    timestamp: str,
    message_id: str | None,
    subject: str | None,
    signer: Signer | None,
    extra: Mapping[str, str] | None = None,
) -> str:
    message_id = message_id or _stable_uuid(topic_arn, type_, message)
    if signer is None and type_ == "Notification":
        # The hot path of the traffic generator: the same text as below, from a template.
        esc = _escape_json_string
        subject_field = "" if subject is None else f',"Subject":{esc(subject)}'
        return (
            f'{{"Type":"Notification","MessageId":{esc(message_id)},"TopicArn":{esc(topic_arn)}'
            f'{subject_field},"Message":{esc(message)},"Timestamp":{esc(timestamp)},'
            f"{_unsigned_tail(topic_arn)}"
        )
    fields: dict[str, str] = {"Type": type_, "MessageId": message_id}
    if extra and "Token" in extra:
        fields["Token"] = extra["Token"]
    fields["TopicArn"] = topic_arn
    if subject is not None:
        fields["Subject"] = subject
    fields["Message"] = message
    if extra and "SubscribeURL" in extra:
        fields["SubscribeURL"] = extra["SubscribeURL"]
    fields["Timestamp"] = timestamp
    signature = _placeholder_signature(topic_arn) if signer is None else signer(dict(fields))
    envelope: dict[str, str] = {**fields, **signature}
    if type_ == "Notification":
        envelope["UnsubscribeURL"] = _unsubscribe_url(topic_arn)
    return _dumps(envelope)


def _placeholder_signature(topic_arn: str) -> dict[str, str]:
    return {
        "SignatureVersion": "1",
        "Signature": PLACEHOLDER_SIGNATURE,
        "SigningCertURL": f"https://sns.{_region_of(topic_arn)}.amazonaws.com/{_PLACEHOLDER_CERT}",
    }


@lru_cache(maxsize=64)
def _unsigned_tail(topic_arn: str) -> str:
    """The fields after ``Timestamp`` of an unsigned Notification, as JSON (no braces)."""
    tail = {**_placeholder_signature(topic_arn), "UnsubscribeURL": _unsubscribe_url(topic_arn)}
    return _dumps(tail)[1:]


@lru_cache(maxsize=64)
def _unsubscribe_url(topic_arn: str) -> str:
    return (
        f"https://sns.{_region_of(topic_arn)}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        f"{topic_arn}:{_stable_uuid('subscription', topic_arn)}"
    )


def as_sns(
    doc: Mapping[str, Any],
    *,
    topic_arn: str = DEFAULT_TOPIC_ARN,
    signer: Signer | None = None,
    subject: str | _Auto | None = _AUTO,
    timestamp: str | None = None,
    message_id: str | None = None,
) -> str:
    """An SNS ``Notification`` envelope (paths A/B) whose ``Message`` is ``doc`` as compact
    JSON text.

    ``subject`` defaults to SES's "Amazon SES Email Event Notification" for event
    publishing and to none for identity notifications. ``timestamp`` defaults to the
    event's own; ``message_id`` to a uuid derived from the content (deterministic).
    Without a ``signer`` the signature fields are placeholders that do not verify; with
    one, it receives the envelope's fields and its answer is placed after ``Timestamp``.
    """
    if isinstance(subject, _Auto):
        subject = SES_EVENT_SUBJECT if "eventType" in doc else None
    return _sns_body(
        "Notification",
        _dumps(doc),
        topic_arn=topic_arn,
        timestamp=timestamp or _event_timestamp(doc),
        message_id=message_id,
        subject=subject,
        signer=signer,
    )


def as_eventbridge(doc: Mapping[str, Any], *, event_id: str | None = None) -> str:
    """An EventBridge event (path D): ``detail`` is the event-publishing document;
    identity notifications are converted first. ``time`` has second precision."""
    detail = to_event_publishing(doc)
    detail_json = _dumps(detail)
    return _eventbridge_body(
        detail_json,
        str(detail["eventType"]),
        _event_timestamp(detail),
        str(detail.get("mail", {}).get("sendingAccountId", ACCOUNT_ID)),
        event_id or _stable_uuid("eventbridge", detail_json),
    )


def _eventbridge_body(
    detail_json: str, event_type: str, event_timestamp: str, account: str, event_id: str
) -> str:
    # The same text as _dumps of the event dict, with the already-serialised detail
    # spliced in instead of serialised a second time.
    esc = _escape_json_string
    detail_type = DETAIL_TYPES.get(event_type, f"Email {event_type}")
    resource = f"arn:aws:ses:{REGION}:{account}:configuration-set/{CONFIGURATION_SET}"
    return (
        f'{{"version":"0","id":{esc(event_id)},"detail-type":{esc(detail_type)},'
        f'"source":"aws.ses","account":{esc(account)},"time":{esc(event_timestamp[:19] + "Z")},'
        f'"region":{esc(REGION)},"resources":[{esc(resource)}],"detail":{detail_json}}}'
    )


def subscription_confirmation(
    *,
    topic_arn: str = DEFAULT_TOPIC_ARN,
    token: str | None = None,
    timestamp: str = "2025-03-01T08:00:00.000Z",
    signer: Signer | None = None,
    unsubscribe: bool = False,
) -> str:
    """An SNS ``SubscriptionConfirmation`` (or ``UnsubscribeConfirmation``) body, as SNS
    puts into the queue when another account subscribes it (reference 1.6). ``token``
    defaults to a value derived from the topic ARN."""
    region = _region_of(topic_arn)
    token = token or hashlib.sha256(topic_arn.encode("utf-8")).hexdigest()
    subscribe_url = (
        f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={topic_arn}&Token={token}"
    )
    if unsubscribe:
        message = (
            f"You have chosen to deactivate subscription to the topic {topic_arn}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL "
            "included in this message."
        )
    else:
        message = (
            f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
    return _sns_body(
        "UnsubscribeConfirmation" if unsubscribe else "SubscriptionConfirmation",
        message,
        topic_arn=topic_arn,
        timestamp=timestamp,
        message_id=None,
        subject=None,
        signer=signer,
        extra={"Token": token, "SubscribeURL": subscribe_url},
    )


def setup_notice(
    kind: Literal["event_publishing", "identity"] = "event_publishing",
    *,
    topic_arn: str = DEFAULT_TOPIC_ARN,
    identity: str = FROM_DOMAIN,
    notification_type: str = "Complaint",
    timestamp: str = "2025-03-01T08:00:05.000Z",
    signer: Signer | None = None,
) -> str:
    """SES's set-up notice in an SNS envelope: the plain text for event-publishing topics,
    or the ``AmazonSnsSubscriptionSucceeded`` document for identity topics."""
    if kind == "event_publishing":
        message = EVENT_PUBLISHING_SETUP_MESSAGE
    else:
        message = _dumps(
            {
                "notificationType": "AmazonSnsSubscriptionSucceeded",
                "message": (
                    f"You have successfully subscribed your Amazon SNS topic '{topic_arn}' to "
                    f"receive '{notification_type}' notifications from Amazon SES for "
                    f"identity '{identity}'."
                ),
            }
        )
    return _sns_body(
        "Notification",
        message,
        topic_arn=topic_arn,
        timestamp=timestamp,
        message_id=None,
        subject=None,
        signer=signer,
    )


def service_event(
    detail_type: str = "Sending Status Disabled",
    *,
    time: str = "2025-03-05T02:00:00Z",
    detail: Mapping[str, Any] | None = None,
) -> str:
    """An ``aws.ses`` EventBridge event that is not about a message (no ``mail``)."""
    body = {
        "version": "0",
        "id": _stable_uuid("service", detail_type, time),
        "detail-type": detail_type,
        "source": "aws.ses",
        "account": ACCOUNT_ID,
        "time": time,
        "region": REGION,
        "resources": [],
        "detail": dict(detail or {"sendingStatus": "DISABLED", "reason": "REVIEW"}),
    }
    return _dumps(body)


# --- failure scenarios -----------------------------------------------------------------
