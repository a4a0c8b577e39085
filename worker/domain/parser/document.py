"""The SES message document (reference reader): the event type, ``mail``, the
sub-object, timestamps and recipients, checked field by field; and what both readers share
about a document (event identities, recipient checks, cached address and time parsing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from msgspec import structs

from worker.domain.addresses import is_deliverable_address, normalise_address
from worker.domain.events import (
    ControlKind,
    ControlMessage,
    Envelope,
    EventType,
    FeedbackEvent,
    ParseResult,
    RecipientFeedback,
    RejectionCode,
    SnsEnvelope,
)
from worker.domain.parser.rejections import (
    json_kind,
    lenient_str,
    opt_list,
    opt_object,
    opt_str,
    reject,
    strings,
)
from worker.domain.timestamps import canonical_text, format_timestamp, parse_timestamp

#: SES launched in January 2011: an event dated earlier did not come from SES.
EARLIEST_PLAUSIBLE = datetime(2011, 1, 1, tzinfo=UTC)
#: How far after its receipt an event may be dated. Real skew between SES's clock and
#: ours is seconds; a day is lenient. Without the bound a body dated 9999-12-31 would be
#: "newest" forever and win every tie-break of the status rules.
MAX_FUTURE_SKEW = timedelta(days=1)

EVENT_TYPES: dict[str, EventType] = {
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
SUB_OBJECT_KEYS: dict[EventType, tuple[str, ...]] = {
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
SUB_OBJECT_REQUIRED = frozenset(
    {EventType.DELIVERY, EventType.BOUNCE, EventType.COMPLAINT, EventType.DELIVERY_DELAY}
)

#: Events that use ``mail.timestamp`` (they have no timestamp of their own).
MAIL_TIMESTAMP_TYPES = frozenset({EventType.SEND, EventType.REJECT, EventType.RENDERING_FAILURE})


def noting(result: ParseResult, label: str) -> ParseResult:
    """``result`` with a note that the envelope's ``label`` disagreed with its document."""
    if isinstance(result, FeedbackEvent):
        note = f"{label} but the document is a {result.event_type} event"
        return structs.replace(result, label_mismatch=note)
    return result


def parse_ses_document(
    document: dict[str, Any],
    envelope: Envelope,
    *,
    sns: SnsEnvelope | None,
    default_type: EventType | None = None,
    received_at: datetime | None = None,
) -> ParseResult:
    event_type = _event_type(document, default_type, sns)
    if isinstance(event_type, ControlMessage):
        return event_type
    mail = opt_object(document, "mail", "document")
    if mail is None:
        reject(RejectionCode.BAD_ENVELOPE, f"{event_type} event has no 'mail' object")
    message_id = _message_id(mail, event_type)
    sub = _sub_object(document, event_type)

    mail_timestamp = opt_str(mail, "timestamp", "mail")
    own_timestamp = (
        None if event_type in MAIL_TIMESTAMP_TYPES else opt_str(sub, "timestamp", event_type)
    )
    timestamp_text = own_timestamp or mail_timestamp
    if timestamp_text is None:
        reject(RejectionCode.BAD_TIMESTAMP, f"{event_type} event has no timestamp")
    occurred_at = parse_timestamp(timestamp_text)
    if occurred_at is None:
        reject(
            RejectionCode.BAD_TIMESTAMP,
            f"{event_type} timestamp {timestamp_text[:40]!r} is not ISO-8601",
        )
    occurred_text = canonical_text(timestamp_text.strip(), occurred_at)

    destination = tuple(strings(opt_list(mail, "destination", "mail"), "mail.destination"))
    discriminator = lenient_str(sub, "link") if event_type is EventType.CLICK else None
    feedback_id = (
        lenient_str(sub, "feedbackId")
        if event_type in (EventType.BOUNCE, EventType.COMPLAINT)
        else None
    )
    recipients = _recipients(
        event_type, sub, destination, message_id, occurred_text, feedback_id, discriminator
    )
    if not recipients:
        reject(RejectionCode.NO_RECIPIENTS, f"{event_type} event names no recipients")
    # Plausibility last: a body that is malformed as well is refused for its structure.
    _check_plausible(event_type, occurred_at, timestamp_text, received_at)
    return _feedback_event(
        event_type,
        mail,
        sub,
        envelope,
        sns,
        message_id=message_id,
        occurred=(occurred_at, occurred_text),
        recipients=recipients,
        destination=destination,
        own_timestamp=own_timestamp,
    )


def _event_type(
    document: dict[str, Any], default_type: EventType | None, sns: SnsEnvelope | None
) -> EventType | ControlMessage:
    """The document's event type, or the control message it is (SNS subscription set-up)."""
    raw_type = document.get("eventType", document.get("notificationType"))
    if raw_type is None and default_type is not None:
        return default_type
    if not isinstance(raw_type, str):
        reject(RejectionCode.WRONG_TYPE, "'eventType'/'notificationType' must be a string")
    if raw_type == "AmazonSnsSubscriptionSucceeded":
        return ControlMessage(
            kind=ControlKind.SETUP_NOTICE,
            message=lenient_str(document, "message") or raw_type,
            topic_arn=sns.topic_arn if sns else None,
            sns=sns,
        )
    if raw_type == "Received":
        reject(
            RejectionCode.INBOUND_MAIL,
            "inbound mail from an SES receipt rule (notificationType 'Received') "
            "was routed to the feedback queue",
        )
    found = EVENT_TYPES.get(raw_type.replace(" ", "").lower())
    if found is None:
        reject(RejectionCode.UNKNOWN_EVENT_TYPE, f"unknown SES event type {raw_type[:60]!r}")
    return found


def _message_id(mail: dict[str, Any], event_type: EventType) -> str:
    message_id = mail.get("messageId")
    if message_id is None or message_id == "":
        reject(RejectionCode.MISSING_MESSAGE_ID, f"{event_type} event has no mail.messageId")
    if not isinstance(message_id, str):
        reject(RejectionCode.WRONG_TYPE, "mail.messageId must be a string")
    message_id = message_id.strip()
    if not message_id or len(message_id) > 256:
        reject(RejectionCode.MISSING_MESSAGE_ID, "mail.messageId is blank or absurdly long")
    return message_id


def _sub_object(document: dict[str, Any], event_type: EventType) -> dict[str, Any]:
    """The event's own object (``bounce``, ``delivery``...); empty where it may be absent."""
    for key in SUB_OBJECT_KEYS[event_type]:
        sub = opt_object(document, key, "document")
        if sub is not None:
            return sub
    if event_type in SUB_OBJECT_REQUIRED:
        key = SUB_OBJECT_KEYS[event_type][0]
        reject(RejectionCode.BAD_ENVELOPE, f"{event_type} event has no '{key}' object")
    return {}


def _check_plausible(
    event_type: EventType,
    occurred_at: datetime,
    timestamp_text: str,
    received_at: datetime | None,
) -> None:
    if occurred_at < EARLIEST_PLAUSIBLE:
        reject(
            RejectionCode.IMPLAUSIBLE_TIMESTAMP,
            f"{event_type} timestamp {timestamp_text[:40]!r} is before SES existed (2011)",
        )
    if received_at is not None and occurred_at > received_at + MAX_FUTURE_SKEW:
        reject(
            RejectionCode.IMPLAUSIBLE_TIMESTAMP,
            f"{event_type} timestamp {timestamp_text[:40]!r} is more than a day after the "
            f"body was received ({format_timestamp(received_at)})",
        )


def _feedback_event(
    event_type: EventType,
    mail: dict[str, Any],
    sub: dict[str, Any],
    envelope: Envelope,
    sns: SnsEnvelope | None,
    *,
    message_id: str,
    occurred: tuple[datetime, str],
    recipients: tuple[RecipientFeedback, ...],
    destination: tuple[str, ...],
    own_timestamp: str | None,
) -> FeedbackEvent:
    """The event, with the decorative fields read leniently (a wrong type drops them)."""
    common = mail.get("commonHeaders")
    common = common if isinstance(common, dict) else {}
    from_values = common.get("from")
    from_header = (
        from_values[0]
        if isinstance(from_values, list) and from_values and isinstance(from_values[0], str)
        else None
    )
    is_bounce = event_type is EventType.BOUNCE
    is_complaint = event_type is EventType.COMPLAINT
    return FeedbackEvent(
        event_type=event_type,
        message_id=message_id,
        occurred_at=occurred[0],
        occurred_at_text=occurred[1],
        recipients=recipients,
        envelope=envelope,
        tags=_tags(mail.get("tags")),
        destination=destination,
        mail_timestamp=opt_str(mail, "timestamp", "mail"),
        mail_source=lenient_str(mail, "source"),
        subject=lenient_str(common, "subject"),
        from_header=from_header,
        header_message_id=lenient_str(common, "messageId"),
        bounce_type=opt_str(sub, "bounceType", "bounce") if is_bounce else None,
        bounce_subtype=opt_str(sub, "bounceSubType", "bounce") if is_bounce else None,
        complaint_subtype=lenient_str(sub, "complaintSubType") if is_complaint else None,
        complaint_feedback_type=(
            lenient_str(sub, "complaintFeedbackType") if is_complaint else None
        ),
        delay_type=lenient_str(sub, "delayType"),
        reporting_mta=lenient_str(sub, "reportingMTA"),
        remote_mta_ip=lenient_str(sub, "remoteMtaIp"),
        smtp_response=lenient_str(sub, "smtpResponse"),
        detail=_detail(event_type, sub),
        sns=sns,
        timestamp_from_mail=not own_timestamp,
    )


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
        for index, item in enumerate(opt_list(sub, key, str(event_type))):
            path = f"{key}[{index}]"
            if not isinstance(item, dict):
                reject(RejectionCode.WRONG_TYPE, f"{path} must be an object, got {json_kind(item)}")
            address = item.get("emailAddress")
            if not isinstance(address, str):
                reject(RejectionCode.WRONG_TYPE, f"{path}.emailAddress must be a string")
            entries.append(
                (
                    address,
                    opt_str(item, "action", path),
                    opt_str(item, "status", path),
                    opt_str(item, "diagnosticCode", path),
                )
            )
    elif event_type is EventType.DELIVERY:
        where = "delivery.recipients"
        for address in strings(opt_list(sub, "recipients", "delivery"), "delivery.recipients"):
            entries.append((address, None, None, None))
    else:
        entries.extend((address, None, None, None) for address in destination)

    return recipient_feedback(
        entries, where, event_type, message_id, occurred_text, feedback_id, discriminator
    )


def recipient_feedback(
    entries: list[tuple[str, str | None, str | None, str | None]],
    where: str,
    event_type: EventType,
    message_id: str,
    occurred_text: str,
    feedback_id: str | None,
    discriminator: str | None,
) -> tuple[RecipientFeedback, ...]:
    """Both readers' recipients: normalised, deduplicated, checked, with identities
    (:func:`event_identity`, its text built once per event and finished per recipient)."""
    seen: set[str] = set()
    recipients: list[RecipientFeedback] = []
    prefix = f"{event_type}|{message_id}|"
    suffix = f"|{occurred_text}|{discriminator}" if discriminator else f"|{occurred_text}"
    for original, action, status, diagnostic in entries:
        address, shown, deliverable = recipient_address(original)
        if not address or address in seen:
            continue
        if not deliverable:
            # Checked on the bare address: a display name may hold anything.
            reject(
                RejectionCode.BAD_RECIPIENT,
                f"a recipient in {where} is not an address SES could deliver to "
                "(it holds a control character, NUL or a lone surrogate)",
            )
        seen.add(address)
        identity = feedback_id or f"{prefix}{address}{suffix}"
        recipients.append(RecipientFeedback(address, shown, identity, action, status, diagnostic))
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
        return lenient_str(sub, "reason")
    if event_type is EventType.RENDERING_FAILURE:
        error = lenient_str(sub, "errorMessage")
        template = lenient_str(sub, "templateName")
        if template and error:
            return f"template {template}: {error}"
        return error or template
    if event_type is EventType.COMPLAINT:
        feedback = lenient_str(sub, "complaintFeedbackType")
        agent = lenient_str(sub, "userAgent")
        parts = [f"feedback type {feedback}" if feedback else None, agent]
        return "; ".join(part for part in parts if part) or None
    if event_type is EventType.CLICK:
        return lenient_str(sub, "link")
    return None


# --- cached text parsing, shared with the typed path -----------------------------------

#: Recipients and timestamps repeat across a batch (a message's Send, Delivery and Open
#: share addresses and ``mail.timestamp``): both are pure functions of their text, so
#: they are cached. Only short texts are (no real address is over 320 characters, no
#: timestamp over 64): a hostile stream of huge values cannot grow the caches' memory.
_CACHED_ADDRESS_MAX = 320
_CACHED_TIMESTAMP_MAX = 64


def _address_facts(original: str) -> tuple[str, str, bool]:
    address = normalise_address(original)
    return address, original.strip(), not address or is_deliverable_address(address)


_cached_address_facts = lru_cache(maxsize=1 << 15)(_address_facts)


def recipient_address(original: str) -> tuple[str, str, bool]:
    """An address as SES reported it → (the address for matching, ``""`` when it names
    nobody; the text to show, trimmed; whether SES could have delivered to it, checked
    on the bare address: a display name may hold anything). Cached for real addresses."""
    if len(original) > _CACHED_ADDRESS_MAX:
        return _address_facts(original)
    return _cached_address_facts(original)


def timestamp_moment(text: str) -> tuple[datetime, str] | None:
    """``text`` parsed, and the canonical text of that moment (None: not a timestamp).

    SES's own form (``2025-03-04T10:15:01.123Z``, :func:`canonical_text` keeps it as it
    is) is read directly: an event's own timestamp rarely repeats, so a cache lookup
    would nearly always miss. Other forms (``mail.timestamp`` repeats) go through it."""
    if (
        len(text) == 24
        and text[23] == "Z"
        and text[10] == "T"
        and text[19] == "."
        and text[:4].isdigit()
    ):
        # What parse_timestamp and canonical_text do for this form, without the detour:
        # fromisoformat reads "Z" as UTC, and the text is its own canonical text.
        try:
            return datetime.fromisoformat(text), text
        except ValueError:
            return None
    if len(text) > _CACHED_TIMESTAMP_MAX:
        return _parse_moment(text)
    return _cached_moment(text)


def _parse_moment(text: str) -> tuple[datetime, str] | None:
    parsed = parse_timestamp(text)
    if parsed is None:
        return None
    return parsed, canonical_text(text.strip(), parsed)


_cached_moment = lru_cache(maxsize=1 << 14)(_parse_moment)
