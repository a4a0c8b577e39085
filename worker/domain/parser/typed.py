"""The typed path: one msgspec decode per layer into the
:mod:`worker.domain.decoding` structs, then only what the event needs. It never
rejects: whatever it does not accept comes back None for the reference reader."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from itertools import accumulate

from worker.domain.decoding import (
    UNSET,
    Body,
    DecodeFailed,
    Header,
    Mail,
    SesDocument,
    SubObject,
    body_decoder,
    document_decoder,
    headers_decoder,
)
from worker.domain.events import (
    Envelope,
    EventType,
    FeedbackEvent,
    ParseResult,
    RecipientFeedback,
    SnsEnvelope,
)
from worker.domain.parser.document import (
    EARLIEST_PLAUSIBLE,
    EVENT_TYPES,
    MAIL_TIMESTAMP_TYPES,
    MAX_FUTURE_SKEW,
    SUB_OBJECT_KEYS,
    SUB_OBJECT_REQUIRED,
    event_identity,
    noting,
    recipient_address,
    recipient_feedback,
    timestamp_moment,
)
from worker.domain.parser.eventbridge import EVENTBRIDGE_DETAIL_TYPES
from worker.domain.parser.rejections import MAX_DEPTH, Rejected
from worker.domain.text import json_may_hold_unstorable

_BRACKET = re.compile(r"[\[\]{}]")
#: A JSON escape that may decode to NUL or a surrogate (what
#: :func:`~worker.domain.text.json_may_hold_unstorable` looks for) or to ``{`` or ``[``.
_ESCAPE_TO_CHECK = re.compile(r"\\u(?:0000|[dD][89a-fA-F]|00[57][bB])")


def _encodes(text: str) -> bool:
    """Whether ``text`` holds no raw lone surrogate (it encodes to UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_DEPTH_STEP = {"{": 1, "[": 1, "}": -1, "]": -1}


def _nesting_ok(text: str) -> bool:
    """Whether JSON ``text`` nests at most :data:`MAX_DEPTH` levels. Nesting needs as many
    opening brackets as levels, so most bodies are settled by a count; the rest (a
    document with its ``mail.headers`` has dozens of brackets) get the running depth of
    their brackets outside strings: for valid JSON, exactly the decoded depth. Invalid
    JSON may be misjudged either way: its decode fails after this, whatever it says.

    The strings are dropped with C-level string operations: escaped backslashes, then
    escaped quotes (JSON escapes are read left to right, so a run of backslashes pairs
    up from its start), after which every remaining quote opens or closes a string and
    the text between every other pair of quotes is outside any string."""
    if text.count("{") + text.count("[") <= MAX_DEPTH:
        return True
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    if outside.count("{") + outside.count("[") <= MAX_DEPTH:
        return True
    steps = map(_DEPTH_STEP.__getitem__, _BRACKET.findall(outside))
    return max(accumulate(steps), default=0) <= MAX_DEPTH


#: Event type spellings as SES writes them; others go through the lenient lookup.
_RAW_EVENT_TYPES: dict[str, EventType] = {kind.value: kind for kind in EventType}
#: Sub-object keys as attributes of :class:`~worker.domain.decoding.SesDocument`.
_SUB_OBJECT_ATTRS: dict[EventType, tuple[str, ...]] = {
    kind: tuple(re.sub("([A-Z])", r"_\1", key).lower() for key in keys)
    for kind, keys in SUB_OBJECT_KEYS.items()
}
_NO_SUB_OBJECT = SubObject()


def typed_parse(text: str, encodable: bool, received_at: datetime | None) -> ParseResult | None:
    """The event the typed path reads from ``text``, or None: the reference reader then
    decides (every rejection, every control message, every body whose text needs
    repairing, nests too deep or whose fields have unexpected types comes back None)."""
    escaped = _ESCAPE_TO_CHECK.search(text) is not None
    if escaped:
        # Rare: the full test (the escape may be a false alarm).
        if json_may_hold_unstorable(text, encodable=encodable):
            return None
    elif not (encodable or text.isascii()) and not _encodes(text):
        # No escape decodes to NUL or a surrogate: what json_may_hold_unstorable has
        # left to find is a raw surrogate.
        return None
    try:
        body = body_decoder.decode(text)
        # Every body is settled by this count but a rare few (nesting needs an opening
        # bracket per level; without an escape that decodes to one, an SNS Message's
        # brackets are among its body's).
        opens = text.count("{") + text.count("[")
        if body.mail is not UNSET and (
            body.event_type is not UNSET or body.notification_type is not UNSET
        ):
            if opens > MAX_DEPTH and not _shallow(text, opens, "raw", escaped=escaped):
                return None
            return _typed_event(body, Envelope.RAW, None, None, received_at)
        if body.type is not UNSET:
            return _typed_sns(body, text, opens, escaped, received_at)
        if body.source == "aws.ses" and body.detail is not UNSET:
            if opens > MAX_DEPTH and not _shallow(text, opens, "eventbridge", escaped=escaped):
                return None
            return _typed_eventbridge(body, received_at)
    except (DecodeFailed, Rejected, ArithmeticError, RecursionError):
        # ArithmeticError: ``received_at`` so late that adding the skew overflows.
        # RecursionError: nested deeper than msgspec follows (the reference refuses it).
        pass
    return None


def _opens(text: str) -> int:
    return text.count("{") + text.count("[")


def _shallow(text: str, opens: int, document: str | None, *, escaped: bool) -> bool:
    """Whether decoded JSON ``text`` nests at most :data:`MAX_DEPTH` levels, ``opens``
    being how many of its opening brackets may be structural (outside strings) and
    ``document`` where its SES document is: ``"raw"`` (``text`` is one),
    ``"eventbridge"`` (its ``detail``) or None.

    A chain of nested values needs an opening bracket per level, so ``opens`` bounds
    the depth, except for the ``mail.headers`` list: read as objects of two strings
    (two levels below ``mail``, and nothing else: another key in one, and they are
    counted), its brackets open no deeper chain and are not counted, nor (unless
    ``escaped``: an escape may have made one) the brackets in its strings. A document
    with its headers has dozens of brackets; without this it would need the scan of
    :func:`_nesting_ok`."""
    if opens > MAX_DEPTH and document is not None:
        headers = _headers(text, document)
        if headers:
            opens -= 1 + len(headers)
            if opens > MAX_DEPTH and not escaped:
                opens -= _opens("\n".join([f"{item.name}:{item.value}" for item in headers]))
    return opens <= MAX_DEPTH or _nesting_ok(text)


def _headers(text: str, document: str) -> list[Header] | None:
    """The ``mail.headers`` of the SES document in ``text`` (see :func:`_shallow`), or
    None: none, or not only names and values."""
    try:
        decoded = headers_decoder.decode(text)
    except DecodeFailed:
        return None
    holder = decoded if document == "raw" else decoded.detail
    mail = holder.mail if holder is not None else None
    return mail.headers if mail is not None else None


def _typed_sns(
    body: Body, text: str, opens: int, escaped: bool, received_at: datetime | None
) -> ParseResult | None:
    """``text``: the body, ``opens`` its opening brackets; ``escaped``: whether it holds
    an escape that may decode to an opening bracket (otherwise every opening bracket of
    the message is one of the body's, and the envelope's own depth is what the body has
    besides them)."""
    if body.type != "Notification" or body.message is UNSET:
        return None  # handshakes and odd labels: the reference reader
    message = body.message
    # The setup notice is English text, not JSON: it fails here and goes by reference.
    inner = document_decoder.decode(message)
    if inner.event_type is UNSET and inner.notification_type is UNSET:
        return None
    if escaped or opens > MAX_DEPTH:
        # Rare (see typed_parse): each layer on its own.
        inner_opens = _opens(message)
        if escaped:
            if not _nesting_ok(text):
                return None
        elif not _shallow(text, opens - inner_opens, None, escaped=escaped):
            return None
        if not _shallow(message, inner_opens, "raw", escaped=escaped):
            return None
    envelope = SnsEnvelope(
        body.type,
        body.sns_message_id or "",
        body.topic_arn or "",
        message,
        body.sns_timestamp or "",
        body.signature_version or "",
        body.signature or "",
        body.signing_cert_url or body.signing_cert_url_lambda or "",
        body.subject,
        body.subscribe_url,
        body.token,
        None,  # unsanitised: nothing needed cleaning on this path
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
        return noting(result, f"EventBridge detail-type {shown}")
    return result


def _typed_event(
    document: SesDocument,
    envelope: Envelope,
    sns: SnsEnvelope | None,
    default_type: EventType | None,
    received_at: datetime | None,
) -> FeedbackEvent | None:
    """:func:`parse_ses_document` for a typed document, the happy path only: None
    wherever the reference would reject or answer with a control message."""
    raw_type = document.event_type
    if raw_type is UNSET:
        raw_type = document.notification_type
    if raw_type is UNSET:
        event_type = default_type
    else:
        event_type = _RAW_EVENT_TYPES.get(raw_type) or EVENT_TYPES.get(
            raw_type.replace(" ", "").lower()
        )
    mail = document.mail
    if event_type is None or mail is UNSET or not mail.message_id:
        return None
    message_id = mail.message_id.strip()
    if not message_id or len(message_id) > 256:
        return None

    for attr in _SUB_OBJECT_ATTRS[event_type]:
        sub = getattr(document, attr)
        if sub is not None:
            break
    else:
        if event_type in SUB_OBJECT_REQUIRED:
            return None
        sub = _NO_SUB_OBJECT

    own_timestamp = None if event_type in MAIL_TIMESTAMP_TYPES else sub.timestamp
    timestamp_text = own_timestamp or mail.timestamp
    moment = timestamp_moment(timestamp_text) if timestamp_text is not None else None
    if moment is None:
        return None
    occurred_at, occurred_text = moment
    if occurred_at < EARLIEST_PLAUSIBLE or (
        received_at is not None and occurred_at > received_at + MAX_FUTURE_SKEW
    ):
        return None

    recipients = _typed_recipients(event_type, sub, mail, message_id, occurred_text)
    if not recipients:
        return None
    common = mail.common_headers
    is_bounce = event_type is EventType.BOUNCE
    is_complaint = event_type is EventType.COMPLAINT
    # In FeedbackEvent's field order.
    return FeedbackEvent(
        event_type,
        message_id,
        occurred_at,
        occurred_text,
        recipients,
        envelope,
        mail.tags or {},
        mail.destination or (),
        mail.timestamp,
        mail.source,
        common.subject if common is not None else None,
        common.from_[0] if common is not None and common.from_ else None,
        common.message_id if common is not None else None,
        sub.bounce_type if is_bounce else None,
        sub.bounce_sub_type if is_bounce else None,
        sub.complaint_sub_type if is_complaint else None,
        sub.complaint_feedback_type if is_complaint else None,
        sub.delay_type,
        sub.reporting_mta,
        sub.remote_mta_ip,
        sub.smtp_response,
        _typed_detail(event_type, sub) if event_type in _DETAIL_TYPES else None,
        sns,
        not own_timestamp,  # timestamp_from_mail
        None,  # label_mismatch
    )


_FEEDBACK_ID_TYPES = frozenset({EventType.BOUNCE, EventType.COMPLAINT})
#: Where each event type names its recipients: the sub-object's list of recipient
#: objects (attribute, and the key as the reference reader words a bad one).
_RECIPIENT_ITEMS: dict[EventType, tuple[str, str]] = {
    EventType.BOUNCE: ("bounced_recipients", "bouncedRecipients[].emailAddress"),
    EventType.COMPLAINT: ("complained_recipients", "complainedRecipients[].emailAddress"),
    EventType.DELIVERY_DELAY: ("delayed_recipients", "delayedRecipients[].emailAddress"),
}


def _typed_recipients(
    event_type: EventType, sub: SubObject, mail: Mail, message_id: str, occurred_text: str
) -> tuple[RecipientFeedback, ...]:
    """The event's recipients, as :func:`recipient_feedback` makes them (which raises
    :class:`Rejected` for an undeliverable one); the usual single address directly."""
    feedback_id = sub.feedback_id if event_type in _FEEDBACK_ID_TYPES else None
    link = sub.link if event_type is EventType.CLICK else None
    items = _RECIPIENT_ITEMS.get(event_type)
    entries: list[tuple[str, str | None, str | None, str | None]]
    originals: Sequence[str]
    if items is None:
        if event_type is EventType.DELIVERY:
            originals, where = sub.recipients or (), "delivery.recipients"
        else:
            originals, where = mail.destination or (), "mail.destination"
        if len(originals) == 1:
            address, shown, deliverable = recipient_address(originals[0])
            if not (address and deliverable):
                return ()  # named nobody, or the reference's bad_recipient
            identity = event_identity(
                event_type, message_id, address, occurred_text, discriminator=link
            )
            return (RecipientFeedback(address, shown, identity),)
        entries = [(address, None, None, None) for address in originals]
    else:
        attr, where = items
        entries = [
            (item.email_address, item.action, item.status, item.diagnostic_code)
            for item in getattr(sub, attr) or ()
        ]
    return recipient_feedback(
        entries, where, event_type, message_id, occurred_text, feedback_id, link
    )


_DETAIL_TYPES = frozenset(
    {EventType.REJECT, EventType.RENDERING_FAILURE, EventType.COMPLAINT, EventType.CLICK}
)


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
