"""What support is told, from records alone (no database): kinds, badges, explanations,
the IT-admin block and the Message-ID header form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from worker.domain.explanations import MailboxKind
from worker.queries.support_views import (
    BADGES,
    ItAdminBlock,
    NotificationRecord,
    OutcomeKind,
    StatusCounts,
    TimelineEvent,
    describe,
    display_time,
    header_message_id,
    never_sent_view,
    outcome_kind,
)

NOW = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


def record(status: str, reason: str, *events: TimelineEvent, **kw: str) -> NotificationRecord:
    values = {
        "notification_id": "n-1",
        "message_id": "0100018f-abc-000000",
        "recipient": "jane@acme.example",
        "notification_type": "magic_code",
        "sent_at": "2025-03-05T08:00:00.000Z",
        "status": status,
        "reason": reason,
        "status_at": "2025-03-05T08:00:03.000Z",
        **kw,
    }
    return NotificationRecord(events=tuple(events), **values)


GATEWAY_BOUNCE = TimelineEvent(
    event_type="Bounce",
    occurred_at="2025-03-05T08:00:03.000Z",
    status="quarantined",
    reason="security_gateway",
    smtp_status="5.0.0",
    diagnostic="smtp; 550 Rejected by policy [abc.us123] https://community.mimecast.com/x",
    provider="Mimecast",
    help_url="https://community.mimecast.com/x",
    reporting_mta="dns; us-smtp-inbound-1.mimecast.com",
    remote_mta_ip="205.139.110.1",
    from_header="Acme <no-reply@notify.acme.example>",
    subject="Your code",
)


@pytest.mark.parametrize(
    ("status", "reason", "kind"),
    [
        ("sent", "awaiting_feedback", OutcomeKind.AWAITING),
        ("sent", "delivery_delayed", OutcomeKind.DELAYED),
        ("delivered", "accepted", OutcomeKind.DELIVERED),
        ("bounced", "mailbox_not_found", OutcomeKind.BOUNCED),
        ("quarantined", "complaint", OutcomeKind.QUARANTINED),
        ("unknown", "no_feedback", OutcomeKind.UNKNOWN),
    ],
)
def test_outcome_kinds(status: str, reason: str, kind: OutcomeKind) -> None:
    assert outcome_kind(status, reason) is kind


def test_badges_are_all_different() -> None:
    assert len(set(BADGES.values())) == len(OutcomeKind)


@pytest.mark.parametrize(
    ("region", "header"),
    [
        ("us-east-1", "<X@email.amazonses.com>"),
        ("eu-west-1", "<X@eu-west-1.amazonses.com>"),
        ("", "<X@email.amazonses.com>"),
    ],
)
def test_message_id_header(region: str, header: str) -> None:
    assert header_message_id("X", region) == header


def test_sent_no_feedback_yet_counts_minutes_from_now() -> None:
    view = describe(record("sent", "awaiting_feedback"), now=NOW, region="us-east-1")
    assert view.kind is OutcomeKind.AWAITING
    assert view.explanation.headline.startswith("Sent 60 minutes ago")
    later = describe(record("sent", "awaiting_feedback"), now=NOW + timedelta(hours=3), region="")
    assert "about 4 hours ago" in later.explanation.headline


def test_delivered_says_the_rest_is_on_their_side_with_consumer_advice() -> None:
    delivered = TimelineEvent("Delivery", "2025-03-05T08:00:02.000Z", "delivered", "accepted")
    view = describe(
        record("delivered", "accepted", delivered, recipient="jo@gmail.com"),
        now=NOW,
        region="us-east-1",
    )
    assert "accepted it at 2025-03-05 08:00 UTC" in view.explanation.headline
    assert "on their side" in view.explanation.headline
    assert view.explanation.audience is MailboxKind.CONSUMER


def test_quarantine_uses_the_deciding_event_and_builds_the_it_admin_block() -> None:
    view = describe(
        record("quarantined", "security_gateway", GATEWAY_BOUNCE), now=NOW, region="eu-west-1"
    )
    assert view.explanation.audience is MailboxKind.COMPANY
    assert any("Mimecast" in step for step in view.explanation.next_steps)
    assert any("community.mimecast.com" in step for step in view.explanation.next_steps)
    lines = dict(view.it_admin.lines)
    assert lines["SES message ID"] == "0100018f-abc-000000"
    assert lines["Message-ID header"] == "<0100018f-abc-000000@eu-west-1.amazonses.com>"
    assert lines["From"] == "Acme <no-reply@notify.acme.example>"
    assert lines["Subject"] == "Your code"
    assert lines["Sending domain"] == "notify.acme.example"
    assert lines["Reporting MTA"] == "dns; us-smtp-inbound-1.mimecast.com"
    assert lines["Remote MTA IP"] == "205.139.110.1"
    assert lines["Server response"] == GATEWAY_BOUNCE.diagnostic
    assert lines["Bounce (UTC)"] == "2025-03-05 08:00:03 UTC"


def test_unknown_after_delays_quotes_the_last_delay() -> None:
    delay = TimelineEvent(
        "DeliveryDelay",
        "2025-03-04T08:05:00.000Z",
        "sent",
        "delivery_delayed",
        smtp_status="4.4.1",
        diagnostic="smtp; 421 4.4.1 connection timed out",
    )
    view = describe(record("unknown", "delayed_no_outcome", delay), now=NOW, region="us-east-1")
    assert view.kind is OutcomeKind.UNKNOWN
    assert dict(view.it_admin.lines)["Server response"] == delay.diagnostic


def test_purged_recipient_and_missing_headers() -> None:
    view = describe(record("bounced", "hard_bounce", recipient=None), now=NOW, region="us-east-1")  # type: ignore[arg-type]
    lines = dict(view.it_admin.lines)
    assert lines["Recipient"].startswith("(removed")
    assert "From" not in lines and "Subject" not in lines


def test_it_admin_text_aligns_labels_and_continues_lines() -> None:
    block = ItAdminBlock((("A", "one"), ("Longer", "two\nthree")))
    assert block.as_text() == "A:      one\nLonger: two\n        three"


def test_never_sent_view() -> None:
    badge, explanation = never_sent_view("Jo@Gmail.com")
    assert badge == BADGES[OutcomeKind.NEVER_SENT]
    assert "no record" in explanation.headline


def test_counts_and_rates() -> None:
    counts = StatusCounts.from_statuses({"delivered": 6, "bounced": 2, "sent": 2})
    assert (counts.sent, counts.pending) == (10, 2)
    assert counts.rates()["bounced"] == 0.2
    assert StatusCounts().rate(0) == 0.0


def test_display_time() -> None:
    assert display_time("2025-03-05T08:00:03.123Z") == "2025-03-05 08:00:03 UTC"
    assert display_time(None) == "" and display_time("soon") == "soon"
