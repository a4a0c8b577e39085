"""The parser as the boundary (issue 16, items 1, 6 and 7).

* Every string it hands on is storable text, whatever a body holds: lone surrogates, NUL,
  C0/C1 controls injected into each string field of realistic bodies of every envelope
  never raise, and the same body always gives the same result (identities included).
* A recipient holding a control character is ``bad_recipient``; a timestamp before 2011 or
  more than a day after receipt is ``implausible_timestamp``.
* The document decides, not the envelope's label: EventBridge ``detail-type`` and SNS
  ``Type`` that disagree are noted; half a document from aws.ses is a dead letter.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from tests import bodies as tb
from tests.json_paths import close_message, open_message, string_paths
from tests.unit.domain import ses_bodies as b
from worker.domain.addresses import is_deliverable_address
from worker.domain.events import (
    ControlKind,
    ControlMessage,
    Envelope,
    EventType,
    FeedbackEvent,
    ParseResult,
    Rejection,
    RejectionCode,
    SnsEnvelope,
)
from worker.domain.parser import parse_body
from worker.domain.text import REPLACEMENT, is_storable

RECEIVED = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
LONE = "\ud83d"
#: What a hostile body puts in a string: lone surrogates, NUL, C0, ESC, DEL, C1.
POISONS = [LONE, "\udfff", "\x00", "\x01", "\x1b]0;owned\x07", "\x7f", "\x85", "\x9b"]


def parse(body: str | bytes) -> ParseResult:
    return parse_body(body, received_at=RECEIVED)


def all_strings(value: Any) -> Iterator[str]:
    """Every string reachable from a parse result (the raw SNS copy kept for signing
    excluded: it is never stored)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, SnsEnvelope):
        for f in msgspec.structs.fields(value):
            if f.name != "unsanitised":
                yield from all_strings(getattr(value, f.name))
    elif isinstance(value, msgspec.Struct):
        for f in msgspec.structs.fields(value):
            yield from all_strings(getattr(value, f.name))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from all_strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from all_strings(key)
            yield from all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from all_strings(item)


def assert_storable(result: ParseResult) -> None:
    assert isinstance(result, FeedbackEvent | ControlMessage | Rejection)
    for text in all_strings(result):
        assert is_storable(text), repr(text)
        text.encode("utf-8")
    if isinstance(result, FeedbackEvent):
        assert result.recipients
        for recipient in result.recipients:
            assert is_deliverable_address(recipient.address)


def test_every_string_of_an_event_is_walked() -> None:
    # all_strings must reach into the event, its recipients and its SNS envelope (they
    # are msgspec Structs, not dataclasses), or assert_storable would check nothing.
    event = parse(b.sns_event_publishing(b.bounce_doc()))
    assert isinstance(event, FeedbackEvent) and event.sns is not None
    walked = set(all_strings(event))
    assert {event.message_id, event.occurred_at_text, event.sns.signature} <= walked
    assert {event.recipients[0].address, event.recipients[0].identity} <= walked


# --- poison in every string field of every realistic body ------------------------------


def poisoned(body: str, path: tuple[Any, ...], poison: str, *, ensure_ascii: bool) -> str:
    obj = open_message(json.loads(body))
    node = obj
    for key in path[:-1]:
        node = node[key]
    value = node[path[-1]]
    middle = len(value) // 2
    node[path[-1]] = value[:middle] + poison + value[middle:]
    return json.dumps(close_message(obj, ensure_ascii=ensure_ascii), ensure_ascii=ensure_ascii)


CORPUS = [*b.real_bodies(), *tb.one_of_each()]


@pytest.mark.parametrize("body", CORPUS, ids=[f"body{i}" for i in range(len(CORPUS))])
def test_poison_in_any_string_field_never_raises_and_is_stored_clean(body: str) -> None:
    clean = parse(body)
    assert not isinstance(clean, Rejection), clean
    paths = list(string_paths(open_message(json.loads(body))))
    assert paths
    for path in paths:
        for poison in POISONS:
            for ensure_ascii in (True, False):
                text = poisoned(body, path, poison, ensure_ascii=ensure_ascii)
                first = parse(text)
                assert_storable(first)
                assert parse(text) == first, (path, poison)  # same body, same result
                if ensure_ascii:
                    assert parse(text.encode("ascii")) == first
                if isinstance(first, Rejection):
                    assert first.code in {
                        RejectionCode.BAD_RECIPIENT,
                        RejectionCode.BAD_TIMESTAMP,
                        RejectionCode.UNKNOWN_EVENT_TYPE,
                        RejectionCode.BAD_ENVELOPE,
                        RejectionCode.MISSING_MESSAGE_ID,
                        RejectionCode.INBOUND_MAIL,
                        RejectionCode.NOT_JSON,
                    }, (path, poison, first)


def test_huge_poisoned_strings_are_storable() -> None:
    doc = b.bounce_doc()
    doc["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = (LONE + "\x00x") * 8_000
    doc["mail"]["commonHeaders"]["subject"] = "\x00" * 15_000
    result = parse(b.raw(doc))
    assert isinstance(result, FeedbackEvent)
    assert_storable(result)
    assert result.recipients[0].diagnostic == (REPLACEMENT * 2 + "x") * 8_000


def test_poisoned_keys_are_storable_and_identities_consistent() -> None:
    doc = b.delivery_doc()
    doc["mail"]["messageId"] = f"0102-{LONE}-000000"
    doc["mail"]["tags"][f"team{LONE}"] = [f"ops\x00{LONE}"]
    for wrap in (b.raw, b.sns_event_publishing, b.eventbridge):
        result = parse(wrap(doc))
        assert isinstance(result, FeedbackEvent)
        assert_storable(result)
        assert result.message_id == f"0102-{REPLACEMENT}-000000"
        assert result.tags[f"team{REPLACEMENT}"] == (f"ops{REPLACEMENT}{REPLACEMENT}",)
        (recipient,) = result.recipients
        assert REPLACEMENT in recipient.identity
    identities = {
        parse(wrap(doc)).recipients[0].identity  # type: ignore[union-attr]
        for wrap in (b.raw, b.sns_event_publishing, b.eventbridge)
    }
    assert len(identities) == 1  # one event, whichever envelope carried it


def test_poisoned_feedback_id_still_dedupes_across_envelopes() -> None:
    doc = b.bounce_doc()
    doc["bounce"]["feedbackId"] = f"fb-{LONE}\x00"
    results = [parse(wrap(doc)) for wrap in (b.raw, b.sns_event_publishing, b.eventbridge)]
    identities = {r.recipients[0].identity for r in results}  # type: ignore[union-attr]
    assert identities == {f"fb-{REPLACEMENT}{REPLACEMENT}"}


@pytest.mark.parametrize("field", ["Message", "Token", "SubscribeURL", "TopicArn", "MessageId"])
@pytest.mark.parametrize("poison", [LONE, "\x00"])
def test_poisoned_subscription_confirmation_is_a_storable_control_message(
    field: str, poison: str
) -> None:
    obj = json.loads(b.sns_control())
    obj[field] = obj[field] + poison
    result = parse(json.dumps(obj))
    assert isinstance(result, ControlMessage)
    assert result.kind is ControlKind.SUBSCRIPTION_CONFIRMATION
    assert_storable(result)
    assert result.sns is not None
    # The values SNS signed are kept, as decoded, for the signature check only.
    assert result.sns.unsanitised is not None
    assert getattr(result.sns.as_signed, _SNS_ATTR[field]).endswith(poison)


_SNS_ATTR = {
    "Message": "message",
    "Token": "token",
    "SubscribeURL": "subscribe_url",
    "TopicArn": "topic_arn",
    "MessageId": "message_id",
}


def test_clean_sns_envelope_keeps_no_second_copy() -> None:
    result = parse(b.EXAMPLE_A_BODY)
    assert isinstance(result, FeedbackEvent)
    assert result.sns is not None
    assert result.sns.unsanitised is None
    assert result.sns.as_signed is result.sns


@pytest.mark.parametrize("poison", ["\x00", LONE, "\x1b"])
def test_poisoned_eventbridge_detail_type_is_storable(poison: str) -> None:
    service = json.loads(b.eventbridge_service_event())
    service["detail-type"] = "Sending Status" + poison
    result = parse(json.dumps(service))
    assert isinstance(result, ControlMessage)
    assert result.kind is ControlKind.SERVICE_EVENT
    assert_storable(result)
    labelled = json.loads(b.EXAMPLE_D_BODY)
    labelled["detail-type"] = "Email Bounced" + poison
    event = parse(json.dumps(labelled))
    assert isinstance(event, FeedbackEvent)
    assert event.event_type is EventType.BOUNCE
    assert event.label_mismatch is not None
    assert_storable(event)


# --- bad_recipient ----------------------------------------------------------------------


def _with_recipient(event_type: str, address: str) -> dict[str, Any]:
    if event_type == "Bounce":
        return b.bounce_doc([b.bounce_entry(address)])
    if event_type == "Complaint":
        return b.complaint_doc([address])
    if event_type == "DeliveryDelay":
        return b.delay_doc([address])
    if event_type == "Delivery":
        doc = b.delivery_doc()
        doc["delivery"]["recipients"] = [address]
        return doc
    return b.every_event_doc()[event_type] | {"mail": b.mail([address])}


BAD_ADDRESSES = [
    "ja\x00ne@acme.example",
    f"ja{LONE}ne@acme.example",
    "jane@acme.exam\x01ple",
    "jane@acme.example\r\nBcc: x@evil.example",
    "ja\x1b[2Kne@acme.example",
    "ja\x7fne@acme.example",
    "ja\x85ne@acme.example",
    '"Jane" <ja\x00ne@acme.example>',
]


@pytest.mark.parametrize("event_type", ["Bounce", "Complaint", "DeliveryDelay", "Delivery", "Send"])
@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_recipient_with_a_control_character_is_bad_recipient(event_type: str, address: str) -> None:
    doc = _with_recipient(event_type, address)
    for wrap in (b.raw, b.sns_event_publishing, b.eventbridge):
        result = parse(wrap(doc))
        assert isinstance(result, Rejection), result
        assert result.code is RejectionCode.BAD_RECIPIENT
        assert "acme" not in result.message  # the message names no address
        assert_storable(result)


def test_bad_recipient_among_good_ones_rejects_the_body() -> None:
    doc = b.send_doc(["jane@acme.example", "bad\x00@acme.example"])
    result = parse(b.raw(doc))
    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.BAD_RECIPIENT


@pytest.mark.parametrize(
    ("reported", "bare"),
    [
        ('"Jane\x01 \x1b[31m" <Jane@Acme.example>', "jane@acme.example"),
        ("Jane\x85 <jane@acme.example>", "jane@acme.example"),
        ("\tjane@acme.example \r\n", "jane@acme.example"),  # surrounding space is trimmed
    ],
)
def test_control_characters_outside_the_bare_address_are_accepted(reported: str, bare: str) -> None:
    result = parse(b.raw(_with_recipient("Bounce", reported)))
    assert isinstance(result, FeedbackEvent), result
    assert [r.address for r in result.recipients] == [bare]


# --- implausible_timestamp --------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "code"),
    [
        ("2011-01-01T00:00:00.000Z", None),
        ("2010-12-31T23:59:59.999Z", RejectionCode.IMPLAUSIBLE_TIMESTAMP),
        ("2011-01-01T00:59:59.999+01:00", RejectionCode.IMPLAUSIBLE_TIMESTAMP),
        ("1970-01-01T00:00:00.000Z", RejectionCode.IMPLAUSIBLE_TIMESTAMP),
        ("2025-03-07T12:00:00.000Z", None),  # exactly a day after receipt
        ("2025-03-07T12:00:00.001Z", RejectionCode.IMPLAUSIBLE_TIMESTAMP),
        ("2025-03-07T13:00:00.000+01:00", None),
        ("9999-12-31T23:59:59.999Z", RejectionCode.IMPLAUSIBLE_TIMESTAMP),
    ],
)
@pytest.mark.parametrize("event_type", ["Bounce", "Send"])
def test_implausible_timestamps_at_both_edges(
    timestamp: str, code: RejectionCode | None, event_type: str
) -> None:
    doc = b.bounce_doc(timestamp=timestamp) if event_type == "Bounce" else b.send_doc()
    if event_type == "Send":  # Send's time is mail.timestamp
        doc["mail"]["timestamp"] = timestamp
    for wrap in (b.raw, b.sns_event_publishing, b.eventbridge):
        result = parse(wrap(doc))
        if code is None:
            assert isinstance(result, FeedbackEvent), result
        else:
            assert isinstance(result, Rejection), result
            assert result.code is code
            assert timestamp[:20] in result.message


def test_without_a_receive_time_only_the_lower_bound_is_checked() -> None:
    future = b.raw(b.bounce_doc(timestamp="2099-01-01T00:00:00.000Z"))
    assert isinstance(parse_body(future), FeedbackEvent)
    past = b.raw(b.bounce_doc(timestamp="2001-01-01T00:00:00.000Z"))
    result = parse_body(past)
    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.IMPLAUSIBLE_TIMESTAMP


def test_naive_receive_time_is_utc() -> None:
    body = b.raw(b.bounce_doc(timestamp="2025-03-07T12:00:00.001Z"))
    naive = parse_body(body, received_at=RECEIVED.replace(tzinfo=None))
    assert isinstance(naive, Rejection)
    assert naive.code is RejectionCode.IMPLAUSIBLE_TIMESTAMP
    later = parse_body(body, received_at=RECEIVED + timedelta(milliseconds=1))
    assert isinstance(later, FeedbackEvent)


# --- the document decides, not the label ----------------------------------------------


@pytest.mark.parametrize("label", ["SES Email Event", "Email Delivered", "ses-events", ""])
def test_eventbridge_complete_bounce_under_another_label_is_the_bounce(label: str) -> None:
    plain = parse(b.eventbridge(b.bounce_doc()))
    assert isinstance(plain, FeedbackEvent)
    assert plain.label_mismatch is None
    result = parse(b.eventbridge(b.bounce_doc(), detail_type=label or None))
    if label == "":  # b.eventbridge treats "" as "use the right label"
        assert result == plain
        return
    assert isinstance(result, FeedbackEvent), result
    assert result.event_type is EventType.BOUNCE
    assert result.envelope is Envelope.EVENTBRIDGE
    assert result.label_mismatch is not None
    assert label in result.label_mismatch and "Bounce" in result.label_mismatch
    assert "jane" not in result.label_mismatch  # a note to log: no address in it
    # Same identities as the correctly labelled body: the label takes no part.
    assert [r.identity for r in result.recipients] == [r.identity for r in plain.recipients]


@pytest.mark.parametrize("event_type", list(b.SUB_OBJECT_KEYS))
def test_every_event_type_under_a_generic_label(event_type: str) -> None:
    doc = b.every_event_doc()[event_type]
    result = parse(b.eventbridge(doc, detail_type="SES Email Event"))
    assert isinstance(result, FeedbackEvent), result
    assert result.event_type == event_type
    assert result.label_mismatch is not None


def test_eventbridge_without_detail_type_but_with_a_document_is_the_event() -> None:
    obj = json.loads(b.EXAMPLE_D_BODY)
    del obj["detail-type"]
    result = parse(json.dumps(obj))
    assert isinstance(result, FeedbackEvent)
    assert result.event_type is EventType.BOUNCE
    assert result.label_mismatch is not None


@pytest.mark.parametrize(
    "detail",
    [
        {"sendingStatus": "DISABLED"},
        {},
        {"recommendation": {"type": "DMARC", "status": "OPEN"}},
    ],
)
def test_aws_ses_event_without_a_message_document_stays_a_control_message(
    detail: dict[str, Any],
) -> None:
    obj = json.loads(b.eventbridge_service_event("SES Email Event"))
    obj["detail"] = detail
    result = parse(json.dumps(obj))
    assert isinstance(result, ControlMessage)
    assert result.kind is ControlKind.SERVICE_EVENT
    assert result.detail_type == "SES Email Event"


@pytest.mark.parametrize(
    "missing",
    ["eventType", "mail"],
    ids=["with_mail_but_no_type", "with_a_type_but_no_mail"],
)
def test_aws_ses_event_without_type_or_mail_is_unknown_event_type(missing: str) -> None:
    doc = b.bounce_doc()
    del doc[missing]
    result = parse(b.eventbridge(doc, detail_type="SES Email Event"))
    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.UNKNOWN_EVENT_TYPE


def test_known_label_without_detail_type_in_the_document_still_names_the_event() -> None:
    doc = b.delivery_doc()
    del doc["eventType"]
    result = parse(b.eventbridge(doc, detail_type="Email Delivered"))
    assert isinstance(result, FeedbackEvent)
    assert result.event_type is EventType.DELIVERY
    assert result.label_mismatch is None


@pytest.mark.parametrize("sns_type", ["SubscriptionConfirmation", "Banana"])
def test_sns_label_that_hides_an_event_is_overruled_by_the_document(sns_type: str) -> None:
    result = parse(b.sns(b.bounce_doc(), sns_type=sns_type))
    assert isinstance(result, FeedbackEvent), result
    assert result.event_type is EventType.BOUNCE
    assert result.label_mismatch is not None and sns_type in result.label_mismatch
    assert result.sns is not None and result.sns.type == sns_type  # verified as labelled


def test_raw_document_with_a_stray_type_key_is_the_raw_event() -> None:
    doc = b.delivery_doc()
    doc["Type"] = "Notification"
    result = parse(b.raw(doc))
    assert isinstance(result, FeedbackEvent)
    assert result.envelope is Envelope.RAW


# --- whose timestamp -------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ["Send", "Reject", "Rendering Failure"])
def test_events_without_their_own_timestamp_say_so(event_type: str) -> None:
    result = parse(b.raw(b.every_event_doc()[event_type]))
    assert isinstance(result, FeedbackEvent)
    assert result.timestamp_from_mail is True
    assert result.occurred_at_text == b.MAIL_TIMESTAMP


def test_event_that_omits_its_own_timestamp_takes_mail_timestamp_and_says_so() -> None:
    doc = b.bounce_doc()
    del doc["bounce"]["timestamp"]
    result = parse(b.raw(doc))
    assert isinstance(result, FeedbackEvent)
    assert result.timestamp_from_mail is True
    assert result.occurred_at_text == b.MAIL_TIMESTAMP
    own = parse(b.raw(b.bounce_doc()))
    assert isinstance(own, FeedbackEvent)
    assert own.timestamp_from_mail is False


@pytest.mark.parametrize("wrap", [b.eventbridge, b.sns_event_publishing])
def test_envelope_time_never_stands_in_for_the_event_time(wrap: Any) -> None:
    doc = copy.deepcopy(b.bounce_doc())
    del doc["bounce"]["timestamp"]
    del doc["mail"]["timestamp"]
    result = parse(wrap(doc))  # the envelope has "time" / "Timestamp"
    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.BAD_TIMESTAMP
