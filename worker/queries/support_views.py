"""What support is told: pure views over notifications, recipients and the gap report.

No I/O and no SQLAlchemy here (the reads are :mod:`worker.queries.support_sql`).
:func:`describe` turns one notification and its events into a :class:`NotificationView`:
the outcome kind (never sent, sent with no feedback yet, delayed, delivered, bounced,
quarantined, unknown), the explanation and next steps from
:mod:`worker.domain.explanations`, and the "for your IT administrator" block (SES message
id, the ``Message-ID`` header as receivers see it, UTC times, From, Subject, sending
domain, reporting MTA, remote MTA IP, the server's words verbatim). The result types of
recipient health and the gap report live here too, so the CLI renderers and the API
models import no database code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from worker.domain.addresses import domain_of, normalise_address
from worker.domain.engagement import Engagement, engagement_of
from worker.domain.explanations import Explanation, explain, never_sent, sent_no_feedback_yet
from worker.domain.outcomes import Reason, Status, reasons_where
from worker.domain.timestamps import parse_timestamp

# ======================================================================================
# Records (the shape of `inboxgap status --json`, plus the IT-admin details)
# ======================================================================================


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One ledger entry of a notification, oldest first in a timeline.

    The first eight fields are the ``events`` items of ``inboxgap status --json``. The
    others feed the IT-admin block; they are None when SES did not send them or the
    ledger does not store them.
    """

    event_type: str
    occurred_at: str
    status: str | None = None
    reason: str | None = None
    smtp_status: str | None = None
    diagnostic: str | None = None
    provider: str | None = None
    help_url: str | None = None
    reporting_mta: str | None = None
    remote_mta_ip: str | None = None
    from_header: str | None = None
    subject: str | None = None
    sending_domain: str | None = None

    def as_status_json(self) -> dict[str, str | None]:
        return {
            "event_type": self.event_type,
            "occurred_at": self.occurred_at,
            "status": self.status,
            "reason": self.reason,
            "smtp_status": self.smtp_status,
            "diagnostic": self.diagnostic,
            "provider": self.provider,
            "help_url": self.help_url,
        }


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """One notification with its events (oldest first)."""

    notification_id: str
    message_id: str
    recipient: str | None
    notification_type: str
    sent_at: str
    status: str
    reason: str
    status_at: str
    events: tuple[TimelineEvent, ...] = ()
    recipient_domain: str = ""

    def summary_json(self) -> dict[str, str | None]:
        """The export object: every ``status --json`` field but ``events``."""
        return {
            "notification_id": self.notification_id,
            "message_id": self.message_id,
            "recipient": self.recipient,
            "notification_type": self.notification_type,
            "sent_at": self.sent_at,
            "status": self.status,
            "reason": self.reason,
            "status_at": self.status_at,
        }

    def as_status_json(self) -> dict[str, Any]:
        """Exactly the object of ``inboxgap status --json``."""
        return {
            **self.summary_json(),
            "events": [event.as_status_json() for event in self.events],
            "engagement": engagement_of(
                (event.event_type, event.occurred_at) for event in self.events
            ).as_json(),
        }


class EventLike(Protocol):
    """What :func:`describe` reads from an event (TimelineEvent or the status query's)."""

    @property
    def event_type(self) -> str: ...
    @property
    def occurred_at(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def smtp_status(self) -> str | None: ...
    @property
    def diagnostic(self) -> str | None: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def help_url(self) -> str | None: ...


class NotificationLike(Protocol):
    """What :func:`describe` reads from a notification: the ``status --json`` fields."""

    @property
    def notification_id(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def recipient(self) -> str | None: ...
    @property
    def notification_type(self) -> str: ...
    @property
    def sent_at(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def status_at(self) -> str: ...
    @property
    def events(self) -> Sequence[EventLike]: ...


# ======================================================================================
# What support is told (pure)
# ======================================================================================


class OutcomeKind(StrEnum):
    """The distinctions support must make at a glance (one badge each)."""

    NEVER_SENT = "never_sent"
    AWAITING = "sent_no_feedback_yet"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    QUARANTINED = "quarantined"
    UNKNOWN = "unknown"


#: Badge text per kind: short, and never ambiguous between the "not arrived" cases.
BADGES: Mapping[OutcomeKind, str] = {
    OutcomeKind.NEVER_SENT: "Never sent to this address",
    OutcomeKind.AWAITING: "Sent, no feedback yet",
    OutcomeKind.DELAYED: "Delayed, still trying",
    OutcomeKind.DELIVERED: "Delivered (accepted by their server)",
    OutcomeKind.BOUNCED: "Bounced",
    OutcomeKind.QUARANTINED: "Quarantined",
    OutcomeKind.UNKNOWN: "Unknown (no feedback in time)",
}


def outcome_kind(status: str, reason: str) -> OutcomeKind:
    if status == Status.SENT:
        return OutcomeKind.DELAYED if reason == Reason.DELIVERY_DELAYED else OutcomeKind.AWAITING
    return {
        Status.DELIVERED.value: OutcomeKind.DELIVERED,
        Status.BOUNCED.value: OutcomeKind.BOUNCED,
        Status.QUARANTINED.value: OutcomeKind.QUARANTINED,
    }.get(status, OutcomeKind.UNKNOWN)


def header_message_id(message_id: str, region: str) -> str:
    """The ``Message-ID`` header receivers see for an SES message id (ses-events.md §2)."""
    region = (region or "us-east-1").strip().lower()
    host = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
    return f"<{message_id}@{host}>"


def display_time(stamp: str | None) -> str:
    """``2025-03-04T10:15:01.123Z`` → ``2025-03-04 10:15:01 UTC`` (other text unchanged)."""
    if not stamp:
        return ""
    moment = parse_timestamp(stamp)
    if moment is None:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def deciding_event(record: NotificationLike) -> EventLike | None:
    """The latest event whose outcome is the notification's current one."""
    best: EventLike | None = None
    for event in record.events:
        same = event.status == record.status and event.reason == record.reason
        if same and (best is None or event.occurred_at >= best.occurred_at):
            best = event
    return best


def _last_words(record: NotificationLike) -> EventLike | None:
    """The latest event carrying a server reply (for unknown/delayed: the last delay)."""
    best: EventLike | None = None
    for event in record.events:
        if (event.diagnostic or event.smtp_status) and (
            best is None or event.occurred_at >= best.occurred_at
        ):
            best = event
    return best


def _recipient_domain(record: NotificationLike) -> str | None:
    domain = getattr(record, "recipient_domain", None)
    if domain:
        return str(domain)
    return domain_of(record.recipient) if record.recipient else None


def explain_record(record: NotificationLike, *, now: datetime) -> Explanation:
    """The explanation and next steps for one notification's current outcome."""
    # Here, not at the top: compiling the classifier's rules takes ~0.3 s, which the
    # report and the other commands that explain nothing would pay for at start-up.
    from worker.domain.classifier import party_of

    domain = _recipient_domain(record)
    if record.status == Status.SENT and record.reason == Reason.AWAITING_FEEDBACK:
        sent = parse_timestamp(record.sent_at)
        minutes = (now - sent).total_seconds() / 60 if sent is not None else None
        return sent_no_feedback_yet(minutes, recipient_domain=domain)
    try:
        reason = Reason(record.reason)
    except ValueError:
        reason = Reason.NO_FEEDBACK
    event = deciding_event(record) or (
        _last_words(record) if record.status == Status.UNKNOWN else None
    )
    return explain(
        reason,
        recipient_domain=domain,
        provider=event.provider if event is not None else None,
        occurred_at=event.occurred_at if event is not None else record.status_at,
        help_url=event.help_url if event is not None else None,
        # Whose problem the deciding reply describes: "our sender" changes the advice.
        party=party_of(event.diagnostic, event.smtp_status, reason) if event is not None else None,
    )


@dataclass(frozen=True, slots=True)
class ItAdminBlock:
    """Everything an IT team needs to find the message in its quarantine and filter logs."""

    lines: tuple[tuple[str, str], ...]

    def as_text(self) -> str:
        width = max((len(label) for label, _ in self.lines), default=0)
        out: list[str] = []
        for label, value in self.lines:
            first, *rest = value.splitlines() or [""]
            out.append(f"{label + ':':<{width + 1}} {first}")
            out.extend(f"{'':<{width + 1}} {line}" for line in rest)
        return "\n".join(out)


def _first(values: Iterable[str | None]) -> str | None:
    for value in values:
        if value:
            return value
    return None


def _domain_of_from(from_header: str | None) -> str | None:
    if not from_header:
        return None
    return domain_of(normalise_address(from_header)) or None


def it_admin_block(record: NotificationLike, *, region: str) -> ItAdminBlock:
    """The "for your IT administrator" block, labels in plain English, values verbatim."""
    evs = list(record.events)
    latest_first = sorted(evs, key=lambda e: e.occurred_at, reverse=True)

    def extra(name: str) -> str | None:
        return _first(getattr(e, name, None) for e in latest_first)

    lines: list[tuple[str, str]] = [
        ("Recipient", record.recipient or "(removed after the retention period)"),
        ("SES message ID", record.message_id),
        ("Message-ID header", header_message_id(record.message_id, region)),
        ("Sent (UTC)", display_time(record.sent_at)),
        ("Outcome", f"{record.status} / {record.reason} at {display_time(record.status_at)}"),
    ]
    from_header = extra("from_header")
    if from_header:
        lines.append(("From", from_header))
    subject = extra("subject")
    if subject:
        lines.append(("Subject", subject))
    sending = extra("sending_domain") or _domain_of_from(from_header)
    if sending:
        lines.append(("Sending domain", sending))
    lines.append(("Sending service", "Amazon SES (amazonses.com)"))
    words = deciding_event(record) or _last_words(record)
    if words is not None:
        if words.provider:
            lines.append(("Answered by", words.provider))
        if words.smtp_status:
            lines.append(("Enhanced status code", words.smtp_status))
        reporting = getattr(words, "reporting_mta", None)
        if reporting:
            lines.append(("Reporting MTA", reporting))
        remote = getattr(words, "remote_mta_ip", None)
        if remote:
            lines.append(("Remote MTA IP", remote))
        if words.diagnostic:
            lines.append(("Server response", words.diagnostic))
        if words.help_url:
            lines.append(("Help link", words.help_url))
    for event in sorted(evs, key=lambda e: e.occurred_at):
        lines.append((f"{event.event_type} (UTC)", display_time(event.occurred_at)))
    return ItAdminBlock(tuple(lines))


@dataclass(frozen=True, slots=True)
class NotificationView:
    """One notification as support sees it."""

    record: NotificationLike
    kind: OutcomeKind
    badge: str
    explanation: Explanation
    it_admin: ItAdminBlock

    @property
    def timeline(self) -> list[EventLike]:
        return sorted(self.record.events, key=lambda e: e.occurred_at)

    @property
    def engagement(self) -> Engagement:
        return engagement_of((e.event_type, e.occurred_at) for e in self.record.events)


def describe(record: NotificationLike, *, now: datetime, region: str) -> NotificationView:
    kind = outcome_kind(record.status, record.reason)
    return NotificationView(
        record=record,
        kind=kind,
        badge=BADGES[kind],
        explanation=explain_record(record, now=now),
        it_admin=it_admin_block(record, region=region),
    )


def never_sent_view(email: str | None) -> tuple[str, Explanation]:
    """Badge and explanation when nothing was sent to the address in the period."""
    domain = domain_of(normalise_address(email)) if email else None
    return BADGES[OutcomeKind.NEVER_SENT], never_sent(domain)


# ======================================================================================
# Recipient health and the gap report: result types
# ======================================================================================

#: Failures that say something about the address itself (what puts it on SES's list).
ADDRESS_FAILURE_REASONS: frozenset[str] = frozenset(
    reasons_where(lambda spec: spec.condemns_address)
)


@dataclass(frozen=True, slots=True)
class FailureEvent:
    """A hard bounce or complaint about an address."""

    notification_id: str
    message_id: str
    event_type: str
    occurred_at: str
    status: str | None
    reason: str | None
    smtp_status: str | None
    diagnostic: str | None
    provider: str | None

    @property
    def is_complaint(self) -> bool:
        return self.reason == Reason.COMPLAINT or self.event_type == "Complaint"


@dataclass(frozen=True, slots=True)
class RecipientHealth:
    """Recent notifications and outcomes of one address, and its failure history."""

    recipient: str
    recent: tuple[NotificationRecord, ...]
    status_counts: Mapping[str, int]
    total: int
    failures: tuple[FailureEvent, ...]
    first_sent_at: str | None
    last_sent_at: str | None

    @property
    def hard_bounces(self) -> tuple[FailureEvent, ...]:
        return tuple(f for f in self.failures if not f.is_complaint)

    @property
    def complaints(self) -> tuple[FailureEvent, ...]:
        return tuple(f for f in self.failures if f.is_complaint)


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """Counts over a set of notifications; ``sent`` is all of them (handed to SES)."""

    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    quarantined: int = 0
    unknown: int = 0
    pending: int = 0

    @classmethod
    def from_statuses(cls, counts: Mapping[str, int]) -> StatusCounts:
        return cls(
            sent=sum(counts.values()),
            delivered=counts.get(Status.DELIVERED, 0),
            bounced=counts.get(Status.BOUNCED, 0),
            quarantined=counts.get(Status.QUARANTINED, 0),
            unknown=counts.get(Status.UNKNOWN, 0),
            pending=counts.get(Status.SENT, 0),
        )

    def rate(self, count: int) -> float:
        return count / self.sent if self.sent else 0.0

    def rates(self) -> dict[str, float]:
        return {
            name: round(self.rate(getattr(self, name)), 6)
            for name in ("delivered", "bounced", "quarantined", "unknown", "pending")
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "delivered": self.delivered,
            "bounced": self.bounced,
            "quarantined": self.quarantined,
            "unknown": self.unknown,
            "pending": self.pending,
            "rates": self.rates(),
        }


@dataclass(frozen=True, slots=True)
class ReasonCount:
    status: str
    reason: str
    count: int
    rate: float


@dataclass(frozen=True, slots=True)
class DomainRate:
    domain: str
    sent: int
    failed: int
    rate: float


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    key: str
    counts: StatusCounts


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """Outcomes of the notifications sent in one bucket (a day or an hour)."""

    start: str
    counts: StatusCounts


#: Values of ``inboxgap report --by``.
REPORT_DIMENSIONS = ("domain", "type", "day")


@dataclass(frozen=True, slots=True)
class GapReport:
    since: str
    until: str
    totals: StatusCounts
    top_reasons: tuple[ReasonCount, ...]
    top_quarantine_domains: tuple[DomainRate, ...]
    top_bounce_domains: tuple[DomainRate, ...]
    by: str | None = None
    breakdown: tuple[BreakdownRow, ...] = ()
    min_domain_volume: int = 1
    notes: tuple[str, ...] = field(default=())
    #: Delivered notifications with at least one Open event; None when no notification
    #: sent in the window has an Open event (open tracking is off, or nobody opened).
    delivered_opened: int | None = None

    def as_json(self) -> dict[str, Any]:
        def domains(rows: Sequence[DomainRate]) -> list[dict[str, Any]]:
            return [
                {"domain": r.domain, "sent": r.sent, "count": r.failed, "rate": round(r.rate, 6)}
                for r in rows
            ]

        return {
            "since": self.since,
            "until": self.until,
            "totals": self.totals.as_json(),
            "top_reasons": [
                {"status": r.status, "reason": r.reason, "count": r.count, "rate": round(r.rate, 6)}
                for r in self.top_reasons
            ],
            "top_domains_by_quarantine_rate": domains(self.top_quarantine_domains),
            "top_domains_by_bounce_rate": domains(self.top_bounce_domains),
            "min_domain_volume": self.min_domain_volume,
            "by": self.by,
            "breakdown": [{"key": r.key, **r.counts.as_json()} for r in self.breakdown],
            "delivered_opened": self.delivered_opened,
        }


@dataclass(frozen=True, slots=True)
class LookupPage:
    """One page of a lookup, newest first, and where the next page starts: the
    ``(sent_at, id)`` of this page's last notification, or None when nothing is left."""

    records: tuple[NotificationRecord, ...]
    after: tuple[str, int] | None = None

    @property
    def has_more(self) -> bool:
        return self.after is not None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What one search box query found: how it was read, and the notifications."""

    query: str
    field: str  # "email", "message_id" or "notification_id"
    records: tuple[NotificationRecord, ...]
