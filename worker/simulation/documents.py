"""SES documents as dicts, shaped exactly as SES emits them: the simulated account, ids,
recipient domains, the mail object and one builder per event type (event-publishing form
and, for Bounce, Complaint and Delivery, the identity-notification form)."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from typing import Any, Final, Literal

from worker.domain.addresses import normalise_address
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
