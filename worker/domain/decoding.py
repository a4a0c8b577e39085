"""Typed decoding of SES bodies: the shapes of the SNS envelope, the SES notification /
event-publishing document and the EventBridge envelope as msgspec ``Struct`` types, and
one decoder per layer.

These types describe *well-formed* bodies only, as SES writes them (reference, section
3): a field of the wrong JSON type, an explicit ``null`` where presence matters, or a
shape SES never sends makes the decode fail, and :mod:`worker.domain.parser` then hands
the body to its dict-walking reader, which finds the exact rejection (or the odd but
valid reading). So nothing here decides what a body means; it only reads, in one C pass,
what the parser would otherwise pick out of dicts field by field.

Conventions: ``UNSET`` means "key absent" where the parser distinguishes absent from
present (routing keys: ``Type``, ``eventType``, ``mail``, ``detail``...), and those
fields refuse ``null`` (a present-but-null routing key takes the careful path). Fields
the parser reads with ``dict.get`` (absent and ``null`` alike) default to None.

Pure: msgspec is a decoding library; nothing here does I/O.
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, Struct, UnsetType, field

__all__ = [
    "UNSET",
    "Body",
    "CommonHeaders",
    "DecodeFailed",
    "Header",
    "HeadersBody",
    "Mail",
    "Recipient",
    "SesDocument",
    "SubObject",
    "body_decoder",
    "document_decoder",
    "headers_decoder",
]

#: What a typed decode raises for anything it does not accept (malformed JSON, a field
#: of another type, a value out of range).
DecodeFailed = msgspec.MsgspecError


class Recipient(Struct, rename="camel", gc=False):
    """One entry of ``bouncedRecipients`` / ``complainedRecipients`` /
    ``delayedRecipients``."""

    email_address: str
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = None


class SubObject(Struct, rename="camel", gc=False):
    """The event's own object (``delivery``, ``bounce``, ``open``...): one type for all of
    them, holding every field the parser reads from any (the others are skipped)."""

    timestamp: str | None = None
    # Delivery
    recipients: list[str] | None = None
    smtp_response: str | None = None
    reporting_mta: str | None = field(name="reportingMTA", default=None)
    remote_mta_ip: str | None = None
    # Bounce / Complaint / DeliveryDelay
    feedback_id: str | None = None
    bounce_type: str | None = None
    bounce_sub_type: str | None = None
    bounced_recipients: list[Recipient] | None = None
    complained_recipients: list[Recipient] | None = None
    complaint_sub_type: str | None = None
    complaint_feedback_type: str | None = None
    user_agent: str | None = None
    delayed_recipients: list[Recipient] | None = None
    delay_type: str | None = None
    # Reject / Rendering Failure / Click
    reason: str | None = None
    error_message: str | None = None
    template_name: str | None = None
    link: str | None = None


class CommonHeaders(Struct, gc=False):
    """``mail.commonHeaders``: the parts the parser keeps."""

    # In the order SES writes them (``from``, ``to``, ``messageId``, ``date``,
    # ``subject``): the decoder looks for each key from the field after the last found.
    from_: list[str] | None = field(name="from", default=None)
    message_id: str | None = field(name="messageId", default=None)
    subject: str | None = None


class Mail(Struct, rename="camel", gc=False):
    """``mail``: the message the event is about."""

    # In the order SES writes them (``timestamp``, ``source``, ``sourceArn``,
    # ``sendingAccountId``, ``messageId``, ``destination``, ``headersTruncated``,
    # ``headers``, ``commonHeaders``, ``tags``): the decoder looks for each key from the
    # field after the last one found, so keys in field order are found at the first try.
    timestamp: str | None = None
    source: str | None = None
    message_id: str | None = None
    destination: tuple[str, ...] | None = None
    common_headers: CommonHeaders | None = None
    # SES writes every tag as a list of strings (a bare string takes the careful path).
    tags: dict[str, tuple[str, ...]] | None = None
    # ``headers`` (the original headers, when the configuration includes them) is not
    # read: nothing the parser hands on comes from it, and a document holds dozens of
    # them. Only the depth check may need them (see :data:`headers_decoder`).


class SesDocument(Struct, rename="camel", gc=False):
    """An SES notification (``notificationType``) or event-publishing (``eventType``)
    document: what an SNS ``Message`` holds, an EventBridge ``detail``, or a raw body."""

    event_type: str | UnsetType = UNSET
    notification_type: str | UnsetType = UNSET
    mail: Mail | UnsetType = UNSET
    send: SubObject | None = None
    delivery: SubObject | None = None
    bounce: SubObject | None = None
    complaint: SubObject | None = None
    delivery_delay: SubObject | None = None
    reject: SubObject | None = None
    failure: SubObject | None = None
    rendering_failure: SubObject | None = None
    open: SubObject | None = None
    click: SubObject | None = None
    subscription: SubObject | None = None


class Body(SesDocument, gc=False):
    """A whole SQS body, whichever layer is outermost: the SNS envelope's fields, the
    EventBridge envelope's, and (raw message delivery) the SES document's own, inherited.
    One decode reads any of the three; the parser routes on which keys are present."""

    # SNS envelope
    type: str | UnsetType = field(name="Type", default=UNSET)
    message: str | UnsetType = field(name="Message", default=UNSET)
    sns_message_id: str | None = field(name="MessageId", default=None)
    topic_arn: str | None = field(name="TopicArn", default=None)
    sns_timestamp: str | None = field(name="Timestamp", default=None)
    signature_version: str | None = field(name="SignatureVersion", default=None)
    signature: str | None = field(name="Signature", default=None)
    signing_cert_url: str | None = field(name="SigningCertURL", default=None)
    # Lambda spells it SigningCertUrl.
    signing_cert_url_lambda: str | None = field(name="SigningCertUrl", default=None)
    subject: str | None = field(name="Subject", default=None)
    subscribe_url: str | None = field(name="SubscribeURL", default=None)
    token: str | None = field(name="Token", default=None)
    # EventBridge envelope
    source: str | None = None
    detail_type: str | UnsetType = field(name="detail-type", default=UNSET)
    detail: SesDocument | UnsetType = UNSET


class Header(Struct, forbid_unknown_fields=True, gc=False):
    """One of ``mail.headers``. Read only so that the parser's depth check knows their
    shape: two strings, nested no deeper (it does not need to scan them). Any other key
    fails the decode: a value skipped unread beside them could nest arbitrarily deep."""

    name: str
    value: str


class HeadersMail(Struct, gc=False):
    headers: list[Header] | None = None


class HeadersDocument(Struct, gc=False):
    """An SES document, its ``mail.headers`` alone."""

    mail: HeadersMail | None = None


class HeadersBody(HeadersDocument, gc=False):
    """A raw body's or (``detail``) an EventBridge body's ``mail.headers`` alone."""

    detail: HeadersDocument | None = None


#: Layer one: a whole body. Layer two: an SNS ``Message`` string, straight into the SES
#: document type (an EventBridge ``detail`` is decoded within layer one).
body_decoder = msgspec.json.Decoder(Body)
document_decoder = msgspec.json.Decoder(SesDocument)
#: The rare second decode of a document (or a whole body) with more brackets than the
#: depth limit: what its ``mail.headers`` are.
headers_decoder = msgspec.json.Decoder(HeadersBody)
