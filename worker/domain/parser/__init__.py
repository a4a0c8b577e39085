"""Parser: one raw SQS message body → a feedback event, a control message or a rejection.

Recognises every way an SES event reaches a queue (reference, section 1): an SNS
``Notification`` around an identity notification (``notificationType``) or an
event-publishing document (``eventType``); raw message delivery (the document itself);
EventBridge (``source`` ``aws.ses``, the document in ``detail``); SNS subscription
handshakes and SES set-up notices (control messages, not errors).

No input raises: anything unusable comes back as a typed :class:`Rejection` with a stable
code. Oversized and absurdly nested bodies are refused before any real work is done.

The document decides what a body is, not the envelope's label: a document with ``mail``
and an ``eventType``/``notificationType`` is that event whatever the EventBridge
``detail-type`` or SNS ``Type`` says (the disagreement is noted on the event for the
caller to log); only a body without a message document is a control message.

Text is made safe here, once: every string handed on (event, recipient, tag, envelope and
control-message fields) is storable text (:mod:`worker.domain.text`: lone surrogates and
NUL become U+FFFD), so no later layer can meet an unstorable character. Identities are
computed from that text, so the same body always gives the same identities. What is
checked rather than repaired: a recipient address holding a control character is
``bad_recipient``, an event dated before 2011 or more than a day after it was received is
``implausible_timestamp``.

Two readers, one answer. A well-formed body (nearly every body) is read by the typed
path: one msgspec decode per layer into the :mod:`worker.domain.decoding` structs, then
only what the event needs. Whatever that path does not accept (malformed JSON, a field of
the wrong type, a body that needs its text repaired, anything that would be refused or is
a control message) goes to the reference reader, which walks the decoded dicts field by
field and produces the exact rejection. The typed path never rejects; tests check that
both readers agree on generated and realistic bodies.

Signature checks are not done here (they need a certificate, which is I/O): the SNS
envelope is returned with the event so the caller can verify it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NoReturn

from worker.domain.addresses import is_deliverable_address, normalise_address
from worker.domain.decoding import (
    UNSET,
    Body,
    DecodeFailed,
    SesDocument,
    SubObject,
    body_decoder,
    document_decoder,
)
from worker.domain.events import (
    ControlKind,
    ControlMessage,
    Envelope,
    EventType,
    FeedbackEvent,
    ParseResult,
    RecipientFeedback,
    Rejection,
    RejectionCode,
    SnsEnvelope,
)
from worker.domain.text import json_may_hold_unstorable, storable_json
from worker.domain.timestamps import canonical_text, format_timestamp, parse_timestamp

#: SNS and EventBridge cap what SES can put in a queue at 256 KiB.
MAX_BODY_BYTES = 256 * 1024
#: Real SES documents nest about 6 deep; anything near this is not from SES.
MAX_DEPTH = 32

#: SES launched in January 2011: an event dated earlier did not come from SES.
EARLIEST_PLAUSIBLE = datetime(2011, 1, 1, tzinfo=UTC)
#: How far after its receipt an event may be dated. Real skew between SES's clock and
#: ours is seconds; a day is lenient. Without the bound a body dated 9999-12-31 would be
#: "newest" forever and win every tie-break of the status rules.
MAX_FUTURE_SKEW = timedelta(days=1)

SES_TOPIC_VALIDATED = "Successfully validated SNS topic for Amazon SES event publishing."

_EVENT_TYPES: dict[str, EventType] = {
    "send": EventType.SEND,
    "delivery": EventType.DELIVERY,
    "bounce": EventType.BOUNCE,
    "complaint": EventType.COMPLAINT,
    "deliverydelay": EventType.DELIVERY_DELAY,
    "reject": EventType.REJECT,
    "renderingfailure": EventType.RENDERING_FAILURE,
    "open": EventType.OPEN,
    "click": EventType.CLICK,
    "subscription": EventType.SUBSCRIPTION,
}

#: Sub-object keys; the rendering-failure one is ``failure`` (reference 3.1).
_SUB_OBJECT_KEYS: dict[EventType, tuple[str, ...]] = {
    EventType.SEND: ("send",),
    EventType.DELIVERY: ("delivery",),
    EventType.BOUNCE: ("bounce",),
    EventType.COMPLAINT: ("complaint",),
    EventType.DELIVERY_DELAY: ("deliveryDelay",),
    EventType.REJECT: ("reject",),
    EventType.RENDERING_FAILURE: ("failure", "renderingFailure"),
    EventType.OPEN: ("open",),
    EventType.CLICK: ("click",),
    EventType.SUBSCRIPTION: ("subscription",),
}

#: Events whose sub-object carries the facts; without it the event says nothing.
_SUB_OBJECT_REQUIRED = frozenset(
    {EventType.DELIVERY, EventType.BOUNCE, EventType.COMPLAINT, EventType.DELIVERY_DELAY}
)

#: Events that use ``mail.timestamp`` (they have no timestamp of their own).
_MAIL_TIMESTAMP_TYPES = frozenset({EventType.SEND, EventType.REJECT, EventType.RENDERING_FAILURE})

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


class _Rejected(Exception):
    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message)
        self.rejection = Rejection(code, message)


def _reject(code: RejectionCode, message: str) -> NoReturn:
    raise _Rejected(code, message)


def parse_body(body: str | bytes, *, received_at: datetime | None = None) -> ParseResult:
    """Parse one SQS message body. Never raises: returns an event, a control message or
    a rejection with a stable code (``not_json``, ``bad_envelope``, ``too_large``...).

    ``received_at`` is when the body was received (the parser reads no clock): an event
    dated more than :data:`MAX_FUTURE_SKEW` after it is ``implausible_timestamp``. When
    None only the lower bound (:data:`EARLIEST_PLAUSIBLE`) is checked. Naive is UTC.
    """
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    try:
        return _parse(body, received_at)
    except _Rejected as rejected:
        return rejected.rejection
    except RecursionError:
        return Rejection(RejectionCode.TOO_DEEP, "JSON nested too deeply to be an SES event")
    except Exception as exc:
        return Rejection(RejectionCode.WRONG_TYPE, f"unexpected structure ({type(exc).__name__})")


def parse_body_reference(body: str | bytes, *, received_at: datetime | None = None) -> ParseResult:
    """:func:`parse_body` by the reference (dict-walking) reader alone, without the typed
    path: what the typed path must agree with (tests compare the two)."""
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    try:
        return _parse(body, received_at, typed=False)
    except _Rejected as rejected:
        return rejected.rejection
    except RecursionError:
        return Rejection(RejectionCode.TOO_DEEP, "JSON nested too deeply to be an SES event")
    except Exception as exc:
        return Rejection(RejectionCode.WRONG_TYPE, f"unexpected structure ({type(exc).__name__})")


def parse_body_typed(
    body: str | bytes, *, received_at: datetime | None = None
) -> ParseResult | None:
    """The typed path alone: what it reads from ``body``, or None where it leaves the body
    to the reference reader (tests check which bodies take which path)."""
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    try:
        text = _decode(body)
    except _Rejected:
        return None
    return _typed_parse(text, not isinstance(body, str), received_at)


def _parse(body: str | bytes, received_at: datetime | None, *, typed: bool = True) -> ParseResult:
    text = _decode(body)
    if typed:
        fast = _typed_parse(text, not isinstance(body, str), received_at)
        if fast is not None:
            return fast
    decoded = _load_json_object(text, where="body")
    document = _storable(decoded, text, encodable=not isinstance(body, str))
    if _is_message_document(document):
        # Raw delivery, whatever other keys ride along: the document decides.
        return _parse_ses_document(document, Envelope.RAW, sns=None, received_at=received_at)
    if "Type" in document:
        return _parse_sns(document, decoded, received_at)
    if document.get("source") == "aws.ses" and ("detail-type" in document or "detail" in document):
        return _parse_eventbridge(document, received_at)
    if "eventType" in document or "notificationType" in document:
        return _parse_ses_document(document, Envelope.RAW, sns=None, received_at=received_at)
    _reject(
        RejectionCode.BAD_ENVELOPE,
        "not an SES event: no SNS 'Type', no 'eventType'/'notificationType', "
        "and not an EventBridge event from aws.ses",
    )


def _decode(body: str | bytes) -> str:
    if isinstance(body, bytes | bytearray):
        if len(body) > MAX_BODY_BYTES:
            _reject(RejectionCode.TOO_LARGE, f"body is {len(body)} bytes; SES bodies are ≤ 256 KiB")
        try:
            return bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _reject(RejectionCode.BAD_ENCODING, f"body is not valid UTF-8 ({exc.reason})")
    if not isinstance(body, str):
        _reject(RejectionCode.WRONG_TYPE, f"body must be text, got {type(body).__name__}")
    # A str is at most 4 bytes per character in UTF-8: encode only when it might be over.
    if len(body) > MAX_BODY_BYTES or (
        len(body) * 4 > MAX_BODY_BYTES and _utf8_len(body) > MAX_BODY_BYTES
    ):
        _reject(RejectionCode.TOO_LARGE, "body is over 256 KiB; SES bodies are ≤ 256 KiB")
    return body


def _storable(value: dict[str, Any], text: str, *, encodable: bool) -> dict[str, Any]:
    """``value`` (decoded from ``text``) with every string made storable; ``value`` itself
    when nothing in ``text`` can decode to NUL or a surrogate (nearly always: one scan)."""
    if json_may_hold_unstorable(text, encodable=encodable):
        cleaned: dict[str, Any] = storable_json(value)
        return cleaned
    return value


def _is_message_document(document: Mapping[str, Any]) -> bool:
    """An SES message document: ``mail`` and an event or notification type."""
    return "mail" in document and ("eventType" in document or "notificationType" in document)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _load_json_object(text: str, *, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError:
        _reject(RejectionCode.TOO_DEEP, f"{where}: JSON nested too deeply to be an SES event")
    except ValueError as exc:
        _reject(RejectionCode.NOT_JSON, f"{where} is not JSON: {exc}")
    if not isinstance(value, dict):
        _reject(
            RejectionCode.BAD_ENVELOPE,
            f"{where} is a JSON {_json_kind(value)}, not an object",
        )
    # Nesting needs as many opening brackets as levels: most bodies skip the walk.
    if text.count("{") + text.count("[") > MAX_DEPTH:
        _check_depth(value, where)
    return value


def _check_depth(value: object, where: str) -> None:
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            _reject(RejectionCode.TOO_DEEP, f"{where}: JSON nested over {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend(
                (child, depth + 1) for child in node.values() if isinstance(child, dict | list)
            )
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


# --- field access ----------------------------------------------------------------------


def _opt_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        _reject(RejectionCode.WRONG_TYPE, f"{path}.{key} must be a string, got {_json_kind(value)}")
    return value


def _lenient_str(obj: Mapping[str, Any], key: str) -> str | None:
    """Decorative fields: a wrong type is dropped rather than failing the whole event."""
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _opt_object(obj: Mapping[str, Any], key: str, path: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        _reject(
            RejectionCode.WRONG_TYPE, f"{path}.{key} must be an object, got {_json_kind(value)}"
        )
    return value


def _opt_list(obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _reject(RejectionCode.WRONG_TYPE, f"{path}.{key} must be a list, got {_json_kind(value)}")
    return value


# --- envelopes -------------------------------------------------------------------------


def _parse_sns(
    document: dict[str, Any], decoded: dict[str, Any], received_at: datetime | None
) -> ParseResult:
    """``document`` is the envelope as storable text; ``decoded`` the same as json.loads
    gave it (the same object when nothing needed cleaning), for the string to sign."""
    sns_type = document.get("Type")
    if not isinstance(sns_type, str):
        _reject(RejectionCode.WRONG_TYPE, "SNS 'Type' must be a string")
    message = document.get("Message")
    if not isinstance(message, str):
        _reject(
            RejectionCode.WRONG_TYPE if message is not None else RejectionCode.BAD_ENVELOPE,
            "SNS envelope has no 'Message' string",
        )
    envelope = _sns_envelope(document, sns_type, message)
    if decoded is not document:
        signed = _sns_envelope(decoded, decoded["Type"], decoded["Message"])
        if signed != envelope:
            envelope = dataclasses.replace(envelope, unsanitised=signed)
    if sns_type != "Notification":
        # A handshake's Message is English text. Should it hold an SES event, the document
        # decides (a forged label cannot hide an event; its signature check still runs).
        inner = _try_json_object(message)
        if inner is not None and _is_message_document(inner):
            result = _parse_ses_document(inner, Envelope.SNS, sns=envelope, received_at=received_at)
            return _noting(result, f"SNS Type {sns_type[:40]!r}")
    if sns_type in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return ControlMessage(
            kind=ControlKind(sns_type),
            message=message,
            topic_arn=envelope.topic_arn or None,
            subscribe_url=envelope.subscribe_url,
            token=envelope.token,
            sns=envelope,
        )
    if sns_type != "Notification":
        _reject(RejectionCode.BAD_ENVELOPE, f"unknown SNS message Type {sns_type[:40]!r}")
    if message.strip() == SES_TOPIC_VALIDATED:
        return ControlMessage(
            kind=ControlKind.SETUP_NOTICE,
            message=message,
            topic_arn=envelope.topic_arn or None,
            sns=envelope,
        )
    # ``message`` comes from the storable envelope: no raw surrogate, only escapes to check.
    inner = _storable(_load_json_object(message, where="SNS Message"), message, encodable=True)
    if "eventType" not in inner and "notificationType" not in inner:
        _reject(
            RejectionCode.BAD_ENVELOPE,
            "SNS Message is not an SES document (no 'eventType' or 'notificationType')",
        )
    return _parse_ses_document(inner, Envelope.SNS, sns=envelope, received_at=received_at)


def _sns_envelope(document: Mapping[str, Any], sns_type: str, message: str) -> SnsEnvelope:
    return SnsEnvelope(
        type=sns_type,
        message_id=_lenient_str(document, "MessageId") or "",
        topic_arn=_lenient_str(document, "TopicArn") or "",
        message=message,
        timestamp=_lenient_str(document, "Timestamp") or "",
        signature_version=str(document.get("SignatureVersion") or ""),
        signature=_lenient_str(document, "Signature") or "",
        # Lambda spells it SigningCertUrl; SQS bodies use SigningCertURL.
        signing_cert_url=_lenient_str(document, "SigningCertURL")
        or _lenient_str(document, "SigningCertUrl")
        or "",
        subject=_lenient_str(document, "Subject"),
        subscribe_url=_lenient_str(document, "SubscribeURL"),
        token=_lenient_str(document, "Token"),
    )


def _try_json_object(text: str) -> dict[str, Any] | None:
    """``text`` decoded as a JSON object of storable text, or None (never rejects)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = _load_json_object(text, where="SNS Message")
    except _Rejected:
        return None
    return _storable(value, text, encodable=True)  # text: from the storable envelope


def _noting(result: ParseResult, label: str) -> ParseResult:
    """``result`` with a note that the envelope's ``label`` disagreed with its document."""
    if isinstance(result, FeedbackEvent):
        note = f"{label} but the document is a {result.event_type} event"
        return dataclasses.replace(result, label_mismatch=note)
    return result


def _parse_eventbridge(document: dict[str, Any], received_at: datetime | None) -> ParseResult:
    detail_type = document.get("detail-type")
    if detail_type is not None and not isinstance(detail_type, str):
        _reject(RejectionCode.WRONG_TYPE, "EventBridge 'detail-type' must be a string")
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
                _reject(
                    RejectionCode.UNKNOWN_EVENT_TYPE,
                    f"EventBridge event from aws.ses has a 'mail' object but no 'eventType', "
                    f"and its detail-type {label} names no SES event",
                )
            if "mail" not in detail:
                _reject(
                    RejectionCode.UNKNOWN_EVENT_TYPE,
                    f"EventBridge event from aws.ses has an 'eventType' but no 'mail' object "
                    f"(detail-type {label})",
                )
        result = _parse_ses_document(
            detail,
            Envelope.EVENTBRIDGE,
            sns=None,
            default_type=labelled,
            received_at=received_at,
        )
        if isinstance(result, FeedbackEvent) and result.event_type is not labelled:
            shown = repr(detail_type[:60]) if detail_type is not None else "missing"
            return _noting(result, f"EventBridge detail-type {shown}")
        return result
    if labelled is None:
        if detail_type is None:
            _reject(
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
    detail = _opt_object(document, "detail", "EventBridge event")
    if detail is None:
        _reject(RejectionCode.BAD_ENVELOPE, f"EventBridge '{detail_type}' event has no 'detail'")
    return _parse_ses_document(
        detail, Envelope.EVENTBRIDGE, sns=None, default_type=labelled, received_at=received_at
    )


# --- the SES document ------------------------------------------------------------------


def _parse_ses_document(
    document: dict[str, Any],
    envelope: Envelope,
    *,
    sns: SnsEnvelope | None,
    default_type: EventType | None = None,
    received_at: datetime | None = None,
) -> ParseResult:
    raw_type = document.get("eventType", document.get("notificationType"))
    if raw_type is None and default_type is not None:
        event_type = default_type
    else:
        if not isinstance(raw_type, str):
            _reject(RejectionCode.WRONG_TYPE, "'eventType'/'notificationType' must be a string")
        if raw_type == "AmazonSnsSubscriptionSucceeded":
            return ControlMessage(
                kind=ControlKind.SETUP_NOTICE,
                message=_lenient_str(document, "message") or raw_type,
                topic_arn=sns.topic_arn if sns else None,
                sns=sns,
            )
        if raw_type == "Received":
            _reject(
                RejectionCode.INBOUND_MAIL,
                "inbound mail from an SES receipt rule (notificationType 'Received') "
                "was routed to the feedback queue",
            )
        found = _EVENT_TYPES.get(raw_type.replace(" ", "").lower())
        if found is None:
            _reject(RejectionCode.UNKNOWN_EVENT_TYPE, f"unknown SES event type {raw_type[:60]!r}")
        event_type = found

    mail = _opt_object(document, "mail", "document")
    if mail is None:
        _reject(RejectionCode.BAD_ENVELOPE, f"{event_type} event has no 'mail' object")
    message_id = mail.get("messageId")
    if message_id is None or message_id == "":
        _reject(RejectionCode.MISSING_MESSAGE_ID, f"{event_type} event has no mail.messageId")
    if not isinstance(message_id, str):
        _reject(RejectionCode.WRONG_TYPE, "mail.messageId must be a string")
    message_id = message_id.strip()
    if not message_id or len(message_id) > 256:
        _reject(RejectionCode.MISSING_MESSAGE_ID, "mail.messageId is blank or absurdly long")

    sub: dict[str, Any] | None = None
    for key in _SUB_OBJECT_KEYS[event_type]:
        sub = _opt_object(document, key, "document")
        if sub is not None:
            break
    if sub is None:
        if event_type in _SUB_OBJECT_REQUIRED:
            key = _SUB_OBJECT_KEYS[event_type][0]
            _reject(RejectionCode.BAD_ENVELOPE, f"{event_type} event has no '{key}' object")
        sub = {}

    mail_timestamp = _opt_str(mail, "timestamp", "mail")
    own_timestamp = (
        None if event_type in _MAIL_TIMESTAMP_TYPES else _opt_str(sub, "timestamp", event_type)
    )
    timestamp_text = own_timestamp or mail_timestamp
    if timestamp_text is None:
        _reject(RejectionCode.BAD_TIMESTAMP, f"{event_type} event has no timestamp")
    occurred_at = parse_timestamp(timestamp_text)
    if occurred_at is None:
        _reject(
            RejectionCode.BAD_TIMESTAMP,
            f"{event_type} timestamp {timestamp_text[:40]!r} is not ISO-8601",
        )
    occurred_text = canonical_text(timestamp_text.strip(), occurred_at)

    destination = tuple(_strings(_opt_list(mail, "destination", "mail"), "mail.destination"))
    discriminator = _lenient_str(sub, "link") if event_type is EventType.CLICK else None
    feedback_id = (
        _lenient_str(sub, "feedbackId")
        if event_type in (EventType.BOUNCE, EventType.COMPLAINT)
        else None
    )
    recipients = _recipients(
        event_type, sub, destination, message_id, occurred_text, feedback_id, discriminator
    )
    if not recipients:
        _reject(RejectionCode.NO_RECIPIENTS, f"{event_type} event names no recipients")
    # Plausibility last: a body that is malformed as well is refused for its structure.
    if occurred_at < EARLIEST_PLAUSIBLE:
        _reject(
            RejectionCode.IMPLAUSIBLE_TIMESTAMP,
            f"{event_type} timestamp {timestamp_text[:40]!r} is before SES existed (2011)",
        )
    if received_at is not None and occurred_at > received_at + MAX_FUTURE_SKEW:
        _reject(
            RejectionCode.IMPLAUSIBLE_TIMESTAMP,
            f"{event_type} timestamp {timestamp_text[:40]!r} is more than a day after the "
            f"body was received ({format_timestamp(received_at)})",
        )

    common = mail.get("commonHeaders")
    common = common if isinstance(common, dict) else {}
    from_values = common.get("from")
    from_header = (
        from_values[0]
        if isinstance(from_values, list) and from_values and isinstance(from_values[0], str)
        else None
    )

    return FeedbackEvent(
        event_type=event_type,
        message_id=message_id,
        occurred_at=occurred_at,
        occurred_at_text=occurred_text,
        recipients=recipients,
        envelope=envelope,
        tags=_tags(mail.get("tags")),
        destination=destination,
        mail_timestamp=mail_timestamp,
        mail_source=_lenient_str(mail, "source"),
        subject=_lenient_str(common, "subject"),
        from_header=from_header,
        header_message_id=_lenient_str(common, "messageId"),
        bounce_type=_opt_str(sub, "bounceType", "bounce")
        if event_type is EventType.BOUNCE
        else None,
        bounce_subtype=(
            _opt_str(sub, "bounceSubType", "bounce") if event_type is EventType.BOUNCE else None
        ),
        complaint_subtype=(
            _lenient_str(sub, "complaintSubType") if event_type is EventType.COMPLAINT else None
        ),
        complaint_feedback_type=(
            _lenient_str(sub, "complaintFeedbackType")
            if event_type is EventType.COMPLAINT
            else None
        ),
        delay_type=_lenient_str(sub, "delayType"),
        reporting_mta=_lenient_str(sub, "reportingMTA"),
        remote_mta_ip=_lenient_str(sub, "remoteMtaIp"),
        smtp_response=_lenient_str(sub, "smtpResponse"),
        detail=_detail(event_type, sub),
        sns=sns,
        timestamp_from_mail=not own_timestamp,
    )


def _strings(values: list[Any], path: str) -> list[str]:
    for value in values:
        if not isinstance(value, str):
            _reject(
                RejectionCode.WRONG_TYPE, f"{path} entries must be strings, got {_json_kind(value)}"
            )
    return values


def event_identity(
    event_type: EventType,
    message_id: str,
    address: str,
    occurred_at_text: str,
    *,
    feedback_id: str | None = None,
    discriminator: str | None = None,
) -> str:
    """The envelope-independent identity of one event for one recipient.

    - Bounce and Complaint: SES's ``feedbackId`` (unique per report; the ledger key adds
      the recipient, since one report may name several).
    - Every other type (and a bounce or complaint that lacks a feedbackId):
      ``type|messageId|recipient|timestamp``, the timestamp being the event's own
      (``delivery.timestamp``...) or ``mail.timestamp`` for Send, Reject and Rendering
      Failure, as fixed-width UTC text. Click adds ``|link`` (two clicks in the same
      millisecond on different links are two events).

    Nothing from the envelope (SNS MessageId, EventBridge id, SQS ids) takes part, so the
    same event arriving via SNS, raw delivery and EventBridge counts once.
    """
    if feedback_id:
        return feedback_id
    identity = f"{event_type}|{message_id}|{address}|{occurred_at_text}"
    return f"{identity}|{discriminator}" if discriminator else identity


def _recipients(
    event_type: EventType,
    sub: dict[str, Any],
    destination: tuple[str, ...],
    message_id: str,
    occurred_text: str,
    feedback_id: str | None,
    discriminator: str | None,
) -> tuple[RecipientFeedback, ...]:
    entries: list[tuple[str, str | None, str | None, str | None]] = []
    where = "mail.destination"
    if event_type in (EventType.BOUNCE, EventType.COMPLAINT, EventType.DELIVERY_DELAY):
        key = {
            EventType.BOUNCE: "bouncedRecipients",
            EventType.COMPLAINT: "complainedRecipients",
            EventType.DELIVERY_DELAY: "delayedRecipients",
        }[event_type]
        where = f"{key}[].emailAddress"
        for index, item in enumerate(_opt_list(sub, key, str(event_type))):
            path = f"{key}[{index}]"
            if not isinstance(item, dict):
                _reject(
                    RejectionCode.WRONG_TYPE, f"{path} must be an object, got {_json_kind(item)}"
                )
            address = item.get("emailAddress")
            if not isinstance(address, str):
                _reject(RejectionCode.WRONG_TYPE, f"{path}.emailAddress must be a string")
            entries.append(
                (
                    address,
                    _opt_str(item, "action", path),
                    _opt_str(item, "status", path),
                    _opt_str(item, "diagnosticCode", path),
                )
            )
    elif event_type is EventType.DELIVERY:
        where = "delivery.recipients"
        for address in _strings(_opt_list(sub, "recipients", "delivery"), "delivery.recipients"):
            entries.append((address, None, None, None))
    else:
        entries.extend((address, None, None, None) for address in destination)

    return _recipient_feedback(
        entries, where, event_type, message_id, occurred_text, feedback_id, discriminator
    )


def _recipient_feedback(
    entries: list[tuple[str, str | None, str | None, str | None]],
    where: str,
    event_type: EventType,
    message_id: str,
    occurred_text: str,
    feedback_id: str | None,
    discriminator: str | None,
) -> tuple[RecipientFeedback, ...]:
    """Both readers' recipients: normalised, deduplicated, checked, with identities."""
    seen: set[str] = set()
    recipients: list[RecipientFeedback] = []
    for original, action, status, diagnostic in entries:
        address = _normalised(original)
        if not address or address in seen:
            continue
        if not is_deliverable_address(address):
            # Checked on the bare address: a display name may hold anything.
            _reject(
                RejectionCode.BAD_RECIPIENT,
                f"a recipient in {where} is not an address SES could deliver to "
                "(it holds a control character, NUL or a lone surrogate)",
            )
        seen.add(address)
        identity = event_identity(
            event_type,
            message_id,
            address,
            occurred_text,
            feedback_id=feedback_id,
            discriminator=discriminator,
        )
        recipients.append(
            RecipientFeedback(
                address=address,
                original=original.strip(),
                identity=identity,
                action=action,
                status=status,
                diagnostic=diagnostic,
            )
        )
    return tuple(recipients)


def _tags(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        return {}
    tags: dict[str, tuple[str, ...]] = {}
    for name, values in value.items():
        if isinstance(values, list):
            if set(map(type, values)) <= _STR_TYPE:
                tags[name] = tuple(values)
            else:
                tags[name] = tuple(item for item in values if isinstance(item, str))
        elif isinstance(values, str):
            tags[name] = (values,)
    return tags


_STR_TYPE = frozenset({str})


def _detail(event_type: EventType, sub: dict[str, Any]) -> str | None:
    if event_type is EventType.REJECT:
        return _lenient_str(sub, "reason")
    if event_type is EventType.RENDERING_FAILURE:
        error = _lenient_str(sub, "errorMessage")
        template = _lenient_str(sub, "templateName")
        if template and error:
            return f"template {template}: {error}"
        return error or template
    if event_type is EventType.COMPLAINT:
        feedback = _lenient_str(sub, "complaintFeedbackType")
        agent = _lenient_str(sub, "userAgent")
        parts = [f"feedback type {feedback}" if feedback else None, agent]
        return "; ".join(part for part in parts if part) or None
    if event_type is EventType.CLICK:
        return _lenient_str(sub, "link")
    return None


# --- the typed path --------------------------------------------------------------------

#: Recipients and timestamps repeat across a batch (a message's Send, Delivery and Open
#: share addresses and ``mail.timestamp``): both are pure functions of their text, so
#: they are cached. Only short texts are (no real address is over 320 characters, no
#: timestamp over 64): a hostile stream of huge values cannot grow the caches' memory.
_CACHED_ADDRESS_MAX = 320
_CACHED_TIMESTAMP_MAX = 64
_cached_normalise = lru_cache(maxsize=1 << 15)(normalise_address)


def _normalised(original: str) -> str:
    """:func:`~worker.domain.addresses.normalise_address`, cached for real addresses."""
    if len(original) > _CACHED_ADDRESS_MAX:
        return normalise_address(original)
    return _cached_normalise(original)


def _moment(text: str) -> tuple[datetime, str] | None:
    """``text`` parsed, and the canonical text of that moment (None: not a timestamp)."""
    if len(text) > _CACHED_TIMESTAMP_MAX:
        return _parse_moment(text)
    return _cached_moment(text)


def _parse_moment(text: str) -> tuple[datetime, str] | None:
    parsed = parse_timestamp(text)
    if parsed is None:
        return None
    return parsed, canonical_text(text.strip(), parsed)


_cached_moment = lru_cache(maxsize=1 << 14)(_parse_moment)


#: The JSON strings of a text (unrolled: linear, no backtracking) and its brackets.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _nesting_ok(text: str) -> bool:
    """Whether JSON ``text`` nests at most :data:`MAX_DEPTH` levels. Nesting needs as many
    opening brackets as levels, so most bodies are settled by a count; the rest get a scan
    of their brackets outside strings (for valid JSON, exactly the decoded depth)."""
    if text.count("{") + text.count("[") <= MAX_DEPTH:
        return True
    depth = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)):
        if bracket in "{[":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        else:
            depth -= 1
    return True


#: Event type spellings as SES writes them; others go through the lenient lookup.
_RAW_EVENT_TYPES: dict[str, EventType] = {kind.value: kind for kind in EventType}
#: Sub-object keys as attributes of :class:`~worker.domain.decoding.SesDocument`.
_SUB_OBJECT_ATTRS: dict[EventType, tuple[str, ...]] = {
    kind: tuple(re.sub("([A-Z])", r"_\1", key).lower() for key in keys)
    for kind, keys in _SUB_OBJECT_KEYS.items()
}
_NO_SUB_OBJECT = SubObject()


def _typed_parse(text: str, encodable: bool, received_at: datetime | None) -> ParseResult | None:
    """The event the typed path reads from ``text``, or None: the reference reader then
    decides (every rejection, every control message, every body whose text needs
    repairing or whose fields have unexpected types comes back None)."""
    if json_may_hold_unstorable(text, encodable=encodable) or not _nesting_ok(text):
        return None
    try:
        body = body_decoder.decode(text)
        if body.mail is not UNSET and (
            body.event_type is not UNSET or body.notification_type is not UNSET
        ):
            return _typed_event(body, Envelope.RAW, None, None, received_at)
        if body.type is not UNSET:
            return _typed_sns(body, received_at)
        if body.source == "aws.ses" and body.detail is not UNSET:
            return _typed_eventbridge(body, received_at)
    except (DecodeFailed, _Rejected, ArithmeticError):
        # ArithmeticError: ``received_at`` so late that adding the skew overflows.
        pass
    return None


def _typed_sns(body: Body, received_at: datetime | None) -> ParseResult | None:
    if body.type != "Notification" or body.message is UNSET:
        return None  # handshakes and odd labels: the reference reader
    message = body.message
    if not _nesting_ok(message):
        return None
    # The setup notice is English text, not JSON: it fails here and goes by reference.
    inner = document_decoder.decode(message)
    if inner.event_type is UNSET and inner.notification_type is UNSET:
        return None
    envelope = SnsEnvelope(
        type=body.type,
        message_id=body.sns_message_id or "",
        topic_arn=body.topic_arn or "",
        message=message,
        timestamp=body.sns_timestamp or "",
        signature_version=body.signature_version or "",
        signature=body.signature or "",
        signing_cert_url=body.signing_cert_url or body.signing_cert_url_lambda or "",
        subject=body.subject,
        subscribe_url=body.subscribe_url,
        token=body.token,
    )
    return _typed_event(inner, Envelope.SNS, envelope, None, received_at)


def _typed_eventbridge(body: Body, received_at: datetime | None) -> ParseResult | None:
    detail = body.detail
    if detail is UNSET or detail.mail is UNSET:
        return None
    detail_type = None if body.detail_type is UNSET else body.detail_type
    labelled = EVENTBRIDGE_DETAIL_TYPES.get(detail_type) if detail_type is not None else None
    if labelled is None and detail.event_type is UNSET and detail.notification_type is UNSET:
        return None
    result = _typed_event(detail, Envelope.EVENTBRIDGE, None, labelled, received_at)
    if result is not None and result.event_type is not labelled:
        shown = repr(detail_type[:60]) if detail_type is not None else "missing"
        return _noting(result, f"EventBridge detail-type {shown}")
    return result


def _typed_event(
    document: SesDocument,
    envelope: Envelope,
    sns: SnsEnvelope | None,
    default_type: EventType | None,
    received_at: datetime | None,
) -> FeedbackEvent | None:
    """:func:`_parse_ses_document` for a typed document, the happy path only: None
    wherever the reference would reject or answer with a control message."""
    raw_type = document.event_type
    if raw_type is UNSET:
        raw_type = document.notification_type
    event_type: EventType | None
    if raw_type is UNSET:
        event_type = default_type
    else:
        event_type = _RAW_EVENT_TYPES.get(raw_type) or _EVENT_TYPES.get(
            raw_type.replace(" ", "").lower()
        )
    if event_type is None:
        return None
    mail = document.mail
    if mail is UNSET or not mail.message_id:
        return None
    message_id = mail.message_id.strip()
    if not message_id or len(message_id) > 256:
        return None

    sub: SubObject | None = None
    for attr in _SUB_OBJECT_ATTRS[event_type]:
        sub = getattr(document, attr)
        if sub is not None:
            break
    if sub is None:
        if event_type in _SUB_OBJECT_REQUIRED:
            return None
        sub = _NO_SUB_OBJECT

    mail_timestamp = mail.timestamp
    own_timestamp = None if event_type in _MAIL_TIMESTAMP_TYPES else sub.timestamp
    timestamp_text = own_timestamp or mail_timestamp
    if timestamp_text is None:
        return None
    moment = _moment(timestamp_text)
    if moment is None:
        return None
    occurred_at, occurred_text = moment
    if occurred_at < EARLIEST_PLAUSIBLE or (
        received_at is not None and occurred_at > received_at + MAX_FUTURE_SKEW
    ):
        return None

    destination = mail.destination or ()
    recipients = _recipient_feedback(
        *_typed_entries(event_type, sub, destination),
        event_type,
        message_id,
        occurred_text,
        sub.feedback_id if event_type in _FEEDBACK_ID_TYPES else None,
        sub.link if event_type is EventType.CLICK else None,
    )
    if not recipients:
        return None

    common = mail.common_headers
    is_bounce = event_type is EventType.BOUNCE
    is_complaint = event_type is EventType.COMPLAINT
    return FeedbackEvent(
        event_type=event_type,
        message_id=message_id,
        occurred_at=occurred_at,
        occurred_at_text=occurred_text,
        recipients=recipients,
        envelope=envelope,
        tags=mail.tags or {},
        destination=destination,
        mail_timestamp=mail_timestamp,
        mail_source=mail.source,
        subject=common.subject if common is not None else None,
        from_header=common.from_[0] if common is not None and common.from_ else None,
        header_message_id=common.message_id if common is not None else None,
        bounce_type=sub.bounce_type if is_bounce else None,
        bounce_subtype=sub.bounce_sub_type if is_bounce else None,
        complaint_subtype=sub.complaint_sub_type if is_complaint else None,
        complaint_feedback_type=sub.complaint_feedback_type if is_complaint else None,
        delay_type=sub.delay_type,
        reporting_mta=sub.reporting_mta,
        remote_mta_ip=sub.remote_mta_ip,
        smtp_response=sub.smtp_response,
        detail=_typed_detail(event_type, sub),
        sns=sns,
        timestamp_from_mail=not own_timestamp,
    )


_FEEDBACK_ID_TYPES = frozenset({EventType.BOUNCE, EventType.COMPLAINT})


def _typed_entries(
    event_type: EventType, sub: SubObject, destination: tuple[str, ...]
) -> tuple[list[tuple[str, str | None, str | None, str | None]], str]:
    """(address, action, status, diagnostic) per recipient entry, and where they came
    from (for the ``bad_recipient`` message, as the reference words it)."""
    if event_type is EventType.DELIVERY:
        return [(address, None, None, None) for address in sub.recipients or ()], (
            "delivery.recipients"
        )
    if event_type is EventType.BOUNCE:
        key, items = "bouncedRecipients", sub.bounced_recipients
    elif event_type is EventType.COMPLAINT:
        key, items = "complainedRecipients", sub.complained_recipients
    elif event_type is EventType.DELIVERY_DELAY:
        key, items = "delayedRecipients", sub.delayed_recipients
    else:
        return [(address, None, None, None) for address in destination], "mail.destination"
    entries = [
        (item.email_address, item.action, item.status, item.diagnostic_code) for item in items or ()
    ]
    return entries, f"{key}[].emailAddress"


def _typed_detail(event_type: EventType, sub: SubObject) -> str | None:
    if event_type is EventType.REJECT:
        return sub.reason
    if event_type is EventType.RENDERING_FAILURE:
        error, template = sub.error_message, sub.template_name
        if template and error:
            return f"template {template}: {error}"
        return error or template
    if event_type is EventType.COMPLAINT:
        feedback = sub.complaint_feedback_type
        parts = [f"feedback type {feedback}" if feedback else None, sub.user_agent]
        return "; ".join(part for part in parts if part) or None
    if event_type is EventType.CLICK:
        return sub.link
    return None
