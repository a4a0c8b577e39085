"""Parser: one SQS message body → FeedbackEvent | ControlMessage | Rejection (issue 3, §2).

Bodies are the reference's examples (ses-events.md 1.2-1.6) and builders around them
(:mod:`tests.unit.domain.ses_bodies`). Hypothesis feeds arbitrary text, bytes, JSON and
mutated real events and checks that nothing ever raises.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.json_paths import INNER, at, close_message, containers, open_message
from tests.unit.domain import ses_bodies as b
from tests.unit.domain.test_parser_boundary import all_strings
from worker.domain import parser
from worker.domain.events import (
    ENGAGEMENT_TYPES,
    ControlKind,
    ControlMessage,
    Envelope,
    EventType,
    FeedbackEvent,
    Rejection,
    RejectionCode,
)
from worker.domain.parser import MAX_BODY_BYTES, parse_body
from worker.domain.text import is_storable

UTC_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
EVENT_TYPES = list(b.SUB_OBJECT_KEYS)


def event(body: str | bytes) -> FeedbackEvent:
    result = parse_body(body)
    assert isinstance(result, FeedbackEvent), result
    return result


def control(body: str | bytes) -> ControlMessage:
    result = parse_body(body)
    assert isinstance(result, ControlMessage), result
    return result


def rejection(body: str | bytes) -> Rejection:
    result = parse_body(body)
    assert isinstance(result, Rejection), result
    assert result.message.strip(), "a rejection carries a human message"
    return result


ENVELOPES = {
    "sns": b.sns_event_publishing,
    "raw": b.raw,
    "eventbridge": b.eventbridge,
}
ENVELOPE_KIND = {"sns": Envelope.SNS, "raw": Envelope.RAW, "eventbridge": Envelope.EVENTBRIDGE}


# --- the reference's examples ----------------------------------------------------------


def test_example_a_sns_identity_notification_bounce() -> None:
    parsed = event(b.EXAMPLE_A_BODY)
    assert parsed.event_type is EventType.BOUNCE
    assert parsed.envelope is Envelope.SNS
    assert parsed.message_id == b.MESSAGE_ID
    assert parsed.occurred_at == datetime(2025, 3, 4, 10, 15, 2, tzinfo=UTC)
    assert parsed.occurred_at_text == "2025-03-04T10:15:02.000Z"
    assert parsed.mail_timestamp == "2025-03-04T10:15:01.210Z"
    assert parsed.bounce_type == "Permanent"
    assert parsed.bounce_subtype == "NoEmail"
    assert parsed.reporting_mta == "dsn; b224-13.smtp-out.eu-west-1.amazonses.com"
    assert parsed.remote_mta_ip == "198.51.100.25"
    assert parsed.destination == ("jane@acme.example",)
    assert parsed.mail_source == "noreply@notify.example.com"
    assert parsed.tags == {}
    (recipient,) = parsed.recipients
    assert recipient.address == "jane@acme.example"
    assert recipient.original == "jane@acme.example"
    assert recipient.identity == b.FEEDBACK_ID_BOUNCE
    assert recipient.action == "failed"
    assert recipient.status == "5.1.1"
    assert recipient.diagnostic == (
        "smtp; 550 5.1.1 <jane@acme.example>: Recipient address rejected: User unknown"
    )
    # The SNS fields a signature check needs, exactly as sent.
    assert parsed.sns is not None
    assert parsed.sns.type == "Notification"
    assert parsed.sns.message_id == "6f1c2a9e-3b4d-5e6f-8a7b-9c0d1e2f3a4b"
    assert parsed.sns.topic_arn == b.TOPIC_ARN
    assert parsed.sns.timestamp == "2025-03-04T10:15:03.412Z"
    assert parsed.sns.signature_version == "1"
    assert parsed.sns.signature == "EXAMPLEk3vL0cQm...base64...=="
    assert parsed.sns.signing_cert_url == b.SIGNING_CERT_URL
    assert parsed.sns.message == json.loads(b.EXAMPLE_A_BODY)["Message"]
    assert parsed.sns.subject is None


@pytest.mark.parametrize("wrap", ["sns", "raw"])
def test_example_b_event_publishing_delivery(wrap: str) -> None:
    parsed = event(ENVELOPES[wrap](b.EXAMPLE_B_DOC))
    assert parsed.event_type is EventType.DELIVERY
    assert parsed.envelope is ENVELOPE_KIND[wrap]
    assert parsed.message_id == b.MESSAGE_ID_DELIVERY
    assert parsed.occurred_at_text == "2025-03-04T10:20:01.640Z"
    assert parsed.smtp_response == b.DELIVERY_SMTP_RESPONSE
    assert parsed.reporting_mta == "b224-20.smtp-out.eu-west-1.amazonses.com"
    assert parsed.subject == "Your sign-in code"
    assert parsed.from_header == "InboxGap Demo <noreply@notify.example.com>"
    assert parsed.mail_source == "InboxGap Demo <noreply@notify.example.com>"
    assert dict(parsed.tags) == {
        "ses:configuration-set": ("inboxgap-prod",),
        "ses:from-domain": ("notify.example.com",),
        "notification_id": ("n-8842",),
    }
    assert parsed.tag("notification_id") == "n-8842"
    assert parsed.tag("absent") is None
    assert [r.address for r in parsed.recipients] == ["omar@contoso.example"]
    if wrap == "sns":
        assert parsed.sns is not None
        assert parsed.sns.subject == "Amazon SES Email Event Notification"
    else:
        assert parsed.sns is None


def test_example_c_raw_complaint() -> None:
    parsed = event(b.EXAMPLE_C_BODY)
    assert parsed.event_type is EventType.COMPLAINT
    assert parsed.envelope is Envelope.RAW
    assert parsed.sns is None
    assert parsed.message_id == b.MESSAGE_ID_COMPLAINT
    assert parsed.occurred_at_text == "2025-03-06T08:02:11.000Z"
    assert parsed.complaint_subtype is None
    assert parsed.complaint_feedback_type == "abuse"
    assert [(r.address, r.identity) for r in parsed.recipients] == [
        ("li@fabrikam.example", b.FEEDBACK_ID_COMPLAINT)
    ]


def test_example_d_eventbridge_bounce_without_mail_timestamp() -> None:
    parsed = event(b.EXAMPLE_D_BODY)
    assert parsed.event_type is EventType.BOUNCE
    assert parsed.envelope is Envelope.EVENTBRIDGE
    assert parsed.sns is None
    assert parsed.message_id == b.MESSAGE_ID
    assert parsed.occurred_at_text == "2025-03-04T10:15:02.000Z"
    assert parsed.mail_timestamp is None
    assert parsed.bounce_type == "Permanent"
    assert parsed.bounce_subtype == "General"
    assert parsed.tags == {}
    (recipient,) = parsed.recipients
    assert recipient.identity == b.FEEDBACK_ID_EB_BOUNCE
    assert (recipient.action, recipient.status, recipient.diagnostic) == (None, None, None)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_eventbridge_every_detail_type(event_type: str) -> None:
    doc = b.every_event_doc()[event_type]
    parsed = event(b.eventbridge(doc, detail_type=b.DETAIL_TYPES[event_type]))
    assert parsed.event_type == event_type
    assert parsed.envelope is Envelope.EVENTBRIDGE
    assert parser.EVENTBRIDGE_DETAIL_TYPES[b.DETAIL_TYPES[event_type]] == event_type


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_eventbridge_detail_type_names_the_event_when_detail_has_no_event_type(
    event_type: str,
) -> None:
    doc = b.every_event_doc()[event_type]
    del doc["eventType"]
    parsed = event(b.eventbridge(doc, detail_type=b.DETAIL_TYPES[event_type]))
    assert parsed.event_type == event_type


# --- control messages ------------------------------------------------------------------


@pytest.mark.parametrize("sns_type", ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
def test_sns_subscription_handshakes_are_control_messages(sns_type: str) -> None:
    parsed = control(b.sns_control(sns_type))
    assert parsed.kind is ControlKind(sns_type)
    assert parsed.subscribe_url == b.SUBSCRIBE_URL
    assert parsed.token == b.TOKEN
    assert parsed.topic_arn == b.PARTNER_TOPIC_ARN
    assert parsed.message.startswith("You have chosen to")
    assert parsed.sns is not None
    assert parsed.sns.type == sns_type
    assert parsed.sns.subscribe_url == b.SUBSCRIBE_URL
    assert parsed.sns.token == b.TOKEN


@pytest.mark.parametrize(
    "message", [b.SES_TOPIC_VALIDATED, b.SES_TOPIC_VALIDATED + "\n", " " + b.SES_TOPIC_VALIDATED]
)
def test_topic_validated_notice_is_a_setup_control_message(message: str) -> None:
    parsed = control(b.sns(message))
    assert parsed.kind is ControlKind.SETUP_NOTICE
    assert parsed.topic_arn == b.TOPIC_ARN


@pytest.mark.parametrize("wrap", [b.sns, b.raw])
def test_amazon_sns_subscription_succeeded_is_a_setup_control_message(wrap: Any) -> None:
    parsed = control(wrap(b.SUBSCRIPTION_SUCCEEDED_DOC))
    assert parsed.kind is ControlKind.SETUP_NOTICE
    assert parsed.message == b.SUBSCRIPTION_SUCCEEDED_DOC["message"]


@pytest.mark.parametrize(
    "detail_type",
    [
        "Sending Status Disabled",
        "Sending Status Enabled",
        "Advisor Recommendation Status Open",
        "Advisor Recommendation Status Resolved",
        "AWS API Call via CloudTrail",
    ],
)
def test_eventbridge_service_events_are_control_messages(detail_type: str) -> None:
    parsed = control(b.eventbridge_service_event(detail_type))
    assert parsed.kind is ControlKind.SERVICE_EVENT
    assert parsed.detail_type == detail_type
    assert detail_type in parsed.message


@pytest.mark.parametrize("wrap", [b.sns, b.raw])
def test_inbound_mail_received_is_rejected_as_inbound_mail(wrap: Any) -> None:
    assert rejection(wrap(b.RECEIVED_DOC)).code is RejectionCode.INBOUND_MAIL


# --- every event type, every envelope --------------------------------------------------


@pytest.mark.parametrize("wrap", list(ENVELOPES))
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_in_every_envelope(event_type: str, wrap: str) -> None:
    parsed = event(ENVELOPES[wrap](b.every_event_doc()[event_type]))
    assert parsed.event_type == event_type
    assert parsed.envelope is ENVELOPE_KIND[wrap]
    assert parsed.message_id
    assert UTC_TEXT.match(parsed.occurred_at_text)
    assert parsed.recipients
    assert parsed.tag("notification_id") == "n-8842"


@pytest.mark.parametrize("event_type", ["Bounce", "Complaint", "Delivery"])
def test_identity_notification_types_parse_with_notification_type(event_type: str) -> None:
    builders = {
        "Bounce": lambda: b.bounce_doc(notification=True),
        "Complaint": lambda: b.complaint_doc(notification=True),
        "Delivery": lambda: b.delivery_doc(notification=True),
    }
    doc = builders[event_type]()
    assert "notificationType" in doc
    assert event(b.sns(doc)).event_type == event_type


def test_engagement_events_are_marked_as_not_affecting_status() -> None:
    assert {EventType.OPEN, EventType.CLICK, EventType.SUBSCRIPTION} == set(ENGAGEMENT_TYPES)
    for event_type in ("Open", "Click", "Subscription"):
        assert event(b.raw(b.every_event_doc()[event_type])).event_type in ENGAGEMENT_TYPES


def test_rendering_failure_uses_the_failure_sub_object_and_mail_timestamp() -> None:
    doc = b.rendering_failure_doc(["a@x.example", "b@x.example"])
    parsed = event(b.raw(doc))
    assert parsed.event_type is EventType.RENDERING_FAILURE
    assert parsed.event_type.value == "Rendering Failure"
    assert parsed.detail is not None
    assert "SignInCode" in parsed.detail
    assert "Attribute 'firstName' is not present in the rendering data." in parsed.detail
    assert parsed.occurred_at_text == "2025-03-04T10:15:01.210Z"
    assert [r.address for r in parsed.recipients] == ["a@x.example", "b@x.example"]


def test_reject_detail_and_recipients_are_the_whole_destination() -> None:
    parsed = event(b.raw(b.reject_doc(["a@x.example", "b@y.example"])))
    assert parsed.detail == "Bad content"
    assert [r.address for r in parsed.recipients] == ["a@x.example", "b@y.example"]


def test_delivery_delay_recipients_carry_status_and_diagnostic() -> None:
    parsed = event(b.raw(b.delay_doc(["a@x.example", "b@x.example"])))
    assert parsed.delay_type == "TransientCommunicationFailure"
    assert [(r.address, r.status, r.diagnostic) for r in parsed.recipients] == [
        ("a@x.example", "4.4.1", "smtp; 421 4.4.1 Unable to connect to remote host"),
        ("b@x.example", "4.4.1", "smtp; 421 4.4.1 Unable to connect to remote host"),
    ]


def test_delivery_names_only_delivery_recipients_not_the_whole_destination() -> None:
    doc = b.delivery_doc(["b@x.example"], destination=["a@x.example", "b@x.example"])
    parsed = event(b.raw(doc))
    assert [r.address for r in parsed.recipients] == ["b@x.example"]
    assert parsed.destination == ("a@x.example", "b@x.example")


@pytest.mark.parametrize("event_type", ["Send", "Reject", "Rendering Failure"])
def test_events_without_own_timestamp_use_mail_timestamp(event_type: str) -> None:
    doc = b.every_event_doc()[event_type]
    # Even a stray timestamp in the sub-object does not replace mail.timestamp.
    doc[b.SUB_OBJECT_KEYS[event_type]]["timestamp"] = "2030-01-01T00:00:00.000Z"
    parsed = event(b.raw(doc))
    assert parsed.occurred_at_text == "2025-03-04T10:15:01.210Z"


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [
        ("Delivery", "2025-03-04T10:20:01.640Z"),
        ("Bounce", "2025-03-04T10:15:02.000Z"),
        ("Complaint", "2025-03-06T08:02:11.000Z"),
        ("DeliveryDelay", "2025-03-04T10:45:09.000Z"),
        ("Open", "2025-03-04T11:00:00.000Z"),
        ("Click", "2025-03-04T11:01:00.000Z"),
        ("Subscription", "2025-03-04T11:02:00.000Z"),
    ],
)
def test_events_with_own_timestamp_use_it(event_type: str, expected: str) -> None:
    assert event(b.raw(b.every_event_doc()[event_type])).occurred_at_text == expected


# --- recipients ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "normalised"),
    [
        ('"Jane" <Jane@Acme.example>', "jane@acme.example"),
        ("Jane Doe <JANE@ACME.EXAMPLE>", "jane@acme.example"),
        ("  Jane@Acme.Example  ", "jane@acme.example"),
        ("<jane@acme.example>", "jane@acme.example"),
        ("jane@acme.example", "jane@acme.example"),
    ],
)
def test_bounced_recipient_is_normalised_and_original_kept(reported: str, normalised: str) -> None:
    doc = b.bounce_doc([b.bounce_entry(reported)], destination=["jane@acme.example"])
    (recipient,) = event(b.raw(doc)).recipients
    assert recipient.address == normalised
    assert recipient.original == reported.strip()


def test_destination_and_delivery_recipients_are_normalised() -> None:
    send = event(b.raw(b.send_doc(['"Jane" <Jane@Acme.example>', "OMAR@Contoso.Example"])))
    assert [(r.address, r.original) for r in send.recipients] == [
        ("jane@acme.example", '"Jane" <Jane@Acme.example>'),
        ("omar@contoso.example", "OMAR@Contoso.Example"),
    ]
    delivery = event(b.raw(b.delivery_doc(["Omar <Omar@Contoso.example>"])))
    assert [r.address for r in delivery.recipients] == ["omar@contoso.example"]


@pytest.mark.parametrize(
    "doc",
    [
        b.bounce_doc(
            [
                b.bounce_entry("jane@acme.example"),
                b.bounce_entry('"Jane" <JANE@acme.example>'),
                b.bounce_entry("omar@contoso.example"),
            ]
        ),
        b.delivery_doc(["jane@acme.example", "Jane@Acme.Example", "omar@contoso.example"]),
        b.send_doc(["jane@acme.example", " JANE@ACME.EXAMPLE ", "omar@contoso.example"]),
        b.delay_doc(["jane@acme.example", "Jane <jane@acme.example>", "omar@contoso.example"]),
        b.complaint_doc(["jane@acme.example", "jane@ACME.example", "omar@contoso.example"]),
    ],
    ids=["bounce", "delivery", "send", "delay", "complaint"],
)
def test_duplicate_recipients_inside_one_event_collapse(doc: dict[str, Any]) -> None:
    parsed = event(b.raw(doc))
    assert [r.address for r in parsed.recipients] == ["jane@acme.example", "omar@contoso.example"]


# --- timestamps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "utc_text"),
    [
        ("2025-03-04T10:15:02.000Z", "2025-03-04T10:15:02.000Z"),
        ("2025-03-04T10:15:02Z", "2025-03-04T10:15:02.000Z"),
        ("2025-03-04T10:15:02.123456Z", "2025-03-04T10:15:02.123Z"),
        ("2018-10-08T14:05:45 +0000", "2018-10-08T14:05:45.000Z"),
        ("2025-03-04T10:15:02.000+00:00", "2025-03-04T10:15:02.000Z"),
        ("2025-03-06T08:01:55-05:00", "2025-03-06T13:01:55.000Z"),
        ("2025-03-06T08:01:55.250+02:00", "2025-03-06T06:01:55.250Z"),
        ("2025-03-06T08:01:55+0530", "2025-03-06T02:31:55.000Z"),
        ("2025-03-06T23:30:00-0100", "2025-03-07T00:30:00.000Z"),
    ],
)
def test_timestamps_become_utc_text(timestamp: str, utc_text: str) -> None:
    parsed = event(b.raw(b.bounce_doc(timestamp=timestamp)))
    assert parsed.occurred_at_text == utc_text
    assert parsed.occurred_at.utcoffset() is not None
    assert parsed.occurred_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    expected = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    assert timedelta(0) <= parsed.occurred_at - expected < timedelta(milliseconds=1)


def test_mail_timestamp_with_space_offset_is_used_for_send() -> None:
    parsed = event(b.raw(b.send_doc(timestamp="2018-10-08T14:05:45 +0000")))
    assert parsed.occurred_at_text == "2018-10-08T14:05:45.000Z"
    (recipient,) = parsed.recipients
    assert recipient.identity == f"Send|{b.MESSAGE_ID}|jane@acme.example|2018-10-08T14:05:45.000Z"


def test_timestamp_text_is_fixed_width_even_for_early_years() -> None:
    """The UTC text is compared as a plain string (contract, "Which event wins" 3), so it
    must be fixed-width: a year below 1000 must be zero-padded (or refused), never
    written as ``999-...`` which sorts after ``2025-...``. Such a year is now refused as
    implausible (before SES existed), so no event ever carries it."""
    result = parse_body(b.raw(b.bounce_doc(timestamp="0999-12-31T00:00:00.000Z")))
    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.IMPLAUSIBLE_TIMESTAMP


# --- identity --------------------------------------------------------------------------


def _same_event_everywhere(doc: dict[str, Any]) -> list[FeedbackEvent]:
    publishing = b.as_event_publishing(doc)
    bodies = [
        b.sns(doc),
        b.raw(doc),
        b.sns_event_publishing(publishing),
        b.raw(publishing),
        b.eventbridge(publishing),
        b.eventbridge(publishing, event_id="another-eventbridge-id"),
        b.sns(doc, message_id="another-sns-message-id"),
    ]
    return [event(body) for body in bodies]


def _facts(parsed: FeedbackEvent) -> tuple[Any, ...]:
    return (
        parsed.event_type,
        parsed.message_id,
        parsed.occurred_at_text,
        tuple(
            (r.address, r.original, r.identity, r.action, r.status, r.diagnostic)
            for r in parsed.recipients
        ),
    )


def test_same_bounce_via_sns_raw_and_eventbridge_has_identical_identities() -> None:
    doc = b.bounce_doc(
        [b.bounce_entry("jane@acme.example"), b.bounce_entry("omar@contoso.example")],
        notification=True,
    )
    parsed = _same_event_everywhere(doc)
    assert {p.envelope for p in parsed} == set(Envelope)
    assert len({_facts(p) for p in parsed}) == 1
    assert [r.identity for r in parsed[0].recipients] == [b.FEEDBACK_ID_BOUNCE] * 2


def test_same_delivery_via_sns_raw_and_eventbridge_has_identical_identities() -> None:
    doc = b.delivery_doc(["jane@acme.example", "omar@contoso.example"], notification=True)
    parsed = _same_event_everywhere(doc)
    assert len({_facts(p) for p in parsed}) == 1
    assert [r.identity for r in parsed[0].recipients] == [
        f"Delivery|{b.MESSAGE_ID_DELIVERY}|jane@acme.example|2025-03-04T10:20:01.640Z",
        f"Delivery|{b.MESSAGE_ID_DELIVERY}|omar@contoso.example|2025-03-04T10:20:01.640Z",
    ]


@pytest.mark.parametrize(
    "timestamp",
    [
        "2025-03-04T10:20:01.640Z",
        "2025-03-04T10:20:01.64Z",
        "2025-03-04T10:20:01.640+00:00",
        "2025-03-04T11:20:01.640+01:00",
        "2025-03-04T10:20:01.640 +0000",
    ],
)
def test_identity_does_not_depend_on_how_the_timestamp_is_written(timestamp: str) -> None:
    (recipient,) = event(b.raw(b.delivery_doc(timestamp=timestamp))).recipients
    assert recipient.identity == (
        f"Delivery|{b.MESSAGE_ID_DELIVERY}|omar@contoso.example|2025-03-04T10:20:01.640Z"
    )


def test_identity_is_the_feedback_id_for_bounces_and_complaints() -> None:
    assert {r.identity for r in event(b.raw(b.bounce_doc())).recipients} == {b.FEEDBACK_ID_BOUNCE}
    assert {r.identity for r in event(b.EXAMPLE_C_BODY).recipients} == {b.FEEDBACK_ID_COMPLAINT}


@pytest.mark.parametrize(
    ("event_type", "timestamp"),
    [
        ("Send", "2025-03-04T10:15:01.210Z"),
        ("Reject", "2025-03-04T10:15:01.210Z"),
        ("Rendering Failure", "2025-03-04T10:15:01.210Z"),
        ("Delivery", "2025-03-04T10:20:01.640Z"),
        ("DeliveryDelay", "2025-03-04T10:45:09.000Z"),
        ("Open", "2025-03-04T11:00:00.000Z"),
        ("Subscription", "2025-03-04T11:02:00.000Z"),
    ],
)
def test_identity_is_type_message_id_recipient_timestamp_otherwise(
    event_type: str, timestamp: str
) -> None:
    parsed = event(b.raw(b.every_event_doc()[event_type]))
    (recipient,) = parsed.recipients
    assert recipient.identity == f"{event_type}|{parsed.message_id}|{recipient.address}|{timestamp}"


def test_click_identity_starts_with_the_contract_fields() -> None:
    parsed = event(b.raw(b.click_doc(link="https://app.example.com/a")))
    (recipient,) = parsed.recipients
    prefix = f"Click|{b.MESSAGE_ID}|jane@acme.example|2025-03-04T11:01:00.000Z"
    # The reference (5.2) adds the link for clicks; the prefix is the contract's form.
    assert recipient.identity in (prefix, f"{prefix}|https://app.example.com/a")


def test_identity_uses_the_normalised_address_and_utc_text() -> None:
    doc = b.delivery_doc(
        ['"Omar" <OMAR@Contoso.example>'], timestamp="2025-03-04T11:20:01.64+01:00"
    )
    (recipient,) = event(b.raw(doc)).recipients
    assert recipient.identity == (
        f"Delivery|{b.MESSAGE_ID_DELIVERY}|omar@contoso.example|2025-03-04T10:20:01.640Z"
    )


def test_bounce_without_feedback_id_gets_a_derived_identity() -> None:
    doc = b.bounce_doc()
    del doc["bounce"]["feedbackId"]
    (recipient,) = event(b.raw(doc)).recipients
    assert recipient.identity == (
        f"Bounce|{b.MESSAGE_ID}|jane@acme.example|2025-03-04T10:15:02.000Z"
    )


def test_identity_is_the_same_for_every_recipient_of_a_send_but_the_address() -> None:
    parsed = event(b.raw(b.send_doc(["a@x.example", "b@x.example"])))
    assert [r.identity for r in parsed.recipients] == [
        f"Send|{b.MESSAGE_ID}|a@x.example|2025-03-04T10:15:01.210Z",
        f"Send|{b.MESSAGE_ID}|b@x.example|2025-03-04T10:15:01.210Z",
    ]


# --- typed rejections ------------------------------------------------------------------


def _doc_with(event_type: str, mutate: Any) -> str:
    doc = b.every_event_doc()[event_type]
    mutate(doc)
    return b.raw(doc)


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


REJECTIONS: list[tuple[str, str | bytes, RejectionCode]] = [
    ("empty", "", RejectionCode.NOT_JSON),
    ("plain text", "hello world", RejectionCode.NOT_JSON),
    ("truncated json", b.EXAMPLE_A_BODY[:120], RejectionCode.NOT_JSON),
    ("xml", "<Notification><Type>Notification</Type></Notification>", RejectionCode.NOT_JSON),
    ("not utf-8", b'{"eventType": "Send", "x": "\xff\xfe"}', RejectionCode.BAD_ENCODING),
    ("latin-1 bytes", '{"a": "café"}'.encode("latin-1"), RejectionCode.BAD_ENCODING),
    ("json array", json.dumps([json.loads(b.EXAMPLE_C_BODY)]), RejectionCode.BAD_ENVELOPE),
    ("json string", json.dumps(b.EXAMPLE_C_BODY), RejectionCode.BAD_ENVELOPE),
    ("json number", "42", RejectionCode.BAD_ENVELOPE),
    ("json null", "null", RejectionCode.BAD_ENVELOPE),
    ("empty object", "{}", RejectionCode.BAD_ENVELOPE),
    ("unrelated object", '{"hello": "world"}', RejectionCode.BAD_ENVELOPE),
    ("missing mail", _doc_with("Bounce", _delete(("mail",))), RejectionCode.BAD_ENVELOPE),
    ("missing bounce", _doc_with("Bounce", _delete(("bounce",))), RejectionCode.BAD_ENVELOPE),
    (
        "missing delivery",
        _doc_with("Delivery", _delete(("delivery",))),
        RejectionCode.BAD_ENVELOPE,
    ),
    (
        "unknown SNS Type around no SES document",
        b.sns(json.dumps({"alarm": "CPU high"}), sns_type="Banana"),
        RejectionCode.BAD_ENVELOPE,
    ),
    ("SNS Message {}", b.sns("{}"), RejectionCode.BAD_ENVELOPE),
    (
        "SNS Message not an SES document",
        b.sns(json.dumps({"alarm": "CPU high", "Trigger": {}})),
        RejectionCode.BAD_ENVELOPE,
    ),
    ("SNS Message array", b.sns("[1, 2]"), RejectionCode.BAD_ENVELOPE),
    ("SNS Message plain text", b.sns("hello"), RejectionCode.NOT_JSON),
    (
        "SNS without Message",
        json.dumps({"Type": "Notification", "TopicArn": b.TOPIC_ARN}),
        RejectionCode.BAD_ENVELOPE,
    ),
    (
        "EventBridge without detail",
        json.dumps({"source": "aws.ses", "detail-type": "Email Bounced"}),
        RejectionCode.BAD_ENVELOPE,
    ),
    (
        "missing messageId",
        _doc_with("Bounce", _delete(("mail", "messageId"))),
        RejectionCode.MISSING_MESSAGE_ID,
    ),
    (
        "empty messageId",
        _doc_with("Delivery", _set(("mail", "messageId"), "")),
        RejectionCode.MISSING_MESSAGE_ID,
    ),
    (
        "blank messageId",
        _doc_with("Send", _set(("mail", "messageId"), "   ")),
        RejectionCode.MISSING_MESSAGE_ID,
    ),
    (
        "null messageId",
        _doc_with("Send", _set(("mail", "messageId"), None)),
        RejectionCode.MISSING_MESSAGE_ID,
    ),
    (
        "no bounced recipients",
        _doc_with("Bounce", _set(("bounce", "bouncedRecipients"), [])),
        RejectionCode.NO_RECIPIENTS,
    ),
    (
        "no delivery recipients",
        _doc_with("Delivery", _delete(("delivery", "recipients"))),
        RejectionCode.NO_RECIPIENTS,
    ),
    (
        "send with empty destination",
        _doc_with("Send", _set(("mail", "destination"), [])),
        RejectionCode.NO_RECIPIENTS,
    ),
    (
        "reject without destination",
        _doc_with("Reject", _delete(("mail", "destination"))),
        RejectionCode.NO_RECIPIENTS,
    ),
    (
        "blank recipient only",
        _doc_with("Delivery", _set(("delivery", "recipients"), ["  "])),
        RejectionCode.NO_RECIPIENTS,
    ),
    (
        "unknown eventType",
        _doc_with("Send", _set(("eventType",), "Teleport")),
        RejectionCode.UNKNOWN_EVENT_TYPE,
    ),
    (
        "unknown notificationType",
        b.raw({"notificationType": "Bogus", "mail": b.mail()}),
        RejectionCode.UNKNOWN_EVENT_TYPE,
    ),
    (
        "bouncedRecipients a string",
        _doc_with("Bounce", _set(("bounce", "bouncedRecipients"), "jane@acme.example")),
        RejectionCode.WRONG_TYPE,
    ),
    (
        "bouncedRecipients entry a string",
        _doc_with("Bounce", _set(("bounce", "bouncedRecipients"), ["jane@acme.example"])),
        RejectionCode.WRONG_TYPE,
    ),
    (
        "emailAddress a number",
        _doc_with("Bounce", _set(("bounce", "bouncedRecipients", 0, "emailAddress"), 42)),
        RejectionCode.WRONG_TYPE,
    ),
    (
        "destination with a number",
        _doc_with("Send", _set(("mail", "destination"), ["jane@acme.example", 7])),
        RejectionCode.WRONG_TYPE,
    ),
    (
        "destination a string",
        _doc_with("Send", _set(("mail", "destination"), "jane@acme.example")),
        RejectionCode.WRONG_TYPE,
    ),
    (
        "delivery recipients with null",
        _doc_with("Delivery", _set(("delivery", "recipients"), [None])),
        RejectionCode.WRONG_TYPE,
    ),
    ("mail a list", _doc_with("Send", _set(("mail",), [])), RejectionCode.WRONG_TYPE),
    ("bounce a string", _doc_with("Bounce", _set(("bounce",), "x")), RejectionCode.WRONG_TYPE),
    (
        "messageId a number",
        _doc_with("Send", _set(("mail", "messageId"), 12345)),
        RejectionCode.WRONG_TYPE,
    ),
    ("eventType a number", _doc_with("Send", _set(("eventType",), 3)), RejectionCode.WRONG_TYPE),
    (
        "timestamp a number",
        _doc_with("Delivery", _set(("delivery", "timestamp"), 1741083601)),
        RejectionCode.WRONG_TYPE,
    ),
    (
        "bad delivery timestamp",
        _doc_with("Delivery", _set(("delivery", "timestamp"), "yesterday")),
        RejectionCode.BAD_TIMESTAMP,
    ),
    (
        "bad mail timestamp on send",
        _doc_with("Send", _set(("mail", "timestamp"), "2025-13-45T99:99:99Z")),
        RejectionCode.BAD_TIMESTAMP,
    ),
    (
        "no timestamp at all",
        _doc_with("Reject", _delete(("mail", "timestamp"))),
        RejectionCode.BAD_TIMESTAMP,
    ),
    (
        "empty timestamp",
        _doc_with("Send", _set(("mail", "timestamp"), "")),
        RejectionCode.BAD_TIMESTAMP,
    ),
]


@pytest.mark.parametrize(
    ("body", "code"),
    [(body, code) for _, body, code in REJECTIONS],
    ids=[n for n, _, _ in REJECTIONS],
)
def test_typed_rejections(body: str | bytes, code: RejectionCode) -> None:
    assert rejection(body).code is code


@pytest.mark.parametrize("wrap", [b.sns_event_publishing, b.eventbridge])
def test_rejections_inside_an_envelope(wrap: Any) -> None:
    doc = b.bounce_doc()
    doc["bounce"]["bouncedRecipients"] = "jane@acme.example"
    assert rejection(wrap(doc)).code is RejectionCode.WRONG_TYPE
    doc = b.delivery_doc()
    del doc["mail"]["messageId"]
    assert rejection(wrap(doc)).code is RejectionCode.MISSING_MESSAGE_ID


def test_rejection_codes_are_stable_strings() -> None:
    assert {code.value for code in RejectionCode} >= {
        "not_json",
        "bad_encoding",
        "bad_envelope",
        "missing_message_id",
        "no_recipients",
        "unknown_event_type",
        "wrong_type",
        "bad_timestamp",
        "too_large",
        "too_deep",
        "inbound_mail",
    }


# --- size ------------------------------------------------------------------------------


def _padded(body: str, size: int) -> str:
    """The body followed by JSON whitespace up to exactly ``size`` UTF-8 bytes."""
    padding = size - len(body.encode("utf-8"))
    assert padding >= 0
    return body + " " * padding


def test_body_of_exactly_256_kib_is_accepted() -> None:
    body = _padded(b.EXAMPLE_A_BODY, MAX_BODY_BYTES)
    assert event(body).event_type is EventType.BOUNCE
    assert event(body.encode("utf-8")).event_type is EventType.BOUNCE


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_body_over_256_kib_is_too_large(as_bytes: bool) -> None:
    body = _padded(b.EXAMPLE_A_BODY, MAX_BODY_BYTES + 1)
    assert rejection(body.encode("utf-8") if as_bytes else body).code is RejectionCode.TOO_LARGE


def test_str_under_the_limit_in_characters_but_over_it_in_utf8_is_too_large() -> None:
    doc = b.bounce_doc()
    doc["mail"]["tags"]["note"] = ["€" * 90_000]  # 270,000 bytes, 90,000 characters
    body = json.dumps(doc, ensure_ascii=False)
    assert len(body) < MAX_BODY_BYTES < len(body.encode("utf-8"))
    assert rejection(body).code is RejectionCode.TOO_LARGE
    assert rejection(body.encode("utf-8")).code is RejectionCode.TOO_LARGE


def test_multibyte_body_under_the_limit_is_accepted() -> None:
    doc = b.bounce_doc()
    doc["mail"]["tags"]["note"] = ["é" * 100_000]  # 200,000 bytes
    assert event(json.dumps(doc, ensure_ascii=False)).event_type is EventType.BOUNCE


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_ten_mib_body_is_refused_without_parsing_json(
    monkeypatch: pytest.MonkeyPatch, as_bytes: bool
) -> None:
    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("json.loads called on an oversized body")

    def no_encoding(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a 10 MiB str was encoded to measure it")

    monkeypatch.setattr("worker.domain.parser.json.loads", no_parsing)
    monkeypatch.setattr(parser, "_utf8_len", no_encoding)
    body = '{"Type": "Notification", "Message": "' + "x" * (10 * 1024 * 1024) + '"}'
    assert rejection(body.encode("utf-8") if as_bytes else body).code is RejectionCode.TOO_LARGE


# --- depth -----------------------------------------------------------------------------


def _nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_absurdly_nested_lists_inside_a_document_are_too_deep() -> None:
    doc = b.bounce_doc()
    body = b.raw(doc).replace('"tags": {', '"junk": ' + _nested_lists(100) + ', "tags": {', 1)
    assert rejection(body).code is RejectionCode.TOO_DEEP


def test_absurdly_nested_objects_are_too_deep() -> None:
    body = '{"eventType": "Send", "x": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}"
    assert rejection(body).code is RejectionCode.TOO_DEEP


def test_absurdly_nested_json_inside_the_sns_message_is_too_deep() -> None:
    inner = '{"eventType": "Send", "x": ' + _nested_lists(100) + "}"
    assert rejection(b.sns(inner)).code is RejectionCode.TOO_DEEP


@pytest.mark.parametrize(
    "body",
    [
        _nested_lists(100_000),
        '{"eventType": "Send", "x": ' + _nested_lists(100_000) + "}",
        '{"a":' * 40_000 + "1" + "}" * 40_000,
        b.sns('{"eventType": "Send", "x": ' + _nested_lists(100_000) + "}"),
    ],
    ids=["top-level lists", "lists in a document", "objects", "inside SNS Message"],
)
def test_hundred_thousand_levels_are_too_deep_without_recursion_error(body: str) -> None:
    assert len(body.encode()) <= MAX_BODY_BYTES
    assert rejection(body).code is RejectionCode.TOO_DEEP
    assert rejection(body.encode()).code is RejectionCode.TOO_DEEP


def test_top_level_nested_array_is_rejected() -> None:
    # Not an object *and* absurdly nested: either code describes it.
    assert rejection(_nested_lists(100)).code in (
        RejectionCode.TOO_DEEP,
        RejectionCode.BAD_ENVELOPE,
    )


def test_real_documents_are_not_too_deep() -> None:
    # The subscription event nests deepest (preferences → list → object).
    assert event(b.raw(b.subscription_doc())).event_type is EventType.SUBSCRIPTION


# --- hypothesis: never raises ----------------------------------------------------------

RESULT_TYPES = (FeedbackEvent, ControlMessage, Rejection)
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result: object) -> None:
    assert isinstance(result, RESULT_TYPES)
    # Whatever the input, everything handed on is storable text (issue 16).
    for text in all_strings(result):
        assert is_storable(text), repr(text)
    if isinstance(result, Rejection):
        assert isinstance(result.code, RejectionCode)
        assert isinstance(result.message, str)
        assert result.message
    elif isinstance(result, FeedbackEvent):
        assert isinstance(result.event_type, EventType)
        assert result.message_id
        assert result.recipients
        addresses = [r.address for r in result.recipients]
        assert len(addresses) == len(set(addresses))
        for recipient in result.recipients:
            assert recipient.address
            assert recipient.address == recipient.address.strip().lower()
            assert recipient.identity


def _parse_checked(body: str | bytes) -> object:
    try:
        result = parse_body(body)
    except RecursionError:  # pragma: no cover - reported as a failure below
        pytest.fail(f"RecursionError for {body[:200]!r}")
    _check(result)
    return result


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
SES_KEYS = [
    "Type",
    "Message",
    "TopicArn",
    "SubscribeURL",
    "Token",
    "source",
    "detail-type",
    "detail",
    "eventType",
    "notificationType",
    "mail",
    "messageId",
    "destination",
    "timestamp",
    "tags",
    "commonHeaders",
    "bounce",
    "bouncedRecipients",
    "emailAddress",
    "delivery",
    "recipients",
    "complaint",
    "complainedRecipients",
    "deliveryDelay",
    "delayedRecipients",
    "failure",
    "feedbackId",
]
json_keys = st.sampled_from(SES_KEYS) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=5)
    ),
    max_leaves=30,
)


@FUZZ
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    _parse_checked(text)


@FUZZ
@given(st.binary())
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _parse_checked(data)


@FUZZ
@given(json_values)
def test_arbitrary_json_never_raises(value: Any) -> None:
    _parse_checked(json.dumps(value))
    _parse_checked(json.dumps(value).encode("utf-8"))


@FUZZ
@given(
    st.sampled_from(["Bounce", "Complaint", "Delivery", "Send", "DeliveryDelay"]),
    st.dictionaries(json_keys, json_values, max_size=4),
    st.dictionaries(json_keys, json_values, max_size=4),
)
def test_ses_shaped_json_never_raises(
    event_type: str, mail_extra: dict[str, Any], sub_extra: dict[str, Any]
) -> None:
    doc = b.every_event_doc()[event_type]
    doc["mail"].update(mail_extra)
    doc[b.SUB_OBJECT_KEYS[event_type]].update(sub_extra)
    for wrap in ENVELOPES.values():
        _parse_checked(wrap(doc))


REAL_BODIES = b.real_bodies()


@st.composite
def mutated_real_bodies(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from(REAL_BODIES))
    obj = open_message(json.loads(body))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = containers(obj)
        path = draw(st.sampled_from(paths))
        container = at(obj, path)
        operation = draw(st.sampled_from(["delete", "replace", "add", "type-swap"]))
        if isinstance(container, dict):
            keys = [k for k in container if k != INNER]
            if operation == "add" or not keys:
                container[draw(json_keys)] = draw(json_values)
            elif operation == "delete":
                del container[draw(st.sampled_from(keys))]
            elif operation == "replace":
                container[draw(st.sampled_from(keys))] = draw(json_values)
            else:
                key = draw(st.sampled_from(keys))
                value = container[key]
                container[key] = [value] if not isinstance(value, list) else json.dumps(value)
        elif isinstance(container, list):
            if operation == "add" or not container:
                container.append(draw(json_values))
            elif operation == "delete":
                container.pop(draw(st.integers(0, len(container) - 1)))
            else:
                container[draw(st.integers(0, len(container) - 1))] = draw(json_values)
    text = json.dumps(close_message(obj), ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text


@FUZZ
@given(mutated_real_bodies())
def test_mutated_real_events_never_raise(body: str) -> None:
    _parse_checked(body)
    _parse_checked(body.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.sampled_from(REAL_BODIES), st.data())
def test_truncated_real_bodies_never_raise(body: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    result = _parse_checked(body[:cut])
    assert isinstance(result, Rejection)
    encoded = body.encode("utf-8")
    _parse_checked(encoded[: data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))])


@FUZZ
@given(mutated_real_bodies())
def test_mutated_real_events_are_refused_with_a_specific_code(body: str) -> None:
    """Unexpected shapes get the code of what is wrong, not a catch-all for an internal
    exception swallowed by ``parse_body`` ("unexpected structure (TypeError)")."""
    result = parse_body(body)
    if isinstance(result, Rejection):
        assert not result.message.startswith("unexpected structure"), result


@FUZZ
@given(st.sampled_from(REAL_BODIES))
def test_real_bodies_parse_the_same_as_str_and_bytes(body: str) -> None:
    as_text = parse_body(body)
    as_bytes = parse_body(body.encode("utf-8"))
    assert not isinstance(as_text, Rejection)
    assert as_text == as_bytes
    with_bom = parse_body(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert with_bom == as_text


def test_every_real_body_parses() -> None:
    for body in REAL_BODIES:
        assert not isinstance(parse_body(body), Rejection), body[:200]


def test_parse_body_does_not_mutate_shared_state() -> None:
    doc = b.bounce_doc()
    before = copy.deepcopy(doc)
    body = b.raw(doc)
    first = parse_body(body)
    assert parse_body(body) == first
    assert doc == before
