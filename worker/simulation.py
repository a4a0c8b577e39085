"""Realistic Amazon SES feedback traffic, for the demo, the benchmarks and the tests.

Three layers, each usable on its own:

* **Document builders** (:func:`mail_object`, :func:`delivery_event`, :func:`bounce_event`,
  ...) return SES documents as dicts, shaped exactly as SES emits them: the
  event-publishing form (``eventType``, ``mail.tags``) and, for Bounce, Complaint and
  Delivery, the identity-notification form (``notificationType``, no tags).
* **Envelope wrappers** (:func:`as_raw`, :func:`as_sns`, :func:`as_eventbridge`, plus the
  control bodies) turn a document into the text of one SQS message body.
* **The traffic generator** (:func:`generate_traffic`) plays a day of transactional mail:
  sends, the events SES would publish for them (with duplicates, cross-envelope twins,
  out-of-order arrival and a few malformed bodies), and the outcome the contract
  (``outcomes.md``) says each notification must end up with.

The receiving servers' replies come from :data:`FAILURE_SCENARIOS`, built from section 7
of the SES reference (``V`` strings seen verbatim in public sources, placeholders for
addresses, IPs and trace ids). Pure: stdlib only, every random choice from a seeded
:class:`random.Random`, no I/O except :func:`write_sample`.

Run ``python -m worker.simulation [path]`` to rebuild ``worker/samples/ses-feedback-sample.jsonl``.
"""

from __future__ import annotations

import gc
import hashlib
import json
import random
import re
import sys
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from worker.domain.addresses import normalise_address
from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status, rank_of
from worker.domain.timestamps import format_timestamp, parse_timestamp

Doc = dict[str, Any]
"""One SES document (or part of one) as JSON-ready data."""

DocForm = Literal["event", "notification"]
"""``event``: event publishing (``eventType``); ``notification``: identity notification."""

Signer = Callable[[dict[str, str]], dict[str, str]]
"""Signs an SNS envelope: receives its fields (without signature fields), returns
``SignatureVersion``, ``Signature`` and ``SigningCertURL``."""

# --- constants of the simulated account ------------------------------------------------

REGION: Final = "eu-west-1"
ACCOUNT_ID: Final = "111122223333"
CONFIGURATION_SET: Final = "inboxgap-prod"
FROM_DOMAIN: Final = "notify.example.com"
DEFAULT_SOURCE: Final = "InboxGap <noreply@notify.example.com>"
SOURCE_IP: Final = "203.0.113.7"
CALLER_IDENTITY: Final = "inboxgap-sender"
DEFAULT_TOPIC_ARN: Final = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:inboxgap-ses-feedback"
SES_EVENT_SUBJECT: Final = "Amazon SES Email Event Notification"
EVENT_PUBLISHING_SETUP_MESSAGE: Final = (
    "Successfully validated SNS topic for Amazon SES event publishing."
)
#: SES's default retry window before an expiry bounce (reference 4.2).
RETRY_WINDOW: Final = timedelta(minutes=840)

#: SNS signature placeholders used when no signer is given (not a valid signature).
PLACEHOLDER_SIGNATURE: Final = (
    "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN"
    "6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q="
)
_PLACEHOLDER_CERT = "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"

#: Sub-object key per ``eventType`` (reference 3.1): note ``failure`` for rendering failures.
SUB_OBJECT_KEYS: Final[Mapping[str, str]] = {
    "Send": "send",
    "Delivery": "delivery",
    "Bounce": "bounce",
    "Complaint": "complaint",
    "DeliveryDelay": "deliveryDelay",
    "Reject": "reject",
    "Rendering Failure": "failure",
    "Open": "open",
    "Click": "click",
    "Subscription": "subscription",
}
#: EventBridge ``detail-type`` per ``eventType`` (reference 1.5).
DETAIL_TYPES: Final[Mapping[str, str]] = {
    "Send": "Email Sent",
    "Delivery": "Email Delivered",
    "Bounce": "Email Bounced",
    "Complaint": "Email Complaint Received",
    "Reject": "Email Rejected",
    "Rendering Failure": "Email Rendering Failed",
    "DeliveryDelay": "Email Delivery Delayed",
    "Open": "Email Opened",
    "Click": "Email Clicked",
    "Subscription": "Email Subscribed",
}
#: The only event types SES can send as identity notifications.
IDENTITY_NOTIFICATION_TYPES: Final = frozenset({"Bounce", "Complaint", "Delivery"})

_SES_HOSTS = ("b224-13", "b224-20", "b224-7", "a8-70", "b224-31", "a7-18")
SES_DSN_MTA: Final = f"dsn; b224-13.smtp-out.{REGION}.amazonses.com"
SES_SUPPRESSION_MTA: Final = "dns; amazonses.com"

# --- ids and timestamps ----------------------------------------------------------------

_SES_ID = re.compile(
    r"^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$"
)
"""The shape of SES ``messageId`` and ``feedbackId`` values (60 characters)."""


def _uuid_text(bits: int) -> str:
    h = f"{bits:032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def _ses_id(rng: random.Random, at: datetime | None) -> str:
    if at is None:
        stamp = f"{rng.getrandbits(48):012x}"
    else:
        stamp = f"{int(at.timestamp() * 1000) & 0xFFFFFFFFFFFF:012x}"
    return f"0102{stamp}-{_uuid_text(rng.getrandbits(128))}-000000"


def message_id(rng: random.Random, at: datetime | None = None) -> str:
    """An SES ``messageId`` of the real shape: ``0102<12 hex>-<uuid4>-000000`` (60 chars).

    With ``at``, the 12 hex digits are the millisecond epoch time, as in real eu-west-1
    ids (``0102019560aa0f11`` is 2025-03-04T10:18:32.593Z)."""
    return _ses_id(rng, at)


def feedback_id(rng: random.Random, at: datetime | None = None) -> str:
    """A bounce/complaint ``feedbackId``: the same 60-character shape as a messageId."""
    return _ses_id(rng, at)


def is_ses_id(value: str) -> bool:
    """True when ``value`` has the shape of an SES messageId / feedbackId."""
    return bool(_SES_ID.match(value))


def _stable_uuid(*parts: str) -> str:
    """A uuid4-shaped id derived from text: deterministic envelope ids without an rng."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).digest()
    return _uuid_text(int.from_bytes(digest, "big"))


def _ts(value: str | datetime) -> str:
    if isinstance(value, str):
        return value
    return _utc_text(value) if value.tzinfo is UTC else format_timestamp(value)


def _utc_text(moment: datetime) -> str:
    """``format_timestamp`` for aware UTC datetimes, about three times faster."""
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _rfc2822(moment: datetime) -> str:
    """``email.utils.format_datetime``, with a fast path for UTC (used once per message)."""
    if moment.tzinfo is not UTC:
        return format_datetime(moment)
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} +0000"
    )


def _region_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else REGION


# --- providers: who answers for a recipient domain -------------------------------------


@dataclass(frozen=True, slots=True)
class RecipientDomain:
    """A recipient domain and the mail system behind it.

    ``provider`` names who answers SMTP (``google``, ``microsoft``, ``yahoo``, ``apple``,
    ``proofpoint``, ``mimecast``, ``barracuda``, ``trendmicro``, ``symantec``,
    ``postfix``, ``simulator``, ``none``); ``weight`` is its share of ordinary traffic;
    ``quarantine_factor`` multiplies its share of quarantined outcomes; ``complaints`` is
    True for consumer providers that run a feedback loop with SES (Gmail does not).
    """

    name: str
    provider: str
    company: bool
    weight: float
    remote_ip: str
    quarantine_factor: float = 1.0
    complaints: bool = False


DOMAINS: Final[tuple[RecipientDomain, ...]] = (
    RecipientDomain("gmail.com", "google", False, 30, "198.51.100.26"),
    RecipientDomain("outlook.com", "microsoft", False, 12, "198.51.100.40", complaints=True),
    RecipientDomain("yahoo.com", "yahoo", False, 8, "198.51.100.52", complaints=True),
    RecipientDomain("icloud.com", "apple", False, 6, "198.51.100.61"),
    RecipientDomain("acme.example", "proofpoint", True, 9, "198.51.100.70"),
    RecipientDomain("contoso.example", "microsoft", True, 12, "198.51.100.41"),
    RecipientDomain("fabrikam.example", "google", True, 8, "198.51.100.27"),
    RecipientDomain("globex.example", "mimecast", True, 5, "198.51.100.80", quarantine_factor=6),
    RecipientDomain("initech.example", "barracuda", True, 4, "198.51.100.90"),
    RecipientDomain("umbrella.example", "trendmicro", True, 3, "198.51.100.100"),
    RecipientDomain("initrode.example", "symantec", True, 2, "198.51.100.110"),
    RecipientDomain("hooli.example", "postfix", True, 2, "198.51.100.120"),
    # A typo domain: never receives mail, only appears in DNS-failure expiry bounces.
    RecipientDomain("gmail.con", "none", False, 0, ""),
)
_DOMAIN_BY_NAME = {d.name: d for d in DOMAINS}
_SIMULATOR = RecipientDomain("simulator.amazonses.com", "simulator", False, 0, "198.51.100.5")


@lru_cache(maxsize=4096)
def _domain_info(address: str) -> RecipientDomain | None:
    domain = normalise_address(address).rpartition("@")[2]
    if domain == _SIMULATOR.name:
        return _SIMULATOR
    return _DOMAIN_BY_NAME.get(domain)


def _hexdigits(seed: str, n: int) -> str:
    return hashlib.blake2b(seed.encode("utf-8"), digest_size=16).hexdigest()[:n]


def smtp_response_for(address: str, message_id: str, epoch: int) -> str:
    """The receiving server's ``250`` reply for a delivery to ``address``.

    The Microsoft and mailbox-simulator replies are the reference's (1.3, 7.6); the others
    are the usual forms of those servers, marked as SES passes them on (Gmail's
    ``- gsmtp``, MessageLabs' tower host...). Trace ids are derived from the message id.
    """
    info = _domain_info(address)
    provider = info.provider if info else "postfix"
    h = _hexdigits(message_id, 24)
    if provider == "google":
        return f"250 2.0.0 OK  {epoch} {h[:13]}-{h[13:24]}si{epoch % 9973}.{epoch % 997} - gsmtp"
    if provider == "microsoft":
        host = (
            "DM6PR11MB4593.namprd11.prod.outlook.com"
            if info is not None and not info.company
            else "AM0PR01MB0001.eurprd01.prod.outlook.com"
        )
        size = 9000 + int(h[:4], 16) % 20000
        return (
            f"250 2.6.0 <{message_id}@{REGION}.amazonses.com> [InternalId="
            f"{int(h[:10], 16) % 10**13:013d}, Hostname={host}] {size} bytes in 0.101, "
            "176.0 KB/sec Queued mail for delivery"
        )
    if provider == "yahoo":
        return "250 ok dirdel"
    if provider == "proofpoint":
        return f"250 2.0.0 {h[:14]} Message accepted for delivery"
    if provider == "mimecast":
        return "250 Ok: Message accepted"
    if provider == "symantec":
        tower = int(h[:2], 16)
        return (
            f"250 ok {epoch} qp {int(h[2:6], 16)} server-{tower % 20}.tower-{tower}.messagelabs.com"
            f"!{epoch}!{int(h[6:12], 16) % 10**7}!1"
        )
    if provider == "simulator":
        return "250 2.6.0 Message received"
    return f"250 2.0.0 Ok: queued as {h[:12].upper()}"


# --- document builders -----------------------------------------------------------------


def mail_object(
    message_id: str,
    destination: Sequence[str],
    *,
    timestamp: str | datetime,
    source: str = DEFAULT_SOURCE,
    tags: Mapping[str, str | Sequence[str]] | None = None,
    subject: str | None = None,
) -> Doc:
    """The event-publishing ``mail`` object (reference section 2).

    ``tags`` are the message tags set at send time (a string becomes a one-value list);
    SES's automatic ``ses:*`` tags are added. Headers are the ones a plain templated send
    has; ``commonHeaders.messageId`` is the SES id, as in AWS's event-publishing samples.
    """
    stamp = _ts(timestamp)
    moment = timestamp if isinstance(timestamp, datetime) else parse_timestamp(timestamp)
    all_tags: dict[str, list[str]] = {
        "ses:operation": ["SendEmail"],
        "ses:configuration-set": [CONFIGURATION_SET],
        "ses:source-ip": [SOURCE_IP],
        "ses:from-domain": [FROM_DOMAIN],
        "ses:caller-identity": [CALLER_IDENTITY],
    }
    for name, value in (tags or {}).items():
        all_tags[name] = [value] if isinstance(value, str) else list(value)
    to_header = ", ".join(destination)
    headers = [
        {"name": "From", "value": source},
        {"name": "To", "value": to_header},
    ]
    if subject is not None:
        headers.append({"name": "Subject", "value": subject})
    headers += [
        {"name": "MIME-Version", "value": "1.0"},
        {
            "name": "Content-Type",
            "value": f'multipart/alternative; boundary="----=_Part_{message_id[4:16]}"',
        },
    ]
    common: Doc = {"from": [source], "to": list(destination), "messageId": message_id}
    if moment is not None:
        common["date"] = _rfc2822(moment)
    if subject is not None:
        common["subject"] = subject
    return {
        "timestamp": stamp,
        "source": source,
        "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{FROM_DOMAIN}",
        "sendingAccountId": ACCOUNT_ID,
        "messageId": message_id,
        "destination": list(destination),
        "headersTruncated": False,
        "headers": headers,
        "commonHeaders": common,
        "tags": all_tags,
    }


def _identity_mail(mail: Mapping[str, Any]) -> Doc:
    """The identity-notification ``mail``: no tags or headers, plus sourceIp/callerIdentity."""
    return {
        "timestamp": mail["timestamp"],
        "source": mail["source"],
        "sourceArn": mail.get(
            "sourceArn", f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{FROM_DOMAIN}"
        ),
        "sourceIp": SOURCE_IP,
        "callerIdentity": CALLER_IDENTITY,
        "sendingAccountId": mail.get("sendingAccountId", ACCOUNT_ID),
        "messageId": mail["messageId"],
        "destination": mail["destination"],
    }


def to_identity_notification(doc: Mapping[str, Any]) -> Doc:
    """The identity-notification form (``notificationType``) of a Bounce, Complaint or
    Delivery document. Raises ValueError for types SES never sends that way."""
    if "notificationType" in doc:
        return dict(doc)
    event_type = doc.get("eventType")
    if event_type not in IDENTITY_NOTIFICATION_TYPES:
        raise ValueError(f"{event_type!r} events exist only in event publishing")
    key = SUB_OBJECT_KEYS[event_type]
    return {"notificationType": event_type, key: doc[key], "mail": _identity_mail(doc["mail"])}


def to_event_publishing(doc: Mapping[str, Any]) -> Doc:
    """The event-publishing form (``eventType``) of a document; identity notifications are
    converted (their mail keeps what it has: there are no tags to recover)."""
    if "eventType" in doc:
        return dict(doc)
    event_type = doc["notificationType"]
    key = SUB_OBJECT_KEYS[event_type]
    return {"eventType": event_type, "mail": doc["mail"], key: doc[key]}


def _document(event_type: str, mail: Doc, sub: Doc, form: DocForm) -> Doc:
    key = SUB_OBJECT_KEYS[event_type]
    if form == "notification":
        if event_type not in IDENTITY_NOTIFICATION_TYPES:
            raise ValueError(f"{event_type!r} events exist only in event publishing")
        return {"notificationType": event_type, key: sub, "mail": _identity_mail(mail)}
    return {"eventType": event_type, "mail": mail, key: sub}


def send_event(mail: Doc) -> Doc:
    """A ``Send`` event: SES accepted the message (``send`` is always ``{}``)."""
    return {"eventType": "Send", "mail": mail, "send": {}}


def delivery_event(
    mail: Doc,
    recipients: Sequence[str],
    *,
    timestamp: str | datetime,
    smtp_response: str | None = None,
    processing_time_millis: int | None = None,
    reporting_mta: str | None = None,
    remote_mta_ip: str | None = None,
    form: DocForm = "event",
) -> Doc:
    """A ``Delivery``: the receiving server accepted the message for ``recipients``.

    Defaults: the provider's own ``250`` reply for the first recipient, processing time
    from ``mail.timestamp``, an SES outbound host, the provider's MX address."""
    stamp = _ts(timestamp)
    if processing_time_millis is None or smtp_response is None:
        moment = timestamp if isinstance(timestamp, datetime) else parse_timestamp(timestamp)
        if processing_time_millis is None:
            sent = parse_timestamp(mail["timestamp"])
            processing_time_millis = (
                max(0, int((moment - sent).total_seconds() * 1000)) if moment and sent else 0
            )
        if smtp_response is None:
            epoch = int(moment.timestamp()) if moment else 0
            smtp_response = smtp_response_for(recipients[0], mail["messageId"], epoch)
    if remote_mta_ip is None:
        info = _domain_info(recipients[0])
        remote_mta_ip = info.remote_ip if info and info.remote_ip else "198.51.100.200"
    sub = {
        "timestamp": stamp,
        "processingTimeMillis": processing_time_millis,
        "recipients": list(recipients),
        "smtpResponse": smtp_response,
        "reportingMTA": reporting_mta or f"{_SES_HOSTS[1]}.smtp-out.{REGION}.amazonses.com",
        "remoteMtaIp": remote_mta_ip,
    }
    return _document("Delivery", mail, sub, form)


def bounced_recipient(
    address: str,
    *,
    action: str | None = "failed",
    status: str | None = None,
    diagnostic: str | None = None,
) -> Doc:
    """One ``bouncedRecipients`` entry; None fields are left out (as SES does)."""
    entry: Doc = {"emailAddress": address}
    if action is not None:
        entry["action"] = action
    if status is not None:
        entry["status"] = status
    if diagnostic is not None:
        entry["diagnosticCode"] = diagnostic
    return entry


def bounce_event(
    mail: Doc,
    recipients_entries: Sequence[Mapping[str, Any]],
    bounce_type: str,
    bounce_subtype: str,
    *,
    feedback_id: str,
    timestamp: str | datetime,
    reporting_mta: str | None = None,
    remote_mta_ip: str | None = None,
    form: DocForm = "event",
) -> Doc:
    """A ``Bounce``. ``recipients_entries`` are ``bouncedRecipients`` entries (see
    :func:`bounced_recipient`); ``reportingMTA``/``remoteMtaIp`` only when given."""
    sub: Doc = {
        "bounceType": bounce_type,
        "bounceSubType": bounce_subtype,
        "bouncedRecipients": [dict(entry) for entry in recipients_entries],
        "timestamp": _ts(timestamp),
        "feedbackId": feedback_id,
    }
    if remote_mta_ip is not None:
        sub["remoteMtaIp"] = remote_mta_ip
    if reporting_mta is not None:
        sub["reportingMTA"] = reporting_mta
    return _document("Bounce", mail, sub, form)


def complaint_event(
    mail: Doc,
    recipients: Sequence[str],
    *,
    feedback_id: str,
    timestamp: str | datetime,
    feedback_type: str | None = "abuse",
    sub_type: str | None = None,
    user_agent: str | None = "ExampleISP Feedback Loop",
    arrival_date: str | datetime | None = None,
    form: DocForm = "event",
) -> Doc:
    """A ``Complaint``. With ``sub_type="OnAccountSuppressionList"`` pass
    ``feedback_type=None``: no feedback report exists, so the ARF fields are left out."""
    sub: Doc = {
        "complainedRecipients": [{"emailAddress": address} for address in recipients],
        "timestamp": _ts(timestamp),
        "feedbackId": feedback_id,
        "complaintSubType": sub_type,
    }
    if feedback_type is not None:
        sub["complaintFeedbackType"] = feedback_type
        if user_agent is not None:
            sub["userAgent"] = user_agent
        sub["arrivalDate"] = _ts(arrival_date if arrival_date is not None else timestamp)
    return _document("Complaint", mail, sub, form)


def delivery_delay_event(
    mail: Doc,
    delayed_entries: Sequence[Mapping[str, Any]],
    *,
    timestamp: str | datetime,
    delay_type: str = "TransientCommunicationFailure",
    expiration_time: str | datetime | None = None,
    reporting_mta: str | None = None,
) -> Doc:
    """A ``DeliveryDelay`` (event publishing only). ``delayed_entries`` are
    ``{emailAddress, status, diagnosticCode}``; expiry defaults to mail time + 840 min."""
    if expiration_time is None:
        sent = parse_timestamp(mail["timestamp"])
        expiration_time = _ts(sent + RETRY_WINDOW) if sent else _ts(timestamp)
    sub = {
        "timestamp": _ts(timestamp),
        "delayType": delay_type,
        "expirationTime": _ts(expiration_time),
        "delayedRecipients": [dict(entry) for entry in delayed_entries],
        "reportingMTA": reporting_mta or f"{_SES_HOSTS[0]}.smtp-out.{REGION}.amazonses.com",
    }
    return {"eventType": "DeliveryDelay", "mail": mail, "deliveryDelay": sub}


def reject_event(mail: Doc, *, reason: str = "Bad content") -> Doc:
    """A ``Reject``: SES found a virus and attempted no delivery."""
    return {"eventType": "Reject", "mail": mail, "reject": {"reason": reason}}


def rendering_failure_event(
    mail: Doc,
    *,
    template_name: str,
    error_message: str = "Attribute 'firstName' is not present in the rendering data.",
) -> Doc:
    """A ``Rendering Failure`` (with a space); its sub-object key is ``failure``."""
    return {
        "eventType": "Rendering Failure",
        "mail": mail,
        "failure": {"templateName": template_name, "errorMessage": error_message},
    }


def open_event(
    mail: Doc,
    *,
    timestamp: str | datetime,
    ip_address: str = "192.0.2.150",
    user_agent: str = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
    "(via ggpht.com GoogleImageProxy)",
) -> Doc:
    """An ``Open`` (per message: SES cannot tell which recipient opened)."""
    sub = {"ipAddress": ip_address, "timestamp": _ts(timestamp), "userAgent": user_agent}
    return {"eventType": "Open", "mail": mail, "open": sub}


def click_event(
    mail: Doc,
    *,
    timestamp: str | datetime,
    link: str,
    ip_address: str = "192.0.2.151",
    user_agent: str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    link_tags: Mapping[str, Sequence[str]] | None = None,
) -> Doc:
    """A ``Click`` on ``link`` (per message)."""
    sub = {
        "timestamp": _ts(timestamp),
        "ipAddress": ip_address,
        "userAgent": user_agent,
        "link": link,
        "linkTags": {name: list(values) for name, values in (link_tags or {}).items()},
    }
    return {"eventType": "Click", "mail": mail, "click": sub}


def subscription_event(
    mail: Doc,
    *,
    timestamp: str | datetime,
    contact_list: str = "inboxgap-digest",
    topic: str = "weekly_digest",
    unsubscribe_all: bool = False,
) -> Doc:
    """A ``Subscription`` event: the contact opted out of ``topic``."""

    def preferences(status: str) -> Doc:
        return {
            "unsubscribeAll": unsubscribe_all and status == "OptOut",
            "topicSubscriptionStatus": [{"topicName": topic, "subscriptionStatus": status}],
        }

    sub = {
        "contactList": contact_list,
        "timestamp": _ts(timestamp),
        "source": "UnsubscribeFromHeader",
        "newTopicPreferences": preferences("OptOut"),
        "oldTopicPreferences": preferences("OptIn"),
    }
    return {"eventType": "Subscription", "mail": mail, "subscription": sub}


# --- envelopes -------------------------------------------------------------------------


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
#: ``json.dumps`` of one string (quoted, ASCII-escaped), without the encoder's overhead.
_escape_json_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


def _dumps(value: Any) -> str:
    """Compact single-line JSON, as SES writes its documents."""
    return _ENCODE(value)


def _event_timestamp(doc: Mapping[str, Any]) -> str:
    kind = doc.get("eventType") or doc.get("notificationType")
    sub = doc.get(SUB_OBJECT_KEYS.get(str(kind), ""), None)
    if isinstance(sub, Mapping) and isinstance(sub.get("timestamp"), str):
        return str(sub["timestamp"])
    mail = doc.get("mail")
    if isinstance(mail, Mapping) and isinstance(mail.get("timestamp"), str):
        return str(mail["timestamp"])
    return "1970-01-01T00:00:00.000Z"


def as_raw(doc: Mapping[str, Any]) -> str:
    """Raw message delivery (path C): the SES document itself, no envelope."""
    return _dumps(doc)


class _Auto:
    """Marker type for "choose the default" arguments."""


_AUTO: Final = _Auto()


def _sns_body(
    type_: str,
    message: str,
    *,
    topic_arn: str,
    timestamp: str,
    message_id: str | None,
    subject: str | None,
    signer: Signer | None,
    extra: Mapping[str, str] | None = None,
) -> str:
    message_id = message_id or _stable_uuid(topic_arn, type_, message)
    if signer is None and type_ == "Notification":
        # The hot path of the traffic generator: the same text as below, from a template.
        esc = _escape_json_string
        subject_field = "" if subject is None else f',"Subject":{esc(subject)}'
        return (
            f'{{"Type":"Notification","MessageId":{esc(message_id)},"TopicArn":{esc(topic_arn)}'
            f'{subject_field},"Message":{esc(message)},"Timestamp":{esc(timestamp)},'
            f"{_unsigned_tail(topic_arn)}"
        )
    fields: dict[str, str] = {"Type": type_, "MessageId": message_id}
    if extra and "Token" in extra:
        fields["Token"] = extra["Token"]
    fields["TopicArn"] = topic_arn
    if subject is not None:
        fields["Subject"] = subject
    fields["Message"] = message
    if extra and "SubscribeURL" in extra:
        fields["SubscribeURL"] = extra["SubscribeURL"]
    fields["Timestamp"] = timestamp
    signature = _placeholder_signature(topic_arn) if signer is None else signer(dict(fields))
    envelope: dict[str, str] = {**fields, **signature}
    if type_ == "Notification":
        envelope["UnsubscribeURL"] = _unsubscribe_url(topic_arn)
    return _dumps(envelope)


def _placeholder_signature(topic_arn: str) -> dict[str, str]:
    return {
        "SignatureVersion": "1",
        "Signature": PLACEHOLDER_SIGNATURE,
        "SigningCertURL": f"https://sns.{_region_of(topic_arn)}.amazonaws.com/{_PLACEHOLDER_CERT}",
    }


@lru_cache(maxsize=64)
def _unsigned_tail(topic_arn: str) -> str:
    """The fields after ``Timestamp`` of an unsigned Notification, as JSON (no braces)."""
    tail = {**_placeholder_signature(topic_arn), "UnsubscribeURL": _unsubscribe_url(topic_arn)}
    return _dumps(tail)[1:]


@lru_cache(maxsize=64)
def _unsubscribe_url(topic_arn: str) -> str:
    return (
        f"https://sns.{_region_of(topic_arn)}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        f"{topic_arn}:{_stable_uuid('subscription', topic_arn)}"
    )


def as_sns(
    doc: Mapping[str, Any],
    *,
    topic_arn: str = DEFAULT_TOPIC_ARN,
    signer: Signer | None = None,
    subject: str | _Auto | None = _AUTO,
    timestamp: str | None = None,
    message_id: str | None = None,
) -> str:
    """An SNS ``Notification`` envelope (paths A/B) whose ``Message`` is ``doc`` as compact
    JSON text.

    ``subject`` defaults to SES's "Amazon SES Email Event Notification" for event
    publishing and to none for identity notifications. ``timestamp`` defaults to the
    event's own; ``message_id`` to a uuid derived from the content (deterministic).
    Without a ``signer`` the signature fields are placeholders that do not verify; with
    one, it receives the envelope's fields and its answer is placed after ``Timestamp``.
    """
    if isinstance(subject, _Auto):
        subject = SES_EVENT_SUBJECT if "eventType" in doc else None
    return _sns_body(
        "Notification",
        _dumps(doc),
        topic_arn=topic_arn,
        timestamp=timestamp or _event_timestamp(doc),
        message_id=message_id,
        subject=subject,
        signer=signer,
    )


def as_eventbridge(doc: Mapping[str, Any], *, event_id: str | None = None) -> str:
    """An EventBridge event (path D): ``detail`` is the event-publishing document;
    identity notifications are converted first. ``time`` has second precision."""
    detail = to_event_publishing(doc)
    detail_json = _dumps(detail)
    return _eventbridge_body(
        detail_json,
        str(detail["eventType"]),
        _event_timestamp(detail),
        str(detail.get("mail", {}).get("sendingAccountId", ACCOUNT_ID)),
        event_id or _stable_uuid("eventbridge", detail_json),
    )


def _eventbridge_body(
    detail_json: str, event_type: str, event_timestamp: str, account: str, event_id: str
) -> str:
    # The same text as _dumps of the event dict, with the already-serialised detail
    # spliced in instead of serialised a second time.
    esc = _escape_json_string
    detail_type = DETAIL_TYPES.get(event_type, f"Email {event_type}")
    resource = f"arn:aws:ses:{REGION}:{account}:configuration-set/{CONFIGURATION_SET}"
    return (
        f'{{"version":"0","id":{esc(event_id)},"detail-type":{esc(detail_type)},'
        f'"source":"aws.ses","account":{esc(account)},"time":{esc(event_timestamp[:19] + "Z")},'
        f'"region":{esc(REGION)},"resources":[{esc(resource)}],"detail":{detail_json}}}'
    )


def subscription_confirmation(
    *,
    topic_arn: str = DEFAULT_TOPIC_ARN,
    token: str | None = None,
    timestamp: str = "2025-03-01T08:00:00.000Z",
    signer: Signer | None = None,
    unsubscribe: bool = False,
) -> str:
    """An SNS ``SubscriptionConfirmation`` (or ``UnsubscribeConfirmation``) body, as SNS
    puts into the queue when another account subscribes it (reference 1.6). ``token``
    defaults to a value derived from the topic ARN."""
    region = _region_of(topic_arn)
    token = token or hashlib.sha256(topic_arn.encode("utf-8")).hexdigest()
    subscribe_url = (
        f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={topic_arn}&Token={token}"
    )
    if unsubscribe:
        message = (
            f"You have chosen to deactivate subscription to the topic {topic_arn}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL "
            "included in this message."
        )
    else:
        message = (
            f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
    return _sns_body(
        "UnsubscribeConfirmation" if unsubscribe else "SubscriptionConfirmation",
        message,
        topic_arn=topic_arn,
        timestamp=timestamp,
        message_id=None,
        subject=None,
        signer=signer,
        extra={"Token": token, "SubscribeURL": subscribe_url},
    )


def setup_notice(
    kind: Literal["event_publishing", "identity"] = "event_publishing",
    *,
    topic_arn: str = DEFAULT_TOPIC_ARN,
    identity: str = FROM_DOMAIN,
    notification_type: str = "Complaint",
    timestamp: str = "2025-03-01T08:00:05.000Z",
    signer: Signer | None = None,
) -> str:
    """SES's set-up notice in an SNS envelope: the plain text for event-publishing topics,
    or the ``AmazonSnsSubscriptionSucceeded`` document for identity topics."""
    if kind == "event_publishing":
        message = EVENT_PUBLISHING_SETUP_MESSAGE
    else:
        message = _dumps(
            {
                "notificationType": "AmazonSnsSubscriptionSucceeded",
                "message": (
                    f"You have successfully subscribed your Amazon SNS topic '{topic_arn}' to "
                    f"receive '{notification_type}' notifications from Amazon SES for "
                    f"identity '{identity}'."
                ),
            }
        )
    return _sns_body(
        "Notification",
        message,
        topic_arn=topic_arn,
        timestamp=timestamp,
        message_id=None,
        subject=None,
        signer=signer,
    )


def service_event(
    detail_type: str = "Sending Status Disabled",
    *,
    time: str = "2025-03-05T02:00:00Z",
    detail: Mapping[str, Any] | None = None,
) -> str:
    """An ``aws.ses`` EventBridge event that is not about a message (no ``mail``)."""
    body = {
        "version": "0",
        "id": _stable_uuid("service", detail_type, time),
        "detail-type": detail_type,
        "source": "aws.ses",
        "account": ACCOUNT_ID,
        "time": time,
        "region": REGION,
        "resources": [],
        "detail": dict(detail or {"sendingStatus": "DISABLED", "reason": "REVIEW"}),
    }
    return _dumps(body)


# --- failure scenarios -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailureScenario:
    """One realistic bounce: what SES reports and what the contract says it means.

    ``diagnostic`` is the ``diagnosticCode`` as SES writes it; ``someone@<domain>`` in it
    stands for the recipient (see :meth:`diagnostic_for`). ``domain`` is the recipient
    domain the reply usually comes from (None: any). ``ref`` points at the reference row
    (section 7) the text comes from. ``after_delivery`` marks bounces a remote system sends
    after accepting the message (reporting MTA is the remote host). ``delay_type`` is set
    for SES expiry bounces (status 4.4.7): the ``DeliveryDelay`` type seen before them.
    ``expected_reason`` follows the contract's bounce procedure step by step.
    """

    name: str
    bounce_type: str
    bounce_subtype: str
    status: str | None
    diagnostic: str | None
    reporting_mta: str | None
    expected_reason: Reason
    domain: str | None
    ref: str = ""
    after_delivery: bool = False
    delay_type: str | None = None

    @property
    def expected_status(self) -> Status:
        """The status the expected reason belongs to."""
        return STATUS_OF_REASON[self.expected_reason]

    @property
    def is_expiry(self) -> bool:
        """An SES "Message expired" bounce that quotes the last remote reply."""
        return self.status == "4.4.7"

    @property
    def inner_reply(self) -> str | None:
        """For expiry bounces, the last remote reply quoted in angle brackets."""
        if not self.diagnostic or not self.is_expiry:
            return None
        start = self.diagnostic.rfind(".<")
        return self.diagnostic[start + 2 : -1] if start != -1 else None

    def diagnostic_for(self, address: str) -> str | None:
        """The diagnostic with the placeholder recipient replaced by ``address``."""
        if self.diagnostic is None or self.domain is None:
            return self.diagnostic
        return self.diagnostic.replace(f"someone@{self.domain}", address)


def _expired(inner: str) -> str:
    return f"smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<{inner}>"


_GTRACE = "d9443c01a7336-1dcb5f1b3a6si1234567pln.123 - gsmtp"
_MS_FRONT = "[AM5EUR03FT035.eop-EUR03.prod.protection.outlook.com]"
_MC_REF = "[xGa9oRXsPUm_4wQWkz1Lhg.uk225]"
_MC_DOC = "https://community.mimecast.com/docs/DOC-1369"

R = Reason
P, T, U = "Permanent", "Transient", "Undetermined"

#: Realistic failures, per provider; texts from the SES reference, section 7.
FAILURE_SCENARIOS: Final[tuple[FailureScenario, ...]] = (
    # Google (Gmail and Workspace)
    FailureScenario(
        "gmail_no_such_user", P, "General", "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1 "
        f"https://support.google.com/mail/?p=NoSuchUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "gmail.com", "7.1#1",
    ),
    FailureScenario(
        "gmail_no_such_user_noemail", P, "NoEmail", "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
        f"more at https://support.google.com/mail/?p=NoSuchUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "gmail.com", "7.1#1",
    ),
    FailureScenario(
        "gmail_disabled", P, "General", "5.2.1",
        "smtp; 550 5.2.1 The email account that you tried to reach is disabled. Learn more at "
        f"https://support.google.com/mail/?p=DisabledUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_DISABLED, "gmail.com", "7.1#2",
    ),
    # Issue 13: "out of storage space and inactive" is decisive for mailbox_full (4c).
    FailureScenario(
        "gmail_over_quota_inactive", P, "General", "5.2.2",
        "smtp; 552-5.2.2 The recipient's inbox is out of storage space and inactive. Please "
        "direct the recipient to 552 5.2.2 https://support.google.com/mail/?p=OverQuotaPerm "
        f"{_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_FULL, "gmail.com", "7.1#4",
    ),
    FailureScenario(
        "gmail_dmarc", P, "General", "5.7.26",
        "smtp; 550 5.7.26 Unauthenticated email from notify.example.com is not accepted due to "
        "domain's DMARC policy. Please contact the administrator of notify.example.com domain "
        "if this was a legitimate mail. To learn about the DMARC initiative, go to "
        f"https://support.google.com/mail/?p=DmarcRejection {_GTRACE}",
        SES_DSN_MTA, R.AUTH_FAILED, "gmail.com", "7.1#5",
    ),
    FailureScenario(
        "gmail_unauthenticated", P, "General", "5.7.26",
        "smtp; 550-5.7.26 This mail has been blocked because the sender is unauthenticated. "
        "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. "
        "550 5.7.26 https://support.google.com/mail/answer/81126#authentication "
        f"{_GTRACE}",
        SES_DSN_MTA, R.AUTH_FAILED, "gmail.com", "7.1#6",
    ),
    FailureScenario(
        "gmail_unsolicited", P, "General", "5.7.1",
        "smtp; 550-5.7.1 [192.0.2.10 12] Gmail has detected that this message is likely "
        "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
        "blocked. For more information, go to "
        f"https://support.google.com/mail/?p=UnsolicitedMessageError {_GTRACE}",
        SES_DSN_MTA, R.SPAM_FILTERED, "gmail.com", "7.1#7",
    ),
    FailureScenario(
        "gmail_unsolicited_content_rejected", T, "ContentRejected", "5.7.1",
        "smtp; 550-5.7.1 [192.0.2.10 12] Gmail has detected that this message is likely "
        "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
        "blocked. For more information, go to "
        f"https://support.google.com/mail/?p=UnsolicitedMessageError {_GTRACE}",
        SES_DSN_MTA, R.SPAM_FILTERED, "gmail.com", "7.1#7",
    ),
    # An IP-reputation block in Google's words ("your IP address has been blocked"):
    # sender_blocklisted since issue 13 (outcomes.md 4e.3).
    FailureScenario(
        "gmail_ip_unsolicited_rate", P, "General", "5.7.1",
        "smtp; 550-5.7.1 [192.0.2.10 1] Our system has detected an unusual rate of unsolicited "
        "mail originating from your IP address. To protect our users from spam, mail sent from "
        "your IP address has been blocked. Please visit "
        "https://support.google.com/mail/?p=UnsolicitedIPError to review our Bulk Email "
        f"Senders Guidelines. {_GTRACE}",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "gmail.com", "7.1#8",
    ),
    FailureScenario(
        "gmail_domain_reputation", P, "General", "5.7.1",
        "smtp; 550 5.7.1 [192.0.2.10] Our system has detected that this message is likely "
        "suspicious due to the very low reputation of the sending domain. For more "
        f"information, go to https://support.google.com/mail/answer/188131 {_GTRACE}",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "gmail.com", "7.1#10",
    ),
    FailureScenario(
        "gmail_no_ptr", P, "General", "5.7.25",
        "smtp; 550 5.7.25 The IP address sending this message does not have a PTR record "
        "setup, or the corresponding forward DNS entry does not point to the sending IP. "
        f"{_GTRACE}",
        SES_DSN_MTA, R.POLICY_BLOCKED, "gmail.com", "7.1#12",
    ),
    FailureScenario(
        "gmail_message_too_large", P, "General", "5.2.3",
        "smtp; 552-5.2.3 Your message exceeded Google's message size limits. Please visit "
        "552 5.2.3 https://support.google.com/mail/?p=MaxSizeError to view our size "
        f"guidelines. {_GTRACE}",
        SES_DSN_MTA, R.MESSAGE_TOO_LARGE, "gmail.com", "7.1#14",
    ),
    FailureScenario(
        "gmail_max_size_subtype", T, "MessageTooLarge", "5.3.4",
        "smtp; 552 5.3.4 Your message exceeded Google's message size limits. Please visit "
        f"https://support.google.com/mail/?p=MaxSizeError to view our size guidelines. {_GTRACE}",
        SES_DSN_MTA, R.MESSAGE_TOO_LARGE, "gmail.com", "7.1#14",
    ),
    FailureScenario(
        "gmail_inbox_full_expired", T, "General", "4.4.7",
        _expired(
            "452-4.2.2 The recipient's inbox is out of storage space. Please direct the "
            "recipient to<CRLF>452 4.2.2 https://support.google.com/mail/?p=OverQuotaTemp "
            + _GTRACE
        ),
        SES_DSN_MTA, R.MAILBOX_FULL, "gmail.com", "4.2+7.1#3", delay_type="MailboxFull",
    ),
    FailureScenario(
        "workspace_no_such_user", P, "General", "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
        f"more at https://support.google.com/mail/?p=NoSuchUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "fabrikam.example", "7.1#1",
    ),
    FailureScenario(
        "workspace_admin_policy", P, "General", "5.7.1",
        "smtp; 550 5.7.1 The user or domain that you are sending to (or from) has a policy "
        "that prohibited the mail that you sent. Please contact your domain administrator "
        f"for further details. https://support.google.com/a/answer/172179 {_GTRACE}",
        SES_DSN_MTA, R.POLICY_BLOCKED, "fabrikam.example", "7.1#15",
    ),
    # Microsoft (Microsoft 365 tenant contoso.example; Outlook.com consumers)
    FailureScenario(
        "m365_recipient_not_found", P, "General", "5.1.10",
        "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address "
        f"lookup {_MS_FRONT}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "contoso.example", "7.2#16",
    ),
    FailureScenario(
        "m365_edge_blocking", P, "General", "5.4.1",
        f"smtp; 550 5.4.1 Recipient address rejected: Access denied. AS(201806281) {_MS_FRONT}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "contoso.example", "7.2#17",
    ),
    FailureScenario(
        "m365_dmarc", P, "General", "5.7.509",
        "smtp; 550 5.7.509 Access denied, sending domain notify.example.com does not pass "
        f"DMARC verification and has a DMARC policy of reject. {_MS_FRONT}",
        SES_DSN_MTA, R.AUTH_FAILED, "contoso.example", "7.2#24",
    ),
    FailureScenario(
        "m365_group_senders_only", P, "General", "5.7.133",
        "smtp; 550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication "
        "required; Delivery restriction check failed as sender not authenticated for group "
        f"{_MS_FRONT}",
        SES_DSN_MTA, R.POLICY_BLOCKED, "contoso.example", "7.2#26",
    ),
    FailureScenario(
        "m365_mailbox_full", P, "General", "5.2.2",
        "smtp; 554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
        f"MapiExceptionShutoffQuotaExceeded {_MS_FRONT}",
        SES_DSN_MTA, R.MAILBOX_FULL, "contoso.example", "7.2#27",
    ),
    # Outlook.com's own wording for an unknown address (provider code table, issue 13).
    FailureScenario(
        "outlook_mailbox_unavailable", P, "General", "5.5.0",
        "smtp; 550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302) "
        "[DM6PR11MB4593.namprd11.prod.outlook.com]",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "outlook.com", "7.2#18",
    ),
    FailureScenario(
        "outlook_banned_ip", P, "General", "5.7.606",
        "smtp; 550 5.7.606 Access denied, banned sending IP [192.0.2.20]. To request removal "
        "from this list please visit https://sender.office.com/ and follow the directions. For "
        "more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#19",
    ),
    FailureScenario(
        "outlook_spamhaus_ip", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable, Client host [192.0.2.20] blocked using Spamhaus. "
        "To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.20 "
        "(AS3130).",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#20",
    ),
    FailureScenario(
        "outlook_spamhaus_domain", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable, MailFrom domain is listed in Spamhaus. To request "
        "removal from this list see https://www.spamhaus.org/query/lookup/ (S8002)",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#21",
    ),
    FailureScenario(
        "outlook_network_block_list", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.20] weren't sent. Please "
        "contact your Internet service provider since part of their network is on our block "
        "list (S3150). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors.",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#22",
    ),
    FailureScenario(
        "outlook_ip_reputation_expired", T, "General", "4.4.7",
        _expired(
            "451 4.7.650 The mail server [192.0.2.20] has been temporarily rate limited due to "
            "IP reputation. For e-mail delivery information, see https://postmaster.live.com "
            "(S775)"
        ),
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "4.2+7.2#23", delay_type="IPFailure",
    ),
    # Yahoo / AOL
    FailureScenario(
        "yahoo_no_account", P, "General", "5.0.0",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
        "(someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "yahoo.com", "7.3#28",
    ),
    FailureScenario(
        "yahoo_no_account_after_delivery", P, "General", "5.0.0",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
        "(someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
        "dns; mta1234.mail.gq1.yahoo.com", R.MAILBOX_NOT_FOUND, "yahoo.com", "7.3#28",
        after_delivery=True,
    ),
    FailureScenario(
        "yahoo_disabled", P, "General", "5.0.0",
        "smtp; 554 delivery error: dd Sorry, your message to someone@yahoo.com cannot be "
        "delivered. This mailbox is disabled (554.30). - mta1234.mail.yahoo.com",
        SES_DSN_MTA, R.MAILBOX_DISABLED, "yahoo.com", "7.3#29",
    ),
    FailureScenario(
        "yahoo_policy", P, "General", "5.7.9",
        "smtp; 554 5.7.9 Message not accepted for policy reasons. See "
        "https://postmaster.yahooinc.com/error-codes",
        SES_DSN_MTA, R.POLICY_BLOCKED, "yahoo.com", "7.3#31",
    ),
    FailureScenario(
        "yahoo_ph01_policy", P, "General", "5.0.0",
        "smtp; 554 Message not allowed - [PH01] Email not accepted for policy reasons. Please "
        "visit https://postmaster.yahooinc.com/error-codes",
        # Yahoo's [PH01] is a content verdict (provider code table, issue 13).
        SES_DSN_MTA, R.SPAM_FILTERED, "yahoo.com", "7.3#32",
    ),
    FailureScenario(
        "yahoo_spamhaus", P, "General", "5.7.1",
        "smtp; 553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.30, because the "
        "ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "yahoo.com", "7.3#34",
    ),
    # Yahoo's [TSS04]: deferred for the sender's volume/complaints, i.e. its reputation
    # (provider code table, issue 13).
    FailureScenario(
        "yahoo_deferred_expired", T, "General", "4.4.7",
        _expired(
            "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"
        ),
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "yahoo.com", "4.2+7.3#33", delay_type="IPFailure",
    ),
    # Apple iCloud
    FailureScenario(
        "icloud_user_unknown", P, "NoEmail", "5.1.1",
        "smtp; 550 5.1.1 <someone@icloud.com>: user does not exist",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "icloud.com", "7.3#35",
    ),
    FailureScenario(
        "icloud_over_quota", T, "MailboxFull", "5.2.2",
        "smtp; 552 5.2.2 <someone@icloud.com>: user is over quota",
        SES_DSN_MTA, R.MAILBOX_FULL, "icloud.com", "7.3#36",
    ),
    FailureScenario(
        "icloud_local_policy", P, "General", "5.7.1",
        "smtp; 554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
        "https://support.apple.com/en-us/HT204137",
        SES_DSN_MTA, R.POLICY_BLOCKED, "icloud.com", "7.3#37",
    ),
    FailureScenario(
        "icloud_dmarc", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Your message was rejected due to notify.example.com's DMARC policy. "
        "See https://support.apple.com/en-us/HT204137 for info",
        SES_DSN_MTA, R.AUTH_FAILED, "icloud.com", "7.3#38",
    ),
    FailureScenario(
        "icloud_proofpoint_ip", P, "General", "5.7.0",
        "smtp; 550 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.40",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "icloud.com", "7.3#40",
    ),
    FailureScenario(
        "icloud_spamhaus_dbl", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Your email was rejected due to having a domain present in the "
        "Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "icloud.com", "7.5#67",
    ),
    # Proofpoint (acme.example)
    FailureScenario(
        "proofpoint_ipcheck", P, "General", "5.0.0",
        "smtp; 554 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.50",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "acme.example", "7.4#47",
    ),
    FailureScenario(
        "proofpoint_dynamic_reputation", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using "
        "prs.proofpoint.com",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "acme.example", "7.4#48",
    ),
    FailureScenario(
        "proofpoint_dmarc", P, "General", "5.7.0",
        "smtp; 550 5.7.0 Email rejected per sender's DMARC policy",
        SES_DSN_MTA, R.AUTH_FAILED, "acme.example", "7.4#49",
    ),
    # No product name in the reply and SES's own host reported it: plain policy.
    FailureScenario(
        "proofpoint_local_policy", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Message rejected due to local policy",
        SES_DSN_MTA, R.POLICY_BLOCKED, "acme.example", "7.4#50",
    ),
    # Mimecast (globex.example): a security product's 5xx refusal with no other words.
    FailureScenario(
        "mimecast_anti_spoofing", P, "General", "5.0.0",
        "smtp; 550 Rejected by header based Anti-Spoofing policy: noreply@notify.example.com "
        f"- {_MC_DOC}#550 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#41",
    ),
    FailureScenario(
        "mimecast_envelope_blocked", P, "General", "5.0.0",
        f"smtp; 550 Envelope blocked - User Entry - {_MC_DOC}#550 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#42",
    ),
    FailureScenario(
        "mimecast_administrative_prohibition", P, "General", "5.0.0",
        f"smtp; 550 Administrative prohibition - envelope blocked - {_MC_DOC}#550 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#43",
    ),
    FailureScenario(
        "mimecast_security_policies", P, "General", "5.0.0",
        f"smtp; 554 Email rejected due to security policies - {_MC_DOC}#554 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#44",
    ),
    FailureScenario(
        "mimecast_dmarc", P, "General", "5.0.0",
        f"smtp; 550 DMARC Sender Invalid - envelope rejected - {_MC_DOC}#550",
        SES_DSN_MTA, R.AUTH_FAILED, "globex.example", "7.4#45",
    ),
    # A gateway's 4xx that outlasted SES's retries is not a verdict.
    FailureScenario(
        "mimecast_greylist_expired", T, "General", "4.4.7",
        _expired(f"451 Internal resource temporarily unavailable - {_MC_DOC}#451"),
        SES_DSN_MTA, R.SOFT_BOUNCE, "globex.example", "4.2+7.4#46",
        delay_type="RecipientServerError",
    ),
    # Barracuda (initech.example)
    FailureScenario(
        "barracuda_reputation", P, "General", "5.0.0",
        "smtp; 554 Service unavailable; Client host [192.0.2.60] blocked using Barracuda "
        "Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.60",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "initech.example", "7.4#51",
    ),
    # Accepted, then refused by the gateway: the product shows in the reporting MTA only.
    FailureScenario(
        "barracuda_blocked_after_delivery", P, "General", "5.0.0",
        "smtp; 550 permanent failure for one or more recipients (someone@initech.example:blocked)",
        "dns; d123456a.ess.barracudanetworks.com", R.SECURITY_GATEWAY, "initech.example",
        "7.4#52", after_delivery=True,
    ),
    FailureScenario(
        "barracuda_spam_url", P, "General", "5.0.0",
        "smtp; 554 rejected due to spam URL in content",
        SES_DSN_MTA, R.SPAM_FILTERED, "initech.example", "7.4#53",
    ),
    FailureScenario(
        "barracuda_banned_content", T, "ContentRejected", "5.0.0",
        "smtp; 554 rejecting banned content",
        SES_DSN_MTA, R.SPAM_FILTERED, "initech.example", "7.4#53",
    ),
    FailureScenario(
        "barracuda_user_unknown", P, "General", "5.1.1",
        "smtp; 550 cuda_nsu 5.1.1 <someone@initech.example>... User unknown",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "initech.example", "7.4#54",
    ),
    # Trend Micro (umbrella.example)
    FailureScenario(
        "trendmicro_rbl", P, "General", "5.0.0",
        "smtp; 550 Service unavailable; Client Host [192.0.2.70] blocked using Trend Micro "
        "RBL+. Please see http://www.mail-abuse.com/cgi-bin/lookup?ip_address=192.0.2.70",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "umbrella.example", "7.4#58",
    ),
    FailureScenario(
        "trendmicro_ers_dul", P, "General", "5.7.1",
        "smtp; 550 5.7.1 <someone@umbrella.example>: Recipient address rejected: Mail from "
        "<192.0.2.70> was refused due to the sender IP found in ERS-DUL. For details, query the "
        "IP reputation on https://servicecentral.trendmicro.com/en-US/ers/.",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "umbrella.example", "7.4#59",
    ),
    # Symantec / MessageLabs (initrode.example)
    FailureScenario(
        "symantec_spf_fail", P, "General", "5.7.1",
        "smtp; 553-SPF (Sender Policy Framework) domain authentication fail. Refer to the "
        "Troubleshooting page at http://www.symanteccloud.com/troubleshooting for more "
        "information. (#5.7.1)",
        SES_DSN_MTA, R.AUTH_FAILED, "initrode.example", "7.4#61",
    ),
    # Recognised by the symanteccloud marker (reference 7.7); else 5.7.1 → policy_blocked.
    FailureScenario(
        "symantec_message_filtered", P, "General", "5.7.1",
        "smtp; 553 Message filtered. Refer to the Troubleshooting page at "
        "http://www.symanteccloud.com/troubleshooting for more information. (#5.7.1)",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "initrode.example", "7.4#62",
    ),
    FailureScenario(
        "symantec_invalid_recipient", P, "General", "5.1.1",
        "smtp; 550 Invalid recipient <someone@initrode.example> (#5.1.1)",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "initrode.example", "7.4#63",
    ),
    # Public blocklists behind a self-hosted Postfix (hooli.example)
    FailureScenario(
        "spamhaus_zen", P, "General", "5.7.1",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.80] blocked using "
        "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.80",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "hooli.example", "7.5#65",
    ),
    FailureScenario(
        "spamcop", P, "General", "5.7.1",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.90] blocked using "
        "bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.90",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "hooli.example", "7.5#68",
    ),
    FailureScenario(
        "cloudmark", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using Cloudmark "
        "Sender Intelligence (Visit http://csi.cloudmark.com/reset-request/ if you feel this "
        "is in error)",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "hooli.example", "7.4#64",
    ),
    FailureScenario(
        "connection_timed_out_expired", T, "General", "4.4.7",
        _expired("421 4.4.2 Connection timed out"),
        SES_DSN_MTA, R.SOFT_BOUNCE, "hooli.example", "7.6#72",
        delay_type="TransientCommunicationFailure",
    ),
    FailureScenario(
        "dns_lookup_failed_expired", T, "General", "4.4.7",
        _expired("421 4.4.0 Unable to lookup DNS for gmail.con"),
        SES_DSN_MTA, R.DOMAIN_NOT_FOUND, "gmail.con", "4.2", delay_type="General",
    ),
    # SES itself
    FailureScenario(
        "ses_account_suppression_list", P, "OnAccountSuppressionList", "5.1.1",
        "Amazon SES did not send the message to this address because it is on the suppression "
        "list for your account. For more information about removing addresses from the "
        "suppression list, see the Amazon SES Developer Guide at "
        "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html",
        SES_SUPPRESSION_MTA, R.SUPPRESSED, None, "7.6#70",
    ),
    FailureScenario(
        "ses_global_suppression", P, "Suppressed", "5.1.1",
        "Amazon SES has suppressed sending to this address because it has a recent history of "
        "bouncing as an invalid address. For more information about how to remove an address "
        "from the suppression list, see the Amazon SES Developer Guide: "
        "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html",
        SES_SUPPRESSION_MTA, R.SUPPRESSED, None, "7.6#71",
    ),
    FailureScenario(
        "ses_undetermined", U, "Undetermined", None, None, None, R.UNDETERMINED, None, "4.1",
    ),
    # A permanent refusal that names no reason: a mail loop (Microsoft's NDR page, 5.4.14).
    FailureScenario(
        "exchange_hop_count_exceeded", P, "General", "5.4.14",
        "smtp; 554 5.4.14 Hop count exceeded - possible mail loop ATTR34",
        SES_DSN_MTA, R.HARD_BOUNCE, None, "MS NDR 5.4.14",
    ),
)  # fmt: skip

SCENARIOS_BY_NAME: Final[Mapping[str, FailureScenario]] = {s.name: s for s in FAILURE_SCENARIOS}


def scenario_bounce(
    mail: Doc,
    address: str,
    scenario: FailureScenario,
    *,
    feedback_id: str,
    timestamp: str | datetime,
    remote_mta_ip: str | None = None,
    reported_address: str | None = None,
    form: DocForm = "event",
) -> Doc:
    """The ``Bounce`` SES sends for ``address`` in ``scenario`` (one recipient entry).

    ``reported_address`` is the ``emailAddress`` as SES writes it, when it differs (a
    display name in suppression bounces)."""
    shown = reported_address or address
    if scenario.status is None and scenario.diagnostic is None:
        entry = bounced_recipient(shown, action=None)
    else:
        entry = bounced_recipient(
            shown, status=scenario.status, diagnostic=scenario.diagnostic_for(address)
        )
    return bounce_event(
        mail,
        [entry],
        scenario.bounce_type,
        scenario.bounce_subtype,
        feedback_id=feedback_id,
        timestamp=timestamp,
        reporting_mta=scenario.reporting_mta,
        remote_mta_ip=remote_mta_ip,
        form=form,
    )


#: Delay replies seen before an eventual delivery, per provider: (delayType, status, reply).
_DELAY_REPLIES: Final[Mapping[str, tuple[tuple[str, str, str], ...]]] = {
    "google": (
        (
            "IPFailure",
            "4.7.28",
            "421 4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited "
            "mail originating from your IP address. To protect our users from spam, mail sent "
            "from your IP address has been temporarily rate limited. Please visit "
            "https://support.google.com/mail/?p=UnsolicitedRateLimitError " + _GTRACE,
        ),
        (
            "RecipientServerError",
            "4.2.1",
            "450 4.2.1 The user you are trying to contact is receiving mail at a rate that "
            "prevents additional messages from being delivered. "
            "https://support.google.com/mail/?p=ReceivingRate " + _GTRACE,
        ),
    ),
    "microsoft": (
        (
            "IPFailure",
            "4.7.650",
            "451 4.7.650 The mail server [192.0.2.20] has been temporarily rate limited due to "
            "IP reputation. For e-mail delivery information, see https://postmaster.live.com "
            "(S775)",
        ),
    ),
    "yahoo": (
        (
            "IPFailure",
            "4.7.0",
            "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        ),
    ),
    "apple": (
        (
            "IPFailure",
            "4.7.1",
            "421 4.7.1 Messages to someone@icloud.com deferred due to excessive volume. Try "
            "again later - https://support.apple.com/en-us/HT204137",
        ),
    ),
    "mimecast": (
        (
            "RecipientServerError",
            "4.0.0",
            f"451 Internal resource temporarily unavailable - {_MC_DOC}#451",
        ),
    ),
    "": (("TransientCommunicationFailure", "4.4.1", "421 4.4.1 Unable to connect to remote host"),),
}

# --- the traffic generator -------------------------------------------------------------


@dataclass(slots=True)
class SentRecord:
    """One row of the notification log: a notification handed to SES for one recipient."""

    notification_id: str
    message_id: str
    recipient: str
    sent_at: datetime
    notification_type: str


@dataclass(slots=True)
class Traffic:
    """What :func:`generate_traffic` produced.

    ``sends``: the notification log, in send order. ``bodies``: SQS message bodies in
    arrival order, malformed ones included. ``expected``: the contract's final
    ``(status, reason)`` for every notification id, as if the feedback window had not
    passed (no ``unknown``). ``early``: notification ids whose sent record should be
    written only after the bodies were ingested (their events "arrive before the send").
    ``malformed``: the bodies that are not usable SES events (also in ``bodies``).
    ``counts``: event types, envelopes, duplicates... for benchmarks and sanity checks.
    """

    sends: list[SentRecord]
    bodies: list[str]
    expected: dict[str, tuple[Status, Reason]]
    early: set[str] = field(default_factory=set)
    malformed: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def initial_sends(self) -> list[SentRecord]:
        """Sent records to write before the bodies are ingested."""
        return [s for s in self.sends if s.notification_id not in self.early]

    def late_sends(self) -> list[SentRecord]:
        """Sent records to write after the bodies (their events arrived first)."""
        return [s for s in self.sends if s.notification_id in self.early]


@dataclass(frozen=True, slots=True)
class _NotificationType:
    name: str
    weight: float
    multi_rate: float
    subject: str
    template: str
    link: str


_NOTIFICATION_TYPES = (
    _NotificationType(
        "magic_code", 35, 0.0, "Your sign-in code", "magic-code-v3", "https://app.example.com/login"
    ),
    _NotificationType(
        "password_reset",
        10,
        0.0,
        "Reset your password",
        "password-reset-v2",
        "https://app.example.com/reset",
    ),
    _NotificationType(
        "approval_request",
        15,
        0.4,
        "Approval needed: purchase order PO-{n}",
        "approval-request-v1",
        "https://app.example.com/approvals",
    ),
    _NotificationType(
        "alert",
        15,
        0.3,
        "[Alert] Disk usage above 90% on db-{n}",
        "alert-v4",
        "https://status.example.com/incidents",
    ),
    _NotificationType(
        "weekly_digest",
        25,
        0.0,
        "Your weekly digest",
        "weekly-digest-v7",
        "https://app.example.com/digest",
    ),
)

_FIRST = (
    "jane", "omar", "li", "maria", "kenji", "amara", "lucas", "priya", "noah", "sofia",
    "ahmed", "chloe", "mateo", "yuki", "elena", "david", "fatima", "tom", "ines", "raj",
)  # fmt: skip
_LAST = (
    "doe", "haddad", "wei", "garcia", "tanaka", "okafor", "martin", "sharma", "smith",
    "rossi", "khan", "dubois", "lopez", "sato", "novak", "cohen", "ali", "berg", "silva",
)  # fmt: skip

#: Recipient-level outcome plans and their base weights (per notification).
_KINDS: tuple[tuple[str, float], ...] = (
    ("delivered", 0.800),
    ("delivered_autoreply", 0.010),
    ("delivered_then_bounce", 0.005),
    ("delivered_not_spam", 0.002),
    ("complaint", 0.010),
    ("bounced", 0.040),
    ("quarantined", 0.030),
    ("suppressed", 0.010),
    ("delay_delivered", 0.020),
    ("delay_expired", 0.006),
    ("delay_pending", 0.002),
    ("send_only", 0.005),
    ("undetermined", 0.001),
)
#: Message-level plans (all recipients of the message), drawn before the recipient plans.
_MESSAGE_KINDS: tuple[tuple[str, float], ...] = (
    ("no_feedback", 0.008),
    ("reject", 0.002),
    ("rendering_failure", 0.002),
)
#: Plans forced onto a few messages so that small traffic still shows every case.
_FORCED = (
    "bounced",
    "quarantined",
    "delay_expired",
    "reject",
    "rendering_failure",
    "delivered_autoreply",
    "delivered_not_spam",
    "complaint",
    "suppressed",
    "delivered_then_bounce",
    "delay_delivered",
    "no_feedback",
    "delay_pending",
    "undetermined",
)
_MESSAGE_LEVEL = frozenset(name for name, _ in _MESSAGE_KINDS)
_DELIVERING = frozenset(
    {"delivered", "delivered_autoreply", "delivered_then_bounce", "delivered_not_spam", "complaint"}
)


def _scenario_pool(kind: str) -> list[FailureScenario]:
    out = []
    for s in FAILURE_SCENARIOS:
        if kind == "bounced":
            ok = (
                s.expected_status is Status.BOUNCED
                and not s.is_expiry
                and not s.after_delivery
                and s.expected_reason not in (Reason.SUPPRESSED, Reason.UNDETERMINED)
            )
        elif kind == "quarantined":
            ok = (
                s.expected_status is Status.QUARANTINED and not s.is_expiry and not s.after_delivery
            )
        elif kind == "delay_expired":
            ok = s.is_expiry
        elif kind == "delivered_then_bounce":
            ok = s.after_delivery
        elif kind == "suppressed":
            ok = s.expected_reason is Reason.SUPPRESSED
        elif kind == "undetermined":
            ok = s.expected_reason is Reason.UNDETERMINED
        else:
            ok = False
        if ok:
            out.append(s)
    return out


_SCENARIO_KINDS = (
    "bounced",
    "quarantined",
    "delay_expired",
    "delivered_then_bounce",
    "suppressed",
    "undetermined",
)
_ORDINARY_DOMAINS = tuple(d for d in DOMAINS if d.weight > 0)
_COMPANY_DOMAINS = tuple(d for d in _ORDINARY_DOMAINS if d.company)


def _pools() -> dict[tuple[str, str], list[FailureScenario]]:
    pools: dict[tuple[str, str], list[FailureScenario]] = {}
    for kind in _SCENARIO_KINDS:
        for s in _scenario_pool(kind):
            names = [s.domain] if s.domain is not None else [d.name for d in _ORDINARY_DOMAINS]
            for name in names:
                pools.setdefault((kind, name), []).append(s)
    return pools


_POOLS = _pools()


def _eligible(kind: str, domain: RecipientDomain) -> bool:
    if kind in _SCENARIO_KINDS:
        return (kind, domain.name) in _POOLS
    if kind in ("complaint", "delivered_not_spam"):
        return domain.complaints
    return domain.weight > 0


def _domain_table(kind: str) -> tuple[list[RecipientDomain], list[float]]:
    domains: list[RecipientDomain] = []
    weights: list[float] = []
    for d in DOMAINS:
        if not _eligible(kind, d):
            continue
        weight = d.weight if d.weight > 0 else 2.0  # the typo domain, only where eligible
        if kind == "quarantined":
            weight *= d.quarantine_factor
        domains.append(d)
        weights.append(weight)
    return domains, list(accumulate(weights))


_DOMAIN_TABLES = {name: _domain_table(name) for name, _ in _KINDS}

_OPEN_AGENTS = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
)
_FBL_AGENTS = {"yahoo.com": "Yahoo!-Mail-Feedback/2.0", "outlook.com": "Microsoft JMRP"}


_SOURCE_JSON = json.dumps(DEFAULT_SOURCE)
_MAIL_HEAD = (
    f',"source":{_SOURCE_JSON},"sourceArn":'
    f'"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{FROM_DOMAIN}",'
    f'"sendingAccountId":"{ACCOUNT_ID}","messageId":'
)
_AUTO_TAGS_JSON = (
    f'"ses:operation":["SendEmail"],"ses:configuration-set":["{CONFIGURATION_SET}"],'
    f'"ses:source-ip":["{SOURCE_IP}"],"ses:from-domain":["{FROM_DOMAIN}"],'
    f'"ses:caller-identity":["{CALLER_IDENTITY}"]'
)


def _generated_mail_json(mail: Doc) -> str:
    """``_dumps(mail)`` for a mail the generator made with :func:`mail_object` (default
    source, a subject, tags ``notification_id`` and ``notification_type``), from a
    template: about five times faster. The tests check it against ``_dumps``."""
    esc = _escape_json_string
    message_id = esc(mail["messageId"])
    destination = "[" + ",".join(map(esc, mail["destination"])) + "]"
    headers = mail["headers"]
    common = mail["commonHeaders"]
    subject = esc(common["subject"])
    tags = mail["tags"]
    return (
        f'{{"timestamp":{esc(mail["timestamp"])}{_MAIL_HEAD}{message_id},'
        f'"destination":{destination},"headersTruncated":false,"headers":['
        f'{{"name":"From","value":{_SOURCE_JSON}}},'
        f'{{"name":"To","value":{esc(headers[1]["value"])}}},'
        f'{{"name":"Subject","value":{subject}}},'
        f'{{"name":"MIME-Version","value":"1.0"}},'
        f'{{"name":"Content-Type","value":{esc(headers[4]["value"])}}}],'
        f'"commonHeaders":{{"from":[{_SOURCE_JSON}],"to":{destination},'
        f'"messageId":{message_id},"date":{esc(common["date"])},"subject":{subject}}},'
        f'"tags":{{{_AUTO_TAGS_JSON},"notification_id":[{esc(tags["notification_id"][0])}],'
        f'"notification_type":[{esc(tags["notification_type"][0])}]}}}}'
    )


_EVENT_KEYS = {name: f"event:{name}" for name in SUB_OBJECT_KEYS}
_ENVELOPE_KEYS = {name: f"envelope:{name}" for name in ("sns", "raw", "eventbridge")}


def _ms(delta_ms: int) -> timedelta:
    return timedelta(milliseconds=delta_ms)


_T = TypeVar("_T")


class _Rng(random.Random):
    """``random.Random`` plus cheaper draws for the generator's hot path (the floor of
    ``random() * n``: uniform enough for a simulation, and still fixed by the seed)."""

    def below(self, n: int) -> int:
        """An int in ``[0, n)``."""
        return int(self.random() * n)

    def pick(self, seq: Sequence[_T]) -> _T:
        """One element of ``seq``, uniformly."""
        return seq[int(self.random() * len(seq))]

    def weighted(self, seq: Sequence[_T], cumulative: Sequence[float]) -> _T:
        """One element of ``seq``, by cumulative weights."""
        return seq[bisect(cumulative, self.random() * cumulative[-1])]


class _Generator:
    """State of one :func:`generate_traffic` run (rng, outputs, the expected ledger)."""

    def __init__(
        self,
        *,
        seed: int,
        start: datetime,
        duplicate_rate: float,
        envelopes: Sequence[str],
        topic_arn: str,
        signer: Signer | None,
        early_rate: float,
    ) -> None:
        unknown = set(envelopes) - {"sns", "raw", "eventbridge"}
        if unknown or not envelopes:
            raise ValueError(f"envelopes must be some of sns, raw, eventbridge; got {envelopes!r}")
        self.rng = _Rng(seed)
        self.seed = seed
        self.start = start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC)
        self.duplicate_rate = duplicate_rate
        self.early_rate = early_rate
        self.envelopes = tuple(dict.fromkeys(envelopes))
        weights = {"sns": 3.0, "raw": 1.0, "eventbridge": 1.0}
        self.envelope_weights = list(accumulate(weights[e] for e in self.envelopes))
        self.identity_paths = tuple(e for e in self.envelopes if e != "eventbridge")
        self.topic_arn = topic_arn
        self.signer = signer
        # Bodies in emission order, and their publication times (for the unshuffled order).
        self.bodies: list[str] = []
        self.keys: list[str] = []
        self.sends: list[SentRecord] = []
        self.early: set[str] = set()
        # notification id -> best (rank, timestamp, identity, reason)
        self.ledger: dict[str, tuple[int, str, str, Reason]] = {}
        self.counts: dict[str, int] = {}
        self.delivery_docs: list[Doc] = []
        self._mail: Doc | None = None
        self._mail_text = ""
        self._identity_text: str | None = None

    # -- output --------------------------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    # Serialising ``mail`` (about 1 KB) dominates the cost of a body, and every event of a
    # message carries the same one: serialise it once per message and splice the text.
    # The result is byte-for-byte what as_raw/as_sns/as_eventbridge produce (tested).

    def _mail_json(self, mail: Doc, *, identity_form: bool) -> str:
        if self._mail is not mail:
            self._mail = mail
            self._mail_text = _generated_mail_json(mail)
            self._identity_text = None
        if not identity_form:
            return self._mail_text
        if self._identity_text is None:
            self._identity_text = _dumps(_identity_mail(mail))
        return self._identity_text

    def document_text(self, doc: Doc, *, identity_form: bool) -> str:
        """``as_raw(doc)`` (or of its identity-notification form), with the cached mail."""
        event_type = doc["eventType"]
        key = SUB_OBJECT_KEYS[event_type]
        mail = self._mail_json(doc["mail"], identity_form=identity_form)
        sub = _dumps(doc[key])
        if identity_form:
            return f'{{"notificationType":"{event_type}","{key}":{sub},"mail":{mail}}}'
        return f'{{"eventType":"{event_type}","mail":{mail},"{key}":{sub}}}'

    def _uuid(self) -> str:
        return _uuid_text(self.rng.getrandbits(128))

    def _wrap(self, doc: Doc, envelope: str, published: str, *, identity_form: bool) -> str:
        text = self.document_text(doc, identity_form=identity_form)
        if envelope == "raw":
            return text
        if envelope == "sns":
            return _sns_body(
                "Notification",
                text,
                topic_arn=self.topic_arn,
                timestamp=published,
                message_id=self._uuid(),
                subject=None if identity_form else SES_EVENT_SUBJECT,
                signer=self.signer,
            )
        return _eventbridge_body(text, doc["eventType"], published, ACCOUNT_ID, self._uuid())

    def _push(self, key: str, body: str, envelope: str) -> None:
        self.bodies.append(body)
        self.keys.append(key)
        self._count(_ENVELOPE_KEYS[envelope])
        if self.rng.random() < self.duplicate_rate:
            # SQS at-least-once / SNS retry: the very same body again, a little later.
            self.bodies.append(body)
            self.keys.append(key + "~")
            self._count("duplicates")

    def emit(self, doc: Doc) -> None:
        """Wrap one event in a random envelope (sometimes two: a cross-path twin)."""
        rng = self.rng
        event_type = doc["eventType"]
        self._count(_EVENT_KEYS[event_type])
        # SNS publishes within a second or so; the event's own time is close enough and
        # is also the arrival order when the traffic is not shuffled.
        published = _event_timestamp(doc)
        identity_ok = self.identity_paths and event_type in IDENTITY_NOTIFICATION_TYPES
        if identity_ok and rng.random() < 0.25:
            envelope = rng.pick(self.identity_paths)
            body = self._wrap(doc, envelope, published, identity_form=True)
            self._push(published, body, envelope)
            if "eventbridge" in self.envelopes and rng.random() < 0.08:
                # Same event via a second path: the event-publishing copy on EventBridge.
                body = self._wrap(doc, "eventbridge", published, identity_form=False)
                self._push(published, body, "eventbridge")
                self._count("twins")
            return
        envelope = rng.weighted(self.envelopes, self.envelope_weights)
        self._push(published, self._wrap(doc, envelope, published, identity_form=False), envelope)
        if identity_ok and rng.random() < 0.02:
            twin = rng.pick(self.identity_paths)
            self._push(published, self._wrap(doc, twin, published, identity_form=True), twin)
            self._count("twins")

    # -- expected ------------------------------------------------------------------

    def decide(self, notification_id: str, reason: Reason, stamp: str, identity: str) -> None:
        entry = (rank_of(reason), stamp, identity, reason)
        best = self.ledger.get(notification_id)
        if best is None or entry[:3] > best[:3]:
            self.ledger[notification_id] = entry

    # -- one message ---------------------------------------------------------------

    def _address(self, domain: RecipientDomain) -> str:
        rng = self.rng
        first, last = rng.pick(_FIRST), rng.pick(_LAST)
        if domain.company:
            local = f"{first}.{last}"
            if rng.random() < 0.03:
                local = f"{first.capitalize()}.{last.capitalize()}"
        else:
            local = (
                f"{first}{last}{10 + rng.below(89)}" if rng.random() < 0.6 else f"{first}.{last}"
            )
        return f"{local}@{domain.name}"

    def _pick_kind(self, forced: str | None) -> str:
        if forced is not None and forced not in _MESSAGE_LEVEL:
            return forced
        return self.rng.weighted(_KIND_NAMES, _KIND_WEIGHTS)

    def message(self, index: int, at: datetime, forced: str | None, room: int) -> int:
        """Send one message (at most ``room`` recipients) and plan its events; returns
        the number of notifications it made."""
        rng = self.rng
        ntype = rng.weighted(_NOTIFICATION_TYPES, _NTYPE_WEIGHTS)
        message_level: str | None = None
        if forced in _MESSAGE_LEVEL:
            message_level = forced
        else:
            u = rng.random()
            for name, weight in _MESSAGE_KINDS:
                if u < weight:
                    message_level = name
                    break
                u -= weight
        multi = forced is None and rng.random() < ntype.multi_rate
        # Recipients: (address, kind, domain)
        recipients: list[tuple[str, str, RecipientDomain]] = []
        if multi:
            company = rng.weighted(_COMPANY_DOMAINS, _COMPANY_WEIGHTS)
            for _ in range(min(room, rng.pick((2, 2, 3)))):
                kind = self._pick_kind(None)
                if not _eligible(kind, company):
                    kind = "delivered"
                address = self._address(company)
                if any(address == r[0] for r in recipients):
                    continue
                recipients.append((address, kind, company))
        else:
            kind = self._pick_kind(forced)
            domains, weights = _DOMAIN_TABLES[kind]
            domain = rng.weighted(domains, weights)
            recipients.append((self._address(domain), kind, domain))

        mid = message_id(rng, at)
        tag = f"n-{self.seed}-{index:06d}"
        subject = ntype.subject.replace("{n}", str(1000 + rng.below(9000)))
        destination = [
            f"{a.split('@')[0].replace('.', ' ').title()} <{a}>"
            if d.company and rng.random() < 0.05
            else a
            for a, _, d in recipients
        ]
        mail = mail_object(
            mid,
            destination,
            timestamp=at,
            tags={"notification_id": tag, "notification_type": ntype.name},
            subject=subject,
        )
        mail_ts = mail["timestamp"]
        ids = [tag if len(recipients) == 1 else f"{tag}/{a}" for a, _, _ in recipients]
        for nid, (address, _, _) in zip(ids, recipients, strict=True):
            self.sends.append(SentRecord(nid, mid, address, at, ntype.name))
        if rng.random() < self.early_rate:
            self.early.update(ids)

        def whole_message(doc: Doc, reason: Reason) -> None:
            # Send, Reject, Rendering Failure: every destination, at mail.timestamp.
            self.emit(doc)
            for nid, (address, _, _) in zip(ids, recipients, strict=True):
                identity = f"{doc['eventType']}|{mid}|{address.lower()}|{mail_ts}"
                self.decide(nid, reason, mail_ts, identity)

        if message_level is not None:
            self._count(f"plan:{message_level}", len(ids))
        if message_level == "no_feedback":
            return len(ids)
        if message_level == "rendering_failure":
            failure = rendering_failure_event(mail, template_name=ntype.template)
            whole_message(failure, Reason.RENDERING_FAILURE)
            return len(ids)
        whole_message(send_event(mail), Reason.AWAITING_FEEDBACK)
        if message_level == "reject":
            whole_message(reject_event(mail), Reason.REJECTED)
            return len(ids)

        # Deliveries to several recipients of one message are often reported together.
        delivering = [i for i, r in enumerate(recipients) if r[1] in _DELIVERING]
        delivered_at: dict[int, datetime] = {}
        if len(delivering) > 1 and rng.random() < 0.5:
            offset = 400 + rng.below(4000)
            self._deliver(
                mail,
                [recipients[i][0] for i in delivering],
                [ids[i] for i in delivering],
                at,
                offset,
            )
            delivered_at.update(dict.fromkeys(delivering, at + _ms(offset)))
        else:
            for i in delivering:
                offset = 400 + rng.below(4000)
                self._deliver(mail, [recipients[i][0]], [ids[i]], at, offset)
                delivered_at[i] = at + _ms(offset)

        for i, (address, kind, domain) in enumerate(recipients):
            self._count(f"plan:{kind}")
            self._after(mail, ids[i], address, kind, domain, at, delivered_at.get(i))

        if delivered_at and rng.random() < 0.3:
            opened = max(delivered_at.values()) + _ms(60_000 + rng.below(6 * 3_600_000))
            self.emit(open_event(mail, timestamp=opened, user_agent=rng.pick(_OPEN_AGENTS)))
            if rng.random() < 0.35:
                clicked = opened + _ms(2_000 + rng.below(120_000))
                self.emit(
                    click_event(
                        mail,
                        timestamp=clicked,
                        link=ntype.link,
                        link_tags={"campaign": [ntype.name]},
                    )
                )
        return len(ids)

    def _deliver(
        self, mail: Doc, addresses: list[str], ids: list[str], at: datetime, offset: int
    ) -> None:
        rng = self.rng
        when = at + _ms(offset)
        stamp = _utc_text(when)
        doc = delivery_event(
            mail,
            addresses,
            timestamp=stamp,
            smtp_response=smtp_response_for(addresses[0], mail["messageId"], int(when.timestamp())),
            processing_time_millis=offset,
            reporting_mta=f"{rng.pick(_SES_HOSTS)}.smtp-out.{REGION}.amazonses.com",
        )
        self.emit(doc)
        if len(self.delivery_docs) < 8:
            self.delivery_docs.append(doc)
        mid = mail["messageId"]
        for nid, address in zip(ids, addresses, strict=True):
            self.decide(nid, Reason.ACCEPTED, stamp, f"Delivery|{mid}|{address.lower()}|{stamp}")

    def _bounce(
        self,
        mail: Doc,
        nid: str,
        address: str,
        scenario: FailureScenario,
        when: datetime,
        domain: RecipientDomain,
    ) -> None:
        stamp = _utc_text(when)
        fid = feedback_id(self.rng, when)
        reported = None
        if scenario.expected_reason is Reason.SUPPRESSED:
            # Suppression bounces echo the destination as given, display name included.
            wanted = normalise_address(address)
            reported = next(
                (d for d in mail["destination"] if normalise_address(d) == wanted), None
            )
        contacted = scenario.reporting_mta not in (None, SES_SUPPRESSION_MTA)
        doc = scenario_bounce(
            mail,
            address,
            scenario,
            feedback_id=fid,
            timestamp=stamp,
            remote_mta_ip=domain.remote_ip if contacted and domain.remote_ip else None,
            reported_address=reported,
        )
        self.emit(doc)
        self.decide(nid, scenario.expected_reason, stamp, fid)
        self._count(f"scenario:{scenario.name}")

    def _complaint(
        self,
        mail: Doc,
        nid: str,
        address: str,
        when: datetime,
        *,
        feedback_type: str | None,
        user_agent: str | None = None,
        sub_type: str | None = None,
    ) -> None:
        stamp = _utc_text(when)
        fid = feedback_id(self.rng, when)
        doc = complaint_event(
            mail,
            [address],
            feedback_id=fid,
            timestamp=stamp,
            feedback_type=feedback_type,
            sub_type=sub_type,
            user_agent=user_agent,
            arrival_date=when - _ms(self.rng.below(60_000)),
        )
        self.emit(doc)
        if sub_type == "OnAccountSuppressionList":
            self.decide(nid, Reason.SUPPRESSED, stamp, fid)
        elif feedback_type != "not-spam":  # a "not-spam" report corrects, never decides
            self.decide(nid, Reason.COMPLAINT, stamp, fid)

    def _delay(
        self,
        mail: Doc,
        nid: str,
        address: str,
        at: datetime,
        when: datetime,
        reply: tuple[str, str, str],
    ) -> None:
        delay_type, status, text = reply
        stamp = _utc_text(when)
        entry = {"emailAddress": address, "status": status, "diagnosticCode": f"smtp; {text}"}
        doc = delivery_delay_event(
            mail,
            [entry],
            timestamp=stamp,
            delay_type=delay_type,
            expiration_time=_utc_text(at + RETRY_WINDOW),
        )
        self.emit(doc)
        ident = f"DeliveryDelay|{mail['messageId']}|{address.lower()}|{stamp}"
        self.decide(nid, Reason.DELIVERY_DELAYED, stamp, ident)

    def _after(
        self,
        mail: Doc,
        nid: str,
        address: str,
        kind: str,
        domain: RecipientDomain,
        at: datetime,
        delivered: datetime | None,
    ) -> None:
        """Events after the Send (and the delivery, if any) for one recipient."""
        rng = self.rng
        if kind == "suppressed" and rng.random() < 0.3:
            # Listed for a complaint: SES reports it as a complaint with this subtype.
            when = at + _ms(50 + rng.below(400))
            self._complaint(
                mail, nid, address, when, feedback_type=None, sub_type="OnAccountSuppressionList"
            )
        elif kind in ("bounced", "quarantined", "suppressed", "undetermined"):
            scenario = rng.pick(_POOLS[(kind, domain.name)])
            # SES answers for suppressed addresses at once; remote servers take seconds.
            wait = 50 + rng.below(400) if kind == "suppressed" else 500 + rng.below(8000)
            self._bounce(mail, nid, address, scenario, at + _ms(wait), domain)
        elif kind == "delivered_then_bounce" and delivered is not None:
            scenario = rng.pick(_POOLS[(kind, domain.name)])
            when = delivered + _ms(60_000 + rng.below(1_800_000))
            self._bounce(mail, nid, address, scenario, when, domain)
        elif kind == "delivered_autoreply" and delivered is not None:
            when = delivered + _ms(1_000 + rng.below(120_000))
            doc = bounce_event(
                mail,
                [bounced_recipient(address, action=None)],
                "Transient",
                "General",
                feedback_id=feedback_id(rng, when),
                timestamp=when,
            )
            self.emit(doc)  # an out-of-office reply: changes nothing
        elif kind in ("complaint", "delivered_not_spam") and delivered is not None:
            agent = _FBL_AGENTS.get(domain.name, "ExampleISP Feedback Loop")
            when = delivered + _ms(3_600_000 + rng.below(72 * 3_600_000))
            if kind == "complaint":
                self._complaint(mail, nid, address, when, feedback_type="abuse", user_agent=agent)
                if rng.random() >= 0.15:
                    return
                when += _ms(3_600_000 + rng.below(24 * 3_600_000))
            # The recipient (or their provider) takes it back: a correction.
            self._complaint(mail, nid, address, when, feedback_type="not-spam", user_agent=agent)
        elif kind in ("delay_delivered", "delay_pending"):
            replies = _DELAY_REPLIES.get(domain.provider, _DELAY_REPLIES[""])
            delay_type, status, text = rng.pick(replies)
            reply = (delay_type, status, text.replace(f"someone@{domain.name}", address))
            self._delay(mail, nid, address, at, at + _ms(300_000 + rng.below(2_100_000)), reply)
            if kind == "delay_delivered":
                offset = 2_700_000 + rng.below(21_600_000)
                self._deliver(mail, [address], [nid], at, offset)
        elif kind == "delay_expired":
            scenario = rng.pick(_POOLS[(kind, domain.name)])
            inner = scenario.inner_reply or ""
            reply = (scenario.delay_type or "General", _first_code(inner) or "4.0.0", inner)
            first = at + _ms(300_000 + rng.below(2_100_000))
            self._delay(mail, nid, address, at, first, reply)
            if rng.random() < 0.5:
                second = first + _ms(3_600_000 + rng.below(14_400_000))
                self._delay(mail, nid, address, at, second, reply)
            when = at + RETRY_WINDOW + _ms(rng.below(90_000))
            self._bounce(mail, nid, address, scenario, when, domain)
        # delivered, send_only: nothing more


_KIND_NAMES = [name for name, _ in _KINDS]
# Cumulative weights, for _Rng.weighted.
_KIND_WEIGHTS = list(accumulate(weight for _, weight in _KINDS))
_NTYPE_WEIGHTS = list(accumulate(t.weight for t in _NOTIFICATION_TYPES))
_COMPANY_WEIGHTS = list(accumulate(d.weight for d in _COMPANY_DOMAINS))
_CODE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")


def _first_code(text: str) -> str | None:
    found = _CODE.search(text)
    return found.group(1) if found else None


def _malformed_bodies(gen: _Generator, count: int) -> list[str]:
    """Bodies that are not usable SES events. Each is a broken copy of a real event (or not
    JSON at all), so whatever a consumer does with it cannot change ``expected``."""
    rng = gen.rng
    out: list[str] = []
    bases = gen.delivery_docs
    for i in range(count):
        kind = ("not_json", "truncated", "wrong_type", "unknown_event_type")[i % 4]
        base = bases[i % len(bases)] if bases else None
        if kind == "not_json" or base is None:
            out.append(
                rng.pick(
                    (
                        "Test message sent from the SQS console",
                        "<html><body><h1>502 Bad Gateway</h1></body></html>",
                        "ping",
                    )
                )
            )
        elif kind == "truncated":
            text = as_sns(base, topic_arn=gen.topic_arn, signer=gen.signer)
            out.append(text[: len(text) // 2])
        elif kind == "wrong_type":
            delivery = dict(base["delivery"])
            delivery["recipients"] = delivery["recipients"][0]  # a string, not a list
            out.append(as_raw({**base, "delivery": delivery}))
        else:
            broken = {"eventType": "InboxPlacement", "mail": base["mail"], "inboxPlacement": {}}
            out.append(as_raw(broken))
    return out


def _oversize_bodies(gen: _Generator, count: int) -> list[str]:
    """Valid JSON over 256 KiB (not from SES): a real delivery with padded headers."""
    out: list[str] = []
    for i in range(count):
        base = gen.delivery_docs[i % len(gen.delivery_docs)] if gen.delivery_docs else None
        if base is None:
            break
        mail = dict(base["mail"])
        mail["headers"] = [*mail["headers"], {"name": "X-Padding", "value": "x" * 270_000}]
        out.append(as_raw({**base, "mail": mail}))
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: generation allocates millions of small acyclic
    objects, and full collections over a growing heap cost ~15% of the run for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate_traffic(
    *,
    notifications: int,
    seed: int,
    start: datetime,
    duplicate_rate: float = 0.05,
    out_of_order: bool = True,
    early_rate: float = 0.02,
    malformed: int = 3,
    oversize: int = 0,
    envelopes: Sequence[str] = ("sns", "raw", "eventbridge"),
    topic_arn: str = DEFAULT_TOPIC_ARN,
    signer: Signer | None = None,
    mean_interval_seconds: float = 1.0,
) -> Traffic:
    """Simulate ``notifications`` notifications sent from ``start`` and their SES feedback.

    Messages leave about every ``mean_interval_seconds``; about a third of approval
    requests and alerts go to 2-3 people at one company (one notification per recipient,
    sharing the SES messageId). ``mail.tags`` carry ``notification_id`` (one value per
    message) and ``notification_type``; for a multi-recipient message the notification id
    of each recipient is ``<tag>/<recipient address as logged>``.

    Outcome plans (per notification): 80% plainly delivered, and about 1% each delivered
    then complained about, delivered with an out-of-office auto-reply, delayed then
    delivered (2%), suppressed; 4% bounced and 3% quarantined with a reply from
    :data:`FAILURE_SCENARIOS` (the company behind Mimecast is six times as likely to
    quarantine); under 1% each delay-then-expiry, delivered-then-bounced, delayed with no
    outcome yet, Send only, no feedback at all, "not-spam" report, Reject, Rendering
    Failure and Undetermined. Final statuses come out near 88% delivered, 6% bounced, 4%
    quarantined, 2% sent. About 30% of delivered messages get opens, some clicks. Small
    traffic is given each rare plan at least once (up to half of its messages).

    Each event is wrapped in one of ``envelopes`` (identity notifications, a quarter of
    Bounce/Complaint/Delivery events, only via SNS or raw); about 3% of those events
    arrive twice via two paths (same identity, different body); ``duplicate_rate`` of
    bodies are repeated verbatim; the list is shuffled when ``out_of_order``, else in
    publication order. ``malformed`` broken bodies (cycling: not JSON, truncated JSON,
    ``delivery.recipients`` as a string, an unknown eventType) and ``oversize`` bodies over
    256 KiB are inserted at random; both are copies of real events, so whatever a consumer
    does with them, ``expected`` holds. ``early_rate`` of messages are listed in
    :attr:`Traffic.early`. ``signer`` signs every SNS envelope (see :func:`as_sns`).

    ``expected`` follows "Which event wins" over the distinct events generated, as if the
    feedback window had not passed: ``unknown`` never appears (no feedback stays
    ``sent``/``awaiting_feedback``, a pending delay ``sent``/``delivery_delayed``).
    """
    if notifications < 0:
        raise ValueError("notifications must be >= 0")
    gen = _Generator(
        seed=seed,
        start=start,
        duplicate_rate=duplicate_rate,
        envelopes=envelopes,
        topic_arn=topic_arn,
        signer=signer,
        early_rate=early_rate,
    )
    rng = gen.rng
    # Messages average ~1.1 recipients; force the rare cases onto some of the first ones.
    estimate = max(1, int(notifications * 0.85))
    forced_count = min(len(_FORCED), estimate // 2)
    forced_at = dict(
        zip(rng.sample(range(estimate), forced_count), _FORCED[:forced_count], strict=True)
    )
    at = gen.start
    produced = 0
    index = 0
    with _gc_paused():
        while produced < notifications:
            produced += gen.message(index, at, forced_at.get(index), notifications - produced)
            index += 1
            at = at + _ms(int(rng.expovariate(1.0 / max(mean_interval_seconds, 0.001)) * 1000) + 1)

    extras = _malformed_bodies(gen, malformed) + _oversize_bodies(gen, oversize)
    gen.counts["malformed"] = malformed
    gen.counts["oversize"] = len(extras) - malformed
    bodies: list[str]
    if out_of_order:
        bodies = gen.bodies
        rng.shuffle(bodies)
    else:
        order = sorted(range(len(gen.keys)), key=gen.keys.__getitem__)  # stable
        bodies = [gen.bodies[i] for i in order]
    for body in extras:
        bodies.insert(rng.below(len(bodies) + 1), body)

    expected: dict[str, tuple[Status, Reason]] = {}
    for record in gen.sends:
        best = gen.ledger.get(record.notification_id)
        reason = best[3] if best is not None else Reason.AWAITING_FEEDBACK
        expected[record.notification_id] = (STATUS_OF_REASON[reason], reason)
    gen.counts["bodies"] = len(bodies)
    gen.counts["notifications"] = len(gen.sends)
    return Traffic(
        sends=gen.sends,
        bodies=bodies,
        expected=expected,
        early={nid for nid in gen.early if nid in expected},
        malformed=extras,
        counts=dict(sorted(gen.counts.items())),
    )


# --- sample file -----------------------------------------------------------------------

SAMPLE_START: Final = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
SAMPLE_PATH: Final = Path(__file__).parent / "samples" / "ses-feedback-sample.jsonl"


def write_sample(path: str | Path, bodies: Iterable[str]) -> int:
    """Write one body per line (UTF-8); returns the number of lines. Bodies must be
    single-line text (JSON from this module always is)."""
    lines = []
    for body in bodies:
        if "\n" in body or "\r" in body:
            raise ValueError("a body spans several lines; SQS sample files hold one per line")
        lines.append(body)
    Path(path).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)


def hand_picked_bodies() -> list[str]:
    """One body per event type and envelope, plus the control messages, with fixed ids."""
    rng = random.Random(7)
    at = datetime(2025, 3, 4, 8, 30, tzinfo=UTC)

    def mail_for(address: str, ntype: str, subject: str, n: int) -> Doc:
        return mail_object(
            message_id(rng, at + timedelta(minutes=n)),
            [address],
            timestamp=at + timedelta(minutes=n),
            tags={"notification_id": f"n-sample-{n:03d}", "notification_type": ntype},
            subject=subject,
        )

    def later(n: int, seconds: float) -> datetime:
        return at + timedelta(minutes=n, seconds=seconds)

    bodies = []
    m1 = mail_for("jane.doe@acme.example", "magic_code", "Your sign-in code", 1)
    bodies.append(as_raw(send_event(m1)))
    bodies.append(as_sns(delivery_event(m1, ["jane.doe@acme.example"], timestamp=later(1, 1.6))))
    m2 = mail_for("omardoe84@gmail.com", "password_reset", "Reset your password", 2)
    bounce = scenario_bounce(
        m2,
        "omardoe84@gmail.com",
        SCENARIOS_BY_NAME["gmail_no_such_user"],
        feedback_id=feedback_id(rng, later(2, 1)),
        timestamp=later(2, 1),
        remote_mta_ip="198.51.100.26",
        form="notification",
    )
    bodies.append(as_sns(bounce))
    m3 = mail_for("li.wei@yahoo.com", "weekly_digest", "Your weekly digest", 3)
    complaint = complaint_event(
        m3,
        ["li.wei@yahoo.com"],
        feedback_id=feedback_id(rng, later(3, 7200)),
        timestamp=later(3, 7200),
        form="notification",
    )
    bodies.append(as_raw(complaint))
    m4 = mail_for("maria.garcia@globex.example", "approval_request", "Approval needed", 4)
    mimecast = scenario_bounce(
        m4,
        "maria.garcia@globex.example",
        SCENARIOS_BY_NAME["mimecast_security_policies"],
        feedback_id=feedback_id(rng, later(4, 2)),
        timestamp=later(4, 2),
        remote_mta_ip="198.51.100.80",
    )
    bodies.append(as_eventbridge(mimecast))
    m5 = mail_for("kenji.tanaka@outlook.com", "alert", "[Alert] Disk usage above 90% on db-1", 5)
    delay_reply = _DELAY_REPLIES["microsoft"][0]
    bodies.append(
        as_eventbridge(
            delivery_delay_event(
                m5,
                [
                    {
                        "emailAddress": "kenji.tanaka@outlook.com",
                        "status": delay_reply[1],
                        "diagnosticCode": f"smtp; {delay_reply[2]}",
                    }
                ],
                timestamp=later(5, 900),
                delay_type=delay_reply[0],
            )
        )
    )
    m6 = mail_for("amara.okafor@contoso.example", "weekly_digest", "Your weekly digest", 6)
    bodies.append(as_sns(reject_event(m6)))
    m7 = mail_for("lucas.martin@fabrikam.example", "approval_request", "Approval needed", 7)
    bodies.append(as_raw(rendering_failure_event(m7, template_name="approval-request-v1")))
    m8 = mail_for("priya.sharma@gmail.com", "weekly_digest", "Your weekly digest", 8)
    bodies.append(as_eventbridge(open_event(m8, timestamp=later(8, 600))))
    bodies.append(
        as_sns(
            click_event(
                m8,
                timestamp=later(8, 640),
                link="https://app.example.com/digest",
                link_tags={"campaign": ["weekly_digest"]},
            )
        )
    )
    bodies.append(as_raw(subscription_event(m8, timestamp=later(8, 700))))
    m9 = mail_for("success@simulator.amazonses.com", "magic_code", "Your sign-in code", 9)
    bodies.append(
        as_raw(delivery_event(m9, ["success@simulator.amazonses.com"], timestamp=later(9, 0.9)))
    )
    bodies.append(
        subscription_confirmation(
            topic_arn=f"arn:aws:sns:{REGION}:444455556666:partner-ses-feedback"
        )
    )
    bodies.append(setup_notice("event_publishing"))
    bodies.append(setup_notice("identity"))
    bodies.append(service_event("Sending Status Disabled"))
    return bodies


def sample_bodies() -> list[str]:
    """The sample file's lines: the hand-picked bodies, then generated traffic (seed 7).

    No malformed bodies: the README's first command classifies this file and should
    exit 0 (malformed input is shown by the tests and the demo instead)."""
    traffic = generate_traffic(notifications=20, seed=7, start=SAMPLE_START, malformed=0)
    return hand_picked_bodies() + traffic.bodies


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"wrote {write_sample(target, sample_bodies())} lines to {target}")
