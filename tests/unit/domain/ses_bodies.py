"""Realistic SQS message bodies carrying SES feedback (reference ses-events.md, 1.2-1.6).

Pure data and builders, no I/O. Documents are built as dicts and wrapped in one of the
envelopes a queue can see: SNS ``Notification`` (identity notification or event
publishing), raw message delivery, or EventBridge. Every id and address is invented.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from worker import simulation

Doc = dict[str, Any]

# The simulated account (worker.simulation): same region, account and topic.
REGION = simulation.REGION
ACCOUNT = simulation.ACCOUNT_ID
TOPIC_ARN = simulation.DEFAULT_TOPIC_ARN
PARTNER_TOPIC_ARN = "arn:aws:sns:eu-west-1:444455556666:partner-ses-feedback"
SIGNING_CERT_URL = (
    "https://sns.eu-west-1.amazonaws.com/"
    "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
)
UNSUBSCRIBE_URL = (
    "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
    f"{TOPIC_ARN}:0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a"
)
SUBSCRIBE_URL = (
    "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
    f"{PARTNER_TOPIC_ARN}&Token=2336412f37fb687f..."
)
TOKEN = "2336412f37fb687f5d51e6e2425a8a58..."

MESSAGE_ID = "0102019560aa0f11-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-000000"
MESSAGE_ID_DELIVERY = "0102019560b41c22-7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a-000000"
MESSAGE_ID_COMPLAINT = "0102019560c0a1b2-3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f-000000"
FEEDBACK_ID_BOUNCE = "0102019560aa1b2c-5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000"
FEEDBACK_ID_EB_BOUNCE = "0102019560aa1b2c-77aa88bb-1c2d-4e3f-9a0b-ccddeeff0011-000000"
FEEDBACK_ID_COMPLAINT = "01020195671d2e3f-a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d-000000"

MAIL_TIMESTAMP = "2025-03-04T10:15:01.210Z"
SES_SOURCE = "noreply@notify.example.com"

SES_TOPIC_VALIDATED = "Successfully validated SNS topic for Amazon SES event publishing."

#: EventBridge detail-types and document sub-object keys: the simulation's tables.
DETAIL_TYPES: Mapping[str, str] = simulation.DETAIL_TYPES
SUB_OBJECT_KEYS: Mapping[str, str] = simulation.SUB_OBJECT_KEYS


# --- the mail object -------------------------------------------------------------------


def mail(
    destination: list[Any] | None = None,
    *,
    message_id: str = MESSAGE_ID,
    timestamp: str = MAIL_TIMESTAMP,
    event_publishing: bool = True,
    tags: dict[str, Any] | None = None,
) -> Doc:
    """A ``mail`` object as SES writes it (identity notifications omit headers and tags)."""
    destination = ["jane@acme.example"] if destination is None else destination
    doc: Doc = {
        "timestamp": timestamp,
        "source": SES_SOURCE,
        "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/notify.example.com",
        "sendingAccountId": ACCOUNT,
        "messageId": message_id,
        "destination": destination,
    }
    if event_publishing:
        doc["headersTruncated"] = False
        doc["headers"] = [
            {"name": "From", "value": "InboxGap Demo <noreply@notify.example.com>"},
            {"name": "To", "value": ", ".join(str(d) for d in destination)},
            {"name": "Subject", "value": "Your sign-in code"},
        ]
        doc["commonHeaders"] = {
            "from": ["InboxGap Demo <noreply@notify.example.com>"],
            "to": list(destination),
            "subject": "Your sign-in code",
        }
        doc["tags"] = (
            tags
            if tags is not None
            else {
                "ses:configuration-set": ["inboxgap-prod"],
                "ses:from-domain": ["notify.example.com"],
                "ses:source-ip": ["203.0.113.7"],
                "notification_id": ["n-8842"],
            }
        )
    else:
        doc["sourceIp"] = "203.0.113.7"
        doc["callerIdentity"] = "inboxgap-sender"
    return doc


# --- SES documents, one builder per event type -----------------------------------------


def _document(event_type: str, sub: Doc, mail_obj: Doc, *, notification: bool) -> Doc:
    type_key = "notificationType" if notification else "eventType"
    return {type_key: event_type, "mail": mail_obj, SUB_OBJECT_KEYS[event_type]: sub}


def bounce_entry(
    address: str = "jane@acme.example",
    *,
    action: str | None = "failed",
    status: str | None = "5.1.1",
    diagnostic: str | None = "smtp; 550 5.1.1 <jane@acme.example>: Recipient address rejected: "
    "User unknown",
) -> Doc:
    return simulation.bounced_recipient(
        address, action=action, status=status, diagnostic=diagnostic
    )


def bounce_doc(
    entries: list[Any] | None = None,
    *,
    bounce_type: str = "Permanent",
    subtype: str = "NoEmail",
    timestamp: str = "2025-03-04T10:15:02.000Z",
    feedback_id: str = FEEDBACK_ID_BOUNCE,
    destination: list[Any] | None = None,
    notification: bool = False,
    message_id: str = MESSAGE_ID,
    reporting_mta: str | None = "dsn; b224-13.smtp-out.eu-west-1.amazonses.com",
    remote_mta_ip: str | None = "198.51.100.25",
) -> Doc:
    entries = [bounce_entry()] if entries is None else entries
    if destination is None:
        destination = [e["emailAddress"] for e in entries if isinstance(e, dict)] or [
            "jane@acme.example"
        ]
    sub: Doc = {
        "bounceType": bounce_type,
        "bounceSubType": subtype,
        "bouncedRecipients": entries,
        "timestamp": timestamp,
        "feedbackId": feedback_id,
    }
    if remote_mta_ip is not None:
        sub["remoteMtaIp"] = remote_mta_ip
    if reporting_mta is not None:
        sub["reportingMTA"] = reporting_mta
    return _document(
        "Bounce",
        sub,
        mail(destination, message_id=message_id, event_publishing=not notification),
        notification=notification,
    )


DELIVERY_SMTP_RESPONSE = (
    "250 2.6.0 <0102019560b41c22-7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a-000000"
    "@eu-west-1.amazonses.com> [InternalId=1234567890123, "
    "Hostname=AM0PR01MB0001.eurprd01.prod.outlook.com] 18213 bytes in 0.101, "
    "176.0 KB/sec Queued mail for delivery"
)


def delivery_doc(
    recipients: list[Any] | None = None,
    *,
    timestamp: str = "2025-03-04T10:20:01.640Z",
    smtp_response: str | None = DELIVERY_SMTP_RESPONSE,
    destination: list[Any] | None = None,
    notification: bool = False,
    message_id: str = MESSAGE_ID_DELIVERY,
) -> Doc:
    """Example B (reference 1.3)."""
    recipients = ["omar@contoso.example"] if recipients is None else recipients
    destination = list(recipients) if destination is None else destination
    sub: Doc = {
        "timestamp": timestamp,
        "processingTimeMillis": 1520,
        "recipients": recipients,
        "reportingMTA": "b224-20.smtp-out.eu-west-1.amazonses.com",
        "remoteMtaIp": "198.51.100.40",
    }
    if smtp_response is not None:
        sub["smtpResponse"] = smtp_response
    return _document(
        "Delivery",
        sub,
        mail(
            destination,
            message_id=message_id,
            timestamp="2025-03-04T10:20:00.120Z",
            event_publishing=not notification,
        ),
        notification=notification,
    )


def complaint_doc(
    recipients: list[str] | None = None,
    *,
    subtype: str | None = None,
    feedback_type: str | None = "abuse",
    timestamp: str = "2025-03-06T08:02:11.000Z",
    feedback_id: str = FEEDBACK_ID_COMPLAINT,
    notification: bool = True,
    message_id: str = MESSAGE_ID_COMPLAINT,
) -> Doc:
    """Example C (reference 1.4)."""
    recipients = ["li@fabrikam.example"] if recipients is None else recipients
    sub: Doc = {
        "complainedRecipients": [{"emailAddress": r} for r in recipients],
        "timestamp": timestamp,
        "feedbackId": feedback_id,
        "complaintSubType": subtype,
        "arrivalDate": "2025-03-06T08:01:55.000Z",
    }
    if feedback_type is not None:
        sub["complaintFeedbackType"] = feedback_type
        sub["userAgent"] = "ExampleISP Feedback Loop"
    return _document(
        "Complaint",
        sub,
        mail(
            list(recipients),
            message_id=message_id,
            timestamp="2025-03-04T10:30:00.412Z",
            event_publishing=not notification,
        ),
        notification=notification,
    )


def send_doc(destination: list[Any] | None = None, **mail_kwargs: Any) -> Doc:
    return _document("Send", {}, mail(destination, **mail_kwargs), notification=False)


def reject_doc(destination: list[Any] | None = None, **mail_kwargs: Any) -> Doc:
    return _document(
        "Reject", {"reason": "Bad content"}, mail(destination, **mail_kwargs), notification=False
    )


def rendering_failure_doc(destination: list[Any] | None = None, **mail_kwargs: Any) -> Doc:
    sub = {
        "templateName": "SignInCode",
        "errorMessage": "Attribute 'firstName' is not present in the rendering data.",
    }
    return _document("Rendering Failure", sub, mail(destination, **mail_kwargs), notification=False)


def delay_doc(
    recipients: list[str] | None = None,
    *,
    timestamp: str = "2025-03-04T10:45:09.000Z",
    status: str = "4.4.1",
    diagnostic: str = "smtp; 421 4.4.1 Unable to connect to remote host",
) -> Doc:
    recipients = ["jane@acme.example"] if recipients is None else recipients
    sub = {
        "timestamp": timestamp,
        "delayType": "TransientCommunicationFailure",
        "expirationTime": "2025-03-05T00:15:01.210Z",
        "delayedRecipients": [
            {"emailAddress": r, "status": status, "diagnosticCode": diagnostic} for r in recipients
        ],
        "reportingMTA": "b224-13.smtp-out.eu-west-1.amazonses.com",
    }
    return _document("DeliveryDelay", sub, mail(list(recipients)), notification=False)


def open_doc(destination: list[str] | None = None) -> Doc:
    sub = {
        "ipAddress": "192.0.2.1",
        "timestamp": "2025-03-04T11:00:00.000Z",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    }
    return _document("Open", sub, mail(destination), notification=False)


def click_doc(destination: list[str] | None = None, link: str = "https://app.example.com/x") -> Doc:
    sub = {
        "ipAddress": "192.0.2.1",
        "timestamp": "2025-03-04T11:01:00.000Z",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        "link": link,
        "linkTags": {"samplekey0": ["samplevalue0"]},
    }
    return _document("Click", sub, mail(destination), notification=False)


def subscription_doc(destination: list[str] | None = None) -> Doc:
    prefs = {
        "unsubscribeAll": False,
        "topicSubscriptionStatus": [{"topicName": "updates", "subscriptionStatus": "OptIn"}],
    }
    new_prefs = {
        "unsubscribeAll": True,
        "topicSubscriptionStatus": [{"topicName": "updates", "subscriptionStatus": "OptOut"}],
    }
    sub = {
        "contactList": "customers",
        "timestamp": "2025-03-04T11:02:00.000Z",
        "source": "UnsubscribeFromHeader",
        "newTopicPreferences": new_prefs,
        "oldTopicPreferences": prefs,
    }
    return _document("Subscription", sub, mail(destination), notification=False)


#: One event-publishing document per event type.
def every_event_doc() -> dict[str, Doc]:
    return {
        "Send": send_doc(),
        "Delivery": delivery_doc(),
        "Bounce": bounce_doc(),
        "Complaint": complaint_doc(notification=False),
        "DeliveryDelay": delay_doc(),
        "Reject": reject_doc(),
        "Rendering Failure": rendering_failure_doc(),
        "Open": open_doc(),
        "Click": click_doc(),
        "Subscription": subscription_doc(),
    }


# --- envelopes -------------------------------------------------------------------------


def raw(doc: Doc) -> str:
    """Raw message delivery (reference 1.4): the document is the body."""
    return json.dumps(doc)


def sns(
    doc: Doc | str,
    *,
    message_id: str = "6f1c2a9e-3b4d-5e6f-8a7b-9c0d1e2f3a4b",
    subject: str | None = None,
    sns_type: str = "Notification",
) -> str:
    """An SNS envelope as SQS receives it (reference 1.2): ``Message`` is a JSON string."""
    envelope: Doc = {
        "Type": sns_type,
        "MessageId": message_id,
        "TopicArn": TOPIC_ARN,
        "Message": doc if isinstance(doc, str) else json.dumps(doc),
        "Timestamp": "2025-03-04T10:15:03.412Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEk3vL0cQm...base64...==",
        "SigningCertURL": SIGNING_CERT_URL,
        "UnsubscribeURL": UNSUBSCRIBE_URL,
    }
    if subject is not None:
        envelope["Subject"] = subject
    return json.dumps(envelope)


def sns_event_publishing(doc: Doc) -> str:
    return sns(doc, subject="Amazon SES Email Event Notification")


def eventbridge(
    doc: Doc,
    *,
    detail_type: str | None = None,
    event_id: str = "3b7f9c1e-2d4a-4e8b-9f0c-6a5d4c3b2a10",
) -> str:
    """An EventBridge event (reference 1.5) with the document in ``detail``."""
    event_type = doc.get("eventType") or doc.get("notificationType")
    return json.dumps(
        {
            "version": "0",
            "id": event_id,
            "detail-type": detail_type or DETAIL_TYPES[str(event_type)],
            "source": "aws.ses",
            "account": ACCOUNT,
            "time": "2025-03-04T10:15:03Z",
            "region": REGION,
            "resources": [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/inboxgap-prod"],
            "detail": doc,
        }
    )


def as_event_publishing(doc: Doc) -> Doc:
    """The same document with ``eventType`` instead of ``notificationType``."""
    out = copy.deepcopy(doc)
    if "notificationType" in out:
        out["eventType"] = out.pop("notificationType")
    return out


# --- the reference's literal examples --------------------------------------------------

#: 1.2, verbatim: SNS envelope around an identity notification (Permanent/NoEmail bounce).
EXAMPLE_A_BODY = json.dumps(
    {
        "Type": "Notification",
        "MessageId": "6f1c2a9e-3b4d-5e6f-8a7b-9c0d1e2f3a4b",
        "TopicArn": TOPIC_ARN,
        "Message": (
            '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent",'
            '"bounceSubType":"NoEmail","bouncedRecipients":[{"emailAddress":'
            '"jane@acme.example","action":"failed","status":"5.1.1","diagnosticCode":'
            '"smtp; 550 5.1.1 <jane@acme.example>: Recipient address rejected: User unknown"}],'
            '"timestamp":"2025-03-04T10:15:02.000Z","feedbackId":'
            '"0102019560aa1b2c-5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000",'
            '"remoteMtaIp":"198.51.100.25","reportingMTA":'
            '"dsn; b224-13.smtp-out.eu-west-1.amazonses.com"},"mail":{"timestamp":'
            '"2025-03-04T10:15:01.210Z","source":"noreply@notify.example.com","sourceArn":'
            '"arn:aws:ses:eu-west-1:111122223333:identity/notify.example.com","sourceIp":'
            '"203.0.113.7","callerIdentity":"inboxgap-sender","sendingAccountId":'
            '"111122223333","messageId":'
            '"0102019560aa0f11-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-000000",'
            '"destination":["jane@acme.example"]}}'
        ),
        "Timestamp": "2025-03-04T10:15:03.412Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEk3vL0cQm...base64...==",
        "SigningCertURL": SIGNING_CERT_URL,
        "UnsubscribeURL": UNSUBSCRIBE_URL,
    }
)

#: 1.3, verbatim: the event-publishing Delivery document (wrap it in an envelope).
EXAMPLE_B_DOC: Doc = {
    "eventType": "Delivery",
    "mail": {
        "timestamp": "2025-03-04T10:20:00.120Z",
        "source": "InboxGap Demo <noreply@notify.example.com>",
        "sourceArn": "arn:aws:ses:eu-west-1:111122223333:identity/notify.example.com",
        "sendingAccountId": "111122223333",
        "messageId": MESSAGE_ID_DELIVERY,
        "destination": ["omar@contoso.example"],
        "headersTruncated": False,
        "headers": [{"name": "Subject", "value": "Your sign-in code"}],
        "commonHeaders": {
            "from": ["InboxGap Demo <noreply@notify.example.com>"],
            "to": ["omar@contoso.example"],
            "subject": "Your sign-in code",
        },
        "tags": {
            "ses:configuration-set": ["inboxgap-prod"],
            "ses:from-domain": ["notify.example.com"],
            "notification_id": ["n-8842"],
        },
    },
    "delivery": {
        "timestamp": "2025-03-04T10:20:01.640Z",
        "processingTimeMillis": 1520,
        "recipients": ["omar@contoso.example"],
        "smtpResponse": DELIVERY_SMTP_RESPONSE,
        "reportingMTA": "b224-20.smtp-out.eu-west-1.amazonses.com",
        "remoteMtaIp": "198.51.100.40",
    },
}

#: 1.4, verbatim: raw message delivery of a Complaint identity notification.
EXAMPLE_C_BODY = (
    '{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":'
    '"li@fabrikam.example"}],"timestamp":"2025-03-06T08:02:11.000Z","feedbackId":'
    '"01020195671d2e3f-a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d-000000","complaintSubType":null,'
    '"complaintFeedbackType":"abuse","userAgent":"ExampleISP Feedback Loop","arrivalDate":'
    '"2025-03-06T08:01:55.000Z"},"mail":{"timestamp":"2025-03-04T10:30:00.412Z","source":'
    '"noreply@notify.example.com","sendingAccountId":"111122223333","messageId":'
    '"0102019560c0a1b2-3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f-000000","destination":'
    '["li@fabrikam.example"]}}'
)

#: 1.5, verbatim: EventBridge Email Bounced (Permanent/General, no DSN fields).
EXAMPLE_D_BODY = json.dumps(
    {
        "version": "0",
        "id": "3b7f9c1e-2d4a-4e8b-9f0c-6a5d4c3b2a10",
        "detail-type": "Email Bounced",
        "source": "aws.ses",
        "account": "111122223333",
        "time": "2025-03-04T10:15:03Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:ses:eu-west-1:111122223333:configuration-set/inboxgap-prod"],
        "detail": {
            "eventType": "Bounce",
            "mail": {
                "messageId": MESSAGE_ID,
                "destination": ["jane@acme.example"],
                "tags": {},
            },
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "jane@acme.example"}],
                "timestamp": "2025-03-04T10:15:02.000Z",
                "feedbackId": FEEDBACK_ID_EB_BOUNCE,
            },
        },
    }
)

SUBSCRIBE_MESSAGE = (
    f"You have chosen to subscribe to the topic {PARTNER_TOPIC_ARN}.\n"
    "To confirm the subscription, visit the SubscribeURL included in this message."
)


def sns_control(sns_type: str = "SubscriptionConfirmation") -> str:
    """1.6: SubscriptionConfirmation / UnsubscribeConfirmation."""
    message = (
        SUBSCRIBE_MESSAGE
        if sns_type == "SubscriptionConfirmation"
        else f"You have chosen to deactivate subscription {PARTNER_TOPIC_ARN}:1234.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL "
        "included in this message."
    )
    return json.dumps(
        {
            "Type": sns_type,
            "MessageId": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "Token": TOKEN,
            "TopicArn": PARTNER_TOPIC_ARN,
            "Message": message,
            "SubscribeURL": SUBSCRIBE_URL,
            "Timestamp": "2025-03-01T08:00:00.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLEpH+...==",
            "SigningCertURL": SIGNING_CERT_URL,
        }
    )


SUBSCRIPTION_SUCCEEDED_DOC: Doc = {
    "notificationType": "AmazonSnsSubscriptionSucceeded",
    "message": (
        f"You have successfully subscribed your Amazon SNS topic '{TOPIC_ARN}' to receive "
        "'Complaint' notifications from Amazon SES for identity 'notify.example.com'."
    ),
}

TOPIC_VALIDATED_BODY = sns(SES_TOPIC_VALIDATED, subject=None)


def eventbridge_service_event(detail_type: str = "Sending Status Disabled") -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
            "detail-type": detail_type,
            "source": "aws.ses",
            "account": ACCOUNT,
            "time": "2025-03-04T12:00:00Z",
            "region": REGION,
            "resources": [],
            "detail": {"sendingStatus": "DISABLED", "reason": "bounce rate above threshold"},
        }
    )


RECEIVED_DOC: Doc = {
    "notificationType": "Received",
    "mail": {
        "timestamp": "2025-03-04T10:15:01.210Z",
        "source": "someone@example.net",
        "messageId": "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1",
        "destination": ["inbox@notify.example.com"],
    },
    "receipt": {
        "timestamp": "2025-03-04T10:15:01.210Z",
        "recipients": ["inbox@notify.example.com"],
        "action": {"type": "SNS", "topicArn": TOPIC_ARN},
    },
}


def real_bodies() -> list[str]:
    """A realistic corpus: every event type in every envelope, plus control messages."""
    bodies = [EXAMPLE_A_BODY, EXAMPLE_C_BODY, EXAMPLE_D_BODY, TOPIC_VALIDATED_BODY]
    bodies += [sns_event_publishing(EXAMPLE_B_DOC), raw(EXAMPLE_B_DOC)]
    for doc in every_event_doc().values():
        bodies += [sns_event_publishing(doc), raw(doc), eventbridge(doc)]
    bodies += [sns_control(), sns_control("UnsubscribeConfirmation")]
    bodies += [sns(SUBSCRIPTION_SUCCEEDED_DOC), eventbridge_service_event()]
    return bodies
