"""Typed results of parsing one SQS message body: a feedback event, a control message,
or a rejection. Pure data; no I/O.

The three built once per body on the ingest hot path (:class:`FeedbackEvent`,
:class:`RecipientFeedback`, :class:`SnsEnvelope`) are frozen msgspec ``Struct`` types:
one C call builds one, where a frozen dataclass sets its fields one by one in Python.
Same fields, defaults, equality and hashing; change one with
``msgspec.structs.replace``. They are not tracked by the garbage collector
(``gc=False``): nothing they hold refers back to them, so no reference cycle passes
through one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from msgspec import Struct, field


class EventType(StrEnum):
    SEND = "Send"
    DELIVERY = "Delivery"
    BOUNCE = "Bounce"
    COMPLAINT = "Complaint"
    DELIVERY_DELAY = "DeliveryDelay"
    REJECT = "Reject"
    RENDERING_FAILURE = "Rendering Failure"
    OPEN = "Open"
    CLICK = "Click"
    SUBSCRIPTION = "Subscription"


#: Event types that never change a delivery status (kept in the timeline only).
ENGAGEMENT_TYPES = frozenset({EventType.OPEN, EventType.CLICK, EventType.SUBSCRIPTION})


class Envelope(StrEnum):
    SNS = "sns"
    RAW = "raw"
    EVENTBRIDGE = "eventbridge"


class RejectionCode(StrEnum):
    """Stable machine codes for bodies that cannot be applied (they become dead letters)."""

    NOT_JSON = "not_json"
    BAD_ENCODING = "bad_encoding"
    BAD_ENVELOPE = "bad_envelope"
    MISSING_MESSAGE_ID = "missing_message_id"
    NO_RECIPIENTS = "no_recipients"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    WRONG_TYPE = "wrong_type"
    BAD_TIMESTAMP = "bad_timestamp"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    INBOUND_MAIL = "inbound_mail"
    BAD_SIGNATURE = "bad_signature"
    TOPIC_NOT_ALLOWED = "topic_not_allowed"
    #: A recipient address holding a control character, NUL or a lone surrogate: no
    #: address SES could have delivered to.
    BAD_RECIPIENT = "bad_recipient"
    #: An event dated before SES existed (2011) or more than a day after it was received.
    IMPLAUSIBLE_TIMESTAMP = "implausible_timestamp"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A body that is not a usable SES event: machine code plus a human message."""

    code: RejectionCode
    message: str


class SnsEnvelope(Struct, frozen=True, gc=False):
    """The SNS fields needed to verify a signature.

    Values are storable text (:func:`worker.domain.text.storable_text`), like everything
    the parser hands on. When that changed any of them (a lone surrogate or NUL in the
    body), ``unsanitised`` holds the envelope exactly as decoded: the string to sign is
    built from it, so the signature check, not a changed value, decides such a body.
    """

    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: str
    signature_version: str
    signature: str
    signing_cert_url: str
    subject: str | None = None
    subscribe_url: str | None = None
    token: str | None = None
    unsanitised: SnsEnvelope | None = None

    @property
    def as_signed(self) -> SnsEnvelope:
        """The envelope whose values SNS signed (the decoded originals)."""
        return self.unsanitised or self


class ControlKind(StrEnum):
    SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
    UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"
    SETUP_NOTICE = "SetupNotice"
    SERVICE_EVENT = "ServiceEvent"


@dataclass(frozen=True, slots=True)
class ControlMessage:
    """Not an event about a message: SNS subscription handshakes, SES set-up notices and
    EventBridge service events (sending paused, advisor...). Recorded, never an error."""

    kind: ControlKind
    message: str
    topic_arn: str | None = None
    subscribe_url: str | None = None
    token: str | None = None
    detail_type: str | None = None
    sns: SnsEnvelope | None = None


class RecipientFeedback(Struct, frozen=True, gc=False):
    """What one event says about one recipient.

    ``address`` is normalised for matching (display name stripped, trimmed, lower-cased);
    ``original`` is the address as SES reported it, for display. ``identity`` is the
    envelope-independent event identity (see :func:`worker.domain.parser.event_identity`).
    """

    address: str
    original: str
    identity: str
    action: str | None = None
    status: str | None = None
    diagnostic: str | None = None


class FeedbackEvent(Struct, frozen=True, gc=False):
    """One SES feedback event, whichever envelope carried it.

    Every string is storable text (no NUL, no lone surrogate). ``timestamp_from_mail`` is
    True when the event has no timestamp of its own (Send, Reject, Rendering Failure, or
    an event that omitted it) and ``occurred_at`` is ``mail.timestamp``; the envelope's
    time (SNS ``Timestamp``, EventBridge ``time``) is never used. ``label_mismatch`` is a
    short note when the envelope labelled the event otherwise than its document (an
    EventBridge ``detail-type`` or SNS ``Type`` that disagrees): the document decided,
    the caller logs the note.
    """

    event_type: EventType
    message_id: str
    occurred_at: datetime
    #: ISO-8601 UTC text with millisecond precision; compares as a plain string.
    occurred_at_text: str
    recipients: tuple[RecipientFeedback, ...]
    envelope: Envelope
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    destination: tuple[str, ...] = ()
    mail_timestamp: str | None = None
    mail_source: str | None = None
    subject: str | None = None
    from_header: str | None = None
    header_message_id: str | None = None
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    complaint_subtype: str | None = None
    complaint_feedback_type: str | None = None
    delay_type: str | None = None
    reporting_mta: str | None = None
    remote_mta_ip: str | None = None
    smtp_response: str | None = None
    detail: str | None = None
    sns: SnsEnvelope | None = None
    timestamp_from_mail: bool = False
    label_mismatch: str | None = None

    def tag(self, name: str) -> str | None:
        """First value of a ``mail.tags`` entry, or None."""
        values = self.tags.get(name)
        return values[0] if values else None


ParseResult = FeedbackEvent | ControlMessage | Rejection
