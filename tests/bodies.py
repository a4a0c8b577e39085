"""Build realistic SES event-publishing bodies (raw delivery) for handler and log tests.

The documents come from :mod:`worker.simulation` wherever its builders give the same
document; the ``mail`` object here stays minimal (no headers, no ``ses:*`` tags) because
the tests assert what is stored from exactly these fields.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from worker import simulation

T0 = "2025-03-04T10:00:00.000Z"


def _mail(
    message_id: str,
    destination: Sequence[str],
    timestamp: str,
    tags: dict[str, str] | None,
) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "source": "no-reply@sender.example",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender.example",
        "sendingAccountId": "123456789012",
        "messageId": message_id,
        "destination": list(destination),
        "tags": {key: [value] for key, value in (tags or {}).items()},
    }


def send(
    message_id: str,
    destination: Sequence[str],
    *,
    timestamp: str = T0,
    notification_id: str | None = None,
    notification_type: str | None = None,
) -> str:
    tags: dict[str, str] = {}
    if notification_id is not None:
        tags["notification_id"] = notification_id
    if notification_type is not None:
        tags["notification_type"] = notification_type
    return json.dumps(simulation.send_event(_mail(message_id, destination, timestamp, tags)))


def delivery(
    message_id: str,
    recipients: Sequence[str],
    *,
    timestamp: str = "2025-03-04T10:00:02.000Z",
    mail_timestamp: str = T0,
) -> str:
    return json.dumps(
        {
            "eventType": "Delivery",
            "mail": _mail(message_id, recipients, mail_timestamp, None),
            "delivery": {
                "timestamp": timestamp,
                "processingTimeMillis": 1200,
                "recipients": list(recipients),
                "smtpResponse": "250 2.0.0 OK",
                "reportingMTA": "a8-1.smtp-out.amazonses.com",
            },
        }
    )


def bounce(
    message_id: str,
    recipient: str,
    *,
    feedback_id: str,
    timestamp: str = "2025-03-04T10:00:03.000Z",
    bounce_type: str = "Permanent",
    subtype: str = "General",
    status: str = "5.1.1",
    diagnostic: str = "smtp; 550 5.1.1 <user>: Recipient address rejected: User unknown",
    mail_timestamp: str = T0,
) -> str:
    entry = simulation.bounced_recipient(recipient, status=status, diagnostic=diagnostic)
    doc = simulation.bounce_event(
        _mail(message_id, [recipient], mail_timestamp, None),
        [entry],
        bounce_type,
        subtype,
        feedback_id=feedback_id,
        timestamp=timestamp,
        reporting_mta="dns; a8-1.smtp-out.amazonses.com",
    )
    return json.dumps(doc)


def complaint(
    message_id: str,
    recipient: str,
    *,
    feedback_id: str,
    timestamp: str = "2025-03-04T11:00:00.000Z",
    mail_timestamp: str = T0,
) -> str:
    doc = simulation.complaint_event(
        _mail(message_id, [recipient], mail_timestamp, None),
        [recipient],
        feedback_id=feedback_id,
        timestamp=timestamp,
        user_agent=None,
    )
    return json.dumps(doc)


def delay(
    message_id: str,
    recipient: str,
    *,
    timestamp: str = "2025-03-04T10:30:00.000Z",
    mail_timestamp: str = T0,
) -> str:
    return json.dumps(
        {
            "eventType": "DeliveryDelay",
            "mail": _mail(message_id, [recipient], mail_timestamp, None),
            "deliveryDelay": {
                "timestamp": timestamp,
                "delayType": "TransientCommunicationFailure",
                "expirationTime": "2025-03-05T10:00:00.000Z",
                "delayedRecipients": [
                    {
                        "emailAddress": recipient,
                        "status": "4.4.1",
                        "diagnosticCode": "smtp; 421 4.4.1 connection timed out",
                    }
                ],
            },
        }
    )


def open_(
    message_id: str,
    recipient: str,
    *,
    timestamp: str = "2025-03-04T12:00:00.000Z",
    mail_timestamp: str = T0,
) -> str:
    doc = simulation.open_event(
        _mail(message_id, [recipient], mail_timestamp, None),
        timestamp=timestamp,
        ip_address="192.0.2.1",
        user_agent="Mozilla/5.0",
    )
    return json.dumps(doc)


def subscription_confirmation(message_id: str = "sns-msg-1") -> str:
    return json.dumps(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": message_id,
            "Token": "2336412f37fb687f5d51e6e2425dacbba",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-events",
            "Message": "You have chosen to subscribe to the topic. To confirm, visit the URL.",
            "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
            "Timestamp": "2025-03-04T10:00:00.000Z",
            "SignatureVersion": "1",
            "Signature": "c2lnbmF0dXJl",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
        }
    )


def sns_wrap(inner: str, *, sns_message_id: str = "sns-1") -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": sns_message_id,
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-events",
            "Message": inner,
            "Timestamp": "2025-03-04T10:00:05.000Z",
            "SignatureVersion": "1",
            "Signature": "c2lnbmF0dXJl",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }
    )


def one_of_each() -> list[str]:
    """A body of each kind built here: a send to two recipients, a bounce, a complaint, a
    delay, a delivery wrapped in SNS and a subscription handshake."""
    return [
        send("msg-1", ["a@x.example", "b@y.example"], notification_id="n-1"),
        bounce("msg-1", "a@x.example", feedback_id="fb-1"),
        complaint("msg-1", "b@y.example", feedback_id="fc-1"),
        delay("msg-1", "a@x.example"),
        sns_wrap(delivery("msg-1", ["a@x.example"])),
        subscription_confirmation(),
    ]
