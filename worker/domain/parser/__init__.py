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

import json  # noqa: F401  (tests patch parser.json.loads)
from datetime import UTC, datetime

from worker.domain.events import Envelope, ParseResult, Rejection, RejectionCode
from worker.domain.parser.document import (
    EARLIEST_PLAUSIBLE,
    MAX_FUTURE_SKEW,
    event_identity,
    parse_ses_document,
)
from worker.domain.parser.eventbridge import EVENTBRIDGE_DETAIL_TYPES, parse_eventbridge
from worker.domain.parser.rejections import (
    MAX_DEPTH,
    Rejected,
    is_message_document,
    load_json_object,
    reject,
    storable,
)
from worker.domain.parser.sns import SES_TOPIC_VALIDATED, parse_sns
from worker.domain.parser.typed import typed_parse

__all__ = [
    "EARLIEST_PLAUSIBLE",
    "EVENTBRIDGE_DETAIL_TYPES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_FUTURE_SKEW",
    "SES_TOPIC_VALIDATED",
    "event_identity",
    "parse_body",
    "parse_body_reference",
    "parse_body_typed",
]

#: SNS and EventBridge cap what SES can put in a queue at 256 KiB.
MAX_BODY_BYTES = 256 * 1024


def parse_body(body: str | bytes, *, received_at: datetime | None = None) -> ParseResult:
    """Parse one SQS message body. Never raises: returns an event, a control message or
    a rejection with a stable code (``not_json``, ``bad_envelope``, ``too_large``...).

    ``received_at`` is when the body was received (the parser reads no clock): an event
    dated more than :data:`MAX_FUTURE_SKEW` after it is ``implausible_timestamp``. When
    None only the lower bound (:data:`EARLIEST_PLAUSIBLE`) is checked. Naive is UTC.
    """
    if type(body) is str and len(body) <= _SURELY_SMALL:
        # The usual body, straight to the typed path (no size check can fail; nothing
        # below raises, but a bug there must not escape: the layers below convert it).
        try:
            fast = typed_parse(
                body,
                False,
                received_at
                if received_at is None or received_at.tzinfo is not None
                else _aware(received_at),
            )
        except Exception:
            return _never_raising(body, received_at, typed=True)
        if fast is not None:
            return fast
        return _never_raising(body, received_at, typed=False)
    return _never_raising(body, received_at, typed=True)


#: A str of at most this many characters is at most 4 bytes each in UTF-8: never too large.
_SURELY_SMALL = MAX_BODY_BYTES // 4


def parse_body_reference(body: str | bytes, *, received_at: datetime | None = None) -> ParseResult:
    """:func:`parse_body` by the reference (dict-walking) reader alone, without the typed
    path: what the typed path must agree with (tests compare the two)."""
    return _never_raising(body, received_at, typed=False)


def parse_body_typed(
    body: str | bytes, *, received_at: datetime | None = None
) -> ParseResult | None:
    """The typed path alone: what it reads from ``body``, or None where it leaves the body
    to the reference reader (tests check which bodies take which path)."""
    try:
        text = _decode(body)
    except Rejected:
        return None
    return typed_parse(text, not isinstance(body, str), _aware(received_at))


def _aware(received_at: datetime | None) -> datetime | None:
    """``received_at`` with naive read as UTC."""
    if received_at is not None and received_at.tzinfo is None:
        return received_at.replace(tzinfo=UTC)
    return received_at


def _never_raising(body: str | bytes, received_at: datetime | None, *, typed: bool) -> ParseResult:
    """:func:`_parse` with every failure turned into a :class:`Rejection`."""
    try:
        return _parse(body, _aware(received_at), typed=typed)
    except Rejected as rejected:
        return rejected.rejection
    except RecursionError:
        return Rejection(RejectionCode.TOO_DEEP, "JSON nested too deeply to be an SES event")
    except Exception as exc:
        return Rejection(RejectionCode.WRONG_TYPE, f"unexpected structure ({type(exc).__name__})")


def _parse(body: str | bytes, received_at: datetime | None, *, typed: bool) -> ParseResult:
    text = _decode(body)
    if typed:
        fast = typed_parse(text, not isinstance(body, str), received_at)
        if fast is not None:
            return fast
    decoded = load_json_object(text, where="body")
    document = storable(decoded, text, encodable=not isinstance(body, str))
    if is_message_document(document):
        # Raw delivery, whatever other keys ride along: the document decides.
        return parse_ses_document(document, Envelope.RAW, sns=None, received_at=received_at)
    if "Type" in document:
        return parse_sns(document, decoded, received_at)
    if document.get("source") == "aws.ses" and ("detail-type" in document or "detail" in document):
        return parse_eventbridge(document, received_at)
    if "eventType" in document or "notificationType" in document:
        return parse_ses_document(document, Envelope.RAW, sns=None, received_at=received_at)
    reject(
        RejectionCode.BAD_ENVELOPE,
        "not an SES event: no SNS 'Type', no 'eventType'/'notificationType', "
        "and not an EventBridge event from aws.ses",
    )


def _decode(body: str | bytes) -> str:
    if isinstance(body, bytes | bytearray):
        if len(body) > MAX_BODY_BYTES:
            reject(RejectionCode.TOO_LARGE, f"body is {len(body)} bytes; SES bodies are ≤ 256 KiB")
        try:
            return bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reject(RejectionCode.BAD_ENCODING, f"body is not valid UTF-8 ({exc.reason})")
    if not isinstance(body, str):
        reject(RejectionCode.WRONG_TYPE, f"body must be text, got {type(body).__name__}")
    # A str is at most 4 bytes per character in UTF-8: encode only when it might be over.
    if len(body) > MAX_BODY_BYTES or (
        len(body) * 4 > MAX_BODY_BYTES and _utf8_len(body) > MAX_BODY_BYTES
    ):
        reject(RejectionCode.TOO_LARGE, "body is over 256 KiB; SES bodies are ≤ 256 KiB")
    return body


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
