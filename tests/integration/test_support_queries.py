"""The support queries on real PostgreSQL and SQLite: lookups with their timeline, what
support is told for each kind of outcome, recipient health, and the gap report, whose
aggregate-plus-edges window must equal a brute-force count for any window."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from tests import bodies
from tests.support.ingest import WINDOW, send_record
from tests.support.json_contract import EVENT_KEYS, STATUS_KEYS
from tests.support.support_seed import NOW, SEEDED, add_engagement, seed, ts
from worker.adapters.database import notifications
from worker.adapters.notification_log import SqlNotificationLog
from worker.adapters.suppression import AuditEntry, SqlSuppressionAudit
from worker.handlers.ingest import apply_batch
from worker.handlers.sends import record_sends
from worker.queries.support import (
    OutcomeKind,
    SupportQueries,
    describe,
    header_message_id,
    window_parts,
)


@pytest.fixture
def queries(engine: Engine) -> SupportQueries:
    seed(engine, migrate=False)
    return SupportQueries(engine)


def test_lookup_by_email_is_newest_first_with_the_timeline(queries: SupportQueries) -> None:
    records = queries.lookup(email="  Alice@ACME.example ")
    assert [r.notification_id for r in records] == ["n-alice-1", "n-alice-0"]
    assert all(r.status == "delivered" for r in records)
    assert [e.event_type for e in records[0].events] == ["Delivery"]
    as_json = records[0].as_status_json()
    assert set(as_json) == set(STATUS_KEYS)
    assert set(as_json["events"][0]) == set(EVENT_KEYS)


def test_lookup_by_message_id_header_form_and_notification_id(queries: SupportQueries) -> None:
    by_id = queries.lookup(message_id=SEEDED.bounced_message_id)
    header = header_message_id(SEEDED.bounced_message_id, "us-east-1")
    assert header == f"<{SEEDED.bounced_message_id}@email.amazonses.com>"
    by_header = queries.lookup(message_id=header)
    assert [r.recipient for r in by_id] == [r.recipient for r in by_header] == [SEEDED.bounced]
    assert queries.lookup(notification_id=SEEDED.delivered_notification_id)[0].recipient == (
        SEEDED.delivered
    )
    assert queries.lookup(notification_id="nope") == []
    with pytest.raises(ValueError, match="exactly one"):
        queries.lookup(email="a@b.example", notification_id="x")


def test_since_limits_the_period(queries: SupportQueries) -> None:
    recent = queries.lookup(email=SEEDED.delivered, since=NOW - timedelta(days=1))
    assert [r.notification_id for r in recent] == ["n-alice-1"]
    assert queries.lookup(email=SEEDED.unknown, since=NOW - timedelta(days=1)) == []


def test_search_reads_an_address_or_an_id(queries: SupportQueries) -> None:
    assert queries.search(SEEDED.bounced).field == "email"
    found = queries.search(SEEDED.bounced_message_id)
    assert (found.field, len(found.records)) == ("message_id", 1)
    found = queries.search("n-carol-1")
    assert (found.field, found.records[0].recipient) == ("notification_id", SEEDED.quarantined)
    assert (queries.search(SEEDED.never).field, queries.search(SEEDED.never).records) == (
        "email",
        (),
    )


def test_every_kind_of_outcome_is_told_apart(queries: SupportQueries) -> None:
    kinds = {}
    for address in (
        SEEDED.delivered,
        SEEDED.bounced,
        SEEDED.quarantined,
        SEEDED.awaiting,
        SEEDED.unknown,
        SEEDED.complaint,
    ):
        view = describe(queries.lookup(email=address)[0], now=NOW, region="eu-west-1")
        kinds[address] = view
    assert kinds[SEEDED.delivered].kind is OutcomeKind.DELIVERED
    assert "on their side" in kinds[SEEDED.delivered].explanation.headline
    assert kinds[SEEDED.bounced].kind is OutcomeKind.BOUNCED
    assert any(
        "support.google.com" in step for step in kinds[SEEDED.bounced].explanation.next_steps
    )
    assert kinds[SEEDED.quarantined].kind is OutcomeKind.QUARANTINED
    assert kinds[SEEDED.awaiting].kind is OutcomeKind.AWAITING
    assert kinds[SEEDED.awaiting].explanation.headline.startswith("Sent 12 minutes ago")
    assert kinds[SEEDED.unknown].kind is OutcomeKind.UNKNOWN
    assert kinds[SEEDED.complaint].kind is OutcomeKind.QUARANTINED
    assert len({v.badge for v in kinds.values()}) == 5  # two quarantines share a badge

    admin = dict(kinds[SEEDED.quarantined].it_admin.lines)
    assert admin["Message-ID header"].endswith("@eu-west-1.amazonses.com>")
    assert admin["Answered by"] == "Mimecast"
    assert "Anti-Spoofing policy" in admin["Server response"]
    assert admin["Sent (UTC)"].endswith("UTC")


def test_recipient_health_counts_and_failure_history(queries: SupportQueries) -> None:
    bob = queries.recipient_health(SEEDED.bounced)
    assert (bob.total, dict(bob.status_counts)) == (1, {"bounced": 1})
    assert [f.reason for f in bob.hard_bounces] == ["mailbox_not_found"]
    assert bob.complaints == ()
    frank = queries.recipient_health(SEEDED.complaint)
    assert [f.event_type for f in frank.complaints] == ["Complaint"]
    alice = queries.recipient_health(SEEDED.delivered, since=NOW - timedelta(days=1))
    assert alice.total == 2 and len(alice.recent) == 1 and alice.failures == ()
    nobody = queries.recipient_health(SEEDED.never)
    assert (nobody.total, nobody.recent, nobody.first_sent_at) == (0, (), None)


def test_recipient_outcomes_newest_first_and_limited(queries: SupportQueries) -> None:
    alice = queries.recipient_outcomes("Alice@ACME.example")
    full = queries.recipient_health(SEEDED.delivered)
    # Newest sent first, the same reason and time as the full overview reads.
    assert [(o.reason, o.at) for o in alice] == [(r.reason, r.status_at) for r in full.recent]
    assert [o.reason for o in alice] == ["accepted", "accepted"]
    assert len(queries.recipient_outcomes(SEEDED.delivered, recent=1)) == 1
    assert [o.reason for o in queries.recipient_outcomes(SEEDED.bounced)] == ["mailbox_not_found"]
    assert queries.recipient_outcomes(SEEDED.never) == []


def test_engagement_is_the_first_open_and_click_and_changes_nothing(
    queries: SupportQueries, engine: Engine
) -> None:
    before = queries.gap_report(since=NOW - timedelta(days=1), until=NOW)
    assert before.delivered_opened is None  # no Open event at all: tracking is off
    (alice,) = queries.lookup(notification_id=SEEDED.delivered_notification_id)
    assert alice.as_status_json()["engagement"] == {"opened_at": None, "clicked_at": None}

    first_open, click = add_engagement(engine)
    (alice,) = queries.lookup(notification_id=SEEDED.delivered_notification_id)
    assert (alice.status, alice.reason) == ("delivered", "accepted")
    assert alice.as_status_json()["engagement"] == {"opened_at": first_open, "clicked_at": click}
    (bob,) = queries.lookup(email=SEEDED.bounced)
    assert (bob.status, bob.reason) == ("bounced", "mailbox_not_found")
    assert bob.as_status_json()["engagement"] == {"opened_at": first_open, "clicked_at": None}

    after = queries.gap_report(since=NOW - timedelta(days=1), until=NOW)
    # bob's open counts as tracking being on, but only alice's delivery is delivered-and-opened.
    assert after.delivered_opened == 1
    assert after.totals == before.totals
    assert after.as_json()["delivered_opened"] == 1
    # A window without the opened notifications: no Open events there, so no count.
    old = queries.gap_report(since=NOW - timedelta(days=4), until=NOW - timedelta(days=1))
    assert old.delivered_opened is None and old.totals.delivered == 1


def test_suppression_audit_round_trip(engine: Engine) -> None:
    from worker import migrations

    migrations.upgrade(engine)
    audit = SqlSuppressionAudit(engine)
    for i, action in enumerate(("not_listed", "removed")):
        audit.record(
            AuditEntry(
                recipient="Bob@Gmail.com",
                action=action,
                actor="cli:jane",
                why="customer asked",
                created_at=NOW + timedelta(minutes=i),
                ses_reason="BOUNCE" if action == "removed" else None,
            )
        )
    history = audit.history("bob@gmail.com")
    assert [h.action for h in history] == ["removed", "not_listed"]
    assert history[0].ses_reason == "BOUNCE"


# --------------------------------------------------------------------------- gap report


def _random_log(engine: Engine, rng: random.Random, count: int = 240) -> None:
    """Sends spread over four days with mixed outcomes, through the real handlers."""
    from worker import migrations

    migrations.upgrade(engine)
    log = SqlNotificationLog(engine)
    start = NOW - timedelta(days=4)
    domains = ["gmail.com", "acme.example", "corp.example", "yahoo.com"]
    records, feedback = [], []
    for i in range(count):
        sent = start + timedelta(seconds=rng.randrange(4 * 86_400))
        address = f"u{i}@{rng.choice(domains)}"
        message_id = f"m-{i:05d}"
        records.append(
            send_record(
                f"n-{i}", message_id, address, rng.choice(["magic_code", "receipt"]), sent_at=sent
            )
        )
        roll = rng.random()
        at = ts(sent + timedelta(seconds=5))
        if roll < 0.6:
            feedback.append(
                bodies.delivery(message_id, [address], timestamp=at, mail_timestamp=ts(sent))
            )
        elif roll < 0.75:
            feedback.append(
                bodies.bounce(
                    message_id,
                    address,
                    feedback_id=f"fb-{i}",
                    timestamp=at,
                    mail_timestamp=ts(sent),
                )
            )
        elif roll < 0.85:
            feedback.append(
                bodies.complaint(
                    message_id,
                    address,
                    feedback_id=f"c-{i}",
                    timestamp=at,
                    mail_timestamp=ts(sent),
                )
            )
    record_sends(records, log=log, now=NOW, feedback_window=WINDOW)
    apply_batch(feedback, log=log, now=NOW, feedback_window=WINDOW)


def _brute_force(engine: Engine, since: str, until: str) -> list[tuple[str, str, str, str]]:
    n = notifications.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(n.recipient_domain, n.notification_type, n.status, n.sent_at).where(
                n.sent_at >= since, n.sent_at < until
            )
        ).all()
    return [(r.recipient_domain, r.notification_type, r.status, r.sent_at[:10]) for r in rows]


def test_gap_report_equals_a_brute_force_count_for_any_window(engine: Engine) -> None:
    rng = random.Random(7)
    _random_log(engine, rng)
    queries = SupportQueries(engine)
    windows = [
        (NOW - timedelta(hours=24), NOW),
        (NOW - timedelta(hours=30), NOW - timedelta(hours=2)),
        (NOW - timedelta(days=4, hours=1), NOW),  # whole days in the middle
        (NOW - timedelta(hours=3), NOW - timedelta(hours=1)),  # inside one day
        (NOW.replace(hour=0) - timedelta(days=2), NOW.replace(hour=0)),  # exact midnights
        (NOW.replace(hour=0) - timedelta(days=1, hours=20), NOW - timedelta(hours=8)),
    ]
    for since, until in windows:
        expected = _brute_force(engine, ts(since), ts(until))
        for by in (None, "domain", "type", "day"):
            report = queries.gap_report(since=since, until=until, by=by, min_domain_volume=1)
            statuses = Counter(status for _, _, status, _ in expected)
            assert report.totals.sent == len(expected), (since, until)
            assert report.totals.delivered == statuses["delivered"]
            assert report.totals.bounced == statuses["bounced"]
            assert report.totals.quarantined == statuses["quarantined"]
            assert report.totals.unknown == statuses["unknown"]
            assert report.totals.pending == statuses["sent"]
            if by is not None:
                index = {"domain": 0, "type": 1, "day": 3}[by]
                want = Counter(row[index] for row in expected)
                got = {row.key: row.counts.sent for row in report.breakdown}
                assert got == dict(want), (since, until, by)
        bounce_rates = {d.domain: d.rate for d in report.top_bounce_domains}
        for domain, rate in bounce_rates.items():
            rows = [r for r in expected if r[0] == domain]
            assert rate == pytest.approx(sum(r[2] == "bounced" for r in rows) / len(rows))


def test_report_window_reads_the_log_only_at_the_edges() -> None:
    since, until = NOW - timedelta(days=10), NOW
    parts = [str(p) for p in window_parts(since, until)]
    # 09:00 start: the day's aggregate minus its first 9 hours; one range of whole days;
    # the last day (09:00 of 24 h inside the window) is read from the log directly.
    assert sum("daily_status_counts" in p for p in parts) == 2
    assert sum("FROM notifications" in p for p in parts) == 2


def test_outcome_series_sums_to_the_totals(engine: Engine) -> None:
    _random_log(engine, random.Random(3))
    queries = SupportQueries(engine)
    since = NOW - timedelta(days=4)
    report = queries.gap_report(since=since, until=NOW)
    for hourly in (True, False):
        series = queries.outcome_series(since=since, until=NOW, hourly=hourly)
        assert sum(p.counts.sent for p in series) == report.totals.sent
        assert sum(p.counts.bounced for p in series) == report.totals.bounced
        starts = [p.start for p in series]
        assert starts == sorted(starts)


def test_search_finds_ids_that_contain_an_address(queries: SupportQueries) -> None:
    record_sends(
        [send_record("ses:m-9:zed@acme.example", "m-9", "zed@other.example", None, sent_at=NOW)],
        log=SqlNotificationLog(queries.engine),
        now=NOW,
        feedback_window=WINDOW,
    )
    found = queries.search("ses:m-9:zed@acme.example")
    assert (found.field, [r.recipient for r in found.records]) == (
        "notification_id",
        ["zed@other.example"],
    )
