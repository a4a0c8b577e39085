"""Request and response bodies of the support API (they are its OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from worker.adapters.suppression import AuditEntry, SuppressedDestination
from worker.domain.deliverability import Deliverability
from worker.domain.timestamps import format_timestamp
from worker.queries.recipient import DeliverabilityAnswer, RecipientOverview
from worker.queries.support_views import (
    DomainRate,
    GapReport,
    NotificationView,
    RecipientHealth,
    StatusCounts,
    header_message_id,
)

#: Longest query value or path a caller may send (an address is at most 320 characters).
MAX_INPUT_CHARS = 2048


def bad_text(value: str, *, limit: int = MAX_INPUT_CHARS) -> str | None:
    """Why ``value`` cannot be input text (``None`` when it can): a control character
    (NUL would even make PostgreSQL refuse the statement), a lone surrogate (no encoding
    can store it), or more than ``limit`` characters."""
    if len(value) > limit:
        return f"is longer than {limit} characters"
    for char in value:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return f"contains a control character (U+{code:04X})"
        if 0xD800 <= code <= 0xDFFF:
            return f"contains a lone surrogate (U+{code:04X})"
    return None


def _clean(value: str) -> str:
    problem = bad_text(value)
    if problem:
        raise ValueError(problem)
    return value


#: A string field of a request body: no control characters or lone surrogates (422).
CleanText = Annotated[str, AfterValidator(_clean)]


class _FromAttributes(BaseModel):
    """A response body that copies the same-named attributes of a query's view."""

    model_config = ConfigDict(from_attributes=True)


class EventOut(_FromAttributes):
    event_type: str = Field(examples=["Bounce"])
    occurred_at: str = Field(description="SES event time, ISO-8601 UTC.")
    status: str | None = None
    reason: str | None = None
    smtp_status: str | None = Field(default=None, description="Enhanced status code.")
    diagnostic: str | None = Field(default=None, description="The receiving server's words.")
    provider: str | None = Field(default=None, description="Who answered (Gmail, Mimecast...).")
    help_url: str | None = None


class ItAdminLine(BaseModel):
    label: str
    value: str


class ExplanationOut(BaseModel):
    headline: str
    next_steps: list[str]
    audience: str = Field(description="company or consumer: whose advice this is.")


class EngagementOut(BaseModel):
    opened_at: str | None
    clicked_at: str | None


class _NotificationRecordOut(_FromAttributes):
    """The fields a notification record has under the same names."""

    notification_id: str
    message_id: str = Field(description="SES message id.")
    recipient: str | None = Field(description="Null once purged after the retention period.")
    notification_type: str
    sent_at: str
    status: str = Field(examples=["bounced"])
    reason: str = Field(examples=["mailbox_not_found"])
    status_at: str
    events: list[EventOut]


class NotificationOut(_NotificationRecordOut):
    """One notification: the ``inboxgap status --json`` fields plus what support is told."""

    engagement: EngagementOut = Field(
        description="First Open and Click events (null when none); never changes status."
    )
    kind: str = Field(
        description="never_sent, sent_no_feedback_yet, delayed, delivered, bounced, "
        "quarantined or unknown."
    )
    badge: str
    explanation: ExplanationOut
    message_id_header: str = Field(description="The Message-ID header receivers see.")
    it_admin: list[ItAdminLine]
    it_admin_text: str

    @classmethod
    def of(cls, view: NotificationView, *, region: str) -> NotificationOut:
        record = view.record
        return cls(
            **{name: getattr(record, name) for name in _NotificationRecordOut.model_fields},
            engagement=EngagementOut(**view.engagement.as_json()),
            kind=view.kind.value,
            badge=view.badge,
            explanation=ExplanationOut(
                headline=view.explanation.headline,
                next_steps=list(view.explanation.next_steps),
                audience=view.explanation.audience.value,
            ),
            message_id_header=header_message_id(record.message_id, region),
            it_admin=[ItAdminLine(label=k, value=v) for k, v in view.it_admin.lines],
            it_admin_text=view.it_admin.as_text(),
        )


class LookupOut(BaseModel):
    query: dict[str, str] = Field(description="What was searched.")
    count: int = Field(description="Notifications in this page.")
    has_more: bool = Field(
        default=False, description="More notifications match: ask again with `cursor=next`."
    )
    next: str | None = Field(
        default=None,
        description="Opaque cursor of the next page (pass it as `cursor`); null on the last.",
    )
    kind: str | None = Field(
        description="never_sent when an address had no notification in the period."
    )
    explanation: ExplanationOut | None = Field(description="For never_sent: what support is told.")
    notifications: list[NotificationOut] = Field(description="Newest first.")


class SuppressionOut(BaseModel):
    listed: bool | None = Field(description="Null when SES could not be asked.")
    reason: str | None = None
    last_update_time: str | None = None
    message_id: str | None = None
    feedback_id: str | None = None
    error: str | None = None

    @classmethod
    def of(cls, entry: SuppressedDestination | None, error: str | None) -> SuppressionOut:
        if error is not None:
            return cls(listed=None, error=error)
        if entry is None:
            return cls(listed=False)
        return cls(
            listed=True,
            reason=entry.reason,
            last_update_time=entry.last_update_time,
            message_id=entry.message_id,
            feedback_id=entry.feedback_id,
        )


class FailureOut(_FromAttributes):
    notification_id: str
    message_id: str
    event_type: str
    occurred_at: str
    status: str | None
    reason: str | None
    smtp_status: str | None
    diagnostic: str | None
    provider: str | None


def _time_text(value: Any) -> Any:
    """A time of a port value (a datetime) as the fixed-width UTC text the API shows."""
    return format_timestamp(value) if isinstance(value, datetime) else value


class AuditOut(_FromAttributes):
    action: str
    actor: str
    why: str
    created_at: Annotated[str, BeforeValidator(_time_text)]
    ses_reason: str | None = None
    listed_since: str | None = None


class DeliverabilityFields(BaseModel):
    """The answer for the sending application's UI (see README "Deliverability")."""

    state: str = Field(description="ok | at_risk | suspended | unknown")
    since: str | None = Field(description="When the address entered this state (UTC).")
    reason: str | None = Field(description="The outcome reason behind the state.")
    user_message: str = Field(description="Plain words for the end user, not for support.")
    actions: list[str] = Field(description="verify_address | unsuppress | contact_it")

    @staticmethod
    def fields_of(answer: Deliverability) -> dict[str, Any]:
        return {
            "state": answer.state.value,
            "since": answer.since,
            "reason": answer.reason,
            "user_message": answer.user_message,
            "actions": [action.value for action in answer.actions],
        }


class DeliverabilityOut(DeliverabilityFields):
    recipient: str
    suppression_error: str | None = None

    @classmethod
    def of(cls, answer: DeliverabilityAnswer) -> DeliverabilityOut:
        return cls(
            recipient=answer.recipient,
            suppression_error=answer.suppression_error,
            **cls.fields_of(answer.deliverability),
        )


class RecipientOut(DeliverabilityFields):
    recipient: str
    total: int
    status_counts: dict[str, int]
    first_sent_at: str | None
    last_sent_at: str | None
    recent: list[NotificationOut]
    hard_bounces: list[FailureOut]
    complaints: list[FailureOut]
    suppression: SuppressionOut
    suppression_changes: list[AuditOut]

    @classmethod
    def of_overview(cls, overview: RecipientOverview, *, region: str) -> RecipientOut:
        """The API shape of :func:`worker.queries.recipient.recipient_overview`."""
        return cls.of(
            overview.health,
            overview.views,
            region=region,
            suppression=SuppressionOut.of(overview.suppressed, overview.suppression_error),
            audit=overview.audit,
            deliverability=overview.deliverability,
        )

    @classmethod
    def of(
        cls,
        health: RecipientHealth,
        views: list[NotificationView],
        *,
        region: str,
        suppression: SuppressionOut,
        audit: list[AuditEntry],
        deliverability: Deliverability,
    ) -> RecipientOut:
        return cls(
            recipient=health.recipient,
            total=health.total,
            status_counts=dict(health.status_counts),
            first_sent_at=health.first_sent_at,
            last_sent_at=health.last_sent_at,
            recent=[NotificationOut.of(v, region=region) for v in views],
            hard_bounces=[FailureOut.model_validate(f) for f in health.hard_bounces],
            complaints=[FailureOut.model_validate(f) for f in health.complaints],
            suppression=suppression,
            suppression_changes=[AuditOut.model_validate(a) for a in audit],
            **cls.fields_of(deliverability),
        )


class UnsuppressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(
        min_length=3, max_length=1000, description="Why the address is removed (audited)."
    )
    requested_by: CleanText | None = Field(
        default=None,
        max_length=200,
        description="Who asked (a person or ticket); the token's fingerprint is always kept.",
    )


class UnsuppressOut(BaseModel):
    recipient: str
    action: str = Field(description="removed, or not_listed when SES had nothing to remove.")
    removed: bool
    previous_reason: str | None
    audited_as: str


class RatesOut(BaseModel):
    delivered: float
    bounced: float
    quarantined: float
    unknown: float
    pending: float


class CountsOut(BaseModel):
    sent: int = Field(description="All notifications handed to SES in the window.")
    delivered: int
    bounced: int
    quarantined: int
    unknown: int
    pending: int = Field(description="Still sent, no conclusive feedback yet.")
    rates: RatesOut

    @classmethod
    def of(cls, counts: StatusCounts) -> CountsOut:
        data = counts.as_json()
        return cls(**{**data, "rates": RatesOut(**data["rates"])})


class ReasonOut(BaseModel):
    status: str
    reason: str
    count: int
    rate: float


class DomainOut(BaseModel):
    domain: str
    sent: int
    count: int
    rate: float

    @classmethod
    def of(cls, d: DomainRate) -> DomainOut:
        return cls(domain=d.domain, sent=d.sent, count=d.failed, rate=round(d.rate, 6))


class BreakdownOut(CountsOut):
    key: str


class ReportOut(BaseModel):
    since: str
    until: str
    totals: CountsOut
    top_reasons: list[ReasonOut]
    top_domains_by_quarantine_rate: list[DomainOut]
    top_domains_by_bounce_rate: list[DomainOut]
    min_domain_volume: int
    by: str | None
    breakdown: list[BreakdownOut]
    delivered_opened: int | None = Field(
        description="Delivered notifications with an Open event; null when no notification "
        "sent in the period has one (open tracking off)."
    )

    @classmethod
    def of(cls, report: GapReport) -> ReportOut:
        return cls(
            since=report.since,
            until=report.until,
            totals=CountsOut.of(report.totals),
            top_reasons=[
                ReasonOut(status=r.status, reason=r.reason, count=r.count, rate=round(r.rate, 6))
                for r in report.top_reasons
            ],
            top_domains_by_quarantine_rate=[DomainOut.of(d) for d in report.top_quarantine_domains],
            top_domains_by_bounce_rate=[DomainOut.of(d) for d in report.top_bounce_domains],
            min_domain_volume=report.min_domain_volume,
            by=report.by,
            delivered_opened=report.delivered_opened,
            breakdown=[
                BreakdownOut(key=row.key, **CountsOut.of(row.counts).model_dump())
                for row in report.breakdown
            ],
        )


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notification_id: CleanText = Field(min_length=1, max_length=1000)
    message_id: CleanText = Field(min_length=1, max_length=1000, description="SES message id.")
    recipient: CleanText = Field(min_length=3, max_length=1000)
    sent_at: CleanText = Field(
        description="ISO-8601 time of the send.", examples=["2025-03-04T10:15:01Z"]
    )
    notification_type: CleanText | None = Field(default=None, max_length=1000)


class RecordSendsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sends: list[SendIn] = Field(min_length=1, max_length=10_000)


class RecordSendsOut(BaseModel):
    created: int
    unchanged: int
    replaced: int
    conflicting: int
    attached_events: int
    status_changes: int


class HealthOut(BaseModel):
    status: str
    database: str


class ReadyOut(BaseModel):
    status: str = Field(examples=["ready"])
    database: str = Field(examples=["reachable"])
    migrations: str = Field(
        description="current when the schema is at this version's head.", examples=["current"]
    )
