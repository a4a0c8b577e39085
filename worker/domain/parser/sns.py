"""SNS envelopes (reference reader): a ``Notification`` around an SES document,
subscription handshakes and the SES set-up notice, and the envelope kept for the
signature check."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from msgspec import structs

from worker.domain.events import (
    ControlKind,
    ControlMessage,
    Envelope,
    ParseResult,
    RejectionCode,
    SnsEnvelope,
)
from worker.domain.parser.document import noting, parse_ses_document
from worker.domain.parser.rejections import (
    Rejected,
    is_message_document,
    lenient_str,
    load_json_object,
    reject,
    storable,
)

SES_TOPIC_VALIDATED = "Successfully validated SNS topic for Amazon SES event publishing."


def parse_sns(
    document: dict[str, Any], decoded: dict[str, Any], received_at: datetime | None
) -> ParseResult:
    """``document`` is the envelope as storable text; ``decoded`` the same as json.loads
    gave it (the same object when nothing needed cleaning), for the string to sign."""
    sns_type = document.get("Type")
    if not isinstance(sns_type, str):
        reject(RejectionCode.WRONG_TYPE, "SNS 'Type' must be a string")
    message = document.get("Message")
    if not isinstance(message, str):
        reject(
            RejectionCode.WRONG_TYPE if message is not None else RejectionCode.BAD_ENVELOPE,
            "SNS envelope has no 'Message' string",
        )
    envelope = _sns_envelope(document, sns_type, message)
    if decoded is not document:
        signed = _sns_envelope(decoded, decoded["Type"], decoded["Message"])
        if signed != envelope:
            envelope = structs.replace(envelope, unsanitised=signed)
    if sns_type != "Notification":
        # A handshake's Message is English text. Should it hold an SES event, the document
        # decides (a forged label cannot hide an event; its signature check still runs).
        inner = _try_json_object(message)
        if inner is not None and is_message_document(inner):
            result = parse_ses_document(inner, Envelope.SNS, sns=envelope, received_at=received_at)
            return noting(result, f"SNS Type {sns_type[:40]!r}")
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
        reject(RejectionCode.BAD_ENVELOPE, f"unknown SNS message Type {sns_type[:40]!r}")
    if message.strip() == SES_TOPIC_VALIDATED:
        return ControlMessage(
            kind=ControlKind.SETUP_NOTICE,
            message=message,
            topic_arn=envelope.topic_arn or None,
            sns=envelope,
        )
    # ``message`` comes from the storable envelope: no raw surrogate, only escapes to check.
    inner = storable(load_json_object(message, where="SNS Message"), message, encodable=True)
    if "eventType" not in inner and "notificationType" not in inner:
        reject(
            RejectionCode.BAD_ENVELOPE,
            "SNS Message is not an SES document (no 'eventType' or 'notificationType')",
        )
    return parse_ses_document(inner, Envelope.SNS, sns=envelope, received_at=received_at)


def _sns_envelope(document: Mapping[str, Any], sns_type: str, message: str) -> SnsEnvelope:
    return SnsEnvelope(
        type=sns_type,
        message_id=lenient_str(document, "MessageId") or "",
        topic_arn=lenient_str(document, "TopicArn") or "",
        message=message,
        timestamp=lenient_str(document, "Timestamp") or "",
        signature_version=str(document.get("SignatureVersion") or ""),
        signature=lenient_str(document, "Signature") or "",
        # Lambda spells it SigningCertUrl; SQS bodies use SigningCertURL.
        signing_cert_url=lenient_str(document, "SigningCertURL")
        or lenient_str(document, "SigningCertUrl")
        or "",
        subject=lenient_str(document, "Subject"),
        subscribe_url=lenient_str(document, "SubscribeURL"),
        token=lenient_str(document, "Token"),
    )


def _try_json_object(text: str) -> dict[str, Any] | None:
    """``text`` decoded as a JSON object of storable text, or None (never rejects)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = load_json_object(text, where="SNS Message")
    except Rejected:
        return None
    return storable(value, text, encodable=True)  # text: from the storable envelope
