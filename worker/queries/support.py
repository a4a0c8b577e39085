"""Read-only support queries: lookups with their timeline, recipient health, the gap report.

One query layer for the CLI (``inboxgap status/recipient/report``) and the support API and
web page: neither contains SQL or business rules of its own. Everything here only reads.

Two halves:

* **What support is told** (pure, no I/O): :func:`describe` turns one notification and
  its events into a :class:`NotificationView`: the outcome kind (never sent, sent with no
  feedback yet, delayed, delivered, bounced, quarantined, unknown), the explanation and
  next steps from :mod:`worker.domain.explanations`, and the "for your IT administrator"
  block (SES message id, the ``Message-ID`` header as receivers see it, UTC times, From,
  Subject, sending domain, reporting MTA, remote MTA IP, the server's words verbatim).
* **The reads** (:class:`SupportQueries`, SQLAlchemy Core over
  :mod:`worker.adapters.database`, PostgreSQL and SQLite alike).

Speed on a 10M-row log, and why:

* Lookups (by address, SES message id or notification id) are index lookups
  (``ix_notifications_recipient``, ``uq_notifications_ses_message_id_recipient``, the
  unique ``notification_id``) followed by one ``IN`` query on ``ix_events_notification_pk``:
  two statements whatever the log size.
* The gap report reads the **pre-aggregated** ``daily_status_counts`` (maintained by the
  ingest handlers in the same transaction as every status change) for every whole UTC day
  of the window, and the log itself only for the partial days at the window's edges,
  through ``ix_notifications_sent_at`` (migration 0003). For a partial day it scans the
  smaller side: the part inside the window, or the day's aggregate minus the part outside
  it. So ``--since 24h`` scans at most half a day of rows (and usually nothing at the
  "now" end, where no rows exist yet), independently of the log size. Indexes alone would
  make a 24 h report scan (and a 30-day report aggregate) millions of rows; a
  pre-aggregation alone would only have whole-day resolution.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Subquery

from worker.adapters.database import daily_status_counts, events, notifications
from worker.domain.addresses import domain_of, normalise_address
from worker.domain.classifier import party_of
from worker.domain.explanations import Explanation, explain, never_sent, sent_no_feedback_yet
from worker.domain.outcomes import Reason, Status
from worker.domain.timestamps import format_timestamp, parse_timestamp

__all__ = [
    "ADDRESS_FAILURE_REASONS",
    "REPORT_DIMENSIONS",
    "BreakdownRow",
    "DomainRate",
    "FailureEvent",
    "GapReport",
    "ItAdminBlock",
    "NotificationRecord",
    "NotificationView",
    "OutcomeCounts",
    "OutcomeKind",
    "ReasonCount",
    "RecipientHealth",
    "SearchResult",
    "SeriesPoint",
    "SupportQueries",
    "TimelineEvent",
    "describe",
    "header_message_id",
    "it_admin_block",
    "never_sent_view",
]

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
    {
        Reason.MAILBOX_NOT_FOUND,
        Reason.DOMAIN_NOT_FOUND,
        Reason.MAILBOX_DISABLED,
        Reason.HARD_BOUNCE,
        Reason.SUPPRESSED,
        Reason.COMPLAINT,
    }
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
class OutcomeCounts:
    """Counts over a set of notifications; ``sent`` is all of them (handed to SES)."""

    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    quarantined: int = 0
    unknown: int = 0
    pending: int = 0

    @classmethod
    def from_statuses(cls, counts: Mapping[str, int]) -> OutcomeCounts:
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
    counts: OutcomeCounts


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """Outcomes of the notifications sent in one bucket (a day or an hour)."""

    start: str
    counts: OutcomeCounts


#: Values of ``inboxgap report --by``.
REPORT_DIMENSIONS = ("domain", "type", "day")


@dataclass(frozen=True, slots=True)
class GapReport:
    since: str
    until: str
    totals: OutcomeCounts
    top_reasons: tuple[ReasonCount, ...]
    top_quarantine_domains: tuple[DomainRate, ...]
    top_bounce_domains: tuple[DomainRate, ...]
    by: str | None = None
    breakdown: tuple[BreakdownRow, ...] = ()
    min_domain_volume: int = 1
    notes: tuple[str, ...] = field(default=())

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
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What one search box query found: how it was read, and the notifications."""

    query: str
    field: str  # "email", "message_id" or "notification_id"
    records: tuple[NotificationRecord, ...]


# ======================================================================================
# The reads
# ======================================================================================

#: Columns the IT-admin block reads from the ledger when the schema has them.
_EXTRA_EVENT_COLUMNS = (
    "reporting_mta",
    "remote_mta_ip",
    "from_header",
    "subject",
    "sending_domain",
)
_DAY = timedelta(days=1)
_STATUSES = tuple(s.value for s in Status)


def _ts(moment: datetime) -> str:
    return format_timestamp(moment)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SupportQueries:
    """The support reads over one engine. Every method opens its own read-only connection."""

    def __init__(self, engine: Engine, *, max_results: int = 50) -> None:
        self.engine = engine
        self.max_results = max_results
        self._statements: dict[tuple[str, bool], Select[Any]] = {}
        self._extra_columns = [events.c[name] for name in _EXTRA_EVENT_COLUMNS if name in events.c]

    # --- plumbing -------------------------------------------------------------------
    def _connect(self) -> Connection:
        """A read-only connection. On PostgreSQL in autocommit: every read here is one
        statement or a report whose statements need no common snapshot, so BEGIN and
        ROLLBACK would only add two round trips to every lookup."""
        conn = self.engine.connect()
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            conn.execution_options(readonly=True)
        return conn

    def ping(self) -> None:
        """Raises when the database cannot be reached or the log's tables are missing."""
        with self._connect() as conn:
            conn.execute(select(notifications.c.id).limit(1)).all()

    # --- lookups --------------------------------------------------------------------
    def lookup(
        self,
        *,
        email: str | None = None,
        message_id: str | None = None,
        notification_id: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[NotificationRecord]:
        """Notifications matching exactly one key, newest first, with their events."""
        given = [v for v in (email, message_id, notification_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, message_id, notification_id")
        if email is not None:
            key, value = "recipient", normalise_address(email)
        elif message_id is not None:
            # The Message-ID header form <id@region.amazonses.com> is accepted too.
            key, value = "ses_message_id", message_id.strip().strip("<>").split("@")[0]
        else:
            key, value = "notification_id", (notification_id or "").strip()
        with self._connect() as conn:
            return self._records(conn, key, value, since=since, limit=limit or self.max_results)

    def search(self, query: str, *, since: datetime | None = None) -> SearchResult:
        """The web page's one search box: an address, an SES message id (or the
        ``Message-ID`` header) or a notification id."""
        text_ = query.strip()
        if "@" in text_ and not text_.startswith("<"):
            by_email = self.lookup(email=text_, since=since)
            # Ids made from a Send event contain the address ("ses:<id>:<address>").
            by_id = [] if by_email else self.lookup(notification_id=text_, since=since)
            if by_id:
                return SearchResult(text_, "notification_id", tuple(by_id))
            return SearchResult(text_, "email", tuple(by_email))
        by_message = self.lookup(message_id=text_, since=since)
        if by_message:
            return SearchResult(text_, "message_id", tuple(by_message))
        by_id = self.lookup(notification_id=text_, since=since)
        return SearchResult(text_, "notification_id", tuple(by_id))

    def _lookup_statement(self, key: str, with_since: bool) -> Select[Any]:
        """Built once per (key column, with or without ``since``) and reused: building a
        statement costs more than running this one on a warm database."""
        cached = self._statements.get((key, with_since))
        if cached is not None:
            return cached
        n, e = notifications.c, events.c
        inner = select(
            n.id,
            n.notification_id,
            n.ses_message_id,
            n.recipient,
            n.notification_type,
            n.sent_at,
            n.status,
            n.reason,
            n.status_at,
            n.recipient_domain,
        ).where(n[key] == bindparam("value"))
        if with_since:
            inner = inner.where(n.sent_at >= bindparam("since"))
        found = (
            inner.order_by(n.sent_at.desc(), n.id.desc())
            .limit(bindparam("limit"))
            .subquery("found")
        )
        f = found.c
        stmt = (
            select(
                *found.c,
                e.event_type,
                e.occurred_at,
                e.status.label("event_status"),
                e.reason.label("event_reason"),
                e.smtp_status,
                e.diagnostic,
                e.provider,
                e.help_url,
                *self._extra_columns,
            )
            .select_from(found.outerjoin(events, e.notification_pk == f.id))
            .order_by(f.sent_at.desc(), f.id.desc(), e.occurred_at, e.identity)
        )
        self._statements[(key, with_since)] = stmt
        return stmt

    def _records(
        self,
        conn: Connection,
        key: str,
        value: str,
        *,
        since: datetime | None,
        limit: int,
    ) -> list[NotificationRecord]:
        """One statement: the newest ``limit`` notifications whose ``key`` column equals
        ``value``, joined to their events (one round trip, whatever the number of events)."""
        params: dict[str, Any] = {"value": value, "limit": limit}
        if since is not None:
            params["since"] = _ts(_aware(since))
        stmt = self._lookup_statement(key, since is not None)
        heads: dict[int, Any] = {}
        timeline: dict[int, list[TimelineEvent]] = defaultdict(list)
        extra = [column.name for column in self._extra_columns]
        for row in conn.execute(stmt, params):
            heads.setdefault(row.id, row)
            if row.event_type is not None:
                timeline[row.id].append(
                    TimelineEvent(
                        event_type=row.event_type,
                        occurred_at=row.occurred_at,
                        status=row.event_status,
                        reason=row.event_reason,
                        smtp_status=row.smtp_status,
                        diagnostic=row.diagnostic,
                        provider=row.provider,
                        help_url=row.help_url,
                        **{name: getattr(row, name) for name in extra},
                    )
                )
        return [
            NotificationRecord(
                notification_id=row.notification_id,
                message_id=row.ses_message_id,
                recipient=row.recipient,
                notification_type=row.notification_type,
                sent_at=row.sent_at,
                status=row.status,
                reason=row.reason,
                status_at=row.status_at,
                events=tuple(timeline.get(pk, ())),
                recipient_domain=row.recipient_domain,
            )
            for pk, row in heads.items()
        ]

    # --- recipient health -----------------------------------------------------------
    def recipient_health(
        self, email: str, *, since: datetime | None = None, recent: int = 20
    ) -> RecipientHealth:
        """Recent notifications (in ``since``), counts per status and the hard-bounce and
        complaint history over everything the log still holds for the address."""
        address = normalise_address(email)
        n, e = notifications.c, events.c
        with self._connect() as conn:
            records = self._records(conn, "recipient", address, since=since, limit=recent)
            counts_rows = conn.execute(
                select(
                    n.status,
                    func.count().label("n"),
                    func.min(n.sent_at).label("first"),
                    func.max(n.sent_at).label("last"),
                )
                .where(n.recipient == address)
                .group_by(n.status)
            ).all()
            failures = conn.execute(
                select(
                    n.notification_id,
                    n.ses_message_id,
                    e.event_type,
                    e.occurred_at,
                    e.status,
                    e.reason,
                    e.smtp_status,
                    e.diagnostic,
                    e.provider,
                )
                .select_from(notifications.join(events, events.c.notification_pk == n.id))
                .where(
                    n.recipient == address,
                    or_(
                        e.reason.in_(sorted(ADDRESS_FAILURE_REASONS)),
                        e.event_type == "Complaint",
                    ),
                )
                .order_by(e.occurred_at.desc())
                .limit(100)
            ).all()
        status_counts = {row.status: int(row.n) for row in counts_rows}
        firsts = [row.first for row in counts_rows if row.first]
        lasts = [row.last for row in counts_rows if row.last]
        return RecipientHealth(
            recipient=address,
            recent=tuple(records),
            status_counts=status_counts,
            total=sum(status_counts.values()),
            failures=tuple(
                FailureEvent(
                    notification_id=row.notification_id,
                    message_id=row.ses_message_id,
                    event_type=row.event_type,
                    occurred_at=row.occurred_at,
                    status=row.status,
                    reason=row.reason,
                    smtp_status=row.smtp_status,
                    diagnostic=row.diagnostic,
                    provider=row.provider,
                )
                for row in failures
            ),
            first_sent_at=min(firsts) if firsts else None,
            last_sent_at=max(lasts) if lasts else None,
        )

    # --- the gap report -------------------------------------------------------------
    def gap_report(
        self,
        *,
        since: datetime,
        until: datetime,
        by: str | None = None,
        top: int = 10,
        min_domain_volume: int = 20,
        breakdown_limit: int = 100,
    ) -> GapReport:
        """Outcomes of the notifications *sent* in ``[since, until)``."""
        if by is not None and by not in REPORT_DIMENSIONS:
            raise ValueError(f"by must be one of {', '.join(REPORT_DIMENSIONS)}")
        since, until = _aware(since), _aware(until)
        if until <= since:
            raise ValueError("the report window is empty (until must be after since)")
        with self._connect() as conn:
            rows = conn.execute(
                _report_statement(since, until, by, min_domain_volume, breakdown_limit)
            ).all()
        per_status: Counter[str] = Counter()
        reasons: list[tuple[str, str, int]] = []
        domains: list[tuple[str, int, int, int]] = []
        breakdown: list[BreakdownRow] = []
        for row in rows:
            if row.part == "reason":
                count = int(row.total or 0)
                if count:
                    per_status[row.key] += count
                    reasons.append((row.key, row.key2, count))
            elif row.part == "domain":
                domains.append(
                    (row.key, int(row.total), int(row.bounced or 0), int(row.quarantined or 0))
                )
            else:
                counts = {status: int(getattr(row, status) or 0) for status in _STATUSES}
                breakdown.append(BreakdownRow(str(row.key), OutcomeCounts.from_statuses(counts)))
        totals = OutcomeCounts.from_statuses(per_status)
        if by == "day":
            breakdown.sort(key=lambda r: r.key)
        else:
            breakdown.sort(key=lambda r: (-r.counts.sent, r.key))
        failing = {Status.BOUNCED.value, Status.QUARANTINED.value, Status.UNKNOWN.value}
        top_reasons = sorted(
            (r for r in reasons if r[0] in failing), key=lambda r: (-r[2], r[0], r[1])
        )[:top]

        def ranked(index: int) -> tuple[DomainRate, ...]:
            items = [
                DomainRate(d[0], d[1], failed, failed / d[1])
                for d in domains
                if (failed := int(d[index])) > 0
            ]
            items.sort(key=lambda d: (-d.rate, -d.sent, d.domain))
            return tuple(items[:top])

        return GapReport(
            since=_ts(since),
            until=_ts(until),
            totals=totals,
            top_reasons=tuple(
                ReasonCount(status, reason, count, totals.rate(count))
                for status, reason, count in top_reasons
            ),
            top_quarantine_domains=ranked(3),
            top_bounce_domains=ranked(2),
            by=by,
            breakdown=tuple(breakdown),
            min_domain_volume=min_domain_volume,
        )

    def outcome_series(
        self, *, since: datetime, until: datetime, hourly: bool | None = None
    ) -> list[SeriesPoint]:
        """Outcomes over time, by day of sending (from the aggregates), or by hour for
        windows of up to three days (from the log, through ``ix_notifications_sent_at``)."""
        since, until = _aware(since), _aware(until)
        if hourly is None:
            hourly = until - since <= timedelta(days=3)
        with self._connect() as conn:
            if hourly:
                n = notifications.c
                bucket = func.substr(n.sent_at, 1, 13)
                rows = conn.execute(
                    select(bucket.label("bucket"), n.status, func.count().label("n"))
                    .where(n.sent_at >= _ts(since), n.sent_at < _ts(until))
                    .group_by(bucket, n.status)
                ).all()
                suffix = ":00:00.000Z"
            else:
                window = _window(since, until)
                rows = conn.execute(
                    select(
                        window.c.day.label("bucket"),
                        window.c.status,
                        func.sum(window.c.n).label("n"),
                    ).group_by(window.c.day, window.c.status)
                ).all()
                suffix = "T00:00:00.000Z"
        buckets: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            if int(row.n or 0):
                buckets[str(row.bucket)][row.status] += int(row.n)
        return [
            SeriesPoint(start + suffix, OutcomeCounts.from_statuses(counts))
            for start, counts in sorted(buckets.items())
        ]


# --------------------------------------------------------------------------------------
# The window: aggregates for whole days, the log for the edges
# --------------------------------------------------------------------------------------


def _aggregate_day_range(first: date, last_exclusive: date, sign: int = 1) -> Select[Any]:
    d = daily_status_counts.c
    return select(
        d.day.label("day"),
        d.recipient_domain.label("recipient_domain"),
        d.notification_type.label("notification_type"),
        d.status.label("status"),
        d.reason.label("reason"),
        (d.count * sign).label("n") if sign != 1 else d.count.label("n"),
    ).where(d.day >= first.isoformat(), d.day < last_exclusive.isoformat())


def _raw(day: date, start: datetime, end: datetime, sign: int = 1) -> Select[Any]:
    n = notifications.c
    count = func.count()
    return (
        select(
            literal(day.isoformat()).label("day"),
            n.recipient_domain.label("recipient_domain"),
            n.notification_type.label("notification_type"),
            n.status.label("status"),
            n.reason.label("reason"),
            (count * sign).label("n") if sign != 1 else count.label("n"),
        )
        .where(n.sent_at >= _ts(start), n.sent_at < _ts(end))
        .group_by(n.recipient_domain, n.notification_type, n.status, n.reason)
    )


def _partial_day(day: date, start: datetime, end: datetime) -> list[Select[Any]]:
    """Rows of one UTC day restricted to ``[start, end)``, reading the smaller side."""
    day_start, day_end = _midnight(day), _midnight(day) + _DAY
    inside = end - start
    if inside <= _DAY / 2:
        return [_raw(day, start, end)]
    parts: list[Select[Any]] = [_aggregate_day_range(day, day + _DAY)]
    if start > day_start:
        parts.append(_raw(day, day_start, start, sign=-1))
    if end < day_end:
        parts.append(_raw(day, end, day_end, sign=-1))
    return parts


def window_parts(since: datetime, until: datetime) -> list[Select[Any]]:
    """The selects whose UNION ALL gives (day, domain, type, status, reason, n) for the
    notifications sent in ``[since, until)``."""
    parts: list[Select[Any]] = []
    first_day, last_day = since.date(), until.date()
    if first_day == last_day:
        return _partial_day(first_day, since, until)
    # Start edge.
    if since == _midnight(first_day):
        full_from = first_day
    else:
        parts.extend(_partial_day(first_day, since, _midnight(first_day) + _DAY))
        full_from = first_day + _DAY
    # Whole days in between.
    if full_from < last_day:
        parts.append(_aggregate_day_range(full_from, last_day))
    # End edge.
    if until > _midnight(last_day):
        parts.extend(_partial_day(last_day, _midnight(last_day), until))
    return parts


def _window(since: datetime, until: datetime) -> Subquery:
    parts = window_parts(since, until)
    if len(parts) == 1:
        return parts[0].subquery("window")
    return union_all(*parts).subquery("window")


def _status_sum(window: Any, status: str) -> Any:
    return func.sum(case((window.c.status == status, window.c.n), else_=0))


def _report_statement(
    since: datetime, until: datetime, by: str | None, min_volume: int, limit: int
) -> Select[Any]:
    """Every figure of the gap report in one statement, so the window (and its edge scans
    of the log) is computed once: a CTE read by three grouped parts under UNION ALL, with
    the same columns (part, key, key2, total and one sum per status)."""
    window = union_all(*window_parts(since, until)).cte("window")
    w = window.c
    zero: Any = literal_column("0")
    empty: Any = literal_column("''")

    def row(part: str, key: Any, key2: Any, total: Any, sums: dict[str, Any]) -> list[Any]:
        return [
            literal_column(f"'{part}'").label("part"),
            key.label("key"),
            key2.label("key2"),
            total.label("total"),
            *((sums.get(status, zero)).label(status) for status in _STATUSES),
        ]

    by_reason = select(*row("reason", w.status, w.reason, func.sum(w.n), {})).group_by(
        w.status, w.reason
    )
    total = func.sum(w.n)
    bounced = _status_sum(window, Status.BOUNCED.value)
    quarantined = _status_sum(window, Status.QUARANTINED.value)
    by_domain = (
        select(
            *row(
                "domain",
                w.recipient_domain,
                empty,
                total,
                {Status.BOUNCED.value: bounced, Status.QUARANTINED.value: quarantined},
            )
        )
        .group_by(w.recipient_domain)
        .having(and_(total >= max(min_volume, 1), (bounced + quarantined) > 0))
    )
    parts: list[Select[Any]] = [by_reason, by_domain]
    if by is not None:
        key = {"domain": w.recipient_domain, "type": w.notification_type, "day": w.day}[by]
        sums = {status: _status_sum(window, status) for status in _STATUSES}
        breakdown = select(*row("breakdown", key, empty, total, sums)).group_by(key)
        if by != "day":  # days: all of them; domains and types: the biggest ``limit``
            breakdown = breakdown.order_by(total.desc(), key).limit(limit)
        inner = breakdown.subquery("breakdown")
        parts.append(select(*inner.c))
    return union_all(*parts)  # type: ignore[return-value]
